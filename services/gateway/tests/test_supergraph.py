"""The committed supergraph.graphql is what @apollo/composition makes of the installed subgraphs today."""

from __future__ import annotations

from qianzhao.gateway.compose import SUPERGRAPH_PATH, compose_installed
from qianzhao.gateway.supergraph import Supergraph


def test_committed_supergraph_composes_and_is_current():
    result = compose_installed()
    for hint in result.hints:
        print("composition hint:", hint)
    assert result.ok, "composition failed:\n" + "\n".join(result.errors)
    text = result.supergraph if result.supergraph.endswith("\n") else result.supergraph + "\n"
    committed = SUPERGRAPH_PATH.read_text(encoding="utf-8") if SUPERGRAPH_PATH.exists() else ""
    assert committed == text, "supergraph.graphql is stale: run `make supergraph` (qianzhao supergraph) and commit it"


def test_supergraph_runtime_reads_every_subgraph():
    supergraph = Supergraph(SUPERGRAPH_PATH.read_text(encoding="utf-8"))
    assert {s.name for s in supergraph.subgraphs.values()} >= {"projects"}
    assert supergraph.schema.query_type is not None
    assert "_entities" not in supergraph.schema.query_type.fields
