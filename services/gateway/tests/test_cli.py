"""The platform CLI gains `gateway` and `supergraph` when the gateway is installed."""

from __future__ import annotations

import subprocess
import sys

CLI = [sys.executable, "-m", "qianzhao.common.cli"]
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_commands_are_registered():
    out = subprocess.run([*CLI, "--help"], capture_output=True, text=True, check=True).stdout
    assert "gateway" in out and "supergraph" in out
    out = subprocess.run([*CLI, "gateway", "--help"], capture_output=True, text=True, check=True).stdout
    for option in ("--supergraph", "--port", "--host", "--subgraph-url", "--workers"):
        assert option in out


def test_supergraph_check_reports_a_current_file():
    result = subprocess.run([*CLI, "supergraph", "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_bad_subgraph_url_is_refused():
    result = subprocess.run([*CLI, "gateway", "--subgraph-url", "nourl"], capture_output=True, text=True)
    assert result.returncode != 0 and "NAME=URL" in result.stderr


def test_the_gateway_logs_json_lines_as_the_services_do(tmp_path):
    """QZ_LOG_LEVEL and QZ_LOG_JSON (the platform's names) reach the gateway: one JSON object per line."""
    import http.client
    import json
    import os

    from qianzhao.common.embedded import free_port, wait_for_port
    from qianzhao.common.processes import spawn, stop

    port = free_port()
    log = tmp_path / "gateway.log"
    env = os.environ | {"QZ_LOG_LEVEL": "INFO", "QZ_LOG_JSON": "true", "QZ_GATEWAY_GRAPHIQL": "false",
                        "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        proc = spawn([*CLI, "gateway", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, proc=proc, name="gateway")
            # plain http.client: httpx may be instrumented in this process and would send a traceparent of its own
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/graphql", body=json.dumps({"query": "{ __typename }"}),
                         headers={"content-type": "application/json", "authorization": "Bearer not-a-token",
                                  "traceparent": TRACEPARENT})
            assert conn.getresponse().status == 401
            conn.close()
        finally:
            stop(proc, timeout=10)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    refused = [line for line in lines if line["logger"] == "qianzhao.gateway" and "refused a request" in line["msg"]]
    assert refused and refused[0]["level"] == "INFO", log.read_text()
    assert refused[0]["trace_id"] == TRACEPARENT.split("-")[1], log.read_text()  # the caller's trace
