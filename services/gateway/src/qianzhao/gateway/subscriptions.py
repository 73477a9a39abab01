"""GraphQL subscriptions at the gateway, fed by the services' JetStream events.

`projectChanged`, `grievanceChanged` and `coordinationCaseChanged` are declared by their owning subgraphs (so the
supergraph composes with them) and served here: one NATS connection per gateway process reads the three streams
from now on (ordered consumers, nothing durable left behind) and fans each event out in memory to the matching
subscriptions. For each event a subscription wants, the record is read through the normal query planner with the
subscriber's own token — so a record the caller may not see is never delivered, and the selection can span
subgraphs (a project's `grievanceCount`, a case's `grievance`) exactly as in a query.

The hub files each subscription under the one division outside which no event can concern it (its filter's
region, or an officer's own region where officers read exactly their region's records), so an event is matched
against the subscriptions of its division and those above it, not against all of them; and where a record's read
depends only on the reader's rights (projects), one read serves every subscriber with the same rights.

Transports: `graphql-transport-ws` on the `/graphql` WebSocket and GraphQL over SSE (`POST /graphql` with
`Accept: text/event-stream`, distinct-connections mode). Each subscriber has a bounded queue: one that cannot keep
up is disconnected rather than allowed to grow the gateway's memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import OperationType, Visitor, print_ast, visit
from graphql import language as gast
from qianzhao.common import metrics, regions

log = logging.getLogger("qianzhao.gateway.subscriptions")


@dataclass(frozen=True)
class Source:
    """Where a subscription field's events come from and how its record is read."""

    subject: str  # NATS subjects of the events
    stream: str
    query_field: str  # the root query field that reads one record by id
    record_field: str  # the payload's field holding the record
    officers_see_region: bool = False  # an officer reads exactly the records located in its region
    reads_by_rights: bool = False  # what a reader sees of a record depends on its role, region, department and
    # credit code alone (not on who it is), so one read serves every subscriber with the same rights


SOURCES = {
    "projectChanged": Source("qz.projects.project.>", "QZ_PROJECTS", "project", "project", officers_see_region=True,
                             reads_by_rights=True),
    "grievanceChanged": Source("qz.grievances.grievance.>", "QZ_GRIEVANCES", "grievance", "grievance"),
    "coordinationCaseChanged": Source("qz.coordination.case.>", "QZ_COORDINATION", "coordinationCase", "case"),
}
MAX_EVENT_TYPES = 50
MAX_BATCH_READ = 20  # records read in one operation (each an aliased root field)


class SubscriptionError(Exception):
    """A subscription the gateway refuses; `errors` are GraphQL errors for the client."""

    def __init__(self, message: str, code: str = "BAD_USER_INPUT"):
        super().__init__(message)
        self.errors = [{"message": message, "extensions": {"code": code}}]


@dataclass
class Plan:
    """One subscription: its root field (alias), source, filter, and the query that reads each event's record."""

    response_key: str
    source: Source
    payload: list[gast.FieldNode]  # the selections on the …Change payload (fields and __typename)
    record_query: str | None  # None when the record is not selected
    variables: dict[str, Any]
    region: str | None = None
    event_types: frozenset[str] = frozenset()
    after: int | None = None  # resume: the stream sequence of the last change the client received
    record_parts: tuple[str, str, str] = ("", "", "")  # the record query's variable definitions, selection, fragments
    payload_key: tuple = ()  # the payload's (response key, field) pairs: which results are alike

    def __post_init__(self):
        self.payload_key = tuple(((f.alias.value if f.alias else f.name.value), f.name.value) for f in self.payload)

    def wants(self, event: dict) -> bool:
        if self.event_types and event_name(event) not in self.event_types:
            return False
        code = event.get("regioncode")
        return not self.region or (code is not None and regions.get(code) is not None
                                   and regions.contains(self.region, code))


def event_name(event: dict) -> str:
    """`listed` of qianzhao.projects.project.listed.v2."""
    parts = str(event.get("type", "")).split(".")
    return parts[3] if len(parts) > 4 else str(event.get("type", ""))


def _fragments_used(node, fragments: dict[str, gast.FragmentDefinitionNode], found: dict) -> None:
    for child in getattr(getattr(node, "selection_set", None), "selections", None) or []:
        if isinstance(child, gast.FragmentSpreadNode):
            name = child.name.value
            if name not in found and name in fragments:
                found[name] = fragments[name]
                _fragments_used(fragments[name], fragments, found)
        else:
            _fragments_used(child, fragments, found)


