"""The two ways a client subscribes: the `graphql-transport-ws` protocol on the /graphql WebSocket, and GraphQL
over Server-Sent Events (a POST with `Accept: text/event-stream`).

WebSocket close codes (the protocol's): 4400 bad message, 4401 subscribe before the acknowledgement, 4403 refused
or expired token (closed when the token expires), 4408 no `connection_init` in time, 4409 a subscription id in
use, 4429 a second `connection_init`; 1013 when the subscriber did not keep up with its events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import orjson
from graphql import OperationType
from qianzhao.common.errors import ApiError
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from .gateway import RequestError
from .subscriptions import Encoded, Hub, SubscriptionError, changes, prepare, subscription_plan

log = logging.getLogger("qianzhao.gateway.realtime")
PROTOCOL = "graphql-transport-ws"


def _bearer(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value if value.lower().startswith("bearer ") else f"Bearer {value}"


async def results(gateway, hub: Hub, query: str, operation_name: str | None, variables: dict | None,
                  headers: dict[str, str], principal=None):
    """An operation's results, a list at a time: a subscription's changes as they come, or a query's or mutation's
    one result."""
    prepared, operation, coerced = prepare(gateway, query, operation_name, variables)
    if operation.operation is OperationType.SUBSCRIPTION:
        async for batch in changes(gateway, hub, subscription_plan(gateway, prepared, operation, coerced), headers,
                                   principal):
            yield batch
    else:
        yield [await gateway.run(prepared, operation, variables, coerced, headers)]


def _json(result: dict | Encoded) -> str:
    return result if isinstance(result, Encoded) else orjson.dumps(result).decode()


def errors_of(exc: Exception) -> list[dict]:
    if isinstance(exc, RequestError | SubscriptionError):
        return exc.errors
    if isinstance(exc, ApiError):
        return [{"message": exc.message, "extensions": {"code": exc.code}}]
    log.exception("subscription failed")
    return [{"message": "Internal error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]


async def websocket(ws: WebSocket) -> None:
    """`graphql-transport-ws` on /graphql."""
    app = ws.app
    gateway, hub, verifier, settings = app.state.gateway, app.state.hub, app.state.verifier, app.state.settings
    if PROTOCOL not in ws.scope.get("subprotocols", []):
        await ws.close(code=4406, reason="Subprotocol not acceptable: use graphql-transport-ws")
        return
    await ws.accept(subprotocol=PROTOCOL)
    running: dict[str, asyncio.Task] = {}
    send_lock = asyncio.Lock()
    closing: asyncio.Task | None = None

    async def send(*messages: dict | str) -> None:
        async with send_lock:  # a batch goes out back to back
            for message in messages:
                await ws.send_text(message if isinstance(message, str) else orjson.dumps(message).decode())

    async def close(code: int, reason: str) -> None:
        for task in running.values():
            task.cancel()
        with contextlib.suppress(Exception):
            await ws.close(code=code, reason=reason)

    try:
        try:
            first = await asyncio.wait_for(_receive(ws), settings.subscription_init_timeout_seconds)
        except TimeoutError:
            await close(4408, "Connection initialisation timeout")
            return
        message = _parse(first)
        if message is None or message.get("type") != "connection_init":
            await close(4400 if message is None else 4401, "Expected connection_init" if message else "Bad message")
            return
        payload = message.get("payload") or {}
        authorization = _bearer(payload.get("authorization") or payload.get("Authorization")) \
            if isinstance(payload, dict) else None
        try:
            principal = verifier.from_header(authorization)
        except ApiError as exc:
            await close(4403, f"Forbidden: {exc.message}"[:120])
            return
        if principal is None and settings.require_token:
            await close(4403, "Forbidden: send {authorization: 'Bearer <token>'} in connection_init")
            return
        headers = {"authorization": authorization} if authorization else {}
        if authorization:  # the connection ends when its token does
            expires = verifier.expires_at(authorization.split(" ", 1)[1])
            closing = asyncio.create_task(_close_at(expires, close))
        await send({"type": "connection_ack"})

        async def serve(sub_id: str, body: dict) -> None:
            head = '{"id":' + orjson.dumps(sub_id).decode() + ',"type":"next","payload":'
            try:
                async for batch in results(gateway, hub, body.get("query") or "", body.get("operationName"),
                                           body.get("variables"), headers, principal):
                    await send(*(head + _json(result) + "}" for result in batch))
                await send({"id": sub_id, "type": "complete"})
            except SubscriptionError as exc:
                if exc.errors[0]["extensions"]["code"] == "SUBSCRIBER_TOO_SLOW":
                    await close(1013, "Subscriber too slow: subscribe again")
                else:
                    await send({"id": sub_id, "type": "error", "payload": exc.errors})
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the client gets GraphQL errors, the log the rest
                with contextlib.suppress(Exception):
                    await send({"id": sub_id, "type": "error", "payload": errors_of(exc)})
            finally:
                running.pop(sub_id, None)

        while True:
            message = _parse(await _receive(ws))
            if message is None:
                await close(4400, "Invalid message")
                return
            kind = message.get("type")
            if kind == "ping":
                await send({"type": "pong"})
            elif kind == "pong":
                continue
            elif kind == "connection_init":
                await close(4429, "Too many initialisation requests")
                return
            elif kind == "subscribe":
                sub_id, body = message.get("id"), message.get("payload")
                if not isinstance(sub_id, str) or not sub_id or len(sub_id) > 100 or not isinstance(body, dict):
                    await close(4400, "Invalid subscribe message")
                    return
                if sub_id in running:
                    await close(4409, f"Subscriber for {sub_id} already exists")
                    return
                if len(running) >= settings.subscriptions_per_connection:
                    await send({"id": sub_id, "type": "error", "payload": [{
                        "message": f"At most {settings.subscriptions_per_connection} subscriptions per connection",
                        "extensions": {"code": "SUBSCRIPTION_LIMIT"}}]})
                    continue
                running[sub_id] = asyncio.create_task(serve(sub_id, body))
            elif kind == "complete":
                task = running.pop(str(message.get("id")), None)
                if task is not None:
                    task.cancel()
            else:
                await close(4400, f"Unknown message type {kind!r}"[:120])
                return
    except WebSocketDisconnect:
        pass
    finally:
        for task in list(running.values()):
            task.cancel()
        if closing is not None:
            closing.cancel()


async def _close_at(expires: float, close) -> None:
    await asyncio.sleep(max(0.0, expires - time.time()))
    await close(4403, "Forbidden: token expired")


async def _receive(ws: WebSocket) -> str:
    """The next message, sent as a text frame or (by some clients) a binary one."""
    message = await ws.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    return message.get("text") or (message.get("bytes") or b"").decode("utf-8", "replace")


def _parse(text: str) -> dict | None:
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return message if isinstance(message, dict) else None


def wants_event_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


def event_stream(gateway, hub: Hub, query: str, operation_name: str | None, variables: dict | None,
                 headers: dict[str, str], expires: float | None, principal=None) -> StreamingResponse:
    """GraphQL over SSE, distinct connections mode: `event: next` per result, then `event: complete` (also when
    the token expires)."""

    async def stream():
        gen = results(gateway, hub, query, operation_name, variables, headers, principal)
        try:
            while True:
                timeout = None if expires is None else max(0.0, expires - time.time())
                try:
                    result = await asyncio.wait_for(gen.__anext__(), timeout)
                except StopAsyncIteration:
                    break
                except TimeoutError:
                    yield _sse("next", {"errors": [{"message": "Token expired", "extensions": {
                        "code": "UNAUTHENTICATED"}}]})
                    break
                except Exception as exc:  # noqa: BLE001
                    yield _sse("next", {"errors": errors_of(exc)})
                    break
                yield "".join(f"event: next\ndata: {_json(r)}\n\n" for r in result)  # one write for the batch
            yield "event: complete\ndata:\n\n"
        finally:
            await gen.aclose()

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"cache-control": "no-cache", "x-accel-buffering": "no"})


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {orjson.dumps(data).decode()}\n\n"
