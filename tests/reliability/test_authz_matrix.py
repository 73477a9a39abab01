"""The authorization matrix, generated from the composed schema: every root query and mutation × every role
(and no token) × a record inside and one outside the caller's jurisdiction, through the gateway; and every
entity type as a raw `_entities` call straight to each subgraph. Each outcome is `allow` or `deny` and must equal
the checked-in table `authz_matrix.json`; a root field or entity without an entry fails the test, so every new
one is classified on purpose. Whatever the table says, no officer below the province, department or enterprise
ever sees a record of the other prefecture.

Mutations run with `expectedVersion` 999999 where they take one, so an allowed caller meets CONFLICT and nothing
changes; `deny` is UNAUTHENTICATED, FORBIDDEN or NOT_FOUND (a record outside one's rights does not exist for one);
`allow` is anything else — done, CONFLICT, INVALID_TRANSITION, or BAD_USER_INPUT for input refused before any
record is looked at (which says nothing about the record).
Refresh the table after a deliberate change with `QZ_AUTHZ_RECORD=1 uv run pytest tests/reliability/test_authz_matrix.py`
and review the diff.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    get_named_type,
    is_leaf_type,
)
from qianzhao.common.clock import FixedClock
from qianzhao.common.registry import installed_services
from qianzhao.common.testing import case_about_major_project, dev_token
from qianzhao.gateway.settings import GatewaySettings
from qianzhao.gateway.supergraph import Supergraph
from qianzhao.gateway.testing import running_platform
from stdnum.cn import uscc

TABLE = Path(__file__).with_name("authz_matrix.json")
ACME = "91520102MA6DQ0001" + uscc.calc_check_digit("91520102MA6DQ0001")
INSIDE, OUTSIDE = "520102", "520302"  # 南明区 (贵阳市) and 红花岗区 (遵义市)
ROLES = {
    "PROVINCE": dev_token("PROVINCE", "520000"),
    "PREFECTURE": dev_token("PREFECTURE", "520100"),
    "COUNTY": dev_token("COUNTY", INSIDE),
    "DEPARTMENT": dev_token("DEPARTMENT", department="natural_resources"),
    "ENTERPRISE": dev_token("ENTERPRISE", credit_code=ACME),
    "ANONYMOUS": None,
}
OWNERS = {"Project": "projects", "Grievance": "grievances", "CoordinationCase": "coordination",
          "ArrearsClaim": "grievances"}
DENY_CODES = {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"}
ENTITY_OF = {"project": "project", "grievance": "grievance", "case": "case", "claim": "claim", "into": "grievance",
             "coordinationcase": "case", "arrearsclaim": "claim"}

# mutations whose `input.id` names a seeded record their name does not spell out
ID_TARGET = {"addMilestone": "project", "recordAssessment": "project", "setFiveOnes": "project",
             "recordVerificationCheck": "project", "recordRepayment": "claim", "agreeResolutionPlan": "claim",
             "sendDepartmentLetter": "case", "placeCaseOnAgenda": "case", "returnAssignment": "grievance",
             "giveFeedback": "grievance", "respondToGrievance": "grievance"}


def entity_for(name: str, owner: str) -> str | None:
    """Which seeded record an id argument names: from the argument (`projectId`) or the field (`submitProject`)."""
    base = name[:-2].lower() if name.endswith("Id") and name != "id" else ""
    if base in ENTITY_OF:
        return ENTITY_OF[base]
    if name == "id":
        if owner in ID_TARGET:
            return ID_TARGET[owner]
        low = owner.lower()
        for key in ("coordinationcase", "arrearsclaim", "project", "grievance"):
            if key in low:
                return ENTITY_OF[key]
    return None


def value_for(type_, name: str, owner: str, ids: dict[str, str], depth: int = 0):
    """A plausible value of `type_` for argument/field `name`, naming the seeded record of the scope."""
    nullable = not isinstance(type_, GraphQLNonNull)
    inner = type_.of_type if not nullable else type_
    if isinstance(inner, GraphQLList):
        item = value_for(inner.of_type, name, owner, ids, depth + 1)
        return [] if item is None else [item]
    named = get_named_type(inner)
    if isinstance(named, GraphQLInputObjectType):
        if depth > 3:
            return None
        out = {}
        for fname, field in named.fields.items():
            if fname == "expectedVersion":
                out[fname] = 999_999
            elif isinstance(field.type, GraphQLNonNull) or fname in ("regionCode", "projectId"):
                value = value_for(field.type, fname, owner, ids, depth + 1)
                if value is not None or isinstance(field.type, GraphQLNonNull):
                    out[fname] = value
        return out
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values))
    scalar = named.name
    if scalar == "ID" or name.endswith("Id") or name == "id":
        entity = entity_for(name, owner)
        return ids.get(entity) or str(uuid.UUID(int=7))
    if name == "regionCode":
        return ids["region"]
    if "creditCode" in name or "CreditCode" in name:
        return ACME
    if scalar == "String":
        return {"chainCode": "AGR_TEA", "code": "AGR_TEA", "contactPhone": "13812345678"}.get(name, "授权矩阵")
    return {"Int": 1, "Float": 1.0, "Boolean": False, "Decimal": "1.00", "Date": "2024-02-20",
            "DateTime": "2024-02-20T00:00:00Z", "JSON": {}}.get(scalar, "x")


def selection(type_, depth: int = 0) -> str:
    """A small selection of a type: its id (or a scalar), and for a connection the ids of its nodes."""
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    fields = getattr(named, "fields", {})
    if "nodes" in fields and "totalCount" in fields:
        node = get_named_type(fields["nodes"].type)
        return "{ totalCount nodes { __typename " + ("id " if "id" in node.fields else "") + "} }"
    if "id" in fields:
        return "{ __typename id }"
    if "userErrors" in fields:
        return "{ __typename userErrors { code } }"
    return "{ __typename }"


def operation(schema, kind: str, name: str, ids: dict[str, str]) -> tuple[str, dict]:
    root = schema.query_type if kind == "query" else schema.mutation_type
    field = root.fields[name]
    args, variables, decls = [], {}, []
    for arg_name, arg in field.args.items():
        if isinstance(arg.type, GraphQLNonNull) or arg_name in ("id", "regionCode"):
            variables[arg_name] = value_for(arg.type, arg_name, name, ids)
            decls.append(f"${arg_name}: {arg.type}")
            args.append(f"{arg_name}: ${arg_name}")
    head = f"{kind}({', '.join(decls)})" if decls else kind
    call = f"{name}({', '.join(args)})" if args else name
    return f"{head} {{ {call} {selection(field.type)} }}", variables


def outcome(resp: httpx.Response, field: str) -> tuple[str, set[str]]:
    """allow/deny and the ids the answer shows."""
    if resp.status_code in (401, 403):
        return "deny", set()
    body = resp.json()
    codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
    data = (body.get("data") or {}).get(field)
    if isinstance(data, dict):
        codes |= {e.get("code") for e in data.get("userErrors") or []}
    seen = set()
    if isinstance(data, dict):
        seen |= {data.get("id")} | {n.get("id") for n in data.get("nodes") or [] if isinstance(n, dict)}
    if codes & DENY_CODES or (data is None and not codes and field not in ("detectStalledProjects",)):
        return "deny", seen - {None}
    return "allow", seen - {None}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(databases, nats_server):
    clock = FixedClock(datetime(2024, 3, 1, 2, 0, tzinfo=UTC))
    quiet = GatewaySettings(rate_limit_per_principal=0, rate_limit_per_address=0)
    async with running_platform(installed_services(), databases=databases, nats_url=nats_server.url, clock=clock,
                                gateway_settings=quiet) as platform:
        scopes = {}
        for scope, region in (("inside", INSIDE), ("outside", OUTSIDE)):
            ids = {"region": region}
            data = await platform.graphql(
                "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id version } } }",
                {"i": {"name": "授权矩阵项目", "regionCode": region, "chainCode": "AGR_TEA", "board": "PREFECTURE",
                       "totalInvestment": "1000000.00", "investmentMode": "SOLE"}}, token=ROLES["PROVINCE"])
            project = data["data"]["createProject"]["project"]
            ids["project"] = project["id"]
            data = await platform.graphql(
                "mutation($i: FileGrievanceInput!) { fileGrievance(input: $i) { grievance { id } } }",
                {"i": {"channel": "HOTLINE_CALL", "enterpriseName": "贵州黔茶科技有限公司", "creditCode": ACME,
                       "ownership": "PRIVATE", "size": "SMALL", "contactName": "张三", "contactPhone": "13812345678",
                       "regionCode": region, "category": "SITUATION_REPORT", "title": "用电报装",
                       "description": "用电报装两个月未办理"}}, token=ROLES["PROVINCE"])
            ids["grievance"] = data["data"]["fileGrievance"]["grievance"]["id"]
            case = await case_about_major_project(platform.graphql, project, {
                "regionCode": region, "title": "用地指标", "description": "用地指标不足",
                "category": "FACTOR_GUARANTEE", "factorSubtype": "LAND"}, token=ROLES["PROVINCE"])
            ids["case"] = case["id"]
            data = await platform.graphql(
                "mutation($i: RegisterArrearsClaimInput!) { registerArrearsClaim(input: $i) { claim { id } } }",
                {"i": {"creditorCreditCode": ACME, "creditorName": "贵州黔茶科技有限公司", "creditorSize": "SMALL",
                       "debtorName": "某区住建局", "debtorType": "GOVERNMENT_AGENCY", "regionCode": region,
                       "amountClaimed": "1000.00", "contractDate": "2023-01-10", "deliveryDate": "2023-03-01"}},
                token=ROLES["PROVINCE"])
            ids["claim"] = data["data"]["registerArrearsClaim"]["claim"]["id"]
            scopes[scope] = ids
        yield platform, scopes


@pytest.mark.asyncio(loop_scope="module")
async def test_the_authorization_matrix_matches_the_table(world):
    platform, scopes = world
    schema = Supergraph(platform.supergraph).schema
    outside_ids = {v for k, v in scopes["outside"].items() if k != "region"}
    found: dict[str, str] = {}
    leaks = []
    async with httpx.AsyncClient(timeout=30) as http:
        async def send(url: str, query: str, variables: dict, token: str | None) -> httpx.Response:
            headers = {"authorization": f"Bearer {token}"} if token else {}
            return await http.post(url, json={"query": query, "variables": variables}, headers=headers)

        for kind, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
            for name in sorted(root.fields):
                for scope, ids in scopes.items():
                    query, variables = operation(schema, kind, name, ids)
                    for role, token in ROLES.items():
                        verdict, seen = outcome(await send(platform.gateway_url, query, variables, token), name)
                        found[f"{kind} {name} | {role} | {scope}"] = verdict
                        if role in ("PREFECTURE", "COUNTY", "DEPARTMENT") and seen & outside_ids and kind == "query":
                            leaks.append((name, role, scope))
        # raw `_entities` on each subgraph, for every entity keyed by id
        for service, url in sorted(platform.service_urls.items()):
            sdl = (await send(url, "{ _service { sdl } }", {}, ROLES["PROVINCE"])).json()["data"]["_service"]["sdl"]
            for entity, key in (("Project", "project"), ("Grievance", "grievance"), ("CoordinationCase", "case"),
                                ("ArrearsClaim", "claim")):
                if f"type {entity} " not in sdl:
                    continue
                for scope, ids in scopes.items():
                    query = ("query($r: [_Any!]!) { _entities(representations: $r) { __typename "
                             f"... on {entity} {{ id }} }} }}")
                    variables = {"r": [{"__typename": entity, "id": ids[key]}]}
                    for role, token in ROLES.items():
                        resp = await send(url, query, variables, token)
                        body = resp.json() if resp.status_code != 401 else {}
                        got = ((body.get("data") or {}).get("_entities") or [None])[0]
                        verdict = "allow" if isinstance(got, dict) and got.get("id") else "deny"
                        found[f"_entities {service}.{entity} | {role} | {scope}"] = verdict
                        owner = OWNERS[entity] == service  # the others hold key-only stubs they extend
                        if owner and verdict == "allow" and scope == "outside" and role in ("PREFECTURE", "COUNTY"):
                            leaks.append((f"_entities {service}.{entity}", role, scope))
    assert not leaks, leaks
    if os.environ.get("QZ_AUTHZ_RECORD"):
        TABLE.write_text(json.dumps(dict(sorted(found.items())), ensure_ascii=False, indent=1) + "\n",
                         encoding="utf-8")
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    unclassified = sorted(set(found) - set(table))
    assert not unclassified, f"classify these in {TABLE.name}: {unclassified[:10]}"
    mismatches = sorted(f"{k}: table {table[k]}, got {v}" for k, v in found.items() if table[k] != v)
    assert not mismatches, mismatches[:20]
    # whatever the table says: below the province, no record of the other prefecture is readable by id
    for name in ("project", "grievance", "coordinationCase", "arrearsClaim"):
        for role in ("PREFECTURE", "COUNTY", "DEPARTMENT", "ANONYMOUS"):
            assert found[f"query {name} | {role} | outside"] == "deny", (name, role)
