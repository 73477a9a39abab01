"""Gateway settings: its own under `QZ_GATEWAY_*` (or the `qianzhao gateway` options), the platform's under `QZ_*`."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict
from qianzhao.common.settings import PlatformSettings

from .node import REPO_ROOT


class GatewaySettings(PlatformSettings):
    """Limits are on by default; every one can be changed per deployment.

    The fields declared here are the gateway's own and read only as `QZ_GATEWAY_<NAME>`; every other one is a
    platform setting (`QZ_JWT_*`, `QZ_LOG_*`, `QZ_ENVIRONMENT`, `QZ_GRAPHIQL`, `QZ_CORS_ORIGINS`…) read as
    `QZ_<NAME>`, which `QZ_GATEWAY_<NAME>` overrides for the gateway alone (see `PlatformSettings`).
    """

    model_config = SettingsConfigDict(env_prefix="QZ_GATEWAY_", env_file=".env", extra="ignore")

    supergraph: str = str(REPO_ROOT / "supergraph.graphql")
    subgraph_urls: dict[str, str] = {}
    subgraph_timeout: float = 30.0
    subgraph_timeouts: dict[str, float] = {}
    max_depth: int = 15
    max_aliases: int = 30
    max_root_fields: int = 20
    max_tokens: int = 5000
    max_cost: int = 50_000
    max_body_bytes: int = 1_000_000
    default_list_size: int = 10
    operation_budget_seconds: float = 2.0  # analysis before execution; beyond it OPERATION_BUDGET_EXCEEDED
    introspection: bool | None = None  # unset: on, except in production (QZ_ENVIRONMENT=production)
    apq: bool = True
    # rate limits per replica (requests per second and burst; a rate of 0 turns one off): 429 + Retry-After
    rate_limit_per_principal: float = 50.0
    rate_limit_principal_burst: int = 200
    rate_limit_per_address: float = 200.0
    rate_limit_address_burst: int = 400
    rate_limit_failed_auth_per_address: float = 1.0
    rate_limit_failed_auth_burst: int = 20
    trusted_proxies: int = 0  # X-Forwarded-For hops to trust for the client address (0: the socket peer)
    require_token: bool = True  # refuse operations without a bearer token at the edge (introspection aside)
    safelist: str | None = None
    tracing: bool = False
    export_max_rows: int = 100_000  # rows at most in one POST /export.xlsx (every page of the list up to this)
    subscriptions_per_connection: int = 20  # a WebSocket's concurrent subscriptions (more: SUBSCRIPTION_LIMIT)
    max_subscriptions: int = 2000  # this process's subscriptions across every connection
    subscription_queue: int = 100  # events waiting per subscription; a subscriber further behind is disconnected
    subscription_init_timeout_seconds: float = 10.0  # connection_init after the WebSocket opens (else 4408)
    dedupe: bool = True  # identical queries in flight for the same caller share one execution
    override_labels: list[str] = []  # progressive @override labels switched on
