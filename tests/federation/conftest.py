"""One set of fixture subgraphs (and their supergraph) for every federation test module."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import start_fixture  # noqa: E402


@pytest.fixture(scope="session")
def fixture_subgraphs(tmp_path_factory):
    fixture = start_fixture(tmp_path_factory.mktemp("federation"))
    yield fixture
    fixture.stop()
