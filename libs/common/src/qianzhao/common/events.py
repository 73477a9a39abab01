"""CloudEvents 1.0 envelope named as DESIGN §7 says, and the registry that documents each event type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator
from pydantic.alias_generators import to_camel

from . import regions
from .ids import new_id
from .privacy import scrub_payload


class EventData(BaseModel):
    """The `data` of every event: the GraphQL API's field names (camelCase) and shapes (DESIGN §7), so a
    subscriber reads an event exactly as it reads the record through the gateway. Built from snake_case dicts."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, validate_by_alias=True,
                              serialize_by_alias=True)


class RegionalData(EventData):
    """An event about a record in a division: its code and, for counting by prefecture without a lookup, the
    prefecture it lies in (the prefecture itself for a prefecture, null for the province)."""

    region_code: str = Field(description="Division code (GB/T 2260) of the record's region.")

    @computed_field(description="Prefecture (市州) the region lies in; the region itself for a prefecture, null "
                                "for the province.")
    @property
    def prefecture_code(self) -> str | None:
        return regions.prefecture_of(self.region_code)


class DepartmentRef(EventData):
    """A department as the API's `Department` entity is keyed (`{ code }`); built from a stored code."""

    code: str

    @model_validator(mode="before")
    @classmethod
    def _from_code(cls, value: Any) -> Any:
        return {"code": value} if isinstance(value, str) else value


class UnitRef(EventData):
    """A unit as the API names it (`leadUnit { kind code }`): a government by division code or a department."""

    kind: Literal["REGION", "DEPARTMENT"]
    code: str

    @model_validator(mode="before")
    @classmethod
    def _from_key(cls, value: Any) -> Any:
        """Stored unit keys (`region:520102`, `dept:natural_resources`) become `{kind, code}`."""
        if isinstance(value, str):
            kind, _, code = value.partition(":")
            return {"kind": "REGION" if kind == "region" else "DEPARTMENT", "code": code}
        return value


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
    model: type[EventData]
    version: int = 2
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
            regioncode=region_code, traceparent=traceparent, tracestate=tracestate, data=scrub_payload(payload.model_dump(mode="json", by_alias=True)),
        )


def nats_subject(service: str, aggregate: str, event: str) -> str:
    return f"qz.{service}.{aggregate}.{event}"


def stream_name(service: str) -> str:
    return f"QZ_{service.upper()}"


DLQ_STREAM = "QZ_DEADLETTER"
DLQ_SUBJECTS = "qz.deadletter.>"
