"""Start throw-away embedded PostgreSQL and NATS servers for a benchmark run."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path

import psutil
from qianzhao.common.embedded import NatsServer, PostgresServer, free_port
from qianzhao.common.migrations import upgrade


@contextmanager
def servers():
    root = Path(tempfile.mkdtemp(prefix="qz-bench-"))
    pg = PostgresServer(root / "pg", free_port()).start()
    nats = NatsServer(root / "nats", free_port()).start()
    try:
        yield pg, nats
    finally:
        nats.stop()
        pg.stop()


def migrated_database(pg: PostgresServer, definition, name: str) -> str:
    pg.create_database(name)
    url = pg.url(name)
    upgrade(definition.migrations, url)
    return url


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def cpu_seconds(*pids: int) -> float:
    """User + system CPU seconds of these processes and their children so far."""
    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            family = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for p in family:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
    return total
