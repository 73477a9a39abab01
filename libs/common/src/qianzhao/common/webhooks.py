"""`qianzhao webhooks`: the platform's events delivered over HTTPS to systems that cannot speak NATS.

Each registered endpoint (a JSON file, `QZ_WEBHOOKS_FILE`) names the event types it wants (globs), its region (its
jurisdiction: only events of records in that region or beneath it are sent) and the environment variable holding
its signing secret. The bridge keeps one durable JetStream consumer per endpoint and stream (`webhooks-<endpoint>`),
so deliveries survive restarts and one slow endpoint never holds up another. Every POST is a CloudEvent signed as

    Qianzhao-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>

(see `verify`); a receiver checks it, rejects a timestamp older than five minutes, and deduplicates by
`Qianzhao-Event-Id` (delivery is at least once). A non-2xx answer, a timeout or a refused connection is retried with
exponential back-off (`backoff_seconds` × 2^(attempt−1), at most an hour); after `max_attempts` the event goes to the
endpoint's dead-letter list, `qz.deadletter.webhooks.<endpoint>` in the dead-letter stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import hashlib
import hmac
import ipaddress
import logging
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import nats
import orjson
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import BaseModel, Field, field_validator, model_validator

from . import regions
from .events import stream_name
from .settings import ConfigError

log = logging.getLogger("qianzhao.webhooks")

SIGNATURE = "Qianzhao-Signature"
MAX_BACKOFF_SECONDS = 3600
TOLERANCE_SECONDS = 300
MAX_BODY_BYTES = 1_000_000  # an event larger than this is dead-lettered, not sent


class Endpoint(BaseModel):
    """One registered receiver."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="Stable id, also the consumer's name.")
    url: str = Field(max_length=2000, description="https:// (http:// only to loopback outside production).")
    secret_env: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,99}$",
                            description="Environment variable holding the signing secret (≥ 32 characters).")
    types: list[str] = Field(default=["qianzhao.*"], min_length=1, max_length=50,
                             description="Event type globs, e.g. qianzhao.projects.project.*")
    region: str = Field(default=regions.PROVINCE_CODE, description="Its jurisdiction: a division code.")
    services: list[str] = Field(default=["projects", "grievances", "coordination"], min_length=1, max_length=10)
    max_attempts: int = Field(default=8, ge=1, le=50)
    backoff_seconds: float = Field(default=5.0, gt=0, le=600)
    timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    @field_validator("region")
    @classmethod
    def _known_region(cls, code: str) -> str:
        if regions.get(code) is None:
            raise ValueError(f"{code!r} is not one of Guizhou's 98 division codes")
        return code

    @field_validator("types")
    @classmethod
    def _bounded_globs(cls, globs: list[str]) -> list[str]:
        if any(len(g) > 200 for g in globs):
            raise ValueError("a type glob is at most 200 characters")
        return globs

    @property
    def durable(self) -> str:
        return f"webhooks-{self.name}"

    @property
    def dead_letter_subject(self) -> str:
        return f"qz.deadletter.webhooks.{self.name}"

    def wants(self, event: dict[str, Any]) -> bool:
        """The event's type matches a glob and its record lies in the endpoint's region."""
        if not any(fnmatch.fnmatchcase(event.get("type", ""), g) for g in self.types):
            return False
        code = event.get("regioncode")
        if code is None:
            return self.region == regions.PROVINCE_CODE
        return regions.get(code) is not None and regions.contains(self.region, code)

    def secret(self) -> bytes:
        value = os.environ.get(self.secret_env, "")
        if len(value) < 32:
            raise ConfigError(f"webhook {self.name}: {self.secret_env} must hold a secret of at least 32 characters")
        return value.encode()


class WebhookConfig(BaseModel):
    endpoints: list[Endpoint] = Field(max_length=100)

    @model_validator(mode="after")
    def _unique(self) -> WebhookConfig:
        names = [e.name for e in self.endpoints]
        if len(names) != len(set(names)):
            raise ValueError("endpoint names must be unique")
        return self

    @classmethod
    def load(cls, path: str | Path, *, production: bool) -> WebhookConfig:
        config = cls.model_validate(orjson.loads(Path(path).read_bytes()))
        for endpoint in config.endpoints:
            check_url(endpoint.url, production=production)
            endpoint.secret()
        return config


