"""The real subgraphs (every installed service) through our gateway and through @apollo/gateway: same answers.

The corpus is generated from the API schema, so it follows the services as they grow: every root query field
with its arguments filled in and a selection three levels deep (crossing into the other subgraphs through
Project, Enterprise, Grievance and Region), asked as a province officer, a county officer, an enterprise and
anonymously — jurisdiction rules and errors must come out the same way.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
    Undefined,
    get_named_type,
    is_leaf_type,
)
from qianzhao.common.registry import installed_services
from qianzhao.common.testing import case_about_major_project, dev_token
from qianzhao.gateway.settings import GatewaySettings
from qianzhao.gateway.supergraph import Supergraph
from qianzhao.gateway.testing import running_platform, start_apollo_gateway

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import normalise  # noqa: E402

NANMING = "520102"
ENTERPRISE = "91520102MA6DK1234E"
RELAXED = GatewaySettings(max_depth=100, max_aliases=10_000, max_root_fields=1000, max_tokens=1_000_000,
                          max_cost=10**12)
TOKENS = {"province": dev_token("PROVINCE", "520000"), "county": dev_token("COUNTY", NANMING),
          "enterprise": dev_token("ENTERPRISE", NANMING, credit_code=ENTERPRISE), "anonymous": None}


def _literal(type_, ids: dict[str, str], arg_name: str, field_name: str = "") -> str | None:
    named = get_named_type(type_)
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values))
    if isinstance(named, GraphQLInputObjectType):
        return None
    if named.name == "ID":
        key = arg_name.lower().removesuffix("id") or field_name.lower()
        return f'"{ids.get(key, ids.get("project", "00000000-0000-0000-0000-000000000000"))}"'
    if named.name == "Int":
        return "1"
    if named.name == "Date":
        return '"2024-01-01"' if "start" in arg_name.lower() or "from" in arg_name.lower() else '"2030-12-31"'
    if named.name == "DateTime":
        return '"2024-01-01T00:00:00+00:00"'
    if named.name == "Boolean":
        return "true"
    if "region" in arg_name.lower():
        return f'"{NANMING}"'
    if "credit" in arg_name.lower():
        return f'"{ENTERPRISE}"'
    return '"x"'


def _selection(type_, depth: int) -> str:
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    if isinstance(named, GraphQLUnionType):
        parts = ["__typename"]
        for member in named.types:
            inner = _selection(member, depth + 1) if depth < 3 else "__typename"
            parts.append(f"... on {member.name} {{ {inner or '__typename'} }}")
        return " ".join(parts)
    fields = []
    for name, f in named.fields.items():
        if any(isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined for a in f.args.values()):
            continue
        target = get_named_type(f.type)
        if is_leaf_type(target):
            fields.append(name)
        elif depth < 3 and isinstance(target, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            inner = _selection(target, depth + 1)
            if inner:
                fields.append(f"{name} {{ {inner} }}")
    return " ".join(fields)


def generated_operations(schema, ids: dict[str, str]) -> list[tuple[str, str, dict | None]]:
    ops = []
    for name, f in schema.query_type.fields.items():
        args = []
        usable = True
        for arg_name, arg in f.args.items():
            if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined:
                value = _literal(arg.type, ids, arg_name, name)
                if value is None:
                    usable = False
                    break
                args.append(f"{arg_name}: {value}")
        if not usable:
            continue
        selection = _selection(f.type, 1)
        head = f"{name}({', '.join(args)})" if args else name
        ops.append((name, f"{{ {head}{f' {{ {selection} }}' if selection else ''} }}", None))
    ops.append(("entity chain", CHAIN, None))
    project = ids.get("project", "00000000-0000-0000-0000-000000000000")
    ops += [
        ("aliases and variables", f'query Q($id: ID!) {{ a: project(id: $id) {{ n: name c: grievanceCount }} '
                                  f'b: project(id: "{project}") {{ number open: openBlockerCount }} }}', {"id": project}),
        ("skip and include", "query Q($s: Boolean!, $i: Boolean!) { projects(first: 3) { nodes { name "
                             "grievances @skip(if: $s) { totalCount } coordinationCases @include(if: $i) { totalCount } "
                             "} } }", {"s": True, "i": True}),
        ("named fragments across subgraphs", "fragment P on Project { name grievanceCount region { name } } "
                                             "fragment G on Grievance { number project { ...P } } "
                                             "{ grievances(first: 3) { nodes { ...G } } }", None),
        ("null propagation from another subgraph", "{ coordinationCases(first: 3) { nodes { number "
                                                   "project { number name status } } } }", None),
        ("unknown id", '{ project(id: "00000000-0000-0000-0000-000000000000") { name grievanceCount } }', None),
    ]
    return ops


CHAIN = """{ projects(first: 5) { totalCount nodes { number name grievanceCount openBlockerCount
  region { code name }
  grievances(first: 5) { nodes { number title project { name }
    coordinationCase { number project { number grievances { totalCount } } } } }
  coordinationCases(first: 5) { nodes { number title grievance { number } project { name investor { creditCode
    signedProjects { totalCount nodes { name coordinationCases { totalCount } } } grievances { totalCount } } } } }
} } }"""


SEED = [
    ("project", "createProject", "CreateProjectInput", "county", {
        "name": "茶叶精深加工项目", "regionCode": NANMING, "chainCode": "AGR_TEA", "board": "PREFECTURE",
        "totalInvestment": "120000000.00", "investmentMode": "SOLE", "summary": "年产5000吨绿茶"}, "project"),
    ("grievance", "fileGrievance", "FileGrievanceInput", "county", {
        "channel": "HOTLINE_CALL", "enterpriseName": "贵州黔茶科技有限公司", "creditCode": ENTERPRISE,
        "ownership": "PRIVATE", "size": "SMALL", "contactName": "张三", "contactPhone": "13812345678",
        "regionCode": NANMING, "category": "SITUATION_REPORT", "title": "厂房用电报装迟迟未办",
        "description": "企业反映用电报装两个月未办理。", "topics": ["UTILITIES"], "projectId": "$project"}, "grievance"),
    ("coordinationcase", "submitCoordinationCase", "SubmitCoordinationCaseInput", "county", {
        "regionCode": NANMING, "title": "项目用地指标不足", "description": "二期厂房用地指标尚未落实。",
        "category": "FACTOR_GUARANTEE", "factorSubtype": "LAND", "projectId": "$project",
        "projectName": "茶叶精深加工项目"}, "case"),
]


async def _seed(platform) -> dict[str, str]:
    ids: dict[str, str] = {}
    project = None
    for key, mutation, input_type, role, data, result in SEED:
        data = {k: (ids.get(v[1:]) if isinstance(v, str) and v.startswith("$") else v) for k, v in data.items()}
        if mutation == "submitCoordinationCase" and project:  # about a major project coordination has heard of
            data.pop("projectId")
            ids[key] = (await case_about_major_project(platform.graphql, project, data, token=TOKENS[role]))["id"]
            continue
        body = await platform.graphql(
            f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ {result} {{ id version }} "
            "userErrors { message } } }", {"input": data}, token=TOKENS[role])
        payload = (body.get("data") or {}).get(mutation) or {}
        if payload.get(result):
            ids[key] = payload[result]["id"]
            project = payload[result] if key == "project" else project
    return ids


@pytest.mark.slow
async def test_real_subgraphs_match_apollo_gateway(databases, nats_server, tmp_path):
    definitions = installed_services()
    async with running_platform(definitions, databases=databases, nats_url=nats_server.url,
                                gateway_settings=RELAXED) as platform:
        supergraph_file = tmp_path / "supergraph.graphql"
        supergraph_file.write_text(platform.supergraph, encoding="utf-8")
        ids = await _seed(platform)
        assert "project" in ids, "seeding a project through the gateway failed"
        operations = generated_operations(Supergraph(platform.supergraph).schema, ids)
        apollo = start_apollo_gateway(supergraph_file)
        mismatches, compared = [], 0
        try:
            async with httpx.AsyncClient(timeout=60) as http:
                for role, token in TOKENS.items():
                    headers = {"authorization": f"Bearer {token}"} if token else {}
                    for name, query, variables in operations:
                        payload = {"query": query, "variables": variables or {}}
                        answer = await http.post(platform.gateway_url, json=payload, headers=headers)
                        got = answer.json()
                        if token is None:  # ours refuses at the edge; @apollo/gateway lets the subgraphs refuse
                            refused = answer.status_code == 401 and \
                                got["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED" and "data" not in got
                            if not refused:
                                mismatches.append((f"{role}: {name}", query, got, "401 UNAUTHENTICATED"))
                            continue
                        want = (await http.post(apollo.url, json=payload, headers=headers)).json()
                        compared += 1
                        if os.environ.get("QZ_DEBUG_DIFF"):
                            print(role, name, str(got)[:300])
                        if normalise(got) != normalise(want):
                            mismatches.append((f"{role}: {name}", query, normalise(got), normalise(want)))
        finally:
            apollo.stop()
    assert compared >= 60
    assert not mismatches, "\n\n".join(f"{n}\n {q}\n ours:   {g}\n apollo: {w}" for n, q, g, w in mismatches[:5])
