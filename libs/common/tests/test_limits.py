"""Operation limits: figures are exact on small documents and every analysis is linear in the document."""

from __future__ import annotations

import pytest
from graphql import build_schema, parse
from qianzhao.common import limits
from qianzhao.common.limits import Budget, LimitExceeded, Limits, check

SCHEMA = build_schema("""
type Query { items(first: Int): [Item!]! item: Item }
type Item { id: ID! name: String children(first: Int): [Item!]! }
""")


def analyse(query: str, variables: dict | None = None, lim: Limits | None = None) -> int:
    doc = parse(query)
    ops = [d for d in doc.definitions if d.kind == "operation_definition"]
    frags = {d.name.value: d for d in doc.definitions if d.kind == "fragment_definition"}
    return check(SCHEMA, ops[0], frags, variables or {}, lim or Limits())


def fan_out(levels: int) -> str:
    frags = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    return "query { ...F0 }\n" + "\n".join(frags) + f"\nfragment F{levels} on Query {{ item {{ id }} }}"


def test_costs_are_exact_on_small_documents():
    assert analyse("{ item { id name } }") == 3
    assert analyse("{ items(first: 5) { id children(first: 2) { id } } }") == 1 + 5 + 5 + 5 * 2
    assert analyse("{ items { id } }") == 1 + 10  # default list size
    assert analyse("query($n: Int) { items(first: $n) { id } }", {"n": 3}) == 4
    assert analyse("{ ...A ...A } fragment A on Query { item { id } }") == 4  # each spread counts
    assert analyse("query($s: Boolean!) { item @skip(if: $s) { id } }", {"s": True}) == 0


def test_depth_aliases_roots_and_introspection_are_refused_with_their_codes():
    deep = "{ item { " + "children { " * 15 + "id" + " }" * 15 + " } }"
    with pytest.raises(LimitExceeded) as err:
        analyse(deep)
    assert err.value.code == "DEPTH_LIMIT_EXCEEDED"
    via_fragment = "{ item { ...D } } fragment D on Item { " + "children { " * 14 + "id" + " }" * 14 + " }"
    with pytest.raises(LimitExceeded) as err:
        analyse(via_fragment)
    assert err.value.code == "DEPTH_LIMIT_EXCEEDED"
    with pytest.raises(LimitExceeded) as err:
        analyse("{ ...A ...A } fragment A on Query { " + " ".join(f"a{i}: item {{ id }}" for i in range(16)) + " }")
    assert err.value.code == "ALIAS_LIMIT_EXCEEDED"  # 32 aliases through two spreads
    with pytest.raises(LimitExceeded) as err:
        analyse("{ " + " ".join(["item { id }"] * 21) + " }")
    assert err.value.code == "ROOT_FIELD_LIMIT_EXCEEDED"
    with pytest.raises(LimitExceeded) as err:
        analyse("{ ...I } fragment I on Query { __schema { types { name } } }", lim=Limits(introspection=False))
    assert err.value.code == "INTROSPECTION_DISABLED"


@pytest.mark.parametrize("levels", [22, 30, 200])
def test_fragment_fan_out_is_analysed_in_linear_steps_and_refused(levels, monkeypatch):
    steps = []
    original = Budget.check
    monkeypatch.setattr(Budget, "check", lambda self: (steps.append(1), original(self))[1])
    with pytest.raises(LimitExceeded) as err:
        analyse(fan_out(levels))
    assert err.value.code == "COST_LIMIT_EXCEEDED"
    assert "more than 50000" in err.value.message
    assert len(steps) < 10 * levels  # each fragment once, not 2**levels times


def test_a_cycle_does_not_loop():
    assert analyse("{ ...A } fragment A on Query { item { id } ...B } fragment B on Query { ...A }") >= 2


def test_an_exhausted_budget_refuses_the_operation():
    budget = Budget(0.0)
    budget.deadline -= 1
    doc = parse("{ item { id } }")
    with pytest.raises(LimitExceeded) as err:
        check(SCHEMA, doc.definitions[0], {}, {}, Limits(), budget)
    assert err.value.code == "OPERATION_BUDGET_EXCEEDED"


def test_uses_introspection_visits_each_fragment_once():
    doc = parse(fan_out(40).replace("item { id }", "__type(name: \"Item\") { name }"))
    frags = {d.name.value: d for d in doc.definitions if d.kind == "fragment_definition"}
    assert limits.uses_introspection(doc.definitions[0], frags)
