"""Operation limits, checked by the gateway and by every subgraph before anything is planned or executed.

Depth, aliases, root fields and an estimated cost: each field costs 1 times the list sizes above it; a field with
`first`/`last`/`limit` multiplies what is below it by that number, any other list by a default size, except the
lists directly inside a paginated connection (`edges`, `nodes`), which are that page.

Every analysis here is linear in the document: each fragment definition is analysed once (in dependency order,
without recursion across fragments) and a spread adds the fragment's memoized figures, so a chain of fragments
that each spread the next one twice costs as many steps as it has fragments, while its cost (which doubles per
level) is counted exactly and refused. Numbers saturate just above their limits, so they stay small.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    get_named_type,
    is_list_type,
    is_non_null_type,
)
from graphql.language import ast as gast

PAGE_ARGUMENTS = ("first", "last", "limit")
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


@dataclass(frozen=True)
class Limits:
    max_depth: int = 15
    max_aliases: int = 30
    max_root_fields: int = 20
    max_tokens: int = 5000
    max_body_bytes: int = 1_000_000
    max_cost: int = 50_000
    default_list_size: int = 10
    introspection: bool = True
    budget_seconds: float = 2.0
    setting_prefix: str = "QZ_"  # how the settings are named where these limits apply (QZ_GATEWAY_ at the gateway)

    def raise_hint(self, limit: str) -> str:
        """Where an operator raises a limit, said in every refusal: `; raise QZ_GATEWAY_MAX_COST to allow it`."""
        return f"; raise {self.setting_prefix}{limit} to allow it"


class LimitExceeded(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class Budget:
    """A deadline for the work done on one request before execution (analysis, planning)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"Analysing the operation took longer than its budget of {self.seconds:g} s; "
                                "simplify it", "OPERATION_BUDGET_EXCEEDED")


def _if_value(directive, variables: dict[str, Any]) -> bool:
    for arg in directive.arguments or ():
        if arg.name.value == "if":
            v = arg.value
            if isinstance(v, gast.VariableNode):
                return bool(variables.get(v.name.value))
            return bool(getattr(v, "value", False))
    return False


def included(node, variables: dict[str, Any]) -> bool:
    """Whether @skip/@include keep this selection for these variables."""
    for d in node.directives or ():
        if d.name.value == "skip" and _if_value(d, variables):
            return False
        if d.name.value == "include" and not _if_value(d, variables):
            return False
    return True


def _is_list(t) -> bool:
    while is_non_null_type(t):
        t = t.of_type
    return is_list_type(t)


def _page_size(node: FieldNode, variables: dict[str, Any]) -> int | None:
    for arg in node.arguments or ():
        if arg.name.value in PAGE_ARGUMENTS:
            v = arg.value
            if isinstance(v, gast.VariableNode):
                value = variables.get(v.name.value)
            elif isinstance(v, gast.IntValueNode):
                value = int(v.value)
            else:
                value = None
            if isinstance(value, int) and not isinstance(value, bool):
                return max(value, 0)
    return None


@dataclass
class Figures:
    """What a selection set adds when it is reached once with multiplier 1 at relative depth 1."""

    cost: int = 0
    aliases: int = 0
    depth: int = 0  # deepest field, relative (1 = the set's own fields)
    introspection: bool = False


