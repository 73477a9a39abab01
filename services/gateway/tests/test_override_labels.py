"""Progressive @override: labels are off unless switched on, as in @apollo/gateway without conditions."""

from __future__ import annotations

from graphql import parse
from qianzhao.gateway.compose import SubgraphSource, compose_or_raise
from qianzhao.gateway.planner import Planner
from qianzhao.gateway.supergraph import Supergraph

A = '''extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@override"])
type Query { t: T }
type T @key(fields: "id") { id: ID! x: String }'''
B = '''extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@override"])
type T @key(fields: "id") { id: ID! x: String @override(from: "a", label: "beta") }'''


def _plan(labels):
    sdl = compose_or_raise([SubgraphSource("a", "http://127.0.0.1:1/graphql", A),
                            SubgraphSource("b", "http://127.0.0.1:2/graphql", B)])
    operation = parse("{ t { x } }").definitions[0]
    return [f.subgraph for f in Planner(Supergraph(sdl, labels)).plan(operation, {}, {}).fetches]


def test_label_off_keeps_the_original_subgraph():
    assert _plan(set()) == ["a"]


def test_label_on_moves_the_field():
    assert _plan({"beta"}) == ["a", "b"]
