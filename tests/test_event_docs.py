"""The committed AsyncAPI documents in docs/events match the services' event models (run `qianzhao asyncapi`)."""

from __future__ import annotations

from pathlib import Path

import orjson
from qianzhao.common.cli import EVENT_DOCS, event_documents
from qianzhao.common.registry import installed_services

ROOT = Path(__file__).resolve().parents[1]


def test_event_documents_are_current():
    generated = event_documents()
    for name, text in generated.items():
        committed = ROOT / EVENT_DOCS / name
        assert committed.exists(), f"{committed} is missing: run `uv run qianzhao asyncapi`"
        assert committed.read_text(encoding="utf-8") == text, f"{committed} is stale: run `uv run qianzhao asyncapi`"


def test_every_event_type_follows_the_naming_convention():
    for definition in installed_services():
        for spec in definition.events:
            assert spec.type == f"qianzhao.{definition.name}.{spec.aggregate}.{spec.name}.v{spec.version}"
            assert spec.subject == f"qz.{definition.name}.{spec.aggregate}.{spec.name}"
        doc = orjson.loads(event_documents()[f"{definition.name}.asyncapi.json"])
        assert doc["asyncapi"] == "3.0.0"
        assert len(doc["channels"]) == len(definition.events)
        for spec in definition.events:
            schema = doc["components"]["messages"][f"{spec.aggregate}_{spec.name}"]["payload"]["properties"]["data"]
            for field in ("phone", "contact_phone", "id_number"):
                assert field not in schema.get("properties", {}), f"{spec.type} must not carry {field}"