def plan(document: gast.DocumentNode, operation: gast.OperationDefinitionNode, variables: dict) -> Plan:
    """The subscription's plan; raises SubscriptionError for what the gateway does not serve."""
    if operation.operation is not OperationType.SUBSCRIPTION:
        raise SubscriptionError("Not a subscription")
    roots = operation.selection_set.selections
    if len(roots) != 1 or not isinstance(roots[0], gast.FieldNode):
        raise SubscriptionError("A subscription selects exactly one root field")
    root = roots[0]
    source = SOURCES.get(root.name.value)
    if source is None:
        raise SubscriptionError(f"Unknown subscription field {root.name.value}")
    args = {a.name.value: a.value for a in root.arguments or []}
    flt = _value(args.get("filter"), variables) or {}
    region, types = flt.get("regionCode"), flt.get("eventTypes") or []
    after = _cursor(_value(args.get("after"), variables), source)
    if region is not None and regions.get(region) is None:
        raise SubscriptionError(f"filter.regionCode {region!r} is not one of Guizhou's 98 division codes")
    if len(types) > MAX_EVENT_TYPES:
        raise SubscriptionError(f"filter.eventTypes lists at most {MAX_EVENT_TYPES} names")
    payload: list[gast.FieldNode] = []
    for selection in root.selection_set.selections if root.selection_set else []:
        if not isinstance(selection, gast.FieldNode):
            raise SubscriptionError("Select the change's fields directly (no fragments on the change itself)")
        payload.append(selection)
    record = next((f for f in payload if f.name.value == source.record_field), None)
    query = None
    if record is not None:
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, gast.FragmentDefinitionNode)}
        used: dict[str, gast.FragmentDefinitionNode] = {}
        _fragments_used(record, fragments, used)
        names = _variables_in([record, *used.values()])
        if any(name.startswith("qzId") for name in names):
            raise SubscriptionError("Variable names starting with qzId are reserved for the gateway's record reads")
        definitions = "".join(f", {print_ast(v)}" for v in operation.variable_definitions or []
                              if v.variable.name.value in names)  # only what the record's selection uses
        parts = (definitions, print_ast(record.selection_set), "".join(" " + print_ast(f) for f in used.values()))
        query = records_query(source, parts, 1)
    key = root.alias.value if root.alias else root.name.value
    return Plan(key, source, payload, query, variables, region, frozenset(types), after, parts if query else ("",) * 3)


def records_query(source: Source, parts: tuple[str, str, str], n: int) -> str:
    """The record query for `n` events at once: one aliased root field per record (`r0` … `r{n-1}`, ids `$qzId0` …),
    so a burst costs the subgraph one request (and its loader one SQL query) instead of `n`."""
    definitions, selection, fragments = parts
    ids = ", ".join(f"$qzId{i}: ID!" for i in range(n))
    fields = " ".join(f"r{i}: {source.query_field}(id: $qzId{i}) {selection}" for i in range(n))
    return f"query QzSubscriptionRecords({ids}{definitions}) {{ {fields} }}{fragments}"


def _cursor(value: Any, source: Source) -> int | None:
    """`after`: a change's `cursor` (`<stream>:<sequence>`) of this subscription's stream."""
    if value is None:
        return None
    stream, _, seq = str(value).partition(":")
    if stream != source.stream or not seq.isdigit() or len(seq) > 19:
        raise SubscriptionError(f"after must be a cursor of a {source.stream} change, as `cursor` gave it")
    return int(seq)


def _variables_in(nodes) -> set[str]:
    found: set[str] = set()

    class Collect(Visitor):
        def enter_variable(self, node, *_):
            found.add(node.name.value)

    for node in nodes:
        visit(node, Collect())
    return found


def _value(node, variables: dict) -> Any:
    """A literal or variable argument value as plain Python (enough for the filter input)."""
    if node is None:
        return None
    if isinstance(node, gast.VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, gast.ObjectValueNode):
        return {f.name.value: _value(f.value, variables) for f in node.fields}
    if isinstance(node, gast.ListValueNode):
        return [_value(v, variables) for v in node.values]
    if isinstance(node, gast.NullValueNode):
        return None
    return getattr(node, "value", None)