def fragment_order(selection_set, fragments: dict[str, FragmentDefinitionNode], budget: Budget | None = None) \
        -> list[str]:
    """The fragments reachable from `selection_set`, each after every fragment it spreads (cycles broken)."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def spreads(sel_set) -> list[str]:
        out, stack = [], [sel_set]
        while stack:
            current = stack.pop()
            for sel in current.selections if current else ():
                if isinstance(sel, FragmentSpreadNode):
                    out.append(sel.name.value)
                elif sel.selection_set is not None:
                    stack.append(sel.selection_set)
        return out

    stack: list[tuple[str, list[str]]] = []
    for root in spreads(selection_set):
        if root in state or root not in fragments:
            continue
        state[root] = 1
        stack.append((root, spreads(fragments[root].selection_set)))
        while stack:
            if budget is not None:
                budget.check()
            name, pending = stack[-1]
            if pending:
                child = pending.pop()
                if child not in state and child in fragments:
                    state[child] = 1
                    stack.append((child, spreads(fragments[child].selection_set)))
                continue
            stack.pop()
            state[name] = 2
            order.append(name)
    return order


class Analysis:
    """Depth, aliases, cost and introspection use of one operation for one set of variables."""

    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
                 variables: dict[str, Any], limits: Limits, budget: Budget | None = None):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.limits = limits
        self.budget = budget or Budget(limits.budget_seconds)
        self.cap = max(limits.max_cost, limits.max_aliases) + 1
        self.memo: dict[str, Figures] = {}

    def _saturate(self, n: int) -> int:
        return n if n < self.cap else self.cap

    def of_selection_set(self, selections, parent) -> Figures:
        out = Figures()
        self._walk(selections, parent, 1, 1, out)
        return out

    def _walk(self, selections, parent, depth: int, multiplier: int, out: Figures, paged: bool = False) -> None:
        """`paged`: `parent` is a connection whose page size is already in `multiplier`."""
        self.budget.check()
        for sel in selections:
            if not included(sel, self.variables):
                continue
            if isinstance(sel, FieldNode):
                if sel.alias is not None:
                    out.aliases = self._saturate(out.aliases + 1)
                name = sel.name.value
                if name in INTROSPECTION_FIELDS:
                    out.introspection = True
                if name.startswith("__"):
                    continue
                if depth > self.limits.max_depth:
                    raise _too_deep(self.limits)
                out.depth = max(out.depth, depth)
                out.cost = self._saturate(out.cost + multiplier)
                fdef = getattr(parent, "fields", {}).get(name) if parent is not None else None
                if sel.selection_set and fdef is not None:
                    size = _page_size(sel, self.variables)
                    is_list = _is_list(fdef.type)
                    if size is None and is_list and not paged:
                        size = self.limits.default_list_size
                    inner = self._saturate(multiplier * (size if size is not None else 1))
                    self._walk(sel.selection_set.selections, get_named_type(fdef.type), depth + 1, inner, out,
                               paged=size is not None and not is_list)
            elif isinstance(sel, InlineFragmentNode):
                t = self.schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                self._walk(sel.selection_set.selections, t, depth, multiplier, out, paged)
            elif isinstance(sel, FragmentSpreadNode):
                figures = self.memo.get(sel.name.value)
                if figures is None:  # unknown, or a cycle that validation reports
                    continue
                out.aliases = self._saturate(out.aliases + figures.aliases)
                out.cost = self._saturate(out.cost + multiplier * figures.cost)
                out.introspection = out.introspection or figures.introspection
                if figures.depth:
                    out.depth = max(out.depth, depth - 1 + figures.depth)
                    if out.depth > self.limits.max_depth:
                        raise _too_deep(self.limits)

    def operation(self, operation: OperationDefinitionNode) -> Figures:
        for name in fragment_order(operation.selection_set, self.fragments, self.budget):
            frag = self.fragments[name]
            self.memo[name] = self.of_selection_set(frag.selection_set.selections,
                                                    self.schema.get_type(frag.type_condition.name.value))
        return self.of_selection_set(operation.selection_set.selections,
                                     self.schema.get_root_type(operation.operation))


def _too_deep(limits: Limits) -> LimitExceeded:
    return LimitExceeded(f"Operation is nested more than {limits.max_depth} levels deep (the depth limit is "
                         f"{limits.max_depth}){limits.raise_hint('MAX_DEPTH')}", "DEPTH_LIMIT_EXCEEDED")


def each_selection(selection_set, fragments) -> Iterator:
    """Every selection of a selection set and of the fragments it spreads, each fragment's once (linear in the
    document however often a fragment is spread)."""
    seen: set[str] = set()
    stack = [selection_set]
    while stack:
        current = stack.pop()
        for sel in current.selections if current else ():
            yield sel
            if isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                if name not in seen and name in fragments:
                    seen.add(name)
                    stack.append(fragments[name].selection_set)
            elif sel.selection_set is not None:
                stack.append(sel.selection_set)


def uses_introspection(operation: OperationDefinitionNode, fragments) -> bool:
    """Whether `__schema` or `__type` is selected anywhere (each fragment looked at once)."""
    return any(isinstance(sel, FieldNode) and sel.name.value in INTROSPECTION_FIELDS
               for sel in each_selection(operation.selection_set, fragments))


def check(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments, variables: dict[str, Any],
          limits: Limits, budget: Budget | None = None) -> int:
    """Raises LimitExceeded for an operation over a limit; returns its estimated cost."""
    roots = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
    if len(roots) > limits.max_root_fields:
        raise LimitExceeded(f"Operation selects {len(roots)} root fields; the limit is {limits.max_root_fields}"
                            f"{limits.raise_hint('MAX_ROOT_FIELDS')}",
                            "ROOT_FIELD_LIMIT_EXCEEDED")
    if not limits.introspection and uses_introspection(operation, fragments):
        raise LimitExceeded("GraphQL introspection is not allowed, but the query contained __schema or __type",
                            "INTROSPECTION_DISABLED")
    analysis = Analysis(schema, fragments, variables, limits, budget)
    try:
        figures = analysis.operation(operation)
    except RecursionError:  # inline fragments nested thousands deep
        raise _too_deep(limits) from None
    if figures.aliases > limits.max_aliases:
        raise LimitExceeded(f"Operation uses more than {limits.max_aliases} aliases (the alias limit)"
                            f"{limits.raise_hint('MAX_ALIASES')}",
                            "ALIAS_LIMIT_EXCEEDED")
    if figures.cost > limits.max_cost:
        shown = f"{figures.cost}" if figures.cost < analysis.cap else f"more than {limits.max_cost}"
        raise LimitExceeded(f"Operation's estimated cost {shown} exceeds the limit {limits.max_cost} (each field "
                            f"costs 1 × the list sizes above it; ask for smaller pages with `first`)"
                            f"{limits.raise_hint('MAX_COST')}",
                            "COST_LIMIT_EXCEEDED")
    return figures.cost
