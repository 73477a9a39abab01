"""One pydantic-settings base (env prefix `QZ_`) that every service extends."""

from __future__ import annotations

from typing import Annotated

import orjson
from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_JWT_SECRET = "qianzhao-dev-secret-not-for-production-0123456789"


class PlatformSettings(BaseSettings):
    """Settings shared by every Qianzhao process; read from `QZ_*` environment variables or `.env`."""

    model_config = SettingsConfigDict(env_prefix="QZ_", env_file=".env", extra="ignore")

    service_name: str = "qianzhao"
    environment: str = "dev"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/qianzhao"
    database_pool_size: int = 10
    database_ping_idle_seconds: float = 10.0
    database_statement_timeout_ms: int = 15_000
    database_lock_timeout_ms: int = 5_000
    # PostgreSQL's plan_cache_mode for the service's connections: `auto` lets a prepared statement fall back to a
    # generic plan; `force_custom_plan` plans each execution for its parameter values (skewed filters, searches)
    database_plan_cache_mode: str = "auto"
    nats_url: str = "nats://127.0.0.1:4222"
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwt_jwks_url: str | None = None
    jwt_issuer: str = "qianzhao"
    jwt_audience: str = "qianzhao"
    jwt_max_lifetime_minutes: int = 1440
    outbox_batch_size: int = 1000
    outbox_poll_seconds: float = 1.0
    outbox_linger_seconds: float = 0.01
    consumer_max_deliver: int = 5
    consumer_backoff_seconds: float = 1.0
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = 1_000_000
    # a subgraph's operation limits: the gateway's, with headroom for the aliased `_entities` fetches and key
    # fields it adds to what a client asked
    max_depth: int = 16
    max_aliases: int = 200
    max_root_fields: int = 200
    max_tokens: int = 20_000
    max_cost: int = 100_000
    default_list_size: int = 10
    # a connection's totalCount is counted exactly up to this many items; beyond it, it is the planner's estimate
    # and totalCountIsExact is false (an exact count of a broad search over a million rows costs up to a second;
    # reading its first 1,000 matches 5-15 ms). The bureau's pool (thousands of projects) counts 10,000 exactly at no
    # cost; a deployment of a million rows lowers it (bench/projects_scale.py runs at 1,000).
    total_count_exact_up_to: int = 10_000
    operation_budget_seconds: float = 2.0
    introspection: bool | None = None  # unset: on, except with QZ_ENVIRONMENT=production
    departments_file: str | None = None  # a CSV (code,name,short_name) of units added to the shipped registry
    # browser origins (https://console.example) allowed to call the GraphQL endpoints; empty: no CORS headers
    cors_origins: Annotated[list[str], NoDecode] = []

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        """A JSON list, or origins separated by commas (`https://a.example,https://b.example`)."""
        if isinstance(value, str):
            text = value.strip()
            return orjson.loads(text) if text.startswith("[") else [o.strip() for o in text.split(",") if o.strip()]
        return value

    @property
    def is_production(self) -> bool:
        return self.environment.lower() in ("production", "prod")

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection if self.introspection is not None else not self.is_production


def to_async_url(url: str) -> str:
    """Accept plain `postgresql://` URLs (as operators write them) and use asyncpg."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix):]
    return url