def _event(msg) -> dict | None:
    """The CloudEvent of a stream message, with its resume cursor."""
    try:
        event = orjson.loads(msg.data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(event, dict):
        return None
    event["_cursor"] = f"{msg.metadata.stream}:{msg.metadata.sequence.stream}"
    return event


def payload_of(p: Plan, event: dict, record: Any) -> dict:
    """The change as the client selected it."""
    values = {"cursor": event.get("_cursor"), "eventType": event_name(event), "eventId": event.get("id"),
              "occurredAt": event.get("time"), "regionCode": event.get("regioncode"), p.source.record_field: record,
              "__typename": {"project": "ProjectChange", "grievance": "GrievanceChange",
                             "case": "CoordinationCaseChange"}[p.source.record_field]}
    return {(f.alias.value if f.alias else f.name.value): values.get(f.name.value) for f in p.payload}


@dataclass(eq=False)
class Subscriber:
    """One subscription: its queue holds each wanted event with the read of its record already under way, so a
    subscriber's reads overlap (one slow read does not hold up the events behind it) and arrive in order."""

    plan: Plan
    queue: asyncio.Queue
    gateway: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    reader: tuple = ()  # whose reads may serve it: its token, or its rights where the source's reads allow
    overflowed: bool = False
    scope: str | None = None  # only events located in this division can concern it (None: any event)


def reader_of(p: Plan, headers: dict[str, str], principal) -> tuple:
    """The key under which a record read is shared: the selection, its variables and the reader — its token, or
    its rights (role, region, department, credit code) where the source's reads depend on nothing else."""
    who = (("rights", principal.role.value, principal.region_code, principal.department, principal.credit_code)
           if principal is not None and p.source.reads_by_rights else headers.get("authorization"))
    return p.record_query, orjson.dumps(p.variables, default=str, option=orjson.OPT_SORT_KEYS), who


def scope_of(p: Plan, principal) -> str | None:
    """The division outside which no event can concern the subscription: its filter's region, or — where an
    officer reads exactly its region's records — the officer's region, whichever lies within the other. A prefilter
    only: what is delivered is still what the subscriber's own record read returns."""
    found = [p.region] if p.region else []
    if (principal is not None and p.source.officers_see_region and principal.is_officer
            and not principal.sees_everything and regions.get(principal.region_code or "") is not None):
        found.append(principal.region_code)
    if not found:
        return None
    if len(found) == 2 and regions.contains(found[0], found[1]):
        return found[1]
    return found[0]


def scopes_of(code: str | None) -> list[str | None]:
    """The scopes an event located in `code` may concern: any, the division itself and every one above it."""
    if code is None or regions.get(code) is None:
        return [None]
    return [None, code, *(r.code for r in regions.ancestors(code))]


@dataclass(eq=False)
class Hub:
    """One NATS connection per gateway process; events fanned out in memory to bounded per-subscriber queues."""

    nats_url: str
    connect: dict[str, Any] = field(default_factory=dict)
    queue_size: int = 100
    max_subscriptions: int = 2000
    subscribers: set[Subscriber] = field(default_factory=set)
    scoped: dict[str | None, set[Subscriber]] = field(default_factory=dict)  # scope → live subscribers
    resuming: dict[Subscriber, Any] = field(default_factory=dict)  # subscriber → its own consumer
    reads: dict[tuple, asyncio.Future] = field(default_factory=dict)  # record reads in flight, shared
    batches: dict[tuple, tuple] = field(default_factory=dict)  # reader key → (a subscriber, [(event, future)])
    read_operations: int = 0  # record-read operations sent through the planner so far (and records they read):
    records_read: int = 0  # how well reads are shared and batched
    _flushing: bool = False
    _nc: Any = None
    _subs: dict[str, Any] = field(default_factory=dict)  # stream → the hub's ordered consumer on it
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def _start(self, source: Source) -> None:
        """Connect once, and follow `source`'s stream from now on (once per stream, on its first subscription)."""
        import nats
        from nats.js.api import DeliverPolicy
        from nats.js.errors import NotFoundError

        async with self._lock:
            if self._nc is None:
                self._nc = await nats.connect(self.nats_url, **self.connect)
            if source.stream in self._subs:
                return
            try:
                self._subs[source.stream] = await self._nc.jetstream().subscribe(
                    source.subject, stream=source.stream, ordered_consumer=True, deliver_policy=DeliverPolicy.NEW,
                    cb=self._on_message)
            except NotFoundError:
                raise SubscriptionError(f"The {source.stream} events are not available yet; subscribe again "
                                        "shortly", "SERVICE_UNAVAILABLE") from None

    async def _on_message(self, msg) -> None:
        event = _event(msg)
        if event is None:
            return
        candidates = [sub for scope in scopes_of(event.get("regioncode")) for sub in self.scoped.get(scope, ())]
        for sub in candidates:
            if msg.subject.startswith(sub.plan.source.subject[:-1]):
                self._offer(sub, event)

    def _offer(self, sub: Subscriber, event: dict) -> None:
        """Queue the event for `sub` if it wants it, with its record's read started (or joined)."""
        if not sub.plan.wants(event):
            return
        if sub.queue.full():  # the subscription ends instead of the gateway holding ever more events
            sub.overflowed = True
            return
        sub.queue.put_nowait((event, None if sub.plan.record_query is None else self._read(sub, event)))

    def _read(self, sub: Subscriber, event: dict) -> asyncio.Future:
        """The event's record as `sub` may see it: read once for every subscription with the same reader key, and
        together with the other events that reader needs in this pass of the loop (see `records_query`)."""
        key = (sub.reader, event.get("id"))
        shared = self.reads.get(key)
        if shared is None:
            shared = self.reads[key] = asyncio.get_running_loop().create_future()
            shared.add_done_callback(lambda done: self._done(key, done))
            self.batches.setdefault(sub.reader, (sub, []))[1].append((event, shared))
            if not self._flushing:
                self._flushing = True
                asyncio.get_running_loop().call_soon(self._flush)
        return shared

    def _flush(self) -> None:
        self._flushing = False
        batches, self.batches = self.batches, {}
        for sub, wanted in batches.values():
            for start in range(0, len(wanted), MAX_BATCH_READ):
                self.read_operations += 1
                self.records_read += len(wanted[start:start + MAX_BATCH_READ])
                asyncio.ensure_future(_read_batch(sub, wanted[start:start + MAX_BATCH_READ]))

    def _done(self, key: tuple, done: asyncio.Future) -> None:
        self.reads.pop(key, None)
        if not done.cancelled():
            done.exception()  # retrieved here: each waiting subscriber still gets it

    async def add(self, p: Plan, principal=None, gateway=None, headers: dict[str, str] | None = None) -> Subscriber:
        if len(self.subscribers) + len(self.resuming) >= self.max_subscriptions:
            raise SubscriptionError(f"This gateway serves at most {self.max_subscriptions} subscriptions; retry "
                                    "later", "SUBSCRIPTION_LIMIT")
        await self._start(p.source)
        headers = headers or {}
        sub = Subscriber(p, asyncio.Queue(self.queue_size), gateway, headers, reader_of(p, headers, principal),
                         scope=scope_of(p, principal))
        if p.after is not None:  # its own ordered consumer from just after the cursor, then live: no gap
            await self._resume(sub)
            return sub
        self.subscribers.add(sub)
        self.scoped.setdefault(sub.scope, set()).add(sub)
        metrics.ACTIVE_SUBSCRIPTIONS.set(len(self.subscribers) + len(self.resuming))
        return sub

    async def _resume(self, sub: Subscriber) -> None:
        from nats.js.api import ConsumerConfig, DeliverPolicy

        async def deliver(msg) -> None:
            event = _event(msg)
            if event is not None:
                self._offer(sub, event)

        source = sub.plan.source
        self.resuming[sub] = await self._nc.jetstream().subscribe(
            source.subject, stream=source.stream, ordered_consumer=True, cb=deliver,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=sub.plan.after + 1))

    def remove(self, sub: Subscriber) -> None:
        if (own := self.resuming.pop(sub, None)) is not None:
            asyncio.ensure_future(own.unsubscribe())
        self.subscribers.discard(sub)
        peers = self.scoped.get(sub.scope)
        if peers is not None:
            peers.discard(sub)
            if not peers:
                del self.scoped[sub.scope]
        metrics.ACTIVE_SUBSCRIPTIONS.set(len(self.subscribers) + len(self.resuming))

    async def aclose(self) -> None:
        if self._nc is not None:
            for s in self._subs.values():
                with contextlib.suppress(Exception):
                    await s.unsubscribe()
            with contextlib.suppress(Exception):
                await self._nc.close()
            self._nc = None


