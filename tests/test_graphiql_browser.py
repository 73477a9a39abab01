"""GraphiQL in a real browser: Debian's headless Chromium, driven by playwright-core from the gateway's graphiql/
lockfile, loads the console from our gateway over the real services, finds the dev token prefilled, takes a
county officer's token instead, runs a query and shows its data — and asks nothing of any host but the gateway."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from qianzhao.common import processes
from qianzhao.common.registry import installed_services
from qianzhao.common.testing import dev_token
from qianzhao.gateway.node import GRAPHIQL_DIR, REPO_ROOT, ensure_graphiql_bundle, node_executable
from qianzhao.gateway.testing import running_platform

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / ".data" / "artifacts"
NANMING = "520102"
COUNTY = dev_token("COUNTY", NANMING, subject="official-nanming")
CREATE = """mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id name }
  userErrors { field message code } } }"""
PROJECT = {"name": "茶叶精深加工项目", "regionCode": NANMING, "chainCode": "AGR_TEA", "board": "PREFECTURE",
           "totalInvestment": "120000000.00", "investmentMode": "SOLE", "leadDepartment": "natural_resources",
           "summary": "建设年产5000吨高端绿茶生产线"}
QUERY = "{\n  me { role }\n  projects(first: 1) {\n    totalCount\n    nodes { name }\n  }\n}\n"


def drive_browser(options: dict, timeout: float = 240) -> dict:
    """Run graphiql/browser_check.mjs (its own process group, stopped whatever happens); what the browser saw.
    Its screenshot, passed or failed, is kept as .data/artifacts/graphiql.png."""
    proc = processes.spawn([node_executable(), "browser_check.mjs"], cwd=GRAPHIQL_DIR, stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(json.dumps(options), timeout=timeout)
    finally:
        processes.stop(proc)
        if Path(options["screenshot"]).exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(options["screenshot"], ARTIFACTS / "graphiql.png")
    assert proc.returncode == 0, f"the browser run failed ({proc.returncode}): {out[-4000:]}\n{err[-4000:]}"
    return json.loads(out)


def require_chromium() -> Path:
    """Debian's Chromium; without it the test fails, never skips (a console no browser ran is not tested)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's Chromium (`apt-get install -y chromium`, see the "
                    "README's 'Two commands'); the GraphiQL test runs it", pytrace=False)
    return CHROMIUM


async def test_graphiql_runs_a_query_in_chromium(databases, nats_server, tmp_path):
    chromium = require_chromium()
    await asyncio.to_thread(ensure_graphiql_bundle)  # also installs playwright-core from the same lockfile
    async with running_platform(installed_services(), databases=databases, nats_url=nats_server.url) as platform:
        created = (await platform.ok(CREATE, {"i": PROJECT}, token=COUNTY))["createProject"]
        assert created["userErrors"] == [] and created["project"]["name"] == PROJECT["name"]
        seen = await asyncio.to_thread(drive_browser, {
            "url": platform.gateway_url, "token": COUNTY, "query": QUERY, "screenshot": str(tmp_path / "graphiql.png"),
            "userDataDir": str(tmp_path / "chromium-profile"), "executablePath": str(chromium)})

    origin = platform.gateway_url.rsplit("/graphql", 1)[0]
    assert seen["blocked"] == [], f"the page tried to reach other hosts: {seen['blocked']}"
    assert seen["requests"] and all(r.split(" ", 1)[1].startswith(origin + "/") for r in seen["requests"]), \
        seen["requests"]
    assert any("/graphiql/assets/graphiql.js" in r for r in seen["requests"])
    assert any("/graphiql/assets/graphql.worker.js" in r for r in seen["requests"])  # Monaco's workers load too
    assert seen["pageErrors"] == [] and seen["consoleErrors"] == [], seen  # CSP refusals would show here
    assert '"Authorization": "Bearer ey' in seen["headersPrefilled"]  # the dev token, as `qianzhao up` prints it
    assert f'"Authorization": "Bearer {COUNTY}"' in seen["headersSet"]
    response = json.loads(seen["response"])
    assert response == {"data": {"me": {"role": "COUNTY"},
                                 "projects": {"totalCount": 1, "nodes": [{"name": PROJECT["name"]}]}}}, response
