"""One pydantic-settings base (env prefix `QZ_`) that every process extends; production refuses unsafe values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import orjson
from pydantic import SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEV_JWT_SECRET = "qianzhao-dev-secret-not-for-production-0123456789"
PLATFORM_PREFIX = "QZ_"


class ConfigError(RuntimeError):
    """A setting this process refuses to start with; the message names the variable."""


class PlatformSettings(BaseSettings):
    """Settings shared by every Qianzhao process; read from `QZ_*` environment variables or `.env`."""

    model_config = SettingsConfigDict(env_prefix="QZ_", env_file=".env", extra="ignore")

    service_name: str = "qianzhao"
    environment: str = "dev"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/qianzhao"
    database_pool_size: int = 20  # connections per process, opened as needed and kept
    database_ping_idle_seconds: float = 10.0
    database_statement_timeout_ms: int = 15_000
    database_lock_timeout_ms: int = 5_000
    # PostgreSQL's plan_cache_mode for the service's connections: `auto` lets a prepared statement fall back to a
    # generic plan; `force_custom_plan` plans each execution for its parameter values (skewed filters, searches)
    database_plan_cache_mode: str = "auto"
    nats_url: str = "nats://127.0.0.1:4222"
    nats_user: str | None = None  # this process's NATS user (`qianzhao nats-config` defines one per service)
    nats_password: SecretStr | None = None
    nats_tls_ca_file: str | None = None  # client TLS: the CA that signed the NATS servers' certificates
    nats_tls_cert_file: str | None = None  # client certificate and key, when the servers verify clients
    nats_tls_key_file: str | None = None
    nats_stream_replicas: int = 1  # every stream's replicas (raised on existing streams, never lowered)
    nats_stream_max_age_seconds: float = 90 * 24 * 3600  # events older than this leave the streams (0: never)
    nats_stream_max_bytes: int = -1  # each stream's size limit; the oldest events go first (-1: none)
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
    consumer_dedup_window_seconds: float = 7 * 24 * 3600  # inbox rows (handled event ids) are kept this long
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
    graphiql: bool | None = None  # the gateway's GraphiQL (unset: on, except in production, where it may not be on)
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

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource):
        """A process with a prefix of its own (the gateway's `QZ_GATEWAY_`) still reads the platform's settings under
        their platform names (`QZ_JWT_JWKS_URL`…); its own name for one (`QZ_GATEWAY_…`) wins when both are set.
        Settings it redefines for itself (the gateway's limits) are read under its prefix only."""
        if settings_cls.model_config.get("env_prefix") == PLATFORM_PREFIX:
            return init_settings, env_settings, dotenv_settings, file_secret_settings
        shared = _shared_fields(settings_cls)
        return (init_settings, env_settings, _Only(EnvSettingsSource(settings_cls, env_prefix=PLATFORM_PREFIX), shared),
                dotenv_settings, _Only(DotEnvSettingsSource(settings_cls, env_prefix=PLATFORM_PREFIX), shared),
                file_secret_settings)

    def model_post_init(self, context: Any) -> None:
        """Refuse, at start-up, what cannot work, and what must never run in production (a ConfigError naming the
        setting)."""
        if self.nats_password is not None and not self.nats_user:
            raise ConfigError("QZ_NATS_PASSWORD is set without QZ_NATS_USER")
        if self.nats_stream_replicas < 1 or self.nats_stream_replicas > 5:
            raise ConfigError(f"QZ_NATS_STREAM_REPLICAS={self.nats_stream_replicas}: JetStream allows 1 to 5")
        if not self.is_production:
            return
        env = f"{PLATFORM_PREFIX}ENVIRONMENT={self.environment}"
        if not self.jwt_jwks_url:
            dev = self.jwt_secret.get_secret_value() == DEV_JWT_SECRET
            raise ConfigError(
                f"{env} needs QZ_JWT_JWKS_URL (the identity provider's JWKS; tokens are verified as RS256)"
                + ("; QZ_JWT_SECRET is the shipped dev secret, which anyone can sign tokens with" if dev else
                   "; HS256 tokens signed with QZ_JWT_SECRET are for development only"))
        if self.graphiql:
            raise ConfigError(f"{env} refuses QZ_GRAPHIQL=true: GraphiQL is for development (unset it)")

    @property
    def is_production(self) -> bool:
        return self.environment.lower() in ("production", "prod")

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else not self.is_production

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection if self.introspection is not None else not self.is_production


def to_async_url(url: str) -> str:
    """Accept plain `postgresql://` URLs (as operators write them) and use asyncpg."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix):]
    return url


S = TypeVar("S", bound=PlatformSettings)


def load_settings(process: str, make: Callable[[], S]) -> S:
    """A process's settings, or its exit with one line naming the setting it refuses (no traceback)."""
    try:
        return make()
    except ConfigError as exc:
        raise SystemExit(f"qianzhao {process} refuses to start: {exc}") from None


def _shared_fields(settings_cls: type[BaseSettings]) -> set[str]:
    """The platform's settings that `settings_cls` does not redefine for itself."""
    own = {name for klass in settings_cls.__mro__ if issubclass(klass, PlatformSettings) and klass is not PlatformSettings
           for name in vars(klass).get("__annotations__", {})}
    return set(PlatformSettings.model_fields) - own


class _Only(PydanticBaseSettingsSource):
    """A settings source restricted to some fields."""

    def __init__(self, inner: PydanticBaseSettingsSource, fields: set[str]):
        super().__init__(inner.settings_cls)
        self.inner, self.fields = inner, fields

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.inner.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self.inner().items() if k in self.fields}
