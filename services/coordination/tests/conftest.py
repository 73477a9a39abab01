"""Fixtures of the coordination tests: a running service on a fresh database, real NATS, a fixed clock."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from coordination_helpers import START  # noqa: E402
from qianzhao.common.clock import FixedClock  # noqa: E402
from qianzhao.common.testing import reset_nats, running_service  # noqa: E402
from qianzhao.coordination.app import SERVICE  # noqa: E402


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def svc(databases, nats_server, clock):
    await reset_nats(nats_server.url)
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               clock=clock, deadline_check_seconds=3600) as s:
        yield s


