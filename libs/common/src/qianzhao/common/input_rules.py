"""Bounds on every input value, checked before any resolver runs: bad input is refused whole, with every problem
named by its input path, and nothing is written.

Every text input has a maximum length (free text such as a summary or a reply 5,000 characters, search terms 100,
everything else 200), shown in its description; control characters are refused (free text may hold line breaks
and tabs); amounts must be finite with at most 2 decimals and 16 digits before the point (NUMERIC(18,2)); dates
and times lie between 1990 and a year from now, times with a time zone; a list holds at most 100 items (an import
mutation's `rows` at most 1,000). The walk
over the operation visits each fragment once, so it is linear in the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    get_named_type,
)
from graphql.language import ast as gast
from strawberry.extensions import SchemaExtension

LONG_TEXT = 5000
SEARCH_TEXT = 100
CURSOR_TEXT = 500
SHORT_TEXT = 200
MAX_ITEMS = 100
MAX_IMPORT_ROWS = 1000  # the rows of one import call (common.importing); a file is sent in such calls
LIST_LIMITS = {"rows": MAX_IMPORT_ROWS}
MAX_DIGITS_BEFORE_POINT = 16
EARLIEST = date(1990, 1, 1)
LATEST_AHEAD = timedelta(days=366)

# free-text inputs: long, and may hold line breaks
LONG_TEXT_FIELDS = frozenset({
    "comment", "conditions", "content", "decision", "description", "evidence", "feedbackComment", "feedbackText",
    "marketProspects", "message", "note", "notes", "policiesDelivered", "policySupport", "progress",
    "finding", "proposedSolution", "reason", "reply", "report", "resolution", "resourcesMatched", "solution", "summary",
    "supportRequested",
    "text",
})
SEARCH_FIELDS = frozenset({"search"})
CURSOR_FIELDS = frozenset({"after", "before"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def max_length(name: str) -> int:
    if name in LONG_TEXT_FIELDS:
        return LONG_TEXT
    if name in SEARCH_FIELDS:
        return SEARCH_TEXT
    if name in CURSOR_FIELDS:
        return CURSOR_TEXT
    return SHORT_TEXT


def describe_limit(name: str) -> str:
    n = max_length(name)
    return f"At most {n:,} characters (最多{n}字)."


def document_limits(schema: GraphQLSchema) -> None:
    """Append each text input's maximum to its description, so clients read the limit in the schema."""
    def text_inputs() -> Iterator[tuple[str, Any]]:
        for type_ in schema.type_map.values():
            if type_.name.startswith("__"):
                continue
            if isinstance(type_, GraphQLInputObjectType):
                yield from type_.fields.items()
            for field in (getattr(type_, "fields", None) or {}).values() if not isinstance(
                    type_, GraphQLInputObjectType) else ():
                yield from (getattr(field, "args", None) or {}).items()

    for name, value in text_inputs():
        if get_named_type(value.type).name == "String" and "At most" not in (value.description or ""):
            value.description = f"{value.description or ''} {describe_limit(name)}".strip()


class Problems:
    def __init__(self, variables: dict[str, Any]):
        self.variables = variables
        self.found: list[tuple[list[str | int], str]] = []

    def add(self, path: list[str | int], message: str) -> None:
        if len(self.found) < 50:
            self.found.append((path, message))

    def value(self, type_, value: Any, path: list[str | int], name: str) -> None:
        """Check a value (an AST node or a variable's JSON) against its input type."""
        if isinstance(value, gast.VariableNode):
            value = self.variables.get(value.name.value)
        if value is None or isinstance(value, gast.NullValueNode):
            return
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(type_, GraphQLList):
            items = value.values if isinstance(value, gast.ListValueNode) else value if isinstance(value, list) \
                else [value]
            limit = LIST_LIMITS.get(name, MAX_ITEMS)
            if len(items) > limit:
                self.add(path, f"`{name}` holds {len(items)} items; at most {limit} are allowed")
                return
            for i, item in enumerate(items):
                self.value(type_.of_type, item, [*path, i], name)
            return
        if isinstance(type_, GraphQLInputObjectType):
            if isinstance(value, gast.ObjectValueNode):
                given = {f.name.value: f.value for f in value.fields}
            elif isinstance(value, dict):
                given = value
            else:
                return  # a shape error: GraphQL's own coercion reports it
            for field_name, field in type_.fields.items():
                if field_name in given:
                    self.value(field.type, given[field_name], [*path, field_name], field_name)
            return
        if isinstance(value, gast.ValueNode):
            value = getattr(value, "value", None)
        self.scalar(type_.name, value, path, name)

    def scalar(self, scalar: str, value: Any, path: list[str | int], name: str) -> None:
        if not isinstance(value, str):
            return
        if scalar in ("String", "ID"):
            limit = max_length(name)
            if len(value) > limit:
                self.add(path, f"`{name}` is {len(value):,} characters long; at most {limit:,} are allowed")
            elif (_CONTROL if limit == LONG_TEXT else _CONTROL_SINGLE_LINE).search(value):
                self.add(path, f"`{name}` contains control characters (such as NUL)")
        elif scalar == "Decimal":
            self.decimal(value, path, name)
        elif scalar == "Date":
            self.when(value, path, name, with_time=False)
        elif scalar == "DateTime":
            self.when(value, path, name, with_time=True)

    def decimal(self, value: str, path, name: str) -> None:
        if len(value) > 40:
            self.add(path, f"`{name}` is not an amount of at most {MAX_DIGITS_BEFORE_POINT} digits")
            return
        try:
            amount = Decimal(value)
        except InvalidOperation:
            return  # not a number at all: the scalar reports it
        if not amount.is_finite():
            self.add(path, f"`{name}` must be a finite number")
        elif abs(amount) >= Decimal(10) ** MAX_DIGITS_BEFORE_POINT:
            self.add(path, f"`{name}` is too large: at most {MAX_DIGITS_BEFORE_POINT} digits before the point")
        elif amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
            self.add(path, f"`{name}` has more than 2 decimal places")

    def when(self, value: str, path, name: str, *, with_time: bool) -> None:
        try:
            if with_time:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
                if moment.tzinfo is None:
                    self.add(path, f"`{name}` needs a time zone (e.g. 2024-05-01T09:00:00+08:00)")
                    return
                day = moment.astimezone(UTC).date()
            else:
                day = date.fromisoformat(value)
        except ValueError:
            return  # not a date at all: the scalar reports it
        latest = datetime.now(UTC).date() + LATEST_AHEAD
        if not EARLIEST <= day <= latest:
            self.add(path, f"`{name}` must lie between {EARLIEST.isoformat()} and {latest.isoformat()}")


