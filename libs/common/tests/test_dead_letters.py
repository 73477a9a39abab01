"""`qianzhao ops dead-letters list | replay` against a real NATS server: a dead letter is listed with its consumer,
event and error, and a replay puts the event back on its original subject and removes the dead letter."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import nats
from qianzhao.common.broker import dead_letter_stream_config, ensure_stream, stream_config
from qianzhao.common.cli import app
from qianzhao.common.events import DLQ_STREAM, EventSpec, RegionalData
from qianzhao.common.testing import reset_nats
from typer.testing import CliRunner


class Stalled(RegionalData):
    project_id: str


STALLED = EventSpec("projects", "project", "stalled", Stalled)


async def _setup(url: str) -> tuple[str, int]:
    """A projects stream with one event, and two consumers' dead letters of it (as consumer.py and webhooks write)."""
    await reset_nats(url)
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for config in (stream_config("projects"), dead_letter_stream_config()):
            await ensure_stream(js, config)
        event = STALLED.build(subject="p1", data={"project_id": "p1", "region_code": "520102"},
                              time=datetime.now(UTC), region_code="520102")
        body = event.model_dump_json().encode()
        original = await js.publish(event.nats_subject, body, headers={"Nats-Msg-Id": event.id})
        for consumer, error in (("coordination-projects", "ValueError: unknown region"), ("webhooks.city", "HTTP 500")):
            await js.publish(f"qz.deadletter.{consumer}", body, headers={
                "Qz-Original-Subject": event.nats_subject, "Qz-Error": error, "Qz-Deliveries": "5",
                "Nats-Msg-Id": f"{consumer}:{event.id}"})
        return event.id, original.seq
    finally:
        await nc.close()


async def _read(url: str, stream: str, seq: int):
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        return await js.get_msg(stream, seq), (await js.stream_info(DLQ_STREAM)).state.messages
    finally:
        await nc.close()


def test_dead_letters_are_listed_and_replayed(nats_server):
    event_id, seq = asyncio.run(_setup(nats_server.url))
    cli, url = CliRunner(), ["--nats-url", nats_server.url]
    listed = cli.invoke(app, ["ops", "dead-letters", "list", *url, "--json"])
    assert listed.exit_code == 0, listed.output
    assert [(d["seq"], d["consumer"], d["type"], d["id"], d["deliveries"]) for d in json.loads(listed.output)] == [
        (1, "coordination-projects", STALLED.type, event_id, 5), (2, "webhooks.city", STALLED.type, event_id, 5)]
    only = cli.invoke(app, ["ops", "dead-letters", "list", *url, "--json", "--consumer", "webhooks.city"])
    assert [d["error"] for d in json.loads(only.output)] == ["HTTP 500"]
    replayed = cli.invoke(app, ["ops", "dead-letters", "replay", "1", *url])
    assert replayed.exit_code == 0, replayed.output
    assert f"QZ_PROJECTS #{seq + 1}" in replayed.output
    again, waiting = asyncio.run(_read(nats_server.url, "QZ_PROJECTS", seq + 1))
    assert again.subject == STALLED.subject and json.loads(again.data)["id"] == event_id
    assert waiting == 1
    left = json.loads(cli.invoke(app, ["ops", "dead-letters", "list", *url, "--json"]).output)
    assert [d["seq"] for d in left] == [2]
    missing = cli.invoke(app, ["ops", "dead-letters", "replay", "1", *url])
    assert missing.exit_code != 0 and "no dead letter 1" in missing.output