MAX_BATCH = 50  # results handed to the transport at once (one SSE write; back-to-back WebSocket frames)


class Encoded(str):
    """A result already serialized as JSON text: the same change for every subscriber with the same reader and
    selection is serialized once."""


def _encoded(p: Plan, sub: Subscriber, event: dict, record: Any) -> Encoded:
    cache = event.setdefault("_encoded", {})
    key = (sub.reader, p.response_key, p.payload_key)
    text = cache.get(key)
    if text is None:
        text = cache[key] = Encoded(orjson.dumps({"data": {p.response_key: payload_of(p, event, record)}}).decode())
    return text


async def changes(gateway, hub: Hub, p: Plan, headers: dict[str, str], principal=None):
    """The subscription's results as they come, in order: each a list of `{"data": {<field>: <change>}}` (as
    `Encoded` JSON), one per event it may see — more than one when events queued up while the last were sent."""
    sub = await hub.add(p, principal, gateway, headers)
    try:
        entry = None
        while True:
            batch: list[Encoded] = []
            entry = entry or await sub.queue.get()
            while entry is not None:
                if sub.overflowed:
                    raise SubscriptionError("The subscriber did not keep up with its events; subscribe again",
                                            "SUBSCRIBER_TOO_SLOW")
                event, reading = entry
                record = None
                if reading is not None:  # shared: one subscriber leaving does not cancel it
                    record = reading.result() if reading.done() else await asyncio.shield(reading)
                if reading is None or record is not None:  # None: hidden from this subscriber (or gone)
                    batch.append(_encoded(p, sub, event, record))
                entry = sub.queue.get_nowait() if not sub.queue.empty() and len(batch) < MAX_BATCH else None
                if entry is not None and entry[1] is not None and not entry[1].done() and batch:
                    break  # the next one's read is still under way: send what is ready first
            if batch:
                yield batch
    finally:
        hub.remove(sub)


