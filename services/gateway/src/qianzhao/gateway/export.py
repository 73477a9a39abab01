"""Excel export of any list a caller can see (the consoles' download button): `POST /export.xlsx` with a GraphQL
query; the nodes of the first connection it selects become the rows, one column per leaf field.

The query runs through the gateway's own `/graphql` (in process), so authentication, jurisdiction, limits and rate
limits are exactly those of the API. When the operation declares `$after` and selects
`pageInfo { hasNextPage endCursor }`, every following page is fetched too, up to `QZ_GATEWAY_EXPORT_MAX_ROWS`.
Headers come from the schema's descriptions, Chinese first (`项目名称 name`); nested objects flatten into
dotted columns (`region.name`) and lists of scalars join with `；`. The workbook is written row by row
(openpyxl's write-only mode), so memory grows with the cells, not with styling.
"""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
import orjson
from fastapi import Request
from fastapi.responses import Response
from graphql import GraphQLObjectType, get_named_type, parse
from openpyxl import Workbook
from qianzhao.common.graphql_http import JSON, read_request, respond

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORWARDED = ("authorization", "traceparent", "tracestate", "x-forwarded-for")
_CHINESE = re.compile(r"[（(]([^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]")


def _error(message: str, status: int = 400) -> Response:
    return respond({"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}, status, JSON)


def find_connection(data: Any, path: tuple[str, ...] = ()) -> tuple[tuple[str, ...], dict] | None:
    """The first object (depth first, in selection order) holding a `nodes` or `edges` list, and its path."""
    if isinstance(data, dict):
        if isinstance(data.get("nodes"), list) or isinstance(data.get("edges"), list):
            return path, data
        for key, value in data.items():
            if (found := find_connection(value, (*path, key))) is not None:
                return found
    return None


def nodes_of(connection: dict) -> list[dict]:
    if isinstance(connection.get("nodes"), list):
        return [n for n in connection["nodes"] if isinstance(n, dict)]
    return [e["node"] for e in connection.get("edges") or [] if isinstance(e, dict) and isinstance(e.get("node"), dict)]


def flatten(node: dict, prefix: str = "") -> dict[str, Any]:
    """One row: nested objects as dotted keys, lists of scalars joined, lists of objects as their count."""
    row: dict[str, Any] = {}
    for key, value in node.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flatten(value, name + "."))
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                row[name] = "；".join("" if v is None else str(v) for v in value)
            else:
                row[name] = len(value)
        else:
            row[name] = value
    return row


def _fields(selection_set, fragments) -> list:
    """The fields of a selection set, through inline fragments and fragment spreads, in order."""
    out = []
    for sel in selection_set.selections if selection_set else ():
        if sel.kind == "field":
            out.append(sel)
        elif sel.kind == "inline_fragment":
            out += _fields(sel.selection_set, fragments)
        elif sel.kind == "fragment_spread" and sel.name.value in fragments:
            out += _fields(fragments[sel.name.value].selection_set, fragments)
    return out


def selected_columns(query: str, operation_name: str | None, path: tuple[str, ...]) -> list[str]:
    """The leaf fields the query selects on the connection's nodes, as dotted response keys, in selection order:
    the columns, whether or not any row came back."""
    document = parse(query)
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    operation = next(d for d in document.definitions if d.kind == "operation_definition"
                     and (operation_name is None or (d.name and d.name.value == operation_name)))
    selection = operation.selection_set
    for key in path:
        selection = next(f.selection_set for f in _fields(selection, fragments)
                         if (f.alias or f.name).value == key)
    by_key = {(f.alias or f.name).value: f for f in _fields(selection, fragments)}
    if "nodes" in by_key:
        selection = by_key["nodes"].selection_set
    else:
        edge = {(f.alias or f.name).value: f for f in _fields(by_key["edges"].selection_set, fragments)}
        selection = edge["node"].selection_set

    def leaves(selection_set, prefix: str) -> list[str]:
        out = []
        for f in _fields(selection_set, fragments):
            key = (f.alias or f.name).value
            if key == "__typename":
                continue
            out += leaves(f.selection_set, f"{prefix}{key}.") if f.selection_set else [f"{prefix}{key}"]
        return out

    return list(dict.fromkeys(leaves(selection, "")))


def header(schema, root_type, connection_path: tuple[str, ...], column: str) -> str:
    """`项目名称 name`: the Chinese term of each field's description (else its first words), then the path."""
    parent = root_type
    for key in connection_path:  # down to the connection, then into its node type
        field = getattr(parent, "fields", {}).get(key)
        parent = get_named_type(field.type) if field else None
    node_field = getattr(parent, "fields", {}).get("nodes") or getattr(parent, "fields", {}).get("edges")
    parent = get_named_type(node_field.type) if node_field else None
    if parent is not None and "node" in getattr(parent, "fields", {}):
        parent = get_named_type(parent.fields["node"].type)
    labels = []
    for key in column.split("."):
        field = parent.fields.get(key) if isinstance(parent, GraphQLObjectType) else None
        description = (field.description or "") if field else ""
        found = _CHINESE.search(description)
        labels.append(found.group(1).split("，")[0].split(",")[0].strip() if found else "")
        parent = get_named_type(field.type) if field else None
    chinese = "·".join(label for label in labels if label)
    return f"{chinese} {column}" if chinese else column


def workbook(rows: list[dict[str, Any]], labels: list[str], columns: list[str]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("导出")
    sheet.append(labels)
    for row in rows:
        sheet.append([_cell(row.get(c)) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def _declares_after(query: str, operation_name: str | None) -> bool:
    try:
        document = parse(query)
    except Exception:  # the gateway answers the syntax error itself
        return False
    for definition in document.definitions:
        if getattr(definition, "variable_definitions", None) is not None and (
                operation_name is None or (definition.name and definition.name.value == operation_name)):
            return any(v.variable.name.value == "after" for v in definition.variable_definitions)
    return False


async def export(request: Request) -> Response:
    """`POST /export.xlsx` {query, variables, operationName}: the list as an Excel workbook, or the API's errors."""
    settings = request.app.state.settings
    parsed = await read_request(request, max_body_bytes=settings.max_body_bytes)
    if isinstance(parsed, Response):
        return parsed
    if parsed.is_get or not parsed.query:
        return _error("POST a GraphQL query whose result holds a list (a connection with nodes or edges)")
    headers = {k: v for k in FORWARDED if (v := request.headers.get(k))} | {"accept": JSON}
    variables, paging = dict(parsed.variables or {}), _declares_after(parsed.query, parsed.operation_name)
    rows: list[dict[str, Any]] = []
    found = None
    transport = httpx.ASGITransport(app=request.app, client=(request.client.host if request.client else "127.0.0.1", 0))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        while True:
            answer = await client.post("/graphql", content=orjson.dumps(
                {"query": parsed.query, "variables": variables, "operationName": parsed.operation_name}),
                headers=headers | {"content-type": JSON})
            body = answer.json()
            if answer.status_code != 200 or body.get("errors"):
                return Response(answer.content, status_code=answer.status_code if answer.status_code != 200 else 400,
                                media_type=JSON, headers={k: v for k, v in answer.headers.items()
                                                          if k in ("www-authenticate", "retry-after")})
            found = find_connection(body.get("data"))
            if found is None:
                return _error("The query selects no list: select a connection's nodes or edges")
            rows += [flatten(n) for n in nodes_of(found[1])]
            page = found[1].get("pageInfo") or {}
            if len(rows) >= settings.export_max_rows:
                rows = rows[:settings.export_max_rows]
                break
            if not (paging and page.get("hasNextPage") and page.get("endCursor")):
                break
            variables["after"] = page["endCursor"]
    columns = selected_columns(parsed.query, parsed.operation_name, found[0])
    gateway = request.app.state.gateway
    labels = [header(gateway.schema, gateway.schema.query_type, found[0], c) for c in columns]
    content = workbook(rows, labels, columns)
    return Response(content, media_type=XLSX, headers={
        "content-disposition": "attachment; filename=\"export.xlsx\"; filename*=UTF-8''%E5%AF%BC%E5%87%BA.xlsx",
        "x-qz-export-rows": str(len(rows))})
