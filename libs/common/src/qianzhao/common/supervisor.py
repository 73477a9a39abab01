"""`qianzhao up`: the embedded default — PostgreSQL, NATS and every service as child processes of one supervisor."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pydantic_settings import BaseSettings, SettingsConfigDict

from . import nats_auth, processes
from .embedded import NatsServer, PostgresServer, port_is_free, wait_for_port
from .migrations import upgrade
from .registry import installed_services
from .service_app import ServiceDefinition


class UpSettings(BaseSettings):
    """Ports and folders of the embedded default; every one can be set with a `QZ_*` variable."""

    model_config = SettingsConfigDict(env_prefix="QZ_", env_file=".env", extra="ignore")

    data_dir: Path = Path(".data")
    pg_port: int = 5432
    nats_port: int = 4222
    gateway_port: int = 4000
    projects_port: int = 4001
    grievances_port: int = 4002
    coordination_port: int = 4003
    host: str = "127.0.0.1"

    def port_of(self, name: str, default: int) -> int:
        return int(getattr(self, f"{name}_port", default))


class PortBusy(RuntimeError):
    pass


RESTART_FIRST_DELAY = 0.5
RESTART_MAX_DELAY = 30.0
STABLE_AFTER = 30.0  # a process that ran this long before dying starts again from the first delay


@dataclass
class Restarts:
    """Exponential back-off for one supervised process: 0.5 s, 1 s, 2 s … 30 s, reset once it ran stably."""

    count: int = 0
    delay: float = RESTART_FIRST_DELAY
    due: float | None = None  # when the next start is due (monotonic), while it is down
    started: float = field(default_factory=time.monotonic)

    def schedule(self, now: float) -> float:
        if now - self.started >= STABLE_AFTER:
            self.delay = RESTART_FIRST_DELAY
        wait = self.delay
        self.due = now + wait
        self.delay = min(self.delay * 2, RESTART_MAX_DELAY)
        return wait

    def started_again(self, now: float) -> None:
        self.count += 1
        self.due = None
        self.started = now


@dataclass
class Child:
    name: str
    proc: subprocess.Popen
    port: int
    url: str
    threads: list[threading.Thread] = field(default_factory=list)
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    restarts: Restarts = field(default_factory=Restarts)


def say(message: str) -> None:
    print(message, flush=True)


def _pump(name: str, stream) -> None:
    """Copy a child's output line by line, prefixed with its name."""
    for raw in iter(stream.readline, b""):
        sys.stdout.write(f"[{name}] {raw.decode('utf-8', 'replace').rstrip()}\n")
        sys.stdout.flush()


