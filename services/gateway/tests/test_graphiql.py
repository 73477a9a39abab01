"""The gateway's own GraphiQL: a page and a bundle that name no other host, the dev token only where anyone could
sign it, and nothing at all where the settings (or production) turn GraphiQL off."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from pydantic import SecretStr
from qianzhao.common.auth import Role, TokenVerifier
from qianzhao.gateway.app import create_app
from qianzhao.gateway.graphiql import DEFAULT_QUERY
from qianzhao.gateway.node import ensure_graphiql_bundle
from qianzhao.gateway.settings import GatewaySettings

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
# URL strings inside the bundle that are names or links, never fetched (tests/test_graphiql_browser.py shows the
# browser asks for nothing beyond the gateway): XML namespaces, JSON Schema ids, help links in messages and menus
NAMED_HOSTS = {"", "www.w3.org", "json-schema.org", "react.dev", "code.visualstudio.com", "github.com",
               "yarnpkg.com", "prettier.io", "microsoft.com", "en.wikipedia.org", "commonmark.org"}


async def get(settings: GatewaySettings, path: str, headers: dict | None = None) -> httpx.Response:
    app = create_app(settings, urls={})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as http:
        return await http.get(path, headers=headers or {})


def config_of(page: str) -> dict:
    return json.loads(re.search(r'<script id="qz-graphiql-config" type="application/json">(.*?)</script>',
                                page).group(1))


async def test_the_page_loads_only_the_gateway_s_assets_and_carries_the_dev_token():
    settings = GatewaySettings()
    r = await get(settings, "/graphql", BROWSER)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "http://" not in r.text and "https://" not in r.text
    assert 'src="graphiql/assets/graphiql.js"' in r.text and 'href="graphiql/assets/graphiql.css"' in r.text
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["cache-control"] == "no-store"  # the page holds a token
    config = config_of(r.text)
    assert config["endpoint"] == "graphql"
    scheme, token = config["headers"]["Authorization"].split(" ")
    principal = TokenVerifier(settings).verify(token)
    assert scheme == "Bearer" and (principal.role, principal.region_code) == (Role.PROVINCE, "520000")


@pytest.mark.parametrize("settings", [
    GatewaySettings(jwt_secret=SecretStr("a-secret-of-this-deployment-only-0123456789")),
    GatewaySettings(jwt_jwks_url="https://idp.example/jwks.json"),
], ids=["own-secret", "jwks"])
async def test_no_dev_token_where_tokens_are_real(settings):
    r = await get(settings, "/graphql", BROWSER)
    assert r.status_code == 200 and config_of(r.text)["headers"] == {}


@pytest.mark.parametrize("environment", [{"QZ_GRAPHIQL": "false"}, {"QZ_GATEWAY_GRAPHIQL": "false"},
                                         {"QZ_ENVIRONMENT": "production",
                                          "QZ_JWT_JWKS_URL": "https://idp.example/jwks.json"}])
async def test_graphiql_off(monkeypatch, environment):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = GatewaySettings()
    assert not settings.graphiql_enabled
    page = await get(settings, "/graphql", {"accept": "text/html"})
    assert page.status_code == 406 and "<html" not in page.text
    assert (await get(settings, "/graphiql/assets/graphiql.js")).status_code == 404


async def test_the_bundle_names_no_other_host():
    """Built from the lockfile on first need; CSS (fonts inlined) without any URL, scripts without a host to load."""
    folder = ensure_graphiql_bundle()
    settings = GatewaySettings()
    for name, kind in [("graphiql.js", "text/javascript"), ("graphiql.css", "text/css"),
                       ("editor.worker.js", "text/javascript"), ("json.worker.js", "text/javascript"),
                       ("graphql.worker.js", "text/javascript")]:
        r = await get(settings, f"/graphiql/assets/{name}")
        assert r.status_code == 200 and r.headers["content-type"].startswith(kind), name
        assert r.content == (folder / name).read_bytes()
        if name.endswith(".css"):
            assert not re.search(r"https?://", r.text) and not re.search(r"url\((?!data:)", r.text)
        hosts = set(re.findall(r"https?://([a-z0-9.-]*)", r.text, re.IGNORECASE))
        assert hosts <= NAMED_HOSTS, f"{name} names new hosts: {hosts - NAMED_HOSTS}"
    for missing in ("nope.js", "..%2Fpackage.json", "graphiql.js.map"):
        assert (await get(settings, f"/graphiql/assets/{missing}")).status_code == 404


def test_the_page_s_first_query_fits_the_supergraph():
    gateway = create_app(GatewaySettings(), urls={}).state.gateway
    gateway.prepare(DEFAULT_QUERY)  # raises on a field the schema does not have
