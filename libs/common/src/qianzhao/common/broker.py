"""The NATS connection a process shares: connects in the background, reconnects forever, creates streams."""

from __future__ import annotations

import asyncio
import logging

import nats
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from .events import DLQ_STREAM, DLQ_SUBJECTS, stream_name

log = logging.getLogger("qianzhao.broker")

DUPLICATE_WINDOW_SECONDS = 600.0


def stream_config(service: str, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=stream_name(service), subjects=[f"qz.{service}.>"], storage=StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW_SECONDS, num_replicas=replicas,
    )


def dead_letter_stream_config(replicas: int = 1) -> StreamConfig:
    return StreamConfig(name=DLQ_STREAM, subjects=[DLQ_SUBJECTS], storage=StorageType.FILE, num_replicas=replicas)


async def ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    """Create the stream, or bring its subjects and window up to date."""
    try:
        await js.stream_info(config.name)
    except NotFoundError:
        await js.add_stream(config)
        return
    await js.update_stream(config)


class Broker:
    """Owns one NATS connection; `connected` is set while it is usable."""

    def __init__(self, url: str, *, name: str, streams: list[StreamConfig] | None = None):
        self.url = url
        self.name = name
        self.streams = streams or []
        self.nc: NATS | None = None
        self.js: JetStreamContext | None = None
        self.connected = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._connect_loop(), name=f"{self.name}-nats-connect")

    async def _connect_loop(self) -> None:
        delay = 0.2
        while True:
            try:
                self.nc = await nats.connect(
                    self.url, name=self.name, connect_timeout=2, max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5, allow_reconnect=True, pending_size=64 * 1024 * 1024,
                    disconnected_cb=self._on_disconnected, reconnected_cb=self._on_reconnected,
                    error_cb=self._on_error,
                )
                self.js = self.nc.jetstream(timeout=5, publish_async_max_pending=20000)
                for config in self.streams:
                    await ensure_stream(self.js, config)
                self.connected.set()
                log.info("connected to NATS at %s", self.url)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # server down or streams not creatable yet
                log.warning("NATS at %s not reachable (%s); retrying in %.1fs", self.url, exc, delay)
                if self.nc is not None and not self.nc.is_closed:
                    await self.nc.close()
                self.nc = None
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _on_disconnected(self) -> None:
        self.connected.clear()
        log.warning("disconnected from NATS")

    async def _on_reconnected(self) -> None:
        self.connected.set()
        log.info("reconnected to NATS")

    async def _on_error(self, exc: Exception) -> None:
        log.debug("NATS error: %s", exc)

    @property
    def is_connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    async def wait_connected(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self.connected.wait(), timeout)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        if self.nc is not None and not self.nc.is_closed:
            try:
                await asyncio.wait_for(self.nc.close(), 5)
            except (TimeoutError, Exception):
                pass
        self.connected.clear()
