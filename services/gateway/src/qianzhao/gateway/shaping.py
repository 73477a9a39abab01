"""Result shaping: the merged subgraph data, cut to the client's selection in its order, with null propagation.

Follows @apollo/gateway's post-processing: fields in query order, `__typename` from data or the parent type,
`@skip`/`@include` honoured, non-null violations bubble up to the nearest nullable parent (their messages are
reported only when no subgraph error explains them), introspection fields answered from the API schema.
"""

from __future__ import annotations

import math
import re
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    is_abstract_type,
    is_composite_type,
)

from .selections import included

_INT_RE = re.compile(r"^[-+]?\d+$")
_MISSING = object()
_BUILTIN = {"String", "Int", "Float", "Boolean", "ID"}


class _Bubble(Exception):
    pass


class Shaper:
    def __init__(self, schema: GraphQLSchema, fragments, variables: dict[str, Any], introspect):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.introspect = introspect
        self.errors: list[dict] = []

    def shape(self, selections, data: dict, root) -> dict | None:
        out: dict = {}
        ok = self._apply(data, selections, out, [], root)
        return out if ok else None

    def _field_def(self, parent, name):
        fields = getattr(parent, "fields", None)
        return fields.get(name) if fields else None

    def _applies(self, condition: str | None, typename, parent) -> bool:
        if condition is None:
            return True
        cond = self.schema.get_type(condition)
        if cond is None:
            return False
        t = self.schema.get_type(typename) if isinstance(typename, str) else parent
        if t is None:
            return False
        if t is cond:
            return True
        if is_abstract_type(cond):
            if isinstance(t, GraphQLObjectType):
                return self.schema.is_sub_type(cond, t)
            return False
        return False

    def _apply(self, data: dict, selections, out: dict, path: list, parent) -> bool:
        for sel in selections:
            if not included(sel, self.variables):
                continue
            if isinstance(sel, FieldNode):
                name = sel.name.value
                key = sel.alias.value if sel.alias else name
                if name in ("__schema", "__type"):
                    if key not in out:
                        out[key] = self.introspect(sel)
                    continue
                value = data.get(key)
                if name == "__typename":
                    if key not in out:
                        if value is None and key != "__typename":
                            value = data.get("__typename")
                        t = self.schema.get_type(value) if isinstance(value, str) else None
                        t = t or parent
                        if not isinstance(t, GraphQLObjectType):
                            return False
                        out[key] = t.name
                    continue
                fdef = self._field_def(parent, name)
                if fdef is None:
                    continue
                path.append(key)
                updated, invalid, _ = self._update(out.get(key, _MISSING), fdef.type, value, sel.selection_set,
                                                   path, parent)
                path.pop()
                out[key] = updated
                if invalid:
                    return False
            else:
                if isinstance(sel, FragmentSpreadNode):
                    frag = self.fragments[sel.name.value]
                    cond, sel_set = frag.type_condition.name.value, frag.selection_set
                else:
                    cond = sel.type_condition.name.value if sel.type_condition else None
                    sel_set = sel.selection_set
                typename = data.get("__typename")
                if self._applies(cond, typename, parent):
                    sub_parent = self.schema.get_type(cond) if cond else parent
                    if not self._apply(data, sel_set.selections, out, path, sub_parent):
                        return False
        return True

    def _describe(self, path, type_, parent) -> str:
        last = path[-1]
        if isinstance(last, str):
            return f"field {parent.name}.{last}"
        return f"array element of type {type_} at index {last}"

    def _update(self, out_value, type_, in_value, sel_set, path, parent):
        """Returns (updated, is_invalid, has_errors)."""
        if out_value is None or (out_value is not _MISSING and sel_set is None):
            return out_value, False, False
        if isinstance(type_, GraphQLNonNull):
            updated, _, has_errors = self._update(out_value, type_.of_type, in_value, sel_set, path, parent)
            if updated is None:
                if not has_errors:
                    self.errors.append({"message": f"Cannot return null for non-nullable "
                                                   f"{self._describe(path, type_.of_type, parent)}.",
                                        "path": list(path)})
                return None, True, True
            return updated, False, False
        if in_value is None:
            return None, False, False
        if isinstance(type_, GraphQLList):
            if not isinstance(in_value, list):
                self.errors.append({"message": f"Invalid value found for {self._describe(path, type_, parent)}.",
                                    "path": list(path)})
                return None, False, True
            outs = out_value if isinstance(out_value, list) else [_MISSING] * len(in_value)
            result, nullify, has_errors = [], False, False
            for i, item in enumerate(in_value):
                path.append(i)
                u, inv, err = self._update(outs[i] if i < len(outs) else _MISSING, type_.of_type, item, sel_set,
                                           path, parent)
                path.pop()
                nullify = nullify or inv
                has_errors = has_errors or err
                result.append(u)
            return (None if nullify else result), False, has_errors
        if is_composite_type(type_):
            if not isinstance(in_value, dict):
                self.errors.append({"message": f"Invalid value found for {self._describe(path, type_, parent)}.",
                                    "path": list(path)})
                return None, False, True
            obj_type = type_
            typename = in_value.get("__typename")
            if typename:
                found = self.schema.get_type(typename)
                if found is None or not is_composite_type(found):
                    self.errors.append({"message": f"Invalid __typename found for object at "
                                                   f"{self._describe(path, type_, parent)}.", "path": list(path)})
                    return None, False, True
                obj_type = found
            target = out_value if isinstance(out_value, dict) else {}
            ok = self._apply(in_value, sel_set.selections, target, path, obj_type)
            return (target if ok else None), False, not ok
        valid = _valid_leaf(in_value, type_)
        if not valid:
            self.errors.append({"message": f"Invalid value found for {self._describe(path, type_, parent)}.",
                                "path": list(path)})
        return (in_value if valid else None), False, not valid


def _valid_leaf(value, type_) -> bool:
    if isinstance(type_, GraphQLScalarType) and type_.name not in _BUILTIN:
        return True
    name = type_.name
    if isinstance(value, bool):
        return name == "Boolean"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return False
        if name in ("Int", "ID"):
            return isinstance(value, int) or float(value).is_integer()
        return name == "Float"
    if isinstance(value, str):
        if isinstance(type_, GraphQLEnumType):
            return value in type_.values
        return name not in ("Boolean", "Int", "Float")
    return False
