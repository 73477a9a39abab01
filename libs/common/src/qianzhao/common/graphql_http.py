"""GraphQL over HTTP: reading a request and answering it by the spec's rules, for the gateway and every subgraph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request
from starlette.responses import Response

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


@dataclass(frozen=True)
class GraphQLRequest:
    """A well-formed GraphQL request, and the media type its answer is written in."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None
    media: str
    is_get: bool


def media_type(accept: str | None) -> str | None:
    """The response media type for an Accept header (None: nothing we can serve → 406)."""
    if not accept:
        return JSON
    best, best_q = None, -1.0
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        kind = bits[0].lower()
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if kind == GRAPHQL_RESPONSE:
            choice = GRAPHQL_RESPONSE
        elif kind in (JSON, "application/*", "*/*", "text/event-stream"):  # SSE: errors before a stream are JSON
            choice = JSON
        else:
            continue
        if q > best_q or (q == best_q and choice == GRAPHQL_RESPONSE and best != GRAPHQL_RESPONSE and i == 0):
            best, best_q = choice, q
    return best if best_q > 0 else None


def respond(body: dict, status: int, media: str, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=media, headers=headers)


def request_error(errors: list[dict], status: int, media: str, headers: dict | None = None) -> Response:
    """A request error: 4xx, except that the legacy media type reports GraphQL request errors with 200 (§6.4.1)."""
    if media == JSON and status == 400:
        status = 200
    return respond({"errors": errors}, status, media, headers)


async def read_request(request: Request, *, max_body_bytes: int) -> GraphQLRequest | Response:
    """The request's query, operation name, variables and extensions, or the response that refuses it
    (406, 413, 415 or 400)."""
    is_get = request.method == "GET"
    params = dict(parse_qsl(request.url.query, keep_blank_values=True)) if is_get else {}
    media = media_type(request.headers.get("accept"))
    if media is None:
        return respond({"errors": [{"message": "Accept must allow application/graphql-response+json or "
                                               "application/json"}]}, 406, JSON)
    if is_get:
        try:
            payload = {
                "query": params.get("query"),
                "operationName": params.get("operationName") or None,
                "variables": orjson.loads(params["variables"]) if params.get("variables") else None,
                "extensions": orjson.loads(params["extensions"]) if params.get("extensions") else None,
            }
        except orjson.JSONDecodeError:
            return respond({"errors": [{"message": "`variables` and `extensions` must be JSON-encoded"}]}, 400, media)
    else:
        ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if ctype != JSON:
            return respond({"errors": [{"message": "POST requests must use Content-Type: application/json"}]},
                           415, media)
        too_large = {"errors": [{"message": f"Request body exceeds {max_body_bytes} bytes",
                                 "extensions": {"code": "BODY_TOO_LARGE"}}]}
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_body_bytes:
            return respond(too_large, 413, media)
        raw = await request.body()
        if len(raw) > max_body_bytes:
            return respond(too_large, 413, media)
        try:
            payload = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return respond({"errors": [{"message": "Request body is not valid JSON"}]}, 400, media)
        if not isinstance(payload, dict):
            return respond({"errors": [{"message": "Request body must be a JSON object"}]}, 400, media)
    query, op_name = payload.get("query"), payload.get("operationName")
    variables, extensions = payload.get("variables"), payload.get("extensions")
    if (query is not None and not isinstance(query, str)) or (op_name is not None and not isinstance(op_name, str)) \
            or (variables is not None and not isinstance(variables, dict)) \
            or (extensions is not None and not isinstance(extensions, dict)):
        return respond({"errors": [{"message": "Malformed GraphQL request: query and operationName must be "
                                               "strings, variables and extensions objects"}]}, 400, media)
    return GraphQLRequest(query, op_name, variables, extensions, media, is_get)
