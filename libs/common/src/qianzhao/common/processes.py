"""Child processes that leave nothing behind: each starts in its own process group, and stopping it signals the
whole group, waits a bounded time, then kills the group (a wrapper's grandchildren, such as the node a launcher
script starts, go too)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from typing import Any


def spawn(argv: list[str], **kwargs: Any) -> subprocess.Popen:
    """`subprocess.Popen` in a new session (its own process group), so `stop` can reach every descendant."""
    return subprocess.Popen(argv, start_new_session=True, **kwargs)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def stop(proc: subprocess.Popen | None, *, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int | None:
    """Ask the process group to stop with `sig`, wait up to `timeout` s, then SIGKILL the group; its exit code."""
    if proc is None:
        return None
    if proc.poll() is None:
        _signal_group(proc, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    _signal_group(proc, signal.SIGKILL)  # stragglers of the group, even when the leader already exited
    try:
        return proc.wait(5)
    except subprocess.TimeoutExpired:
        return None