def check_url(url: str, *, production: bool) -> None:
    """https everywhere; plain http only to a loopback address, and never in production."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    loopback = False
    with contextlib.suppress(ValueError):
        loopback = parts.hostname == "localhost" or ipaddress.ip_address(parts.hostname or "").is_loopback
    if parts.scheme == "http" and loopback and not production:
        return
    raise ConfigError(f"webhook URL {url!r} must be https://")


def sign(secret: bytes, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify(secret: bytes, header: str, body: bytes, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver runs: the signature matches the body and is at most `tolerance` seconds old."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        t = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = sign(secret, body, t).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


class Bridge:
    """Delivers to every endpoint of `config` until stopped (or, for tests and one-off catch-ups, until idle)."""

    def __init__(self, config: WebhookConfig, *, nats_url: str, connect: dict[str, Any] | None = None,
                 http: httpx.AsyncClient | None = None):
        self.config, self.nats_url, self.connect = config, nats_url, connect or {}
        self.http = http
        self.delivered: dict[str, int] = {e.name: 0 for e in config.endpoints}
        self.dead_lettered: dict[str, int] = {e.name: 0 for e in config.endpoints}

    async def run(self, *, idle_seconds: float | None = None) -> None:
        nc = await nats.connect(self.nats_url, **self.connect)
        own_http = self.http is None
        http = self.http or httpx.AsyncClient(follow_redirects=False)
        try:
            js = nc.jetstream()
            await asyncio.gather(*(self._follow(js, http, endpoint, service, idle_seconds)
                                   for endpoint in self.config.endpoints for service in endpoint.services))
        finally:
            if own_http:
                await http.aclose()
            await nc.close()

    async def _follow(self, js, http: httpx.AsyncClient, endpoint: Endpoint, service: str,
                      idle_seconds: float | None) -> None:
        stream = stream_name(service)
        durable = f"{endpoint.durable}-{service}"
        config = ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.NEW,
                                filter_subject=f"qz.{service}.>", max_deliver=-1,
                                ack_wait=endpoint.timeout_seconds + 30, max_ack_pending=100)
        waited = 0.0
        while True:  # a stream not created yet (its service has not started) is waited for, not an error
            try:
                sub = await js.pull_subscribe(f"qz.{service}.>", durable=durable, stream=stream, config=config)
                break
            except nats.js.errors.NotFoundError:
                if idle_seconds is not None and waited >= idle_seconds:
                    return
                log.warning("webhook %s: stream %s not found yet; waiting", endpoint.name, stream)
                await asyncio.sleep(1.0)
                waited += 1.0
        secret = endpoint.secret()
        quiet = 0.0
        try:
            while idle_seconds is None or quiet < idle_seconds:
                try:
                    messages = await sub.fetch(10, timeout=0.5)
                except (TimeoutError, nats.errors.TimeoutError):
                    quiet += 0.5
                    continue
                quiet = 0.0
                for msg in messages:  # first attempts in stream order; a retried event comes after later ones
                    await self._deliver(js, http, endpoint, secret, msg)
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _deliver(self, js, http: httpx.AsyncClient, endpoint: Endpoint, secret: bytes, msg) -> None:
        try:
            event = orjson.loads(msg.data)
        except orjson.JSONDecodeError:
            event = None
        if not isinstance(event, dict) or not endpoint.wants(event):
            await msg.ack_sync()
            return
        attempt = msg.metadata.num_delivered
        error = "event larger than 1 MB" if len(msg.data) > MAX_BODY_BYTES else None
        if error is None:
            try:
                response = await http.post(endpoint.url, content=msg.data, timeout=endpoint.timeout_seconds,
                                           headers={"Content-Type": "application/cloudevents+json",
                                                    SIGNATURE: sign(secret, msg.data),
                                                    "Qianzhao-Event-Id": str(event.get("id", "")),
                                                    "Qianzhao-Event-Type": str(event.get("type", "")),
                                                    "Qianzhao-Delivery-Attempt": str(attempt)})
                if 200 <= response.status_code < 300:
                    self.delivered[endpoint.name] += 1
                    await msg.ack_sync()
                    return
                error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
        if attempt >= endpoint.max_attempts or len(msg.data) > MAX_BODY_BYTES:
            await js.publish(endpoint.dead_letter_subject, msg.data, headers={
                "Qz-Original-Subject": msg.subject, "Qz-Error": error, "Qz-Deliveries": str(attempt),
                "Nats-Msg-Id": f"{endpoint.durable}:{event.get('id')}"})
            self.dead_lettered[endpoint.name] += 1
            log.error("webhook %s gave up on event %s after %d attempts: %s", endpoint.name, event.get("id"),
                      attempt, error)
            await msg.term()
            return
        delay = min(endpoint.backoff_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS)
        log.warning("webhook %s: event %s attempt %d failed (%s); retrying in %.1f s", endpoint.name,
                    event.get("id"), attempt, error, delay)
        await msg.nak(delay=delay)
