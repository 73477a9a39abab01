"""Operation limits checked before anything is planned or sent: depth, aliases, root fields, estimated cost.

Cost is an upper estimate of the objects a query can touch: each field costs 1 times the list sizes above it;
a field with `first`/`last`/`limit` multiplies what is below it by that number, any other list by a default size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    get_named_type,
    is_list_type,
    is_non_null_type,
)
from graphql.language import ast as gast

from .selections import included

PAGE_ARGUMENTS = ("first", "last", "limit")


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


class LimitExceeded(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


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


class _Walker:
    def __init__(self, schema: GraphQLSchema, fragments, variables, limits: Limits):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.limits = limits
        self.aliases = 0
        self.depth = 0

    def walk(self, selections, parent, depth: int, multiplier: int, seen: frozenset) -> int:
        cost = 0
        for sel in selections:
            if not included(sel, self.variables):
                continue
            if isinstance(sel, FieldNode):
                if sel.alias is not None:
                    self.aliases += 1
                    if self.aliases > self.limits.max_aliases:
                        raise LimitExceeded(f"Operation uses more than {self.limits.max_aliases} aliases (the alias limit)",
                                            "ALIAS_LIMIT_EXCEEDED")
                name = sel.name.value
                if name.startswith("__"):
                    continue
                self.depth = max(self.depth, depth)
                if depth > self.limits.max_depth:
                    raise LimitExceeded(f"Operation is nested {depth} levels deep; the limit is "
                                        f"{self.limits.max_depth}", "DEPTH_LIMIT_EXCEEDED")
                cost += multiplier
                fdef = getattr(parent, "fields", {}).get(name) if parent is not None else None
                if sel.selection_set and fdef is not None:
                    size = _page_size(sel, self.variables)
                    if size is None and _is_list(fdef.type):
                        size = self.limits.default_list_size
                    inner = multiplier * (size if size is not None else 1)
                    cost += self.walk(sel.selection_set.selections, get_named_type(fdef.type), depth + 1, inner,
                                      seen)
            elif isinstance(sel, InlineFragmentNode):
                t = self.schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                cost += self.walk(sel.selection_set.selections, t, depth, multiplier, seen)
            elif isinstance(sel, FragmentSpreadNode):
                frag = self.fragments.get(sel.name.value)
                if frag is None or sel.name.value in seen:
                    continue
                t = self.schema.get_type(frag.type_condition.name.value)
                cost += self.walk(frag.selection_set.selections, t, depth, multiplier, seen | {sel.name.value})
        return cost


def check(schema: GraphQLSchema, operation, fragments, variables: dict[str, Any], limits: Limits) -> int:
    """Raises LimitExceeded for an operation over a limit; returns its estimated cost."""
    root = schema.get_root_type(operation.operation)
    roots = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
    if len(roots) > limits.max_root_fields:
        raise LimitExceeded(f"Operation selects {len(roots)} root fields; the limit is {limits.max_root_fields}",
                            "ROOT_FIELD_LIMIT_EXCEEDED")
    walker = _Walker(schema, fragments, variables, limits)
    cost = walker.walk(operation.selection_set.selections, root, 1, 1, frozenset())
    if cost > limits.max_cost:
        raise LimitExceeded(f"Operation's estimated cost {cost} exceeds the limit {limits.max_cost}",
                            "COST_LIMIT_EXCEEDED")
    return cost


def uses_introspection(operation, fragments) -> bool:
    def walk(selections, seen) -> bool:
        for sel in selections:
            if isinstance(sel, FieldNode):
                if sel.name.value in ("__schema", "__type"):
                    return True
                if sel.selection_set and walk(sel.selection_set.selections, seen):
                    return True
            elif isinstance(sel, InlineFragmentNode):
                if walk(sel.selection_set.selections, seen):
                    return True
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
                frag = fragments.get(sel.name.value)
                if frag and walk(frag.selection_set.selections, seen | {sel.name.value}):
                    return True
        return False

    return walk(operation.selection_set.selections, frozenset())
