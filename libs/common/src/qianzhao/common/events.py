"""CloudEvents 1.0 envelope named as DESIGN §7 says, and the registry that documents each event type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .ids import new_id
from .privacy import scrub_payload


class CloudEvent(BaseModel):
    """A structured-mode CloudEvent with the `regioncode` extension and the distributed-tracing extension
    (`traceparent`, `tracestate`: the context in which the event was created)."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=lambda: str(new_id()))
    source: str
    type: str
    subject: str | None = None
    time: datetime
    datacontenttype: str = "application/json"
    regioncode: str | None = None
    traceparent: str | None = None
    tracestate: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def nats_subject(self) -> str:
        _, service, aggregate, event, _version = self.type.split(".")
        return nats_subject(service, aggregate, event)


@dataclass(frozen=True)
class EventSpec:
    """One event type: its name parts and the pydantic model of its `data`."""

    service: str
    aggregate: str
    name: str
    model: type[BaseModel]
    version: int = 1
    description: str = ""

    @property
    def type(self) -> str:
        return f"qianzhao.{self.service}.{self.aggregate}.{self.name}.v{self.version}"

    @property
    def subject(self) -> str:
        return nats_subject(self.service, self.aggregate, self.name)

    def build(self, *, subject: str, data: BaseModel | dict[str, Any], time: datetime, region_code: str | None,
              traceparent: str | None = None, tracestate: str | None = None) -> CloudEvent:
        payload = self.model.model_validate(data) if isinstance(data, dict) else data
        return CloudEvent(
            source=f"/qianzhao/{self.service}", type=self.type, subject=subject, time=time,
            regioncode=region_code, traceparent=traceparent, tracestate=tracestate, data=scrub_payload(payload.model_dump(mode="json")),
        )


def nats_subject(service: str, aggregate: str, event: str) -> str:
    return f"qz.{service}.{aggregate}.{event}"


def stream_name(service: str) -> str:
    return f"QZ_{service.upper()}"


DLQ_STREAM = "QZ_DEADLETTER"
DLQ_SUBJECTS = "qz.deadletter.>"


def asyncapi_document(specs: list[EventSpec], *, title: str, service: str) -> dict[str, Any]:
    """An AsyncAPI 3.0 document describing a service's events, generated from their pydantic models."""
    channels, operations, messages = {}, {}, {}
    for spec in specs:
        key = f"{spec.aggregate}_{spec.name}"
        messages[key] = {
            "name": spec.type,
            "title": spec.type,
            "summary": spec.description or spec.type,
            "contentType": "application/cloudevents+json",
            "payload": {
                "type": "object",
                "required": ["specversion", "id", "source", "type", "time", "data"],
                "properties": {
                    "specversion": {"const": "1.0"},
                    "id": {"type": "string"},
                    "source": {"const": f"/qianzhao/{spec.service}"},
                    "type": {"const": spec.type},
                    "subject": {"type": "string"},
                    "time": {"type": "string", "format": "date-time"},
                    "regioncode": {"type": "string"},
                    "traceparent": {"type": "string"},
                    "tracestate": {"type": "string"},
                    "data": spec.model.model_json_schema(),
                },
            },
        }
        channels[key] = {"address": spec.subject, "messages": {key: {"$ref": f"#/components/messages/{key}"}}}
        operations[f"publish_{key}"] = {"action": "send", "channel": {"$ref": f"#/channels/{key}"}}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": title, "version": "1.0.0"},
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }
