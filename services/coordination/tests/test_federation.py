"""Federation: the CoordinationCase entity, Project extended with coordinationCases/openBlockerCount and Grievance
with coordinationCase — key plus own fields only, authorization applied in _entities."""

from __future__ import annotations

import uuid

from coordination_helpers import NANMING, PROVINCE, YUNYAN, know_project, step, submit, token

PROJECT = """query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Project { id openBlockerCount
  coordinationCases(first: 10) { totalCount nodes { number status } }
  open: coordinationCases(openOnly: true) { totalCount } } } }"""
GRIEVANCE = """query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Grievance { id
  coordinationCase { number } } } }"""


async def test_sdl_declares_the_contracted_entities(svc):
    from graphql import parse

    sdl = (await svc.ok("{ _service { sdl } }", token=PROVINCE))["_service"]["sdl"]
    types = {d.name.value: d for d in parse(sdl).definitions if hasattr(d, "fields") and hasattr(d, "name")}

    def shape(name):
        d = types[name]
        keys = [a.value.value for x in d.directives if x.name.value == "key" for a in x.arguments]
        return keys, [f.name.value for f in d.fields]

    assert shape("CoordinationCase")[0] == ["id"]
    assert shape("Project") == (["id"], ["id", "coordinationCases", "openBlockerCount"])
    assert shape("Grievance") == (["id"], ["id", "coordinationCase"])


async def test_project_and_grievance_extensions_respect_jurisdiction(svc):
    pid = await know_project(svc)
    county = token("COUNTY", NANMING)
    a = (await submit(svc, projectId=pid))["case"]["id"]
    b = (await submit(svc, projectId=pid))["case"]["id"]
    await step(svc, "rejectCoordinationCase", county, id=b, reason="重复")
    await submit(svc, region=YUNYAN, projectId=pid)  # same project, a neighbouring county's problem
    reps = [{"__typename": "Project", "id": pid}]
    seen = (await svc.ok(PROJECT, {"reps": reps}, token=PROVINCE))["_entities"][0]
    assert seen["openBlockerCount"] == 2 and seen["coordinationCases"]["totalCount"] == 3
    assert seen["open"]["totalCount"] == 2
    seen = (await svc.ok(PROJECT, {"reps": reps}, token=county))["_entities"][0]
    assert seen["openBlockerCount"] == 1 and seen["coordinationCases"]["totalCount"] == 2
    seen = (await svc.ok(PROJECT, {"reps": reps}, token=token("DEPARTMENT", department="energy")))["_entities"][0]
    assert seen["openBlockerCount"] == 0 and seen["coordinationCases"]["totalCount"] == 0
    body = await svc.graphql(PROJECT, {"reps": reps})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    unknown = [{"__typename": "Grievance", "id": str(uuid.uuid4())}]
    assert (await svc.ok(GRIEVANCE, {"reps": unknown}, token=PROVINCE))["_entities"] == [
        {"id": unknown[0]["id"], "coordinationCase": None}]
    assert a
