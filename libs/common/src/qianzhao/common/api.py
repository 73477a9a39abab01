"""GraphQL building blocks every subgraph shares: userErrors, Relay connections with keyset cursors, history."""

from __future__ import annotations

import base64
import logging
from datetime import date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar

import asyncpg
import orjson
import strawberry
from graphql import GraphQLError
from sqlalchemy import Integer, Select, and_, func, literal, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.expression import ClauseElement, Executable
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache
from strawberry.federation.schema_directives import Shareable
from strawberry.scalars import JSON

from . import regions
from .db import client_db_error
from .errors import ApiError, DomainError, DomainErrors, ErrorCode, bad_input
from .input_rules import InputRules, document_limits

T = TypeVar("T")
log = logging.getLogger("qianzhao.api")

MAX_PAGE = 200
DEFAULT_PAGE = 20
# totalCount is exact up to this many items unless the service's sessions say otherwise (QZ_TOTAL_COUNT_EXACT_UP_TO)
TOTAL_COUNT_EXACT_UP_TO = 10_000


@strawberry.federation.type(shareable=True, description="An expected failure of a mutation: validation, invalid transition or conflict.")
class UserError:
    field: list[str] | None = strawberry.field(description="Path of the input field at fault, when there is one.")
    message: str = strawberry.field(description="What went wrong, in words an official can act on.")
    code: str = strawberry.field(description="Machine-readable code: BAD_USER_INPUT, INVALID_TRANSITION, CONFLICT, NOT_FOUND, FORBIDDEN.")


def input_path(field: list[str] | None) -> list[str] | None:
    """A mutation's error path from the input argument down (`["input", "leadUnit", "code"]`)."""
    if not field:
        return None
    parts = [p for f in field for p in str(f).split(".")]
    return parts if parts[0] == "input" else ["input", *parts]


def user_errors(exc: DomainError) -> list[UserError]:
    """One userError per problem (a DomainErrors carries several, found together)."""
    found = exc.errors if isinstance(exc, DomainErrors) else [exc]
    return [UserError(field=input_path(e.field), message=e.message, code=e.code) for e in found]


def payload_type(name: str, field: str, node_type: Any, *, description: str, node_description: str):
    """A `VerbNounPayload` type: the changed record (null on failure) and `userErrors`."""
    namespace = {
        "__annotations__": {field: node_type | None, "user_errors": list[UserError]},
        field: strawberry.field(description=node_description),
        "user_errors": strawberry.field(description="Expected failures (业务错误: validation, invalid transition, "
                                                    "conflict); when present nothing was changed."),
    }
    return strawberry.type(type(name, (), namespace), description=description)


async def mutate(info, step) -> tuple[Any, list[UserError]]:
    """Run `step(uow)` in one unit of work: (its result, []) after commit, or (None, userErrors) with nothing
    changed when it raised a DomainError or a concurrent writer committed first (CONFLICT)."""
    try:
        async with info.context.uow() as uow:
            return await step(uow), []
    except DomainError as exc:
        return None, user_errors(exc)
    except StaleDataError:
        return None, [UserError(field=["input", "expectedVersion"], code=ErrorCode.CONFLICT.value,
                                message="Changed concurrently by someone else: reload and retry")]
    except (DBAPIError, asyncpg.PostgresError) as exc:  # input the database refused, or contention: nothing written
        known = client_db_error(exc)
        if known is None:
            raise
        log.info("mutation refused by the database: %s (%s)", known[0],
                 getattr(getattr(exc, "orig", exc), "sqlstate", "?"))
        return None, [UserError(field=None, code=known[0], message=known[1])]


@strawberry.federation.type(shareable=True, description="Relay page information.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page (an `after` cursor was given).")
    start_cursor: str | None = strawberry.field(description="Cursor of the first edge.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last edge; pass it as `after` for the next page.")


@strawberry.type(description="An edge of a connection.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque keyset cursor of this node.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of items (Relay connection) with the total count matching the filter.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page with their cursors.")
    page_info: PageInfo = strawberry.field(description="Paging information.")
    total_count: int = strawberry.field(description=(
        "How many items match the filter, across all pages (总数): exact up to QZ_TOTAL_COUNT_EXACT_UP_TO "
        "(10,000 by default), beyond that the database's estimate, never below that limit; `totalCountIsExact` "
        "tells which."))
    total_count_is_exact: bool = strawberry.field(default=True, description=(
        "Whether `totalCount` is exact (true) or an estimate of a count above QZ_TOTAL_COUNT_EXACT_UP_TO "
        "(false; show it as e.g. 约 12万) (总数是否精确)."))

    @strawberry.field(description="The items of this page without cursors.")
    def nodes(self) -> list[T]:
        return [e.node for e in self.edges]


