"""The request pipeline, independent of HTTP: document → validation → limits → plan (cached) → execute → shape."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute_sync,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from graphql.language import ast as gast

from . import limits as limits_mod
from .executor import Executor, SubgraphClients, SubgraphEndpoint
from .limits import LimitExceeded, Limits
from .plan import PlanningError, QueryPlan
from .planner import Planner
from .selections import condition_variables
from .shaping import Shaper
from .supergraph import Supergraph
from .variables import coercion_messages


class RequestError(Exception):
    """The request cannot be executed at all (GraphQL over HTTP 'request error'): no `data` in the response."""

    def __init__(self, errors: list[dict], status: int = 400):
        super().__init__(errors[0]["message"] if errors else "request error")
        self.errors = errors
        self.status = status


def _error(message: str, code: str | None = None, locations=None) -> dict:
    out: dict[str, Any] = {"message": message}
    if locations:
        out["locations"] = locations
    if code:
        out["extensions"] = {"code": code}
    return out


_QUOTED = re.compile(r"'([^'\s]+)'")
_MEANT = re.compile(r"Did you mean '([^']+)'\?")


_REQUIRED_ARG = re.compile(r'^Argument "(?:[^".]+\.)?([^"(]+)\(([^:]+):\)" (of type "[^"]+" is required, but it was not '
                           r'provided\.)$')


def js_message(message: str) -> str:
    """graphql-core 3.3 words some validation messages differently from graphql-js 16 (which @apollo/gateway and
    most JS gateways run): same quotes, same wording, so clients see one dialect whatever the gateway."""
    message = _QUOTED.sub(r'"\1"', message)
    message = _MEANT.sub(r'Did you mean "\1"?', message)
    m = _REQUIRED_ARG.match(message)
    if m:
        owner, arg, rest = m.groups()
        kind = "Directive" if owner.startswith("@") else "Field"
        message = f'{kind} "{owner}" argument "{arg}" {rest}'
    return message


def _gql_error(e: GraphQLError, code: str) -> dict:
    locs = [{"line": loc.line, "column": loc.column} for loc in e.locations or ()]
    return _error(js_message(e.message), code, locs or None)


@dataclass
class Prepared:
    """A parsed and validated document (cached by its text)."""

    document: DocumentNode
    operations: dict[str | None, OperationDefinitionNode]
    fragments: dict[str, FragmentDefinitionNode]
    hash: str


@dataclass
class GatewayConfig:
    limits: Limits = field(default_factory=Limits)
    subgraph_timeout: float = 30.0
    subgraph_timeouts: dict[str, float] = field(default_factory=dict)
    plan_cache_size: int = 1000
    dedupe_operations: bool = True
    override_labels: frozenset[str] = frozenset()
    document_cache_size: int = 1000
    traced: bool = False  # spans per plan step and subgraph fetch (the gateway exports traces)


class _LRU(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def get_or_none(self, key):
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def put(self, key, value) -> None:
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)


class Gateway:
    def __init__(self, supergraph_sdl: str, urls: dict[str, str] | None = None, config: GatewayConfig | None = None):
        self.config = config or GatewayConfig()
        self.supergraph = Supergraph(supergraph_sdl, self.config.override_labels)
        self.schema = self.supergraph.schema
        urls = urls or {}
        endpoints = {}
        for sub in self.supergraph.subgraphs.values():
            timeout = self.config.subgraph_timeouts.get(sub.name, self.config.subgraph_timeout)
            endpoints[sub.name] = SubgraphEndpoint(sub.name, urls.get(sub.name, sub.url), timeout)
        self.clients = SubgraphClients(endpoints)
        self.executor = Executor(self.clients, traced=self.config.traced)
        self.planner = Planner(self.supergraph)
        self.documents = _LRU(self.config.document_cache_size)
        self.plans = _LRU(self.config.plan_cache_size)
        self.inflight: dict[tuple, asyncio.Future] = {}

    async def aclose(self) -> None:
        await self.clients.aclose()

    # --- preparation ------------------------------------------------------------------------------------
    def prepare(self, query: str) -> Prepared:
        cached = self.documents.get_or_none(query)
        if cached is not None:
            return cached
        lim = self.config.limits
        try:
            document = parse(query, no_location=False, max_tokens=lim.max_tokens, allow_empty_selection_sets=False)
        except GraphQLError as e:
            if "tokens. parsing aborted" in e.message.lower():
                raise RequestError([_error(f"Document exceeds the limit of {lim.max_tokens} tokens"
                                           f"{lim.raise_hint('MAX_TOKENS')}",
                                           "TOKEN_LIMIT_EXCEEDED")]) from None
            raise RequestError([_gql_error(e, "GRAPHQL_PARSE_FAILED")]) from None
        except RecursionError:
            raise RequestError([_error("Document is nested too deeply", "DEPTH_LIMIT_EXCEEDED")]) from None
        try:
            errors = validate(self.schema, document, max_errors=50)
        except RecursionError:
            raise RequestError([_error("Document is nested too deeply", "DEPTH_LIMIT_EXCEEDED")]) from None
        if errors:
            raise RequestError([_gql_error(e, "GRAPHQL_VALIDATION_FAILED") for e in errors])
        operations = {}
        fragments = {}
        for d in document.definitions:
            if isinstance(d, OperationDefinitionNode):
                operations[d.name.value if d.name else None] = d
            elif isinstance(d, FragmentDefinitionNode):
                fragments[d.name.value] = d
        prepared = Prepared(document, operations, fragments, hashlib.sha256(query.encode()).hexdigest())
        self.documents.put(query, prepared)
        return prepared

    def operation_of(self, prepared: Prepared, name: str | None) -> OperationDefinitionNode:
        if name:
            op = prepared.operations.get(name)
            if op is None:
                raise RequestError([_error(f'Unknown operation named "{name}".', "OPERATION_RESOLUTION_FAILURE")])
            return op
        if len(prepared.operations) != 1:
            raise RequestError([_error("Must provide operation name if query contains multiple operations.",
                                       "OPERATION_RESOLUTION_FAILURE")])
        return next(iter(prepared.operations.values()))

    def coerce_variables(self, operation: OperationDefinitionNode, variables: dict | None) -> dict:
        coerced = get_variable_values(self.schema, operation.variable_definitions or (), variables or {})
        if isinstance(coerced, list):
            messages = coercion_messages(self.schema, operation.variable_definitions, variables or {})
            if messages:
                raise RequestError([_error(m, "BAD_USER_INPUT") for m in messages])
            raise RequestError([_gql_error(e, "BAD_USER_INPUT") for e in coerced])
        return dict(getattr(coerced, "coerced", coerced))

    def check_limits(self, prepared: Prepared, operation, variables: dict) -> None:
        try:
            limits_mod.check(self.schema, operation, prepared.fragments, variables, self.config.limits)
        except LimitExceeded as exc:
            raise RequestError([_error(exc.message, exc.code)]) from None

    def plan(self, prepared: Prepared, operation, variables: dict) -> QueryPlan:
        conds = condition_variables(operation, prepared.fragments)
        key = (prepared.hash, operation.name.value if operation.name else None,
               tuple(bool(variables.get(c)) for c in conds))
        plan = self.plans.get_or_none(key)
        if plan is None:
            try:
                plan = self.planner.plan(operation, prepared.fragments, variables)
            except PlanningError as exc:
                raise RequestError([_error(f"Cannot plan the operation: {exc}", "QUERY_PLANNING_FAILED")],
                                   500) from None
            self.plans.put(key, plan)
        return plan

    # --- execution --------------------------------------------------------------------------------------
    async def run(self, prepared: Prepared, operation, raw_variables: dict | None, coerced: dict,
                  headers: dict[str, str]) -> dict:
        """Execute; a query identical to one in flight for the same caller (document, operation, variables,
        Authorization) shares that execution's answer."""
        if not self.config.dedupe_operations or operation.operation is not OperationType.QUERY:
            return await self._run(prepared, operation, raw_variables, coerced, headers)
        key = (prepared.hash, operation.name.value if operation.name else None,
               orjson.dumps(raw_variables or {}, option=orjson.OPT_SORT_KEYS), headers.get("authorization"))
        shared = self.inflight.get(key)
        if shared is not None:
            return await asyncio.shield(shared)
        shared = self.inflight[key] = asyncio.get_running_loop().create_future()
        try:
            body = await self._run(prepared, operation, raw_variables, coerced, headers)
            shared.set_result(body)
            return body
        except BaseException as exc:
            shared.set_exception(exc if isinstance(exc, Exception) else RuntimeError("cancelled"))
            shared.exception()  # retrieved: the waiters (if any) get it too
            raise
        finally:
            del self.inflight[key]

    async def _run(self, prepared: Prepared, operation, raw_variables: dict | None, coerced: dict,
                   headers: dict[str, str]) -> dict:
        plan = self.plan(prepared, operation, coerced)
        execution = await self.executor.execute(plan, raw_variables or {}, headers,
                                                operation.name.value if operation.name else None)

        def introspect(node: gast.FieldNode):
            doc = gast.DocumentNode(definitions=(
                gast.OperationDefinitionNode(operation=OperationType.QUERY, variable_definitions=operation.variable_definitions,
                                             directives=(), selection_set=gast.SelectionSetNode(selections=(node,))),
                *prepared.fragments.values()))
            res = execute_sync(self.schema, doc, variable_values=raw_variables or {})
            return (res.data or {}).get(node.alias.value if node.alias else node.name.value)

        shaper = Shaper(self.schema, prepared.fragments, coerced, introspect)
        root = self.schema.get_root_type(operation.operation)
        data = shaper.shape(operation.selection_set.selections, execution.data, root)
        body: dict[str, Any] = {}
        if execution.errors:
            body["errors"] = execution.errors
        body["data"] = data
        if not execution.errors and shaper.errors:
            body["extensions"] = {"valueCompletion": shaper.errors}
        return body

    def endpoints(self) -> dict[str, SubgraphEndpoint]:
        return self.clients.endpoints
