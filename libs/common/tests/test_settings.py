"""Settings: platform names reach every process (the gateway too), and production refuses what is unsafe, at start."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import SecretStr
from qianzhao.common.settings import DEV_JWT_SECRET, ConfigError, PlatformSettings
from qianzhao.gateway.settings import GatewaySettings

JWKS = "https://idp.example.gov.cn/jwks.json"


def test_the_gateway_reads_platform_settings_by_their_platform_names(monkeypatch):
    for name, value in {"QZ_JWT_JWKS_URL": JWKS, "QZ_JWT_ISSUER": "idp", "QZ_JWT_AUDIENCE": "qz",
                        "QZ_LOG_LEVEL": "DEBUG", "QZ_LOG_JSON": "false", "QZ_CORS_ORIGINS": "https://a.example",
                        "QZ_GRAPHIQL": "false", "QZ_NATS_USER": "admin",
                        "QZ_MAX_DEPTH": "99", "QZ_GATEWAY_MAX_ALIASES": "7"}.items():
        monkeypatch.setenv(name, value)
    settings = GatewaySettings()
    assert (settings.jwt_jwks_url, settings.jwt_issuer, settings.jwt_audience) == (JWKS, "idp", "qz")
    assert (settings.log_level, settings.log_json, settings.cors_origins) == ("DEBUG", False, ["https://a.example"])
    assert settings.graphiql_enabled is False and settings.nats_user == "admin"
    assert settings.max_depth == 15, "the gateway's own limits are read as QZ_GATEWAY_* only"
    assert settings.max_aliases == 7
    monkeypatch.setenv("QZ_GATEWAY_JWT_ISSUER", "gateway-only")  # the older, gateway-specific name still wins
    assert GatewaySettings().jwt_issuer == "gateway-only"


@pytest.mark.parametrize(("overrides", "named"), [
    ({}, "QZ_JWT_JWKS_URL"),
    ({"jwt_secret": SecretStr(DEV_JWT_SECRET)}, "QZ_JWT_SECRET is the shipped dev secret"),
    ({"jwt_secret": SecretStr("a-real-secret-of-this-deployment-0123456789")}, "QZ_JWT_JWKS_URL"),
    ({"jwt_jwks_url": JWKS, "graphiql": True}, "QZ_GRAPHIQL"),
], ids=["no-jwks", "dev-secret", "own-hs256-secret", "graphiql"])
@pytest.mark.parametrize("settings_cls", [PlatformSettings, GatewaySettings])
def test_production_refuses_unsafe_settings(settings_cls, overrides, named):
    with pytest.raises(ConfigError, match=named):
        settings_cls(environment="production", **overrides)


def test_production_with_jwks_starts_without_graphiql():
    settings = GatewaySettings(environment="production", jwt_jwks_url=JWKS)
    assert not settings.graphiql_enabled and not settings.introspection_enabled


def test_nats_password_without_a_user_is_refused():
    with pytest.raises(ConfigError, match="QZ_NATS_USER"):
        PlatformSettings(nats_password=SecretStr("x"))


@pytest.mark.parametrize("argv", [
    [sys.executable, "-m", "qianzhao.common.cli", "gateway", "--port", "1"],
    [sys.executable, "-m", "uvicorn", "qianzhao.projects.app:create_app", "--factory", "--port", "1"],
], ids=["gateway", "service"])
def test_a_process_in_production_without_jwks_exits_naming_the_setting(argv):
    import os

    env = os.environ | {"QZ_ENVIRONMENT": "production"}
    env.pop("QZ_JWT_JWKS_URL", None)
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "refuses to start" in result.stderr and "QZ_JWT_JWKS_URL" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
