"""Selection-set helpers shared by the planner, limits and result shaping."""

from __future__ import annotations

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    is_list_type,
    is_non_null_type,
    print_ast,
)
from graphql.language import ast as gast
from qianzhao.common.limits import each_selection, included

__all__ = ["included"]

TYPENAME = "__typename"
INTROSPECTION = {"__schema", "__type"}


def typename_field() -> FieldNode:
    return FieldNode(name=NameNode(value=TYPENAME), arguments=(), directives=())


def condition_variables(operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """Names of the variables that @skip/@include depend on (part of the plan cache key)."""
    found: list[str] = []
    for sel in each_selection(operation.selection_set, fragments):
        for d in sel.directives or ():
            if d.name.value in ("skip", "include"):
                for a in d.arguments or ():
                    if isinstance(a.value, gast.VariableNode) and a.value.name.value not in found:
                        found.append(a.value.name.value)
    return sorted(found)




# --- helpers ---------------------------------------------------------------------------------------------
def list_depth(t) -> int:
    depth = 0
    while True:
        if is_non_null_type(t):
            t = t.of_type
        elif is_list_type(t):
            depth += 1
            t = t.of_type
        else:
            return depth


def aside(f: FieldNode) -> FieldNode:
    """The same field under a gateway-private alias (representations read it from there)."""
    return FieldNode(alias=NameNode(value=f"__qz_{f.name.value}"), name=f.name, arguments=f.arguments,
                     directives=(), selection_set=f.selection_set)


def inline(type_name: str, selections) -> InlineFragmentNode:
    return InlineFragmentNode(type_condition=NamedTypeNode(name=NameNode(value=type_name)), directives=(),
                              selection_set=SelectionSetNode(selections=tuple(selections)))


def provided_child(provided, field_name: str, type_name: str, schema):
    """The sub-selection of a `@provides` field set for `field_name`, or None when it is not provided."""
    for s in provided or ():
        if isinstance(s, FieldNode) and s.name.value == field_name:
            return s.selection_set.selections if s.selection_set else ()
        if isinstance(s, InlineFragmentNode):
            cond = s.type_condition.name.value if s.type_condition else type_name
            if cond == type_name:
                found = provided_child(s.selection_set.selections, field_name, type_name, schema)
                if found is not None:
                    return found
    return None


def provided_for(provided, type_name: str):
    if provided is None:
        return None
    out = []
    for s in provided:
        if isinstance(s, InlineFragmentNode):
            if s.type_condition is None or s.type_condition.name.value == type_name:
                out.extend(s.selection_set.selections)
        else:
            out.append(s)
    return out


def field_sig(f: FieldNode) -> str:
    args = ",".join(f"{a.name.value}:{print_ast(a.value)}" for a in f.arguments or ())
    return f"{(f.alias or f.name).value}:{f.name.value}({args})"


def merge_selections(selections) -> list[SelectionNode]:
    """Merge fields with the same response key and arguments, and fragments on the same type."""
    fields: dict[str, list] = {}
    frags: dict[str, list] = {}
    order: list[tuple[str, str]] = []
    for s in selections:
        if isinstance(s, FieldNode):
            sig = field_sig(s)
            if sig not in fields:
                fields[sig] = [s, []]
                order.append(("f", sig))
            if s.selection_set:
                fields[sig][1].extend(s.selection_set.selections)
        elif isinstance(s, InlineFragmentNode):
            name = s.type_condition.name.value if s.type_condition else ""
            if name not in frags:
                frags[name] = []
                order.append(("i", name))
            frags[name].extend(s.selection_set.selections)
    out: list[SelectionNode] = []
    for kind, key in order:
        if kind == "f":
            node, subs = fields[key]
            if node.selection_set:
                node = FieldNode(alias=node.alias, name=node.name, arguments=node.arguments, directives=(),
                                 selection_set=SelectionSetNode(selections=tuple(merge_selections(subs))))
            out.append(node)
        else:
            inner = merge_selections(frags[key])
            if key:
                out.append(inline(key, inner))
            else:
                out.append(InlineFragmentNode(type_condition=None, directives=(),
                                              selection_set=SelectionSetNode(selections=tuple(inner))))
    return out


def used_variables(selections) -> list[str]:
    found: list[str] = []

    def value(v):
        if isinstance(v, gast.VariableNode):
            if v.name.value not in found:
                found.append(v.name.value)
        elif isinstance(v, gast.ListValueNode):
            for x in v.values:
                value(x)
        elif isinstance(v, gast.ObjectValueNode):
            for f in v.fields:
                value(f.value)

    def walk(sels):
        for s in sels:
            if isinstance(s, FieldNode):
                for a in s.arguments or ():
                    value(a.value)
            if s.selection_set:
                walk(s.selection_set.selections)

    walk(selections)
    return found


def print_selections(selections) -> str:
    """Compact printing of a selection set: `{a b:c(x:$y) ... on T{d}}`."""
    parts = []
    for s in selections:
        if isinstance(s, FieldNode):
            text = f"{s.alias.value}:{s.name.value}" if s.alias else s.name.value
            if s.arguments:
                text += "(" + ",".join(f"{a.name.value}:{print_ast(a.value)}" for a in s.arguments) + ")"
            if s.selection_set:
                text += print_selections(s.selection_set.selections)
        else:
            cond = f"... on {s.type_condition.name.value}" if s.type_condition else "..."
            text = cond + print_selections(s.selection_set.selections)
        parts.append(text)
    return "{" + " ".join(parts) + "}"


