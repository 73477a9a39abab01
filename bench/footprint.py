"""Start-up time of `qianzhao up` (second start, data kept) and each process's idle RSS.

Run: `uv run python bench/footprint.py`. Goals: all-ready ≤ 10 s; ≤ 150 MB RSS per service.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from qianzhao.common.embedded import free_port


def start(env) -> tuple[subprocess.Popen, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "qianzhao.common.cli", "up"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if line.startswith("Ready in"):
            return proc, time.perf_counter() - t0
    raise RuntimeError("qianzhao up did not become ready")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="qz-footprint-"))
    env = os.environ | {"QZ_DATA_DIR": str(data)}
    env |= {f"QZ_{n}_PORT": str(free_port()) for n in ("PG", "NATS", "GATEWAY", "PROJECTS", "GRIEVANCES", "COORDINATION")}
    proc, first = start(env)
    stop(proc)
    proc, second = start(env)
    time.sleep(5)  # idle after start-up
    rows = []
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            cmd = " ".join(child.cmdline())
            rss = child.memory_info().rss / 2**20
        except psutil.Error:
            continue
        if "uvicorn" in cmd:
            name = cmd.split("qianzhao.")[1].split(".")[0]
        elif "gateway" in cmd:
            name = "gateway"
        elif "nats-server" in cmd:
            name = "nats-server"
        elif child.name() == "postgres" and "-D" in cmd:
            name = "postgres (postmaster)"
        else:
            continue
        rows.append((name, rss))
    stop(proc)
    print(f"qianzhao up → all ready: first start {first:.1f} s, second start {second:.1f} s (goal ≤ 10 s)")
    for name, rss in sorted(rows):
        print(f"  {name:<24} RSS {rss:7.1f} MB idle")


if __name__ == "__main__":
    main()
