"""The NATS connection a process shares: connects in the background, reconnects forever, creates streams."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import ssl
from dataclasses import dataclass
from typing import Any

import nats
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from .events import DLQ_STREAM, DLQ_SUBJECTS, stream_name
from .nats_auth import inbox_prefix
from .settings import ConfigError, PlatformSettings

log = logging.getLogger("qianzhao.broker")

DUPLICATE_WINDOW_SECONDS = 600.0
_DEFAULTS = PlatformSettings.model_fields


@dataclass(frozen=True)
class StreamLimits:
    """Replicas and retention of every stream (QZ_NATS_STREAM_REPLICAS, _MAX_AGE_SECONDS, _MAX_BYTES)."""

    replicas: int = _DEFAULTS["nats_stream_replicas"].default
    max_age_seconds: float = _DEFAULTS["nats_stream_max_age_seconds"].default
    max_bytes: int = _DEFAULTS["nats_stream_max_bytes"].default

    @classmethod
    def of(cls, settings: PlatformSettings) -> StreamLimits:
        return cls(settings.nats_stream_replicas, settings.nats_stream_max_age_seconds, settings.nats_stream_max_bytes)


def stream_config(service: str, limits: StreamLimits | None = None) -> StreamConfig:
    limits = limits or StreamLimits()
    return StreamConfig(
        name=stream_name(service), subjects=[f"qz.{service}.>"], storage=StorageType.FILE,
        duplicate_window=DUPLICATE_WINDOW_SECONDS, num_replicas=limits.replicas,
        max_age=limits.max_age_seconds, max_bytes=limits.max_bytes,
    )


def dead_letter_stream_config(limits: StreamLimits | None = None) -> StreamConfig:
    limits = limits or StreamLimits()
    return StreamConfig(name=DLQ_STREAM, subjects=[DLQ_SUBJECTS], storage=StorageType.FILE,
                        duplicate_window=DUPLICATE_WINDOW_SECONDS, num_replicas=limits.replicas,
                        max_age=limits.max_age_seconds, max_bytes=limits.max_bytes)


MANAGED = ("subjects", "duplicate_window", "max_age", "max_bytes", "num_replicas")  # what ensure_stream sets


async def ensure_stream(js: JetStreamContext, config: StreamConfig) -> StreamConfig:
    """Create the stream, or update what differs among the fields the settings decide (`MANAGED`); the rest of an
    existing stream's configuration (set by an operator) is kept. Replicas are raised to the setting, never
    lowered: a stream with more replicas than configured keeps them (and a warning says so). Returns the config
    the stream has now."""
    try:
        current = (await js.stream_info(config.name)).config
    except NotFoundError:
        return (await js.add_stream(config)).config
    changes = stream_changes(current, config)
    if not changes:
        return current
    log.info("updating stream %s: %s", config.name, ", ".join(f"{k}={v}" for k, v in changes.items()))
    return (await js.update_stream(dataclasses.replace(current, **changes))).config


def stream_changes(current: StreamConfig, wanted: StreamConfig) -> dict[str, Any]:
    """The managed fields of `wanted` that differ from `current`, less a lower replica count (kept, with a warning)."""
    changes = {f: getattr(wanted, f) for f in MANAGED
               if getattr(wanted, f) is not None and getattr(wanted, f) != getattr(current, f)}
    if changes.get("num_replicas", current.num_replicas) < (current.num_replicas or 1):
        log.warning("stream %s keeps its %d replicas (QZ_NATS_STREAM_REPLICAS=%d never lowers them; an operator "
                    "does, with `nats stream edit`)", wanted.name, current.num_replicas, wanted.num_replicas)
        del changes["num_replicas"]
    return changes


def connect_options(settings: PlatformSettings) -> dict[str, Any]:
    """`nats.connect` arguments for this process's user (QZ_NATS_USER/PASSWORD, own reply inbox) and client TLS."""
    options: dict[str, Any] = {}
    if settings.nats_user:
        options |= {"user": settings.nats_user, "inbox_prefix": inbox_prefix(settings.nats_user),
                    "password": settings.nats_password.get_secret_value() if settings.nats_password else None}
    if settings.nats_tls_ca_file or settings.nats_tls_cert_file:
        options["tls"] = _tls_context(settings)
    return options


def _tls_context(settings: PlatformSettings) -> ssl.SSLContext:
    try:
        context = ssl.create_default_context(cafile=settings.nats_tls_ca_file or None)
        if settings.nats_tls_cert_file:
            context.load_cert_chain(settings.nats_tls_cert_file, settings.nats_tls_key_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"QZ_NATS_TLS_CA_FILE / QZ_NATS_TLS_CERT_FILE / QZ_NATS_TLS_KEY_FILE cannot be used: {exc}")\
            from None
    return context


class Broker:
    """Owns one NATS connection; `connected` is set while it is usable."""

    def __init__(self, url: str, *, name: str, streams: list[StreamConfig] | None = None,
                 options: dict[str, Any] | None = None):
        self.url = url
        self.name = name
        self.streams = streams or []
        self.options = options or {}  # credentials and TLS (`connect_options`)
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
                    error_cb=self._on_error, **self.options,
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
