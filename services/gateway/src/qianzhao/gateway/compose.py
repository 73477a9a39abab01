"""Supergraph composition: subgraph SDLs from the Strawberry schemas → @apollo/composition → supergraph.graphql."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson

from .node import REPO_ROOT, run_script

SUPERGRAPH_PATH = REPO_ROOT / "supergraph.graphql"


@dataclass(frozen=True)
class SubgraphSource:
    name: str
    url: str
    sdl: str


@dataclass
class Composition:
    supergraph: str | None
    hints: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.supergraph is not None and not self.errors


class CompositionError(RuntimeError):
    def __init__(self, errors: list[str]):
        super().__init__("composition failed:\n  " + "\n  ".join(errors))
        self.errors = errors


def subgraph_sdl(schema) -> str:
    """The SDL a subgraph serves at `_service { sdl }` (Strawberry prints the same as `as_str()`)."""
    return schema.as_str()


def sources_from_definitions(definitions, host: str = "127.0.0.1", urls: dict[str, str] | None = None
                             ) -> list[SubgraphSource]:
    """Each installed service's SDL, exported without starting it."""
    urls = urls or {}
    return [SubgraphSource(d.name, urls.get(d.name, f"http://{host}:{d.port}/graphql"), subgraph_sdl(d.schema()))
            for d in definitions]


def compose(sources: list[SubgraphSource]) -> Composition:
    payload = orjson.dumps([{"name": s.name, "url": s.url, "sdl": s.sdl} for s in sources]).decode()
    out = orjson.loads(run_script("compose.js", payload))
    return Composition(out.get("supergraph"), out.get("hints") or [], out.get("errors") or [])


def compose_or_raise(sources: list[SubgraphSource]) -> str:
    result = compose(sources)
    if not result.ok:
        raise CompositionError(result.errors)
    return result.supergraph  # type: ignore[return-value]


def compose_installed(definitions=None) -> Composition:
    if definitions is None:
        from qianzhao.common.registry import installed_services

        definitions = installed_services()
    return compose(sources_from_definitions(definitions))


def write_supergraph(path: Path = SUPERGRAPH_PATH, definitions=None) -> Composition:
    result = compose_installed(definitions)
    if result.ok:
        text = result.supergraph if result.supergraph.endswith("\n") else result.supergraph + "\n"
        path.write_text(text, encoding="utf-8")
    return result
