"""`allowedActions` equals the set of mutations that succeed: every action tried on a project in every state,
by a county officer and by a prefecture officer; a refused transition says what must come first."""

from __future__ import annotations

from projects_support import (
    GUIYANG,
    INVESTOR,
    NANMING,
    assessed,
    assessment,
    create,
    get,
    listed,
    mutate,
    ok,
    review,
    signed,
    step,
    tok,
)

ROLES = {"COUNTY": tok("COUNTY", NANMING), "PREFECTURE": tok("PREFECTURE", GUIYANG)}


async def _submitted(svc):
    return await ok(svc, "submitProject", step(await create(svc)))


async def _negotiating(svc):
    return await ok(svc, "startNegotiation", step(await listed(svc)))


async def _returned(svc):
    p = await ok(svc, "submitProject", step(await create(svc)))
    return await ok(svc, "reviewProject", review(p, decision="RETURN", comment="补充用地材料"))


async def _constructing(svc):
    return await ok(svc, "startConstruction", step(await signed(svc), startedOn="2024-02-25"))


async def _producing(svc):
    return await ok(svc, "startProduction", step(await _constructing(svc), startedOn="2024-03-01"))


async def _delisted(svc):
    return await ok(svc, "delistProject", step(await listed(svc), reason="POLICY_CHANGE"))


async def _major(svc):
    return await ok(svc, "setFiveOnes", step(await signed(svc), **FIVE_ONES))


FIVE_ONES = {"responsibleLeader": "王副市长", "workingTeam": ["招商科"], "implementingEntity": "南明区投资促进局"}
STATES = {
    "DRAFT": create, "SUBMITTED": _submitted, "RETURNED": _returned,
    "LISTED": listed, "NEGOTIATING": _negotiating, "NEGOTIATING_ADMITTED": assessed, "SIGNED": signed,
    "SIGNED_MAJOR": _major, "UNDER_CONSTRUCTION": _constructing, "IN_PRODUCTION": _producing,
    "DELISTED": _delisted,
}

ACTIONS = {
    "UPDATE": ("updateProject", lambda p: step(p, summary="补充完善后的简介")),
    "SUBMIT": ("submitProject", step),
    "REVIEW": ("reviewProject", review),
    "START_NEGOTIATION": ("startNegotiation", step),
    "RESUME_PROMOTION": ("resumePromotion", step),
    "DELIST": ("delistProject", lambda p: step(p, reason="PLAN_ADJUSTMENT")),
    "RECORD_ASSESSMENT": ("recordAssessment", lambda p: assessment(p)),
    "SIGN": ("signProject", lambda p: step(p, investorName="贵州茶业集团有限公司", investorCreditCode=INVESTOR,
                                           contractInvestment="100000000", signedOn="2024-02-20")),
    "START_CONSTRUCTION": ("startConstruction", lambda p: step(p, startedOn="2024-02-25")),
    "START_PRODUCTION": ("startProduction", lambda p: step(p, startedOn="2024-03-01")),
    "SET_FIVE_ONES": ("setFiveOnes", lambda p: step(p, **FIVE_ONES)),
    "ADD_MILESTONE": ("addMilestone", lambda p: step(p, title="完成设备安装", dueOn="2024-06-30")),
}


async def _allowed(svc, project_id: str, token: str) -> set[str]:
    data = await svc.ok("query($id: ID!) { project(id: $id) { allowedActions } }", {"id": project_id}, token=token)
    return set(data["project"]["allowedActions"])


async def test_allowed_actions_are_exactly_the_mutations_that_succeed(svc):
    enum = await svc.ok('{ __type(name: "ProjectAction") { enumValues { name } } }', token=tok())
    assert set(ACTIONS) == {v["name"] for v in enum["__type"]["enumValues"]}
    for state, build in STATES.items():
        spare = None  # a record a refused attempt left unchanged is reused
        for role, token in ROLES.items():
            probe = spare or await build(svc)
            allowed = await _allowed(svc, probe["id"], token)
            succeeded = set()
            for action, (mutation, make_input) in ACTIONS.items():
                p = spare or await build(svc)
                p = await get(svc, p["id"])
                payload = await mutate(svc, mutation, make_input(p), ROLES[role], fields="id")
                if payload["userErrors"]:
                    spare = p
                else:
                    succeeded.add(action)
                    spare = None
            assert allowed == succeeded, (state, role, sorted(allowed ^ succeeded))
    # a province caller sees them too; an enterprise none
    p = await listed(svc)
    assert "START_NEGOTIATION" in await _allowed(svc, p["id"], tok())
    assert await _allowed(svc, p["id"], tok("ENTERPRISE", NANMING, credit_code=INVESTOR)) == set()


async def test_a_refused_transition_says_what_must_come_first(svc):
    p = await listed(svc)
    payload = await mutate(svc, "signProject", ACTIONS["SIGN"][1](p))
    assert payload["userErrors"] == [{"field": ["input", "id"], "code": "INVALID_TRANSITION", "message":
                                      f"Project {p['number']} is LISTED: negotiation must start before signing"}]
    payload = await mutate(svc, "startProduction", ACTIONS["START_PRODUCTION"][1](p))
    assert payload["userErrors"][0]["message"].endswith("construction must start before production")