@strawberry.federation.type(shareable=True, description="One append-only audit history row (留痕): who did what, when.")
class HistoryEntry:
    action: str = strawberry.field(description="What was done, e.g. SUBMITTED, LISTED, ASSIGNED.")
    actor: str = strawberry.field(description="Subject of the principal who did it.")
    actor_role: str = strawberry.field(description="Role of that principal.")
    actor_region: str | None = strawberry.field(description="Region code of that principal.")
    occurred_at: datetime = strawberry.field(description="When it happened (UTC).")
    changes: JSON = strawberry.field(description="The fields changed, old and new values.")
    comment: str | None = strawberry.field(description="The official's comment.")
    trace_id: str | None = strawberry.field(description="OpenTelemetry trace id of the request.")


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values, default=str)).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded))
    except Exception:
        raise bad_input("Malformed cursor: use a cursor this list returned") from None
    if not isinstance(values, list):
        raise bad_input("Malformed cursor: use a cursor this list returned")
    return values


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise bad_input(f"`first` must be between 0 and {MAX_PAGE}")
    return first


def keyset_after(columns: list[tuple[Any, bool]], values: list[Any]):
    """Rows strictly after `values` in the order given by (column, descending) pairs."""
    if len(values) != len(columns):
        raise bad_input("Cursor does not match the requested order")
    clauses = []
    for i, (col, desc) in enumerate(columns):
        equal = [c == v for (c, _), v in zip(columns[:i], values[:i], strict=True)]
        value = values[i]
        step = col < value if desc else col > value
        clauses.append(and_(*equal, step) if equal else step)
    return or_(*clauses)


class TotalCount(int):
    """A connection's totalCount: an int that knows whether it is exact (`exact`) or an estimate."""

    exact: bool

    def __new__(cls, value: int, exact: bool = True) -> TotalCount:
        obj = super().__new__(cls, value)
        obj.exact = exact
        return obj


class _Explain(Executable, ClauseElement):
    """`EXPLAIN (FORMAT JSON) <statement>`, its parameters bound as the statement's own."""

    inherit_cache = False

    def __init__(self, statement: Select):
        self.statement = statement


@compiles(_Explain, "postgresql")
def _compile_explain(element: _Explain, compiler, **kw) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


async def estimated_rows(session: AsyncSession, stmt: Select) -> int:
    """The planner's estimate of how many rows `stmt` returns (no execution; planning only)."""
    plan = await session.scalar(_Explain(stmt))
    plan = orjson.loads(plan) if isinstance(plan, str | bytes) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


async def count_matching(session: AsyncSession, stmt: Select) -> TotalCount:
    """How many rows `stmt` matches: exact up to the session's `total_count_exact_up_to` (counting stops one past
    it, so a broad search never walks a million rows), beyond it the planner's estimate (at least that limit + 1)
    flagged as inexact. A limit of 0 counts exactly, always."""
    base = stmt.order_by(None)
    cap = session.info.get("total_count_exact_up_to", TOTAL_COUNT_EXACT_UP_TO)
    if not cap or cap <= 0:
        return TotalCount(int(await session.scalar(select(func.count()).select_from(base.subquery())) or 0))
    # the limit as a literal: a generic plan would guess it, and may read every match to stop after a few
    limited = base.limit(literal(cap + 1, Integer, literal_execute=True))
    n = int(await session.scalar(select(func.count()).select_from(limited.subquery())) or 0)
    if n <= cap:
        return TotalCount(n)
    return TotalCount(max(await estimated_rows(session, base), cap + 1), exact=False)


async def paginate(session: AsyncSession, stmt: Select, *, order: list[tuple[Any, bool]], first: int | None,
                   after: str | None, cursor_of, count: bool = True) -> tuple[list[Any], PageInfo, TotalCount]:
    """Keyset pagination: `order` ends with a unique column; `cursor_of(row)` gives that row's key values.
    The total is `count_matching` (exact up to a limit, then an estimate) when `count`, else 0."""
    limit = page_size(first)
    total = TotalCount(0)
    if count:
        total = await count_matching(session, stmt)
    paged = stmt
    if after:
        paged = paged.where(keyset_after(order, _coerce(decode_cursor(after), order)))
    paged = paged.order_by(*[c.desc() if d else c.asc() for c, d in order]).limit(limit + 1)
    rows = list((await session.execute(paged)).scalars().all())
    has_next = len(rows) > limit
    rows = rows[:limit]
    cursors = [encode_cursor(cursor_of(r)) for r in rows]
    info = PageInfo(has_next_page=has_next, has_previous_page=bool(after),
                    start_cursor=cursors[0] if cursors else None, end_cursor=cursors[-1] if cursors else None)
    return list(zip(cursors, rows, strict=True)), info, total


