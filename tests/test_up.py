"""`qianzhao up` driven as a user would: starts everything, answers, keeps data, and Ctrl-C leaves nothing behind."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
from qianzhao.common.embedded import free_port
from qianzhao.common.testing import dev_token

CLI = [sys.executable, "-m", "qianzhao.common.cli"]


def env_for(data_dir: Path, ports: dict[str, int]) -> dict[str, str]:
    env = os.environ | {"QZ_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.update({f"QZ_{name.upper()}_PORT": str(port) for name, port in ports.items()})
    return env


def start(env: dict[str, str]) -> tuple[subprocess.Popen, list[str]]:
    proc = subprocess.Popen([*CLI, "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + 120
    for line in proc.stdout:
        lines.append(line)
        if "Qianzhao is up" in line or time.monotonic() > deadline:
            break
    # read the summary table too
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("Ready in"):
            break
    assert any("Qianzhao is up" in ln for ln in lines), "".join(lines)
    return proc, lines


def stop(proc: subprocess.Popen) -> list[int]:
    tree = [p.pid for p in psutil.Process(proc.pid).children(recursive=True)]
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "stopped." in out
    time.sleep(0.5)
    return [pid for pid in tree if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]


def ports() -> dict[str, int]:
    return {name: free_port() for name in ("pg", "nats", "gateway", "projects", "grievances", "coordination")}


@pytest.mark.slow
def test_up_serves_keeps_data_and_stops_cleanly(tmp_path):
    p = ports()
    env = env_for(tmp_path / "data", p)
    proc, lines = start(env)
    try:
        text = "".join(lines)
        assert f"http://127.0.0.1:{p['projects']}/graphql" in text
        assert "Dev token" in text
        url = f"http://127.0.0.1:{p['projects']}/graphql"
        mutation = ("mutation($input: CreateProjectInput!) { createProject(input: $input) "
                    "{ project { id } userErrors { message } } }")
        draft = {"name": "持久化检查", "regionCode": "520102", "chainCode": "AGR_TEA", "board": "PREFECTURE",
                 "totalInvestment": "120000000.00", "investmentMode": "SOLE"}
        body = httpx.post(url, json={"query": mutation, "variables": {"input": draft}},
                          headers={"Authorization": f"Bearer {dev_token()}"}, timeout=10).json()
        project_id = body["data"]["createProject"]["project"]["id"]
        passwords_file = tmp_path / "data" / "nats-passwords.json"
        passwords = json.loads(passwords_file.read_text())
        assert passwords_file.stat().st_mode & 0o777 == 0o600
        assert set(passwords) == {"projects", "grievances", "coordination", "subscriber", "webhooks", "gateway", "admin"}
        asyncio.run(_check_nats(p["nats"], passwords))
        _wait_for(lambda: 'qz_relay_published_total{service="projects"} 1.0' in
                  httpx.get(f"http://127.0.0.1:{p['projects']}/metrics", timeout=5).text, "the event's relay")
    finally:
        leftovers = stop(proc)
    assert leftovers == [], f"processes left behind: {leftovers}"

    proc, _ = start(env)  # a second run keeps the data, and the NATS passwords
    assert json.loads(passwords_file.read_text()) == passwords
    try:
        body = httpx.post(url, json={"query": f'{{ project(id: "{project_id}") {{ name }} }}'},
                          headers={"Authorization": f"Bearer {dev_token()}"}, timeout=10).json()
        assert body["data"]["project"]["name"] == "持久化检查"
    finally:
        assert stop(proc) == []


async def _check_nats(port: int, passwords: dict[str, str]) -> None:
    """`qianzhao up`'s NATS runs with the platform's users: anonymous connections are refused; the event the
    projects service published (as `projects`) is on its stream; coordination made its consumers (as itself)."""
    import nats

    url = f"nats://127.0.0.1:{port}"
    with pytest.raises(Exception, match="Authorization Violation"):
        await nats.connect(url, allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=2)
    nc = await nats.connect(url, user="admin", password=passwords["admin"])
    try:
        js = nc.jetstream()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if (await js.stream_info("QZ_PROJECTS")).state.messages >= 1:
                break
            await asyncio.sleep(0.2)
        assert (await js.stream_info("QZ_PROJECTS")).state.messages == 1
        while time.monotonic() < deadline:
            try:
                await js.consumer_info("QZ_PROJECTS", "coordination-projects")
                await js.consumer_info("QZ_GRIEVANCES", "coordination-grievances")
                break
            except Exception:
                await asyncio.sleep(0.2)
        assert (await js.consumer_info("QZ_PROJECTS", "coordination-projects")).config.durable_name
    finally:
        await nc.close()


def test_busy_port_is_named_with_its_setting(tmp_path):
    p = ports()
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", p["projects"]))
        blocker.listen()
        result = subprocess.run([*CLI, "up"], env=env_for(tmp_path / "data", p), capture_output=True, text=True,
                                timeout=60)
    assert result.returncode == 2
    assert f"port {p['projects']}" in result.stdout and "QZ_PROJECTS_PORT" in result.stdout


def test_token_command_prints_a_verifiable_token():
    from qianzhao.common.auth import TokenVerifier
    from qianzhao.common.settings import PlatformSettings

    out = subprocess.run([*CLI, "token", "--role", "COUNTY", "--region", "520102"], capture_output=True, text=True,
                         check=True).stdout.strip()
    principal = TokenVerifier(PlatformSettings()).verify(out)
    assert principal.region_code == "520102" and principal.role.value == "COUNTY"
    bad = subprocess.run([*CLI, "token", "--role", "ENTERPRISE"], capture_output=True, text=True)
    assert bad.returncode != 0 and "credit-code" in bad.stderr


def _wait_for(predicate, what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.slow
def test_up_starts_again_what_crashes_and_keeps_the_rest_serving(tmp_path):
    import threading

    p = ports()
    proc, lines = start(env_for(tmp_path / "data", p))
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        tree = psutil.Process(proc.pid).children(recursive=True)
        grievances = next(c for c in tree if str(p["grievances"]) in " ".join(c.cmdline()))
        nats = next(c for c in tree if "nats-server" in " ".join(c.cmdline()))
        grievances.kill()  # kill -9 a service
        assert _ready(p["projects"]), "the other services keep serving"
        _wait_for(lambda: any("grievances started again" in ln for ln in lines), "grievances to start again")
        _wait_for(lambda: _ready(p["grievances"]), "grievances to be ready again")
        nats.kill()  # and NATS
        _wait_for(lambda: any("nats started again" in ln for ln in lines), "NATS to start again")
        _wait_for(lambda: _ready(p["grievances"]) and _ready(p["projects"]), "the services to reconnect to NATS")
        postgres = next(c for c in psutil.Process(proc.pid).children(recursive=True)
                        if c.name() == "postgres" and "-D" in c.cmdline())
        postgres.kill()  # and PostgreSQL's postmaster
        _wait_for(lambda: any("postgresql started again" in ln for ln in lines), "PostgreSQL to start again")
        _wait_for(lambda: _ready(p["grievances"]) and _ready(p["projects"]), "the services to reconnect to PostgreSQL")
        _wait_for(lambda: _ready(p["gateway"]), "the gateway to see every subgraph ready")
        query = {"query": "{ grievances(first: 1) { totalCount } }"}
        body = httpx.post(f"http://127.0.0.1:{p['gateway']}/graphql", json=query, timeout=10,
                          headers={"Authorization": f"Bearer {dev_token()}"}).json()
        assert body.get("data", {}).get("grievances") is not None, body
        text = "".join(lines)
        assert "grievances exited with code -9; starting it again in 0.5s (restart 1)" in text
        assert "nats exited with code" in text
    finally:
        tree = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
        reader.join(5)
        time.sleep(0.5)
        alive = [pid for pid in tree if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert alive == [], f"processes left behind: {alive}"
