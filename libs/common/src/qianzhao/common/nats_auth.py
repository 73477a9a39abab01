"""Who may do what on NATS, defined once: one user per service, a read-only `subscriber`, an `admin`.

`server_config` renders it as a nats-server `authorization` block: `qianzhao up` runs its NATS with it and
`qianzhao nats-config` prints it for the cluster's manifests, so both come from this one definition.

- a service (`projects`, `grievances`, `coordination`) publishes its own events (`qz.<service>.>`), manages its own
  stream and the dead-letter stream (info, create, update: never delete or purge), and for each service whose
  events it consumes, uses one durable consumer named `<service>-<source>` on that stream (create, info, fetch,
  ack) and publishes that consumer's dead letters (`qz.deadletter.<service>-<source>`). Its replies arrive on
  `_INBOX_<user>.>` (the broker connects with that inbox prefix), which nobody else may read.
- `subscriber` (other government systems) reads every stream: stream and consumer info and lists, creating its own
  consumers, fetching and acking, direct gets. It cannot publish events, create, change, purge or delete a stream,
  nor touch the services' durable consumers. Replies on `_INBOX.>` (any client's default).
- `gateway` reads like `subscriber` (its subscription hub follows the streams with ordered consumers).
- `webhooks` (the `qianzhao webhooks` bridge) reads like `subscriber` and publishes its endpoints' dead letters
  (`qz.deadletter.webhooks.<endpoint>`).
- `admin` may do everything (stream management, `nats` CLI, the ops tool).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import orjson

from .events import DLQ_STREAM, stream_name

SUBSCRIBER = "subscriber"
WEBHOOKS = "webhooks"
GATEWAY = "gateway"
ADMIN = "admin"
API = "$JS.API"


@dataclass(frozen=True)
class NatsUser:
    name: str
    publish: tuple[str, ...] | None  # None: anything
    subscribe: tuple[str, ...] | None
    deny_publish: tuple[str, ...] = ()


def inbox_prefix(user: str | None) -> str:
    """The reply-subject prefix a service's connection uses: its own, so no other user can read its replies."""
    return f"_INBOX_{user}" if user else "_INBOX"


def durable_name(service: str, source: str) -> str:
    """The one durable consumer `service` keeps on `source`'s stream (its permissions name it)."""
    return f"{service}-{source}"


def _consumer(stream: str, durable: str) -> list[str]:
    """What using one durable pull consumer takes: info, create (both API forms), fetch and ack."""
    return [f"{API}.CONSUMER.INFO.{stream}.{durable}", f"{API}.CONSUMER.CREATE.{stream}.{durable}",
            f"{API}.CONSUMER.CREATE.{stream}.{durable}.>", f"{API}.CONSUMER.DURABLE.CREATE.{stream}.{durable}",
            f"{API}.CONSUMER.MSG.NEXT.{stream}.{durable}", f"$JS.ACK.{stream}.{durable}.>",
            f"$JS.ACK.*.*.{stream}.{durable}.>"]


def service_user(service: str, consumes: Iterable[str] = ()) -> NatsUser:
    publish = [f"qz.{service}.>", f"{API}.INFO"]
    for stream in (stream_name(service), DLQ_STREAM):
        publish += [f"{API}.STREAM.{verb}.{stream}" for verb in ("INFO", "CREATE", "UPDATE")]
    for source in consumes:
        durable = durable_name(service, source)
        publish += [f"{API}.STREAM.INFO.{stream_name(source)}", *_consumer(stream_name(source), durable),
                    f"qz.deadletter.{durable}"]
    return NatsUser(service, tuple(publish), (f"{inbox_prefix(service)}.>",))