def _coerce(values: list[Any], order: list[tuple[Any, bool]]) -> list[Any]:
    """Turn JSON cursor values back into the column types (timestamps, decimals, uuids); a value of any other
    shape (a hand-made or foreign cursor) is BAD_USER_INPUT, never a database error."""
    out = []
    for value, (col, _) in zip(values, order, strict=False):
        try:
            py = col.type.python_type
        except (NotImplementedError, AttributeError):
            py = None
        if value is None and not getattr(col, "nullable", True):
            raise bad_input("Malformed cursor: use a cursor this list returned")
        if value is None or py is None:
            out.append(value)
            continue
        try:
            if py in (str, int, float, bool):
                ok = isinstance(value, py) and not (py is int and isinstance(value, bool)) and \
                    not (isinstance(value, str) and len(value) > 1000)
                if py is float and isinstance(value, int) and not isinstance(value, bool):
                    ok, value = True, float(value)
                if not ok:
                    raise ValueError(value)
            elif not isinstance(value, str) or len(value) > 100:
                raise ValueError(value)
            elif py is datetime:
                value = datetime.fromisoformat(value)
                if value.tzinfo is None:
                    raise ValueError(value)
            elif py is date:
                value = date.fromisoformat(value)
            else:
                value = py(value)
        except Exception:
            raise bad_input("Malformed cursor: use a cursor this list returned") from None
        out.append(value)
    return out


def connection(node_type, items: list[tuple[str, Any]], info: PageInfo, total: int, convert=lambda x: x):
    return Connection[node_type](  # type: ignore[valid-type]
        edges=[Edge[node_type](cursor=c, node=convert(r)) for c, r in items],  # type: ignore[valid-type]
        page_info=info, total_count=total, total_count_is_exact=getattr(total, "exact", True),
    )


class InternalErrorMasking(SchemaExtension):
    """Unexpected exceptions become INTERNAL_SERVER_ERROR (logged with their trace); expected ones keep their code."""

    def on_operation(self):
        yield
        result = self.execution_context.result
        if not result or not getattr(result, "errors", None):
            return
        masked = []
        for error in result.errors:
            original = error.original_error
            if isinstance(original, DomainError):  # raised outside a mutation payload: keep its code
                masked.append(GraphQLError(original.message, nodes=error.nodes, path=error.path,
                                           extensions={"code": original.code}))
                continue
            if original is None or isinstance(original, GraphQLError):
                if original is not None and isinstance(original, ApiError) and not error.extensions:
                    error.extensions = original.extensions
                elif not (error.extensions or {}).get("code"):  # the document itself is at fault
                    kind = "GRAPHQL_PARSE_FAILED" if error.message.startswith("Syntax Error") else \
                        "GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_USER_INPUT"
                    error.extensions = {**(error.extensions or {}), "code": kind}
                masked.append(error)
                continue
            known = client_db_error(original)
            if known is not None:
                masked.append(GraphQLError(known[1], nodes=error.nodes, path=error.path,
                                           extensions={"code": known[0]}))
                continue
            if isinstance(original, StaleDataError):  # a concurrent writer committed first
                masked.append(GraphQLError("The record was changed concurrently; reload and retry", nodes=error.nodes,
                                           path=error.path, extensions={"code": ErrorCode.CONFLICT.value}))
                continue
            log.error("unexpected error in %s", error.path, exc_info=original)
            masked.append(GraphQLError("Internal server error", nodes=error.nodes, path=error.path,
                                       extensions={"code": ErrorCode.INTERNAL_SERVER_ERROR.value}))
        result.errors = masked


class PlatformSchema(strawberry.federation.Schema):
    """Client errors (FORBIDDEN, NOT_FOUND, bad input …) are logged as one INFO line, never with a traceback;
    unexpected ones are logged with theirs by InternalErrorMasking, once."""

    def process_errors(self, errors, execution_context=None) -> None:
        for error in errors:
            original = error.original_error
            if original is not None and not isinstance(original, GraphQLError | DomainError | StaleDataError) \
                    and client_db_error(original) is None:
                continue
            code = ((error.extensions or {}).get("code") or (getattr(original, "extensions", None) or {}).get("code")
                    or getattr(original, "code", None) or "GRAPHQL_ERROR")
            log.info("client error %s at %s: %s", code, ".".join(map(str, error.path or ())) or "-",
                     error.message)


def federation_schema(*, query: type, mutation: type | None = None, subscription: type | None = None,
                      types: list[type] | tuple = ()):
    """A Federation 2.11 subgraph schema with the platform's error handling."""
    schema = PlatformSchema(
        query=query, mutation=mutation, subscription=subscription, types=list(types), federation_version="2.11",
        # clients repeat the same documents: parse and validate each once
        extensions=[InternalErrorMasking, InputRules, ParserCache(maxsize=1000), ValidationCache(maxsize=1000)],
    )
    document_limits(schema._schema)
    return schema


