"""NATS users and permissions (`nats_auth`) on a real nats-server: each service publishes only its own events, the
`subscriber` reads without changing anything, nobody connects anonymously, and a service still works as itself."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import nats
import pytest
from certs import make_ca, make_server_cert
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import ConsumerConfig
from qianzhao.common import nats_auth
from qianzhao.common.broker import (
    Broker,
    connect_options,
    dead_letter_stream_config,
    ensure_stream,
    stream_config,
)
from qianzhao.common.embedded import NatsServer, free_port
from qianzhao.common.settings import ConfigError, PlatformSettings

SERVICES = {"projects": (), "grievances": (), "coordination": ("grievances", "projects")}


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    """A NATS server run with the platform's authorization block, its streams made by `admin`."""
    users = nats_auth.users(SERVICES)
    passwords = nats_auth.new_passwords(u.name for u in users)
    server = NatsServer(tmp_path_factory.mktemp("nats"), free_port(),
                        config=nats_auth.server_config(users, passwords)).start()

    async def streams():
        nc = await nats.connect(server.url, user="admin", password=passwords["admin"])
        for name in SERVICES:
            await ensure_stream(nc.jetstream(), stream_config(name))
        await ensure_stream(nc.jetstream(), dead_letter_stream_config())
        await nc.close()

    asyncio.run(streams())
    yield server, passwords
    server.stop()


async def connect(server, passwords, user: str, errors: list[str] | None = None):
    async def on_error(exc):
        if errors is not None:
            errors.append(str(exc))

    return await nats.connect(server.url, user=user, password=passwords[user], error_cb=on_error,
                              inbox_prefix=nats_auth.inbox_prefix(user) if user in SERVICES else "_INBOX")


async def test_anonymous_and_wrong_passwords_are_refused(secured):
    server, passwords = secured
    for credentials in ({}, {"user": "projects", "password": "guess"}):
        with pytest.raises(Exception, match="Authorization Violation"):
            await nats.connect(server.url, allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=2,
                               **credentials)


async def test_a_service_publishes_its_own_events_and_no_one_else_s(secured):
    server, passwords = secured
    errors: list[str] = []
    nc = await connect(server, passwords, "projects", errors)
    js = nc.jetstream()
    ack = await js.publish("qz.projects.project.listed", b"{}")
    assert ack.stream == "QZ_PROJECTS"
    with pytest.raises(NatsTimeoutError):  # the server drops it: no stream ever answers
        await js.publish("qz.grievances.grievance.filed", b"{}", timeout=1)
    with pytest.raises(NatsTimeoutError):
        await js.delete_stream("QZ_PROJECTS")
    await asyncio.sleep(0.2)
    assert any('permissions violation for publish to "qz.grievances.grievance.filed"' in e for e in errors), errors
    assert any("stream.delete.qz_projects" in e.lower() for e in errors), errors
    await nc.close()


async def test_a_service_runs_as_itself_streams_consumers_dead_letters(secured):
    """What `Broker`, the relay and `EventConsumer` do under the coordination user: ensure its streams, consume
    its sources through its durable consumers, ack, publish a dead letter."""
    server, passwords = secured
    settings = PlatformSettings(nats_url=server.url, nats_user="coordination", nats_password=passwords["coordination"])
    broker = Broker(server.url, name="t", streams=[stream_config("coordination"), dead_letter_stream_config()],
                    options=connect_options(settings))
    await broker.start()
    await broker.wait_connected(10)
    admin = await connect(server, passwords, "admin")
    await admin.jetstream().publish("qz.projects.project.stalled", b"{}")
    js = broker.js
    await js.add_consumer("QZ_PROJECTS", ConsumerConfig(durable_name="coordination-projects",
                                                        filter_subjects=["qz.projects.project.stalled"]))
    sub = await js.pull_subscribe_bind(durable="coordination-projects", stream="QZ_PROJECTS")
    [msg] = await sub.fetch(1, timeout=5)
    await msg.ack_sync()
    await sub.unsubscribe()
    assert (await js.publish("qz.deadletter.coordination-projects", b"{}")).stream == "QZ_DEADLETTER"
    with pytest.raises(NatsTimeoutError):  # another service's stream is not its to create consumers on freely
        await js.add_consumer("QZ_PROJECTS", ConsumerConfig(durable_name="someone-else"), timeout=1)
    await broker.close()
    await admin.close()


