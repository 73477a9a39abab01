"""pytest plugin: one real PostgreSQL and one real NATS per test session, a fresh database per test."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from .auth import Principal, Role, issue_token
from .clock import Clock
from .embedded import NatsServer, PostgresServer, free_port
from .ids import new_id
from .migrations import upgrade
from .service_app import ServiceDefinition, create_service_app

_template_lock = threading.Lock()

RUN_MARK = "QZ_TEST_RUN"  # in the environment of every process this test run starts (children inherit it)


def pytest_configure(config) -> None:
    os.environ[RUN_MARK] = uuid.uuid4().hex


def leftover_processes(run: str) -> list[psutil.Process]:
    """Processes still alive that this test run started (they carry its mark), other than this one."""
    found = []
    for proc in psutil.process_iter(["pid"]):
        if proc.pid == os.getpid():
            continue
        try:
            if proc.environ().get(RUN_MARK) == run and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


@pytest.hookimpl(trylast=True)  # after the session fixtures were torn down
def pytest_sessionfinish(session, exitstatus) -> None:
    """Fail the run when a process it started outlives it (and kill it, so runs never pile processes up)."""
    run = os.environ.get(RUN_MARK)
    leftovers = leftover_processes(run) if run else []
    if not leftovers:
        return
    described = []
    for proc in leftovers:
        try:
            described.append(f"{proc.pid} {' '.join(proc.cmdline())[:200]}")
            proc.kill()
        except psutil.Error:
            continue
    psutil.wait_procs(leftovers, timeout=5)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = "processes started by this test run were still alive at its end (now killed):\n  " + \
        "\n  ".join(described)
    if reporter is not None:
        reporter.write_line(message, red=True)
    else:
        print(message)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _private_dir(kind: str) -> Path:
    """A data folder of this session alone (pytest's numbered temp folders are pruned by other sessions)."""
    return Path(tempfile.mkdtemp(prefix=f"qz-test-{kind}-"))


@pytest.fixture(scope="session")
def pg_server() -> PostgresServer:
    """The session's PostgreSQL: `QZ_TEST_DATABASE_URL` if set, else one started from the embedded wheel."""
    external = os.environ.get("QZ_TEST_DATABASE_URL")
    if external:
        yield PostgresServer.external(external)
        return
    root = _private_dir("pg")
    server = PostgresServer(root / "data", free_port()).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def nats_server() -> NatsServer:
    """The session's NATS with JetStream: `QZ_TEST_NATS_URL` if set, else one started from the wheel."""
    external = os.environ.get("QZ_TEST_NATS_URL")
    if external:
        server = NatsServer(data_dir=None, port=int(external.rsplit(":", 1)[1]))
        yield server
        return
    root = _private_dir("nats")
    server = NatsServer(root, free_port()).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@dataclass
class SecuredNats:
    """A NATS server run with the platform's users and permissions (`nats_auth`), as `qianzhao up` runs it."""

    server: NatsServer
    passwords: dict[str, str]

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def admin_url(self) -> str:
        """The URL with the admin's credentials in it (for tests that manage streams or send events themselves)."""
        return f"nats://admin:{self.passwords['admin']}@127.0.0.1:{self.server.port}"

    def as_service(self, name: str) -> dict[str, Any]:
        """`running_service` settings that connect a service as its own NATS user."""
        return {"nats_url": self.url, "nats_user": name, "nats_password": self.passwords[name]}


@pytest.fixture(scope="session")
def secured_nats() -> SecuredNats:
    """The session's second NATS, with authorization: each service connects as itself, anonymous ones are refused."""
    from . import nats_auth

    users = nats_auth.installed_users()
    passwords = nats_auth.new_passwords(u.name for u in users)
    root = _private_dir("nats-auth")
    server = NatsServer(root, free_port(), config=nats_auth.server_config(users, passwords)).start()
    yield SecuredNats(server, passwords)
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@dataclass
class Databases:
    """Creates a migrated database per test by copying a per-service template (fast and fully isolated)."""

    server: PostgresServer
    templates: dict[str, str] = field(default_factory=dict)

    def template(self, definition: ServiceDefinition) -> str:
        with _template_lock:
            name = self.templates.get(definition.name)
            if name is None:
                name = f"tpl_{definition.name}_{new_id().hex[:8]}"
                self.server.create_database(name)
                upgrade(definition.migrations, self.server.url(name))
                self.templates[definition.name] = name
            return name

    def fresh(self, definition: ServiceDefinition) -> str:
        """URL of a new database at migration head for `definition`."""
        template = self.template(definition)
        name = f"t_{definition.name}_{new_id().hex[:12]}"
        self.server.create_database(name, template=template)
        return self.server.url(name)


@pytest.fixture(scope="session")
def databases(pg_server) -> Databases:
    return Databases(pg_server)


def dev_token(role: Role | str = Role.PROVINCE, region: str = "520000", *, department: str | None = None,
              credit_code: str | None = None, subject: str | None = None, ttl_minutes: int = 60) -> str:
    """A token signed with the dev secret, as `qianzhao token` prints."""
    from .settings import PlatformSettings

    role = Role(role)
    principal = Principal(subject=subject or f"{role.value.lower()}-{region}", role=role, region_code=region,
                          department=department, credit_code=credit_code)
    return issue_token(PlatformSettings(), principal, ttl_minutes)


@dataclass
class ServiceClient:
    """A running service app reached through its own HTTP endpoint (in-process ASGI transport)."""

    definition: ServiceDefinition
    app: Any
    http: httpx.AsyncClient
    database_url: str

    @property
    def runtime(self):
        return self.app.state.runtime

    async def graphql(self, query: str, variables: dict | None = None, *, token: str | None = None,
                      headers: dict | None = None) -> dict[str, Any]:
        """POST a GraphQL operation; returns the whole response body (data and errors)."""
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        resp = await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=hdrs)
        assert resp.status_code in (200, 400, 401), resp.text
        return resp.json()

    async def ok(self, query: str, variables: dict | None = None, *, token: str | None = None) -> dict[str, Any]:
        """Like `graphql` but fails the test on any GraphQL error; returns `data`."""
        body = await self.graphql(query, variables, token=token)
        assert not body.get("errors"), body["errors"]
        return body["data"]

    async def version_of(self, record_id: str) -> int:
        """The stored version of any versioned record (1 when there is none), as a console that just read it
        would send it in `expectedVersion`."""
        from sqlalchemy import text
        async with self.runtime.engine.connect() as conn:
            tables = (await conn.execute(text(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND column_name = 'version' INTERSECT SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND column_name = 'id'"))).scalars().all()
            for table in tables:
                found = await conn.scalar(text(f'SELECT version FROM "{table}" WHERE id::text = :id'),
                                          {"id": str(record_id)})
                if found is not None:
                    return found
        return 1

    async def with_version(self, input_: dict) -> dict:
        """`input_` with the current `expectedVersion` of its `id` when the caller gave none."""
        if "id" in input_ and "expectedVersion" not in input_:
            return {**input_, "expectedVersion": await self.version_of(input_["id"])}
        return input_


async def eventually(check, timeout: float = 20.0, what: str = "the reaction"):
    """Poll `check()` until it returns something truthy (events cross a relay, the broker and a consumer)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await check()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} did not happen in time")
        await asyncio.sleep(0.1)


FIVE_ONES = {"responsibleLeader": "王副市长", "workingTeam": ["招商科"], "implementingEntity": "南明区投资促进局"}
SET_FIVE_ONES = """mutation($i: SetFiveOnesInput!) { setFiveOnes(input: $i) { project { id version }
  userErrors { code message } } }"""
SUBMIT_CASE = """mutation($i: SubmitCoordinationCaseInput!) { submitCoordinationCase(input: $i) { case { %s }
  userErrors { code message field } } }"""


async def case_about_major_project(graphql, project: dict, case_input: dict, *, token: str,
                                   projects_graphql=None, fields: str = "id number") -> dict:
    """Make `project` ({id, version}; its version is updated) major (五个一) and raise a coordination case about it once coordination has
    heard of that from the projects service's events; `graphql(query, variables, token=)` answers a body."""
    five = await (projects_graphql or graphql)(SET_FIVE_ONES, {"i": {"id": project["id"],
                                                                   "expectedVersion": project["version"],
                                                                   **FIVE_ONES}}, token=token)
    assert five["data"]["setFiveOnes"]["userErrors"] == [], five
    project["version"] = five["data"]["setFiveOnes"]["project"]["version"]

    async def submitted():
        body = await graphql(SUBMIT_CASE % fields, {"i": {"projectId": project["id"], **case_input}}, token=token)
        payload = body["data"]["submitCoordinationCase"]
        if payload["userErrors"] and payload["userErrors"][0]["field"] == ["input", "projectId"]:
            return None  # coordination has not heard of the five ones yet
        assert payload["userErrors"] == [], payload
        return payload["case"]
    return await eventually(submitted, what="coordination learning of the project")


async def reset_nats(url: str) -> None:
    """Delete every stream so each test starts with empty streams and no durable consumers."""
    import nats

    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for info in await js.streams_info():
            await js.delete_stream(info.config.name)
    finally:
        await nc.close()


@asynccontextmanager
async def running_service(definition: ServiceDefinition, *, database_url: str, nats_url: str | None = None,
                          clock: Clock | None = None, relay: bool = True, background: bool = True,
                          **settings: Any) -> AsyncIterator[ServiceClient]:
    """Start a service app with its lifespan (relay, consumers) against real PostgreSQL and NATS."""
    cfg = definition.settings(**({"database_url": database_url, "nats_url": nats_url, "log_json": False,
                                  "outbox_poll_seconds": 0.2} | settings))
    app = create_service_app(definition, cfg, clock=clock, relay=relay, background=background)
    async with app.router.lifespan_context(app):
        await asyncio.wait_for(app.state.runtime.broker.wait_connected(), 30)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{definition.name}") as http:
            yield ServiceClient(definition, app, http, database_url)


class UpPlatform:
    """`qianzhao up` as a child process on free ports and a data folder of its own, its output collected."""

    def __init__(self, data: Path, env: dict[str, str] | None = None):
        self.ports = {name: free_port() for name in ("pg", "nats", "gateway", "projects", "grievances", "coordination")}
        self.data = data
        env = os.environ | {"QZ_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"} | (env or {})
        env.update({f"QZ_{name.upper()}_PORT": str(port) for name, port in self.ports.items()})
        self.proc = subprocess.Popen([sys.executable, "-m", "qianzhao.common.cli", "up"], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True)
        self.reader.start()
        self.wait(lambda: any("Ready in" in ln for ln in self.lines), "the platform to start", 180)

    def wait(self, predicate, what: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"qianzhao up exited while waiting for {what}:\n{''.join(self.lines)[-3000:]}")
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}:\n{''.join(self.lines)[-3000:]}")

    def nats_credentials(self, user: str = "subscriber") -> dict[str, str]:
        """`nats.connect` arguments for one of the NATS users `qianzhao up` made (their passwords are in the data
        folder)."""
        import orjson

        from .supervisor import NATS_PASSWORDS

        passwords = orjson.loads((self.data / NATS_PASSWORDS).read_bytes())
        return {"user": user, "password": passwords[user]}

    def child(self, match) -> psutil.Process:
        return next(c for c in psutil.Process(self.proc.pid).children(recursive=True) if match(c))

    def ready(self, name: str) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.ports[name]}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.reader.join(5)
