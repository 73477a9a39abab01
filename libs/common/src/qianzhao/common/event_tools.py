"""`qianzhao events tail | replay`: the platform's event streams as an operator or a subscribing system sees them.

`tail` reads with an ordered consumer of its own (nothing durable is left behind), so the read-only `subscriber`
NATS user can run it; `replay` rewinds a durable consumer to a point in time, which deletes and recreates it and so
needs the `admin` user. Both connect as `QZ_NATS_USER`/`QZ_NATS_PASSWORD` say, or, on a machine running
`qianzhao up`, as the generated user of `.data/nats-passwords.json` (subscriber for tail, admin for replay).
"""

from __future__ import annotations

import asyncio
import fnmatch
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import nats
import orjson
from nats.js.api import ConsumerConfig, DeliverPolicy

from . import regions
from .broker import connect_options
from .events import stream_name
from .registry import installed_services
from .settings import PlatformSettings

PASSWORDS = Path(".data") / "nats-passwords.json"


def connect_kwargs(settings: PlatformSettings, user: str) -> dict[str, Any]:
    """This process's NATS user, or `user` from `qianzhao up`'s generated passwords when none is configured."""
    options = connect_options(settings)
    if "user" not in options and PASSWORDS.exists():
        passwords = orjson.loads(PASSWORDS.read_bytes())
        if user in passwords:
            options |= {"user": user, "password": passwords[user]}
    return options


@dataclass(frozen=True)
class Selection:
    """Which events to show: a glob over the type, a region (and everything beneath it), where to start."""

    types: str | None = None
    region: str | None = None
    since: datetime | None = None
    seq: int | None = None

    def wants(self, event: dict) -> bool:
        if self.types and not fnmatch.fnmatchcase(event.get("type", ""), self.types):
            return False
        code = event.get("regioncode")
        return not self.region or (code is not None and regions.contains(self.region, code))

    def deliver(self) -> dict[str, Any]:
        if self.seq is not None:
            return {"deliver_policy": DeliverPolicy.BY_START_SEQUENCE, "opt_start_seq": self.seq}
        if self.since is not None:
            return {"deliver_policy": DeliverPolicy.BY_START_TIME, "opt_start_time": self.since.isoformat()}
        return {"deliver_policy": DeliverPolicy.ALL}


def pretty(event: dict, stream: str, seq: int) -> str:
    data = event.get("data") or {}
    label = data.get("number") or data.get("case_number") or data.get("code") or event.get("subject", "")
    return f"{event.get('time', '')[:19]}  {stream}#{seq:<6} {event.get('type', '')}  {event.get('regioncode') or '-'}  {label}"


async def tail(settings: PlatformSettings, selection: Selection, *, as_json: bool = False, follow: bool = False,
               write: Callable[[str], None] = print, services: list[str] | None = None, url: str | None = None) -> int:
    """Print the selected events of every service's stream, oldest first per stream; with `follow`, keep printing
    new ones until interrupted. Returns how many were printed."""
    nc = await nats.connect(url or settings.nats_url, **connect_kwargs(settings, "subscriber"))
    printed = 0
    try:
        js = nc.jetstream()
        queue: asyncio.Queue = asyncio.Queue()
        subscriptions, pending = [], {}
        for svc in services or [d.name for d in installed_services()]:
            stream = stream_name(svc)
            try:
                info = await js.stream_info(stream)
            except nats.js.errors.NotFoundError:
                continue
            pending[stream] = info.state.last_seq
            config = ConsumerConfig(**selection.deliver())

            async def on_message(msg, stream=stream):
                await queue.put((stream, msg))
            subscriptions.append(await js.subscribe(f"qz.{svc}.>", stream=stream, ordered_consumer=True,
                                                    config=config, cb=on_message))
        done = {s for s, last in pending.items() if last == 0}
        while follow or done != set(pending):
            try:
                stream, msg = await asyncio.wait_for(queue.get(), timeout=None if follow else 5.0)
            except TimeoutError:
                break  # nothing more arrived: caught up
            seq = msg.metadata.sequence.stream
            if seq >= pending[stream]:
                done.add(stream)
            event = orjson.loads(msg.data)
            if selection.wants(event):
                write(orjson.dumps({"stream": stream, "seq": seq, **event}).decode() if as_json
                      else pretty(event, stream, seq))
                printed += 1
        for sub in subscriptions:
            await sub.unsubscribe()
    finally:
        await nc.close()
    return printed


async def replay(settings: PlatformSettings, consumer: str, since: datetime, *, url: str | None = None,
                 services: list[str] | None = None) -> dict[str, Any]:
    """Rewind durable `consumer` so it is delivered again everything from `since` on: it is recreated with the same
    configuration and a start time. Its service redelivers through its inbox, so events it already handled are
    skipped there; stop the service's consumers first if a burst of redeliveries would hurt."""
    nc = await nats.connect(url or settings.nats_url, **connect_kwargs(settings, "admin"))
    try:
        js = nc.jetstream()
        for svc in services or [d.name for d in installed_services()]:
            stream = stream_name(svc)
            try:
                info = await js.consumer_info(stream, consumer)
            except nats.js.errors.NotFoundError:
                continue
            config = info.config
            config.deliver_policy = DeliverPolicy.BY_START_TIME
            config.opt_start_time = since.isoformat()
            config.opt_start_seq = None
            await js.delete_consumer(stream, consumer)
            rewound = await js.add_consumer(stream, config)
            return {"stream": stream, "consumer": consumer, "pending": rewound.num_pending, "since": since.isoformat()}
        raise LookupError(f"no durable consumer {consumer!r} on the platform's streams")
    finally:
        await nc.close()
