"""Variable errors name the real problem only: fields with defaults in the composed schema are not reported missing."""

from __future__ import annotations

from pathlib import Path

from graphql import parse
from qianzhao.gateway.supergraph import Supergraph
from qianzhao.gateway.variables import coercion_messages

SUPERGRAPH = Supergraph((Path(__file__).resolve().parents[3] / "supergraph.graphql").read_text("utf-8"))
CREATE = parse("mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } } }")
DRAFT = {"name": "x", "regionCode": "520102", "chainCode": "AGR_TEA", "board": "PREFECTURE", "totalInvestment": "1",
         "investmentMode": "SOLE", "summary": "s"}


def messages(value: dict) -> list[str]:
    return coercion_messages(SUPERGRAPH.schema, CREATE.definitions[0].variable_definitions, {"i": value})


def test_an_invalid_enum_is_the_only_problem_reported():
    assert messages(DRAFT | {"board": "NOPE"}) == [
        'Variable "$i" got invalid value "NOPE" at "i.board"; Value \'NOPE\' does not exist in \'ProjectBoard\' enum.']


def test_defaulted_fields_may_be_left_out_but_required_ones_may_not():
    assert messages(DRAFT) == []
    missing = messages({k: v for k, v in DRAFT.items() if k != "name"})
    assert len(missing) == 1 and 'Field "name" of required type "String!" was not provided.' in missing[0]
