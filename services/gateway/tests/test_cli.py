"""The platform CLI gains `gateway` and `supergraph` when the gateway is installed."""

from __future__ import annotations

import subprocess
import sys

CLI = [sys.executable, "-m", "qianzhao.common.cli"]


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
