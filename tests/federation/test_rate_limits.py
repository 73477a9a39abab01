"""Rate limits at the gateway: per principal, per address, and on failed authentications; 429 + Retry-After."""

from __future__ import annotations

import httpx
from qianzhao.common.testing import dev_token
from qianzhao.gateway.app import create_app
from qianzhao.gateway.ratelimit import RateLimiter, client_address
from qianzhao.gateway.settings import GatewaySettings

QUERY = {"query": "{ me { name } }"}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_refills_at_its_rate_and_idle_ones_are_forgotten():
    clock = Clock()
    limiter = RateLimiter(2.0, 3, max_keys=100, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a") == 0.5  # one token comes back in half a second
    clock.now += 0.5
    assert limiter.take("a") == 0
    for i in range(500):  # an attacker rotating addresses
        limiter.take(f"ip{i}")
    assert len(limiter.buckets) <= 101
    clock.now += 10  # everything refilled: nothing worth remembering
    limiter.take("b")
    assert list(limiter.buckets) == ["b"]
    assert RateLimiter(0, 1).take("x") == 0  # off


def test_the_client_address_trusts_only_the_configured_proxies():
    assert client_address("10.0.0.9", "1.2.3.4, 10.0.0.7", 0) == "10.0.0.9"
    assert client_address("10.0.0.9", "1.2.3.4, 10.0.0.7", 1) == "10.0.0.7"
    assert client_address("10.0.0.9", "1.2.3.4, 10.0.0.7", 2) == "1.2.3.4"
    assert client_address("10.0.0.9", "1.2.3.4", 3) == "10.0.0.9"


async def _client(fixture_subgraphs, **settings):
    app = create_app(GatewaySettings(require_token=False, **settings), supergraph_sdl=fixture_subgraphs.supergraph)
    return app, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


async def test_a_principal_over_its_burst_gets_429_and_others_are_served(fixture_subgraphs):
    app, http = await _client(fixture_subgraphs, rate_limit_per_principal=0.01, rate_limit_principal_burst=2)
    one = {"authorization": f"Bearer {dev_token('PROVINCE', '520000', subject='one')}"}
    two = {"authorization": f"Bearer {dev_token('PROVINCE', '520000', subject='two')}"}
    async with app.router.lifespan_context(app), http:
        codes = [(await http.post("/graphql", json=QUERY, headers=one)).status_code for _ in range(2)]
        refused = await http.post("/graphql", json=QUERY, headers=one)
        other = await http.post("/graphql", json=QUERY, headers=two)
        health = await http.get("/healthz")
    assert codes == [200, 200] and other.status_code == 200 and health.status_code == 200
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_failed_authentications_and_addresses_are_limited(fixture_subgraphs):
    app, http = await _client(fixture_subgraphs, rate_limit_failed_auth_per_address=0.01,
                              rate_limit_failed_auth_burst=2, rate_limit_per_address=0.01,
                              rate_limit_address_burst=6)
    bad = {"authorization": "Bearer not-a-token"}
    async with app.router.lifespan_context(app), http:
        codes = [(await http.post("/graphql", json=QUERY, headers=bad)).status_code for _ in range(3)]
        assert codes == [401, 401, 429]
        codes = [(await http.post("/graphql", json=QUERY)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # the address's burst of 6 is spent
