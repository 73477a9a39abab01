"""Variable coercion errors worded as graphql-js words them (what @apollo/gateway's clients are used to)."""

from __future__ import annotations

import json
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    Undefined,
    type_from_ast,
)


def js_inspect(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(js_inspect(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{k}: {js_inspect(v)}" for k, v in value.items()) + " }"
    return str(value)


def _path_text(path: list) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def _has_default(field) -> bool:
    """Whether an input field has a default (an SDL-built schema may keep it only on the field's AST node)."""
    node = getattr(field, "ast_node", None)
    return field.default_value is not Undefined or (node is not None and node.default_value is not None)


def _check(value: Any, type_, path: list, errors: list[tuple[list, Any, str]]) -> None:
    if isinstance(type_, GraphQLNonNull):
        if value is None:
            errors.append((path, value, f'Expected non-nullable type "{type_}" not to be null.'))
            return
        _check(value, type_.of_type, path, errors)
        return
    if value is None:
        return
    if isinstance(type_, GraphQLList):
        if isinstance(value, list):
            for i, item in enumerate(value):
                _check(item, type_.of_type, [*path, i], errors)
        else:
            _check(value, type_.of_type, path, errors)
        return
    if isinstance(type_, GraphQLInputObjectType):
        if not isinstance(value, dict):
            errors.append((path, value, f'Expected type "{type_.name}" to be an object.'))
            return
        for name, f in type_.fields.items():
            if name not in value:
                if not _has_default(f) and isinstance(f.type, GraphQLNonNull):
                    errors.append((path, value, f'Field "{name}" of required type "{f.type}" was not provided.'))
                continue
            _check(value[name], f.type, [*path, name], errors)
        for name in value:
            if name not in type_.fields:
                errors.append((path, value, f'Field "{name}" is not defined by type "{type_.name}".'))
        return
    try:
        parsed = type_.parse_value(value)
    except GraphQLError as exc:
        message = exc.message
        if message.endswith(repr(value)):  # graphql-core shows the Python repr where graphql-js shows JS
            message = message[: -len(repr(value))] + js_inspect(value)
        errors.append((path, value, message))
        return
    except (TypeError, ValueError) as exc:
        errors.append((path, value, f'Expected type "{type_.name}". {exc}'))
        return
    if parsed is Undefined:
        errors.append((path, value, f'Expected type "{type_.name}".'))


def coercion_messages(schema: GraphQLSchema, definitions, inputs: dict[str, Any]) -> list[str]:
    """graphql-js 16 messages for the variables that fail to coerce (empty when none does)."""
    out: list[str] = []
    for d in definitions or ():
        name = d.variable.name.value
        type_ = type_from_ast(schema, d.type)
        if type_ is None:
            continue
        if name not in inputs:
            if d.default_value is None and isinstance(type_, GraphQLNonNull):
                out.append(f'Variable "${name}" of required type "{type_}" was not provided.')
            continue
        value = inputs[name]
        if value is None and isinstance(type_, GraphQLNonNull):
            out.append(f'Variable "${name}" of non-null type "{type_}" must not be null.')
            continue
        errors: list = []
        _check(value, type_, [], errors)
        for path, invalid, message in errors:
            at = f' at "{name}{_path_text(path)}"' if path else ""
            out.append(f'Variable "${name}" got invalid value {js_inspect(invalid)}{at}; {message}')
    return out