async def test_the_subscriber_reads_but_cannot_publish_delete_or_steal(secured):
    server, passwords = secured
    admin = await connect(server, passwords, "admin")
    await admin.jetstream().publish("qz.grievances.grievance.filed", b'{"n": 1}')
    errors: list[str] = []
    nc = await connect(server, passwords, "subscriber", errors)
    js = nc.jetstream(timeout=1)
    assert (await js.stream_info("QZ_GRIEVANCES")).state.messages >= 1
    sub = await js.pull_subscribe("qz.grievances.>", durable="province-archive", stream="QZ_GRIEVANCES")
    [msg] = await sub.fetch(1, timeout=5)
    assert msg.data == b'{"n": 1}'
    await msg.ack_sync()
    await sub.unsubscribe()
    with pytest.raises(NatsTimeoutError):
        await js.publish("qz.grievances.grievance.filed", b"{}", timeout=1)
    for attempt in (lambda: js.delete_stream("QZ_GRIEVANCES"), lambda: js.purge_stream("QZ_GRIEVANCES"),
                    lambda: js.update_stream(stream_config("grievances")),
                    lambda: js.add_consumer("QZ_GRIEVANCES", ConsumerConfig(durable_name="coordination-grievances")),
                    lambda: js.delete_consumer("QZ_GRIEVANCES", "coordination-grievances")):
        with pytest.raises(TimeoutError):  # refused: the server drops the request, nobody answers
            await attempt()
    await asyncio.sleep(0.2)
    assert sum("permissions violation" in e for e in errors) >= 6, errors
    assert (await admin.jetstream().stream_info("QZ_GRIEVANCES")).state.messages >= 1  # still there
    await nc.close()
    await admin.close()


def test_nats_config_prints_the_same_block_with_given_passwords_or_env_references():
    out = subprocess.run([sys.executable, "-m", "qianzhao.common.cli", "nats-config", "--password", "projects=s3cret"],
                         capture_output=True, text=True, check=True).stdout
    assert out == nats_auth.server_config(nats_auth.installed_users(), {"projects": "s3cret"})
    assert 'user: "projects"\n      password: "s3cret"' in out
    assert "password: $QZ_NATS_PASSWORD_SUBSCRIBER" in out and "password: $QZ_NATS_PASSWORD_ADMIN" in out


async def test_a_config_with_env_references_runs(tmp_path, monkeypatch):
    """What the manifests do: the block names variables, nats-server reads the passwords from its environment."""
    for user in nats_auth.users(SERVICES):
        monkeypatch.setenv(nats_auth.password_variable(user.name), f"{user.name}-from-the-secret")
    server = NatsServer(tmp_path, free_port(), config=nats_auth.server_config(nats_auth.users(SERVICES))).start()
    try:
        nc = await nats.connect(server.url, user="admin", password="admin-from-the-secret")
        assert nc.is_connected
        await nc.close()
    finally:
        server.stop()


async def test_services_connect_over_tls_with_the_configured_ca(tmp_path):
    """QZ_NATS_TLS_CA_FILE: a server whose certificate that CA signed is trusted; without it, refused."""
    ca = make_ca(tmp_path)
    cert, key = make_server_cert(tmp_path, ca)
    users = nats_auth.users(SERVICES)
    passwords = nats_auth.new_passwords(u.name for u in users)
    config = f'tls {{\n  cert_file: "{cert}"\n  key_file: "{key}"\n}}\n' + nats_auth.server_config(users, passwords)
    server = NatsServer(tmp_path / "nats", free_port(), config=config).start()
    url = f"tls://127.0.0.1:{server.port}"
    try:
        settings = PlatformSettings(nats_url=url, nats_user="projects", nats_password=passwords["projects"],
                                    nats_tls_ca_file=str(ca[2]))
        broker = Broker(url, name="t", streams=[stream_config("projects")], options=connect_options(settings))
        await broker.start()
        await broker.wait_connected(10)
        assert (await broker.js.publish("qz.projects.project.listed", b"{}")).stream == "QZ_PROJECTS"
        await broker.close()
        with pytest.raises(Exception, match="(?i)certificate"):  # the system's CAs do not know this server
            await nats.connect(url, user="projects", password=passwords["projects"], allow_reconnect=False,
                               max_reconnect_attempts=0, connect_timeout=2)
    finally:
        server.stop()


def test_unreadable_tls_files_name_the_settings(tmp_path):
    with pytest.raises(ConfigError, match="QZ_NATS_TLS_CA_FILE"):
        connect_options(PlatformSettings(nats_tls_ca_file=str(tmp_path / "missing.crt")))
