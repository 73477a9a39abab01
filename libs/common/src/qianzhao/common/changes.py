"""The subscription root fields a subgraph declares for its records (`projectChanged`, …), served by the gateway.

A subgraph declares them so the supergraph composes with its Subscription type; the gateway's subscription hub
executes them (from the JetStream events, reading each record through the query planner with the subscriber's
token). Asked directly, a subgraph answers SUBSCRIPTION_AT_GATEWAY.
"""

# no `from __future__ import annotations`: strawberry reads these annotations at run time, some built in a function
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError


@strawberry.input(name="ChangeFilter", description="Which changes a subscription delivers; every criterion is ANDed. "
                                                    "Your jurisdiction always applies as well.")
class ChangeFilter:
    region_code: str | None = strawberry.field(default=None, description="Only records in this division or "
                                                                            "beneath it.")
    event_types: list[str] | None = strawberry.field(default=None, description="Only these events (the event "
                                                        "name, e.g. listed, assigned, escalated); at most 50.")


def change_subscription(*, field: str, payload: str, record_field: str, record_type: Any, what: str) -> type:
    """A Subscription type with one field `field` yielding `payload { eventType eventId occurredAt regionCode
    <record_field> }`."""
    namespace = {
        "__annotations__": {"cursor": str, "event_type": str, "event_id": strawberry.ID, "occurred_at": datetime,
                            "region_code": str | None, record_field: record_type | None},
        "cursor": strawberry.field(description="Where this change is in its stream: pass it as `after` when you "
                                               "subscribe again to receive every change since, without a gap."),
        "event_type": strawberry.field(description="The event's name (listed, assigned, escalated…), as in the "
                                                   "CloudEvent type qianzhao.<service>.<aggregate>.<name>.v2."),
        "event_id": strawberry.field(description="The CloudEvent id: unique per change."),
        "occurred_at": strawberry.field(description="When the change was committed (UTC)."),
        "region_code": strawberry.field(description="Division code of the record's region."),
        record_field: strawberry.field(description=f"The {what} as it is now, read with your rights (a change to a "
                                                   f"{what} you may not see is never delivered)."),
    }
    payload_type = strawberry.type(type(payload, (), namespace), name=payload,
                                   description=f"One change to a {what}, delivered by a subscription.")

    async def changed(filter: ChangeFilter | None = None,  # noqa: A002
                      after: Annotated[str | None, strawberry.argument(
                          description="Resume after this change (its `cursor`): first every change since, then live; "
                                      "as far back as the stream keeps events (90 days).")] = None,
                      ) -> AsyncGenerator[payload_type, None]:
        raise GraphQLError("Subscriptions are served by the gateway (WebSocket graphql-transport-ws or SSE)",
                           extensions={"code": "SUBSCRIPTION_AT_GATEWAY"})
        yield  # pragma: no cover - makes this an async generator

    changed.__annotations__["return"] = AsyncGenerator[payload_type, None]
    return strawberry.type(type("Subscription", (), {
        field: strawberry.subscription(resolver=changed, description=f"Each change to a {what} you may see, as it "
                                       "happens (WebSocket `graphql-transport-ws` or SSE at the gateway).")}),
        name="Subscription")
