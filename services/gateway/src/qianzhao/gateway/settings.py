"""Gateway settings (`QZ_GATEWAY_*` variables, or the `qianzhao gateway` options)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict
from qianzhao.common.settings import PlatformSettings

from .node import REPO_ROOT


class GatewaySettings(PlatformSettings):
    """Limits are on by default; every one can be changed per deployment."""

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
    default_list_size: int = 10
    introspection: bool = True
    apq: bool = True
    safelist: str | None = None
    tracing: bool = False
    dedupe: bool = True  # identical queries in flight for the same caller share one execution
    override_labels: list[str] = []  # progressive @override labels switched on