def problems(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: dict,
             variables: dict[str, Any]) -> list[tuple[list[str | int], str]]:
    """Every bound the operation's argument values break, with the input path of each."""
    found = Problems(variables or {})
    seen: set[str] = set()
    stack: list[tuple[Any, Any]] = [(operation.selection_set, schema.get_root_type(operation.operation))]
    while stack:
        selection_set, parent = stack.pop()
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                field = (getattr(parent, "fields", None) or {}).get(sel.name.value)
                if field is None:
                    continue
                for arg in sel.arguments or ():
                    arg_def = field.args.get(arg.name.value)
                    if arg_def is not None:
                        found.value(arg_def.type, arg.value, [arg.name.value], arg.name.value)
                if sel.selection_set is not None:
                    stack.append((sel.selection_set, get_named_type(field.type)))
            elif isinstance(sel, InlineFragmentNode):
                cond = schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                stack.append((sel.selection_set, cond))
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen and sel.name.value in fragments:
                seen.add(sel.name.value)
                frag = fragments[sel.name.value]
                stack.append((frag.selection_set, schema.get_type(frag.type_condition.name.value)))
    return found.found


def _payload(selection_set, payload_type, fragments: dict, errors: list[dict]) -> dict:
    """A mutation payload as the client selected it: no record, and the problems as `userErrors`."""
    out: dict[str, Any] = {}
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            key = sel.alias.value if sel.alias else sel.name.value
            if sel.name.value == "__typename":
                out[key] = payload_type.name
            elif sel.name.value == "userErrors":
                out[key] = [{(f.alias.value if f.alias else f.name.value):
                             ("UserError" if f.name.value == "__typename" else e.get(f.name.value))
                             for f in sel.selection_set.selections if isinstance(f, FieldNode)} for e in errors]
            else:
                out[key] = None
        else:
            inner = fragments.get(sel.name.value) if isinstance(sel, FragmentSpreadNode) else sel
            if inner is not None:
                out.update(_payload(inner.selection_set, payload_type, fragments, errors))
    return out


def refusal(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: dict,
            found: list[tuple[list[str | int], str]]) -> ExecutionResult:
    """How an operation with bad input is answered: a lone mutation with a `userErrors` payload reports the
    problems there (as its own validation would); anything else with GraphQL errors. Nothing runs either way."""
    roots = operation.selection_set.selections
    if operation.operation.value == "mutation" and len(roots) == 1 and isinstance(roots[0], FieldNode):
        field = schema.mutation_type.fields.get(roots[0].name.value) if schema.mutation_type else None
        payload_type = get_named_type(field.type) if field is not None else None
        asked = roots[0].selection_set is not None and any(
            isinstance(s, FieldNode) and s.name.value == "userErrors" for s in roots[0].selection_set.selections)
        if asked and payload_type is not None and "userErrors" in getattr(payload_type, "fields", {}):
            errors = [{"field": [str(p) for p in path], "message": message, "code": "BAD_USER_INPUT"}
                      for path, message in found]
            key = roots[0].alias.value if roots[0].alias else roots[0].name.value
            return ExecutionResult(data={key: _payload(roots[0].selection_set, payload_type, fragments, errors)})
    return ExecutionResult(data=None, errors=[
        GraphQLError(message, extensions={"code": "BAD_USER_INPUT", "field": [str(p) for p in path]})
        for path, message in found])


class InputRules(SchemaExtension):
    """Refuses an operation whose inputs break a bound (BAD_USER_INPUT with the input path) before anything
    executes."""

    def on_execute(self):
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None and ctx.result is None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            chosen = [o for o in operations if ctx.operation_name is None
                      or (o.name is not None and o.name.value == ctx.operation_name)]
            if len(chosen) == 1:
                fragments = {d.name.value: d for d in document.definitions if isinstance(d, gast.FragmentDefinitionNode)}
                schema = ctx.schema._schema
                found = problems(schema, chosen[0], fragments, ctx.variables or {})
                if found:
                    ctx.result = refusal(schema, chosen[0], fragments, found)
        yield