def subscriber_user(services: Mapping[str, Iterable[str]]) -> NatsUser:
    """Reads everything; the services' own durable consumers are out of its reach (it would steal their events)."""
    publish = [f"{API}.INFO", f"{API}.STREAM.INFO.*", f"{API}.STREAM.NAMES", f"{API}.STREAM.LIST",
               f"{API}.STREAM.MSG.GET.*", f"{API}.DIRECT.GET.>", f"{API}.CONSUMER.CREATE.>",
               f"{API}.CONSUMER.DURABLE.CREATE.*.*", f"{API}.CONSUMER.INFO.*.*", f"{API}.CONSUMER.NAMES.*",
               f"{API}.CONSUMER.LIST.*", f"{API}.CONSUMER.MSG.NEXT.*.*", f"{API}.CONSUMER.DELETE.*.*", "$JS.ACK.>"]
    deny = []
    for service, sources in services.items():
        for source in sources:
            stream, durable = stream_name(source), durable_name(service, source)
            deny += [*_consumer(stream, durable), f"{API}.CONSUMER.DELETE.{stream}.{durable}"]
    return NatsUser(SUBSCRIBER, tuple(publish), ("_INBOX.>",), tuple(deny))


def webhooks_user(services: Mapping[str, Iterable[str]]) -> NatsUser:
    """The webhook bridge: a subscriber that may also dead-letter what its endpoints would not take."""
    reader = subscriber_user(services)
    return NatsUser(WEBHOOKS, (*reader.publish, "qz.deadletter.webhooks.>"), reader.subscribe, reader.deny_publish)


def gateway_user(services: Mapping[str, Iterable[str]]) -> NatsUser:
    """The gateway's subscription hub: reads the streams (ephemeral ordered consumers), publishes nothing."""
    reader = subscriber_user(services)
    return NatsUser(GATEWAY, reader.publish, reader.subscribe, reader.deny_publish)


def users(services: Mapping[str, Iterable[str]]) -> list[NatsUser]:
    """Every NATS user of a platform whose services consume the streams named (service → sources)."""
    services = {name: tuple(sources) for name, sources in services.items()}
    return [*(service_user(name, sources) for name, sources in services.items()), subscriber_user(services),
            webhooks_user(services), gateway_user(services), NatsUser(ADMIN, None, None)]


def installed_users() -> list[NatsUser]:
    from .registry import installed_services

    return users({d.name: d.consumes for d in installed_services()})


def new_passwords(names: Iterable[str]) -> dict[str, str]:
    return {name: secrets.token_urlsafe(24) for name in names}


def password_variable(user: str) -> str:
    """The environment variable `--env-refs` configs read a user's password from (nats-server resolves it)."""
    return f"QZ_NATS_PASSWORD_{user.upper()}"


def server_config(all_users: list[NatsUser], passwords: Mapping[str, str] | None = None) -> str:
    """The nats-server `authorization` block: each user with its password (from `passwords`, or, without one, a
    `$QZ_NATS_PASSWORD_<USER>` reference nats-server resolves from its environment) and its permissions."""
    passwords = passwords or {}
    lines = ["authorization {", "  users = ["]
    for user in all_users:
        password = _quote(passwords[user.name]) if user.name in passwords else "$" + password_variable(user.name)
        lines += ["    {", f"      user: {_quote(user.name)}", f"      password: {password}"]
        permissions = []
        if user.publish is not None or user.deny_publish:
            rules = ([f"allow: {_list(user.publish)}"] if user.publish is not None else []) + \
                ([f"deny: {_list(user.deny_publish)}"] if user.deny_publish else [])
            permissions.append(f"publish: {{ {', '.join(rules)} }}")
        if user.subscribe is not None:
            permissions.append(f"subscribe: {{ allow: {_list(user.subscribe)} }}")
        if permissions:
            lines.append("      permissions: {")
            lines += [f"        {p}" for p in permissions]
            lines.append("      }")
        lines.append("    }")
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return orjson.dumps(text).decode()


def _list(items: Iterable[str]) -> str:
    return "[" + ", ".join(_quote(i) for i in items) + "]"
