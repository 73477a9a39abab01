"""QZ_CORS_ORIGINS: the gateway and every subgraph answer a listed origin's preflight and label their responses
for it; any other origin, and every origin by default, gets no CORS headers."""

from __future__ import annotations

import httpx
import pytest
from qianzhao.common.registry import installed_services
from qianzhao.common.service_app import create_service_app
from qianzhao.common.settings import PlatformSettings
from qianzhao.gateway.app import create_app
from qianzhao.gateway.settings import GatewaySettings

CONSOLE, OTHER = "https://console.example.gov.cn", "https://elsewhere.example"
PREFLIGHT = {"access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type"}


def apps(origins: list[str] | None) -> dict:
    """The gateway and each subgraph's app (not started: CORS is answered before any route runs)."""
    extra = {} if origins is None else {"cors_origins": origins}
    found = {"gateway": create_app(GatewaySettings(**extra), urls={})}
    for d in installed_services():
        found[d.name] = create_service_app(d, d.settings(**extra))
    return found


async def answers(app, origin: str) -> tuple[httpx.Response, httpx.Response]:
    """A preflight of /graphql and a plain GET of /healthz from `origin`."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://qz") as http:
        preflight = await http.options("/graphql", headers={"origin": origin} | PREFLIGHT)
        simple = await http.get("/healthz", headers={"origin": origin})
    return preflight, simple


async def test_a_listed_origin_is_answered_by_the_gateway_and_every_subgraph():
    for name, app in apps([CONSOLE]).items():
        preflight, simple = await answers(app, CONSOLE)
        assert preflight.status_code == 200, (name, preflight.text)
        assert preflight.headers["access-control-allow-origin"] == CONSOLE, name
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        assert simple.status_code == 200 and simple.headers["access-control-allow-origin"] == CONSOLE, name


async def test_a_refusal_is_readable_by_the_console():
    """A 401 carries the CORS headers too, and exposes the header that says why."""
    app = create_app(GatewaySettings(cors_origins=[CONSOLE]), urls={})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://qz") as http:
        refused = await http.post("/graphql", json={"query": "{ me { role } }"}, headers={"origin": CONSOLE})
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == CONSOLE
    assert "www-authenticate" in refused.headers["access-control-expose-headers"].lower()


async def test_another_origin_gets_no_cors_headers():
    for name, app in apps([CONSOLE]).items():
        preflight, simple = await answers(app, OTHER)
        assert preflight.status_code != 200 and "access-control-allow-origin" not in preflight.headers, name
        assert "access-control-allow-origin" not in simple.headers, name


async def test_no_origin_is_allowed_by_default():
    for name, app in apps(None).items():
        preflight, simple = await answers(app, CONSOLE)
        assert preflight.status_code == 405, (name, preflight.status_code)  # no preflight answered at all
        assert not [h for h in (*preflight.headers, *simple.headers) if h.startswith("access-control-")], name


@pytest.mark.parametrize("value", ['["https://a.example", "https://b.example"]', "https://a.example, https://b.example"])
def test_the_setting_takes_a_json_list_or_commas(monkeypatch, value):
    monkeypatch.setenv("QZ_CORS_ORIGINS", value)
    assert PlatformSettings().cors_origins == GatewaySettings().cors_origins == ["https://a.example",
                                                                                 "https://b.example"]