def _start(name: str, argv: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, threading.Thread]:
    proc = processes.spawn(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    t = threading.Thread(target=_pump, args=(name, proc.stdout), daemon=True)
    t.start()
    return proc, t


def _spawn(name: str, argv: list[str], env: dict[str, str], port: int, url: str) -> Child:
    proc, t = _start(name, argv, env)
    return Child(name, proc, port, url, [t], argv, env)


class Supervisor:
    def __init__(self, settings: UpSettings | None = None, services: list[ServiceDefinition] | None = None):
        self.settings = settings or UpSettings()
        self.services = services if services is not None else installed_services()
        self.pg: PostgresServer | None = None
        self.nats: NatsServer | None = None
        self.nats_passwords: dict[str, str] = {}
        self.children: list[Child] = []
        self.server_restarts = {"postgresql": Restarts(), "nats": Restarts()}
        self._stopping = False

    def check_ports(self) -> None:
        wanted = [("PostgreSQL", self.settings.pg_port, "QZ_PG_PORT"),
                  ("NATS", self.settings.nats_port, "QZ_NATS_PORT")]
        wanted += [(d.name, self.settings.port_of(d.name, d.port), f"QZ_{d.name.upper()}_PORT") for d in self.services]
        if self.gateway_available():
            wanted.append(("gateway", self.settings.gateway_port, "QZ_GATEWAY_PORT"))
        for what, port, var in wanted:
            if not port_is_free(port, self.settings.host):
                raise PortBusy(f"port {port} needed by {what} is already in use; stop whatever listens there "
                               f"or choose another port with {var}=<port>")

    @staticmethod
    def gateway_available() -> bool:
        try:
            import qianzhao.gateway.app  # noqa: F401
        except ImportError:
            return False
        return True

    def start(self) -> None:
        t0 = time.monotonic()
        self.check_ports()
        data = self.settings.data_dir.resolve()
        with step("PostgreSQL"):
            self.pg = PostgresServer(data / "pg", self.settings.pg_port).start(stdout=subprocess.DEVNULL)
            for d in self.services:
                self.pg.create_database(f"qianzhao_{d.name}")
        with step("NATS JetStream"):
            self.nats_passwords = nats_passwords(data / NATS_PASSWORDS, self.services)
            config = nats_auth.server_config(nats_auth.users({d.name: d.consumes for d in self.services}),
                                             self.nats_passwords)
            self.nats = NatsServer(data / "nats", self.settings.nats_port, config=config).start(
                stdout=subprocess.DEVNULL)
            asyncio.run(_ensure_streams(self.nats.url, self.nats_passwords[nats_auth.ADMIN],
                                        [d.name for d in self.services]))
        for d in self.services:
            with step(f"migrations of {d.name}"):
                upgrade(d.migrations, self.pg.url(f"qianzhao_{d.name}"))
        for d in self.services:
            port = self.settings.port_of(d.name, d.port)
            env = os.environ | {
                "QZ_SERVICE_NAME": d.name, "QZ_DATABASE_URL": self.pg.url(f"qianzhao_{d.name}"),
                "QZ_NATS_URL": self.nats.url, "QZ_NATS_USER": d.name,
                "QZ_NATS_PASSWORD": self.nats_passwords[d.name], "PYTHONUNBUFFERED": "1",
            }
            argv = [sys.executable, "-m", "uvicorn", d.app_factory, "--factory", "--host", self.settings.host,
                    "--port", str(port), "--no-access-log", "--log-level", "warning"]
            self.children.append(_spawn(d.name, argv, env, port, f"http://{self.settings.host}:{port}/graphql"))
        if self.gateway_available():
            build_graphiql()
            port = self.settings.gateway_port
            argv = [sys.executable, "-m", "qianzhao.common.cli", "gateway", "--port", str(port),
                    "--host", self.settings.host]
            for d in self.services:
                argv += ["--subgraph-url", f"{d.name}=http://{self.settings.host}:{self.settings.port_of(d.name, d.port)}/graphql"]
            env = os.environ | {"PYTHONUNBUFFERED": "1", "QZ_NATS_URL": self.nats.url, "QZ_NATS_USER": "gateway",
                                "QZ_NATS_PASSWORD": self.nats_passwords["gateway"]}  # its subscription hub
            self.children.append(_spawn("gateway", argv, env, port,
                                        f"http://{self.settings.host}:{port}/graphql"))
        for child in self.children:
            with step(f"{child.name} on :{child.port}"):
                self.wait_ready(child)
        self.elapsed = time.monotonic() - t0

    def wait_ready(self, child: Child, timeout: float = 60.0) -> None:
        wait_for_port(child.port, host=self.settings.host, timeout=timeout, proc=child.proc, name=child.name)
        deadline = time.monotonic() + timeout
        base = child.url.rsplit("/graphql", 1)[0]
        while time.monotonic() < deadline:
            if child.proc.poll() is not None:
                raise RuntimeError(f"{child.name} exited with code {child.proc.returncode}")
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{child.name} was not ready within {timeout:.0f}s (see its log lines above)")

    def stop(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        for child in reversed(self.children):
            if child.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(child.proc.pid, signal.SIGTERM)
        for child in reversed(self.children):
            processes.stop(child.proc, timeout=10)
        if self.nats:
            self.nats.stop()
        if self.pg:
            self.pg.stop()

    def restarts(self) -> dict[str, int]:
        """How often each supervised process was started again after it died."""
        return {c.name: c.restarts.count for c in self.children} | \
            {name: r.count for name, r in self.server_restarts.items()}

    def watch(self, now: float | None = None) -> None:
        """Start again, with back-off, whatever died: PostgreSQL and NATS first, then the services and the gateway;
        the rest keep serving meanwhile. One line per event."""
        if self._stopping:
            return
        now = time.monotonic() if now is None else now
        for name, server, start in (("postgresql", self.pg, self._start_pg), ("nats", self.nats, self._start_nats)):
            if server is None or server.proc is None or server.proc.poll() is None:
                continue
            self._revive(name, server.proc.returncode, self.server_restarts[name], now, start)
        for child in self.children:
            if child.proc.poll() is not None:
                self._revive(child.name, child.proc.returncode, child.restarts, now,
                             lambda c=child: self._restart_child(c))

    def _revive(self, name: str, code: int | None, restarts: Restarts, now: float, start) -> None:
        if restarts.due is None:
            wait = restarts.schedule(now)
            say(f"✗ {name} exited with code {code}; starting it again in {wait:g}s "
                f"(restart {restarts.count + 1})")
            return
        if now < restarts.due:
            return
        try:
            start()
        except Exception as exc:  # it failed to come up: try again after the next delay
            restarts.started = now
            wait = restarts.schedule(now)
            say(f"✗ {name} did not start ({exc}); trying again in {wait:g}s")
            return
        restarts.started_again(now)
        say(f"  ✓ {name} started again (restart {restarts.count})")

    def _start_pg(self) -> None:
        self.pg.start(stdout=subprocess.DEVNULL)

    def _start_nats(self) -> None:
        self.nats.start(stdout=subprocess.DEVNULL)

    def _restart_child(self, child: Child) -> None:
        child.proc, thread = _start(child.name, child.argv, child.env)
        child.threads.append(thread)

    def summary(self, token: str) -> str:
        lines = ["", "Qianzhao is up:", f"  {'what':<14} url"]
        for child in self.children:
            lines.append(f"  {child.name:<14} {child.url}")
        lines.append(f"  {'postgresql':<14} {self.pg.admin_url}")
        lines.append(f"  {'nats':<14} {self.nats.url}  (users and passwords: "
                     f"{self.settings.data_dir / NATS_PASSWORDS})")
        lines += ["", "Dev token (PROVINCE, 520000; 12 h) — send as `Authorization: Bearer <token>`:", f"  {token}",
                  "", f"Ready in {self.elapsed:.1f}s. Ctrl-C stops everything; data stays in "
                  f"{self.settings.data_dir}/."]
        return "\n".join(lines)


@contextmanager
def step(what: str):
    """Progress lines: `▸ starting PostgreSQL …` then `✓ PostgreSQL (0.6s)`."""
    t0 = time.monotonic()
    say(f"▸ starting {what} …")
    yield
    say(f"  ✓ {what} ({time.monotonic() - t0:.1f}s)")


def build_graphiql() -> None:
    """The gateway's GraphiQL bundle, built before the gateway starts (npm, once per lockfile) rather than while
    the first browser waits; without it the gateway still serves GraphQL."""
    from qianzhao.gateway.node import ensure_graphiql_bundle
    from qianzhao.gateway.settings import GatewaySettings

    if not GatewaySettings().graphiql_enabled:
        return
    t0 = time.monotonic()
    say("▸ checking the GraphiQL bundle (npm builds it on the first start) …")
    try:
        ensure_graphiql_bundle()
    except Exception as exc:
        say(f"  ✗ GraphiQL unavailable, the gateway serves GraphQL without it: {exc}")
        return
    say(f"  ✓ GraphiQL bundle ({time.monotonic() - t0:.1f}s)")


NATS_PASSWORDS = "nats-passwords.json"


def nats_passwords(path: Path, services: list[ServiceDefinition]) -> dict[str, str]:
    """The NATS users' passwords, made once (random) and kept under the data folder, readable by its owner alone;
    a user added since (a new service) gets one too."""
    import orjson

    known = orjson.loads(path.read_bytes()) if path.exists() else {}
    names = [u.name for u in nats_auth.users({d.name: d.consumes for d in services})]
    missing = [n for n in names if n not in known]
    if missing:
        known |= nats_auth.new_passwords(missing)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_bytes(orjson.dumps(known, option=orjson.OPT_INDENT_2))
    return known


async def _ensure_streams(url: str, admin_password: str, services: list[str]) -> None:
    import nats

    from .broker import StreamLimits, dead_letter_stream_config, ensure_stream, stream_config
    from .settings import PlatformSettings

    limits = StreamLimits.of(PlatformSettings())
    nc = await nats.connect(url, user=nats_auth.ADMIN, password=admin_password)
    try:
        js = nc.jetstream()
        for name in services:
            await ensure_stream(js, stream_config(name, limits))
        await ensure_stream(js, dead_letter_stream_config(limits))
    finally:
        await nc.close()


def run_up(token: str) -> int:
    sup = Supervisor()
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        sup.start()
    except PortBusy as exc:
        say(f"✗ {exc}")
        sup.stop()
        return 2
    except Exception as exc:
        say(f"✗ start-up failed: {exc}")
        sup.stop()
        return 1
    say(sup.summary(token))
    while not stop.is_set():
        sup.watch()
        stop.wait(0.5)
    say("stopping …")
    sup.stop()
    say("stopped.")
    return 0
