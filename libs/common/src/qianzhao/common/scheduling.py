"""Periodic background jobs: every replica runs the loop; the job decides who works (advisory lock, SKIP LOCKED).
Each run is a trace of its own, exported only when the job did something (a truthy result) or failed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from . import metrics
from .background import background_run

log = logging.getLogger("qianzhao.scheduling")


async def every(seconds: float, job: Callable[[], Awaitable[object]], *, name: str, wait_first: bool = False,
                service: str = "") -> None:
    """Run `job` every `seconds` until cancelled; a failure is logged and retried next round, never fatal. Each run
    counts in `qz_scheduler_runs_total{service, job=name, outcome=ok|idle|error}`."""
    if wait_first:
        await asyncio.sleep(seconds)
    while True:
        with background_run(name) as run:
            try:
                result = await job()
                run.finished(result)
                metrics.scheduler_run(service, name, "ok" if result else "idle")
                if result:
                    log.info("%s: %s", name, result)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                run.failed(exc)
                metrics.scheduler_run(service, name, "error")
                log.exception("%s failed; retrying in %.0f s", name, seconds)
        await asyncio.sleep(seconds)
