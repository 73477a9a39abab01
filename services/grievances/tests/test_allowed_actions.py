"""`allowedActions` equals the set of mutations that succeed: every action tried on a grievance in every status,
by the county officer over it and by the department it is dispatched to; a refused step says what comes first."""

from __future__ import annotations

from grievance_support import ACME, COUNTY, NANMING, tok

NATRES = tok("DEPARTMENT", department="natural_resources", subject="dept-natres")
ENTERPRISE = tok("ENTERPRISE", NANMING, credit_code=ACME, subject="acme-user")
UNIT_NATRES = {"kind": "DEPARTMENT", "code": "natural_resources"}
ROLES = {"COUNTY": COUNTY, "DEPARTMENT": NATRES}


def _cap(name: str) -> str:
    return name[0].upper() + name[1:]


async def _go(api, g: dict, name: str, token: str, **input) -> dict:
    return await api.ok_step(name, _cap(name) + "Input", token, id=g["id"], **input)


async def received(api):
    return await api.file()


async def accepted(api):
    return await _go(api, await received(api), "acceptGrievance", COUNTY)


async def assigned(api):
    return await _go(api, await accepted(api), "assignGrievance", COUNTY, leadUnit=UNIT_NATRES, coHandlers=[])


async def returned(api):
    return await _go(api, await assigned(api), "returnAssignment", NATRES, reason="不属于本部门职责")


async def in_progress(api):
    return await _go(api, await assigned(api), "startGrievanceHandling", NATRES)


async def responded(api):
    return await _go(api, await in_progress(api), "respondToGrievance", NATRES, reply="已协调办理")


async def resolved(api):
    return await _go(api, await responded(api), "resolveGrievance", NATRES, resolution="已办结")


async def closed(api):
    return await _go(api, await resolved(api), "giveFeedback", ENTERPRISE, rating="SATISFIED")


async def rejected(api):
    return await _go(api, await received(api), "rejectGrievance", COUNTY, reason="非企业诉求")


async def escalated(api):
    return await _go(api, await accepted(api), "escalateGrievanceToCoordination", COUNTY, reason="影响重大项目")


STATES = {"RECEIVED": received, "ACCEPTED": accepted, "ASSIGNED": assigned, "RETURNED": returned,
          "IN_PROGRESS": in_progress, "RESPONDED": responded, "RESOLVED": resolved, "CLOSED": closed,
          "REJECTED": rejected, "ACCEPTED_ESCALATED": escalated}


async def _into(api) -> dict:
    return {"intoId": (await received(api))["id"]}


ACTIONS = {
    "ACCEPT": ("acceptGrievance", None),
    "REJECT": ("rejectGrievance", lambda api: {"reason": "重复来电"}),
    "MERGE": ("mergeGrievance", _into),
    "ASSIGN": ("assignGrievance", lambda api: {"leadUnit": UNIT_NATRES, "coHandlers": []}),
    "RETURN_ASSIGNMENT": ("returnAssignment", lambda api: {"reason": "职责不符"}),
    "START_HANDLING": ("startGrievanceHandling", None),
    "RESPOND": ("respondToGrievance", lambda api: {"reply": "已答复企业"}),
    "RESOLVE": ("resolveGrievance", lambda api: {"resolution": "问题已解决"}),
    "GIVE_FEEDBACK": ("giveFeedback", lambda api: {"rating": "SATISFIED"}),
    "ESCALATE_TO_COORDINATION": ("escalateGrievanceToCoordination", lambda api: {"reason": "阻碍重大项目"}),
}


async def _allowed(api, grievance_id: str, token: str) -> set[str]:
    data = await api.svc.ok("query($id: ID!) { grievance(id: $id) { allowedActions } }", {"id": grievance_id},
                            token=token)
    return set(data["grievance"]["allowedActions"]) if data["grievance"] else set()


async def _extra(api, make) -> dict:
    if make is None:
        return {}
    value = make(api)
    return await value if hasattr(value, "__await__") else value


async def test_allowed_actions_are_exactly_the_mutations_that_succeed(api):
    enum = await api.svc.ok('{ __type(name: "GrievanceAction") { enumValues { name } } }', token=COUNTY)
    assert set(ACTIONS) == {v["name"] for v in enum["__type"]["enumValues"]}
    for state, build in STATES.items():
        spare = None
        for role, token in ROLES.items():
            probe = spare or await build(api)
            allowed = await _allowed(api, probe["id"], token)
            succeeded = set()
            spare = probe
            for action, (mutation, make) in ACTIONS.items():
                g = spare or await build(api)
                payload = await api.step(mutation, _cap(mutation) + "Input", token, id=g["id"],
                                         **await _extra(api, make))
                if payload["userErrors"]:
                    spare = g
                else:
                    succeeded.add(action)
                    spare = None
            assert allowed == succeeded, (state, role, sorted(allowed ^ succeeded))
    g = await resolved(api)
    assert await _allowed(api, g["id"], ENTERPRISE) == {"GIVE_FEEDBACK"}


async def test_a_refused_step_says_what_comes_first(api):
    g = await accepted(api)
    payload = await api.step("respondToGrievance", "RespondToGrievanceInput", COUNTY, id=g["id"], reply="答复")
    number = (await api.svc.ok("query($id: ID!) { grievance(id: $id) { number } }", {"id": g["id"]},
                               token=COUNTY))["grievance"]["number"]
    assert payload["userErrors"] == [{"field": ["input", "id"], "code": "INVALID_TRANSITION", "message":
                                      f"Grievance {number} is ACCEPTED: handling must start before the enterprise "
                                      "is answered"}]