async def _read_batch(sub: Subscriber, wanted: list[tuple[dict, asyncio.Future]]) -> None:
    """Read `wanted`'s records in one operation with `sub`'s token and settle each event's future."""
    try:
        records = await read_records(sub.gateway, sub.plan, [event for event, _ in wanted], sub.headers)
        if records is None:  # the batch as a whole was refused (a subgraph's limits): one at a time, as before
            records = [(await read_records(sub.gateway, sub.plan, [event], sub.headers) or [None])[0]
                       for event, _ in wanted]
    except Exception as exc:  # noqa: BLE001 - each waiting subscriber gets it
        for _, future in wanted:
            if not future.done():
                future.set_exception(exc)
        return
    for (_, future), record in zip(wanted, records, strict=True):
        if not future.done():
            future.set_result(record)


async def read_records(gateway, p: Plan, events: list[dict], headers: dict[str, str]) -> list[Any] | None:
    """The events' records as the subscriber may see them, through the planner (None where hidden); None for a
    batch refused as a whole."""
    query = p.record_query if len(events) == 1 else records_query(p.source, p.record_parts, len(events))
    prepared = gateway.prepare(query)
    operation = gateway.operation_of(prepared, None)
    variables = p.variables | {f"qzId{i}": event.get("subject") for i, event in enumerate(events)}
    body = await gateway.run(prepared, operation, variables, gateway.coerce_variables(operation, variables), headers)
    data = body.get("data")
    if data is None and body.get("errors") and len(events) > 1:
        return None
    data = data or {}
    return [data.get(f"r{i}") for i in range(len(events))]


def prepare(gateway, query: str, operation_name: str | None, variables: dict | None) -> tuple[Any, Any, dict]:
    """Parse, validate and bound an operation as the HTTP endpoint does (RequestError when it is refused)."""
    prepared = gateway.prepare(query)
    operation = gateway.operation_of(prepared, operation_name)
    coerced = gateway.coerce_variables(operation, variables)
    gateway.check_limits(prepared, operation, coerced)
    return prepared, operation, coerced


def subscription_plan(gateway, prepared, operation, variables: dict) -> Plan:
    p = plan(prepared.document, operation, variables)
    if p.record_query is not None:
        prepare(gateway, p.record_query, None, p.variables | {"qzId0": "0"})  # the record's query is valid too
    return p