@strawberry.enum(description="Sort direction of every list's `orderBy` (排序方向); ties break on id.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Ascending: oldest, smallest or first in order first (升序).")
    DESC = strawberry.enum_value("DESC", description="Descending: newest, largest or last first (降序).")


def text_search(stmt, term: str | None, *columns):
    """`stmt` narrowed to rows where any of `columns` contains `term` (case-insensitive, `%` and `_` literal);
    a blank term narrows nothing. Every list's `filter.search` is this, over the columns its description names."""
    term = (term or "").strip()
    if not term:
        return stmt
    return stmt.where(or_(*[column.icontains(term, autoescape=True) for column in columns]))


def any_of(stmt, *criteria):
    """`stmt` narrowed by each (column, enum values) pair a filter gave: the column holds one of the values.
    An absent or empty list narrows nothing."""
    for column, values in criteria:
        if values:
            stmt = stmt.where(column.in_([getattr(v, "value", v) for v in values]))
    return stmt


def list_order(name: str, what: str, keys: dict[str, tuple[str, str]], default: str):
    """A list's `orderBy` input `<name>`: `field` (one of `keys`: GraphQL value → (model attribute, description))
    and `direction`; `.keyset(model)` gives `paginate` its order (ties break on id) and cursor."""
    field_enum = strawberry.enum(Enum(f"{name}Field", {k: strawberry.enum_value(k, description=d)
                                                        for k, (_, d) in keys.items()}),
                                 description=f"What {what} are sorted by.")
    attributes = {k: attr for k, (attr, _) in keys.items()}

    def keyset(self, model):
        column = getattr(model, attributes[self.field.name])
        desc = self.direction is OrderDirection.DESC
        return [(column, desc), (model.id, desc)], lambda r: [getattr(r, column.key), str(r.id)]

    namespace = {
        "__annotations__": {"field": field_enum, "direction": OrderDirection},
        "field": strawberry.field(default=field_enum[default], description="Sort key (排序字段)."),
        "direction": strawberry.field(default=OrderDirection.DESC, description="Direction (排序方向)."),
        "keyset": keyset,
    }
    return strawberry.input(type(name, (), namespace), description=f"Order of {what}; ties break on id.")


def keyset_of(order_by, default, model):
    """The order and cursor function of a list: the client's `orderBy`, else the list's default order."""
    return (order_by or default).keyset(model)


async def ordered_page(session: AsyncSession, stmt: Select, *, order_by, default, model, node_type, convert,
                       first: int | None, after: str | None) -> Connection:
    """One page of a list in the client's `orderBy` (else the list's default), as its connection."""
    keys, cursor_of = keyset_of(order_by, default, model)
    items, page, total = await paginate(session, stmt, order=keys, first=first, after=after, cursor_of=cursor_of)
    return connection(node_type, items, page, total, convert)


@strawberry.enum(description="Tier of a statistical division.")
class RegionLevel(Enum):
    PROVINCE = strawberry.enum_value("province", description="The province (省).")
    PREFECTURE = strawberry.enum_value("prefecture", description="A prefecture-level division (市/州).")
    COUNTY = strawberry.enum_value("county", description="A county-level division (县/市/区/特区).")


@strawberry.federation.type(keys=["code"], name="Region",
                            description="One of Guizhou's 98 statistical divisions (行政区划), keyed by its 6-digit code.")
class RegionType:
    """Every subgraph resolves the reference data itself; subclass it (same GraphQL name) to add fields."""

    code: str = strawberry.field(description="6-digit statistical division code, e.g. 520102.")

    @strawberry.field(description="Official name, e.g. 南明区.", directives=[Shareable()])
    def name(self) -> str:
        return regions.require(self.code).name

    @strawberry.field(description="Province, prefecture or county.", directives=[Shareable()])
    def level(self) -> RegionLevel:
        return RegionLevel(regions.require(self.code).level.value)

    @strawberry.field(description="Code of the division above this one; null for the province.",
                      directives=[Shareable()])
    def parent_code(self) -> str | None:
        return regions.require(self.code).parent_code

    @strawberry.field(description="The division above this one (上级区划); null for the province.",
                      directives=[Shareable()])
    def parent(self) -> RegionType | None:
        parent = regions.require(self.code).parent_code
        return type(self)(code=parent) if parent else None

    @classmethod
    def resolve_reference(cls, code: str):
        if regions.get(code) is None:
            return None
        return cls(code=code)


def region_key(code: str | None, region_type: type[RegionType] = RegionType) -> RegionType | None:
    """The division a code names as the subgraph's `Region` type (a subclass where it adds fields), or null."""
    return region_type(code=code) if code and regions.get(code) else None
