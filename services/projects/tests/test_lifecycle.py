"""The lifecycle through GraphQL: every allowed transition, every refused one, assessments, delisting, events."""

from __future__ import annotations

import pytest
from projects_support import (
    INVESTOR,
    NANMING,
    assessed,
    assessment,
    counts,
    create,
    draft,
    get,
    history,
    listed,
    mutate,
    ok,
    outbox,
    review,
    signed,
    step,
    tok,
)

BASICS = {"projectId", "number", "name", "regionCode", "prefectureCode", "category", "chainCode", "status", "board",
          "premium", "totalInvestment"}
CONTRACT_KEYS = {"stage_changed": BASICS | {"stage", "previousStage", "contractInvestment"},
                 "delisted": BASICS | {"reason"}}


async def test_happy_path_through_every_stage(svc):
    p = await create(svc, ndrcCode="2024-520102-13-03-000123", premium=True)
    assert (p["status"], p["category"], p["version"]) == ("DRAFT", "AGRICULTURE", 1)
    p = await ok(svc, "submitProject", step(p, comment="请审核"))
    assert p["status"] == "SUBMITTED"
    p = await ok(svc, "reviewProject", review(p, comment="符合五有"))
    assert p["status"] == "LISTED" and p["stale"] is False
    p = await ok(svc, "startNegotiation", step(p))
    assert p["status"] == "NEGOTIATING"
    p = await ok(svc, "resumePromotion", step(p, comment="洽谈未果"))
    assert p["status"] == "LISTED"
    p = await ok(svc, "startNegotiation", step(p))
    await ok(svc, "recordAssessment", assessment(p))
    p = await get(svc, p["id"])
    p = await ok(svc, "signProject", step(p, investorName="贵州茶业集团有限公司", investorCreditCode=INVESTOR,
                                          contractInvestment="100000000.5", signedOn="2024-02-20"))
    assert (p["status"], p["contractInvestment"], p["investorCreditCode"]) == ("SIGNED", "100000000.50", INVESTOR)
    p = await ok(svc, "startConstruction", step(p, startedOn="2024-02-25"))
    assert (p["status"], p["constructionStartedOn"]) == ("UNDER_CONSTRUCTION", "2024-02-25")
    p = await ok(svc, "startProduction", step(p, startedOn="2024-03-01"))
    assert p["status"] == "IN_PRODUCTION"

    assert await history(svc, p["id"]) == [
        "CREATED", "SUBMITTED", "LISTED", "NEGOTIATION_STARTED", "PROMOTION_RESUMED", "NEGOTIATION_STARTED",
        "ASSESSED", "SIGNED", "CONSTRUCTION_STARTED", "PRODUCTION_STARTED"]
    types = [e["type"].split(".")[3] for e in await outbox(svc)]
    assert types == ["created", "submitted", "listed", "negotiation_started", "promotion_resumed",
                     "negotiation_started", "assessment_completed", "stage_changed", "stage_changed", "stage_changed"]
    # every state change emits exactly one event, as many as the history has rows
    assert len(types) == len(await history(svc, p["id"]))
    stages = await outbox(svc, "stage_changed")
    assert all(set(e["data"]) == CONTRACT_KEYS["stage_changed"] for e in stages)
    assert [(e["data"]["previousStage"], e["data"]["stage"]) for e in stages] == [
        ("NEGOTIATING", "SIGNED"), ("SIGNED", "UNDER_CONSTRUCTION"), ("UNDER_CONSTRUCTION", "IN_PRODUCTION")]
    first = stages[0]
    assert first["data"] | {"projectId": None} == {
        "projectId": None, "number": p["number"], "name": "茶叶精深加工项目", "regionCode": NANMING,
        "prefectureCode": "520100", "category": "AGRICULTURE", "chainCode": "AGR_TEA", "status": "SIGNED",
        "board": "PREFECTURE", "premium": True, "stage": "SIGNED", "previousStage": "NEGOTIATING",
        "totalInvestment": "120000000.00", "contractInvestment": "100000000.50"}
    assert first["subject"] == p["id"] and first["regioncode"] == NANMING
    listed_event = (await outbox(svc, "listed"))[0]["data"]
    assert listed_event["premium"] is True and listed_event["board"] == "PREFECTURE"


async def test_returned_project_is_supplemented_and_resubmitted(svc):
    p = await create(svc)
    p = await ok(svc, "submitProject", step(p))
    refused = await mutate(svc, "reviewProject", review(p, decision="RETURN"))
    assert refused["userErrors"][0]["field"] == ["input", "comment"]
    refused = await mutate(svc, "reviewProject", review(p, taxRevenue=False))
    assert refused["userErrors"][0]["field"] == ["input", "fiveHaves"]
    county = await mutate(svc, "reviewProject", review(p, comment="x"), token=tok("COUNTY", NANMING))
    assert county["userErrors"][0]["code"] == "FORBIDDEN"
    p = await ok(svc, "reviewProject", review(p, decision="RETURN", comment="补充用地情况"),
                 token=tok("PREFECTURE", "520100"))
    assert p["status"] == "RETURNED"
    p = await ok(svc, "updateProject", step(p, landMu="120.5", name="茶叶精深加工（二期）"))
    assert p["name"] == "茶叶精深加工（二期）"
    p = await ok(svc, "submitProject", step(p))
    p = await ok(svc, "reviewProject", review(p))
    assert p["status"] == "LISTED"
    assert [e["type"].split(".")[3] for e in await outbox(svc)] == [
        "created", "submitted", "returned", "updated", "submitted", "listed"]
    updated = (await outbox(svc, "updated"))[0]["data"]
    assert updated["changes"] == {"name": {"from": "茶叶精深加工项目", "to": "茶叶精深加工（二期）"},
                                  "landMu": {"from": None, "to": "120.50"}}
    returned = (await outbox(svc, "returned"))[0]["data"]
    assert returned["comment"] == "补充用地情况" and returned["totalInvestment"] == "120000000.00"


# status reached → mutations that must be refused there
REFUSED = {
    "DRAFT": ["reviewProject", "startNegotiation", "resumePromotion", "signProject", "startConstruction",
              "startProduction"],
    "LISTED": ["submitProject", "reviewProject", "resumePromotion", "signProject", "startConstruction"],
    "SIGNED": ["submitProject", "reviewProject", "startNegotiation", "delistProject", "startProduction",
               "updateProject", "signProject"],
    "IN_PRODUCTION": ["startConstruction", "startProduction", "delistProject", "submitProject"],
    "DELISTED": ["submitProject", "startNegotiation", "delistProject", "updateProject", "signProject"],
}


def _input(name: str, p: dict) -> dict:
    extra = {
        "reviewProject": review(p),
        "signProject": step(p, investorName="某公司", investorCreditCode=INVESTOR, contractInvestment="1",
                            signedOn="2024-02-20"),
        "startConstruction": step(p, startedOn="2024-02-28"),
        "startProduction": step(p, startedOn="2024-02-29"),
        "delistProject": step(p, reason="POLICY_CHANGE"),
        "updateProject": step(p, name="改名"),
    }
    return extra.get(name, step(p))


async def _reach(svc, status: str) -> dict:
    if status == "DRAFT":
        return await create(svc)
    if status == "LISTED":
        return await listed(svc)
    p = await signed(svc)
    if status == "IN_PRODUCTION":
        p = await ok(svc, "startConstruction", step(p, startedOn="2024-02-25"))
        p = await ok(svc, "startProduction", step(p, startedOn="2024-02-26"))
    if status == "DELISTED":
        p = await ok(svc, "delistProject", step(await listed(svc), reason="LANDED"))
    return p


@pytest.mark.parametrize("status", list(REFUSED))
async def test_disallowed_transitions_are_refused_and_change_nothing(svc, status):
    p = await _reach(svc, status)
    before = await counts(svc)
    for name in REFUSED[status]:
        payload = await mutate(svc, name, _input(name, p))
        assert payload["project"] is None, name
        assert payload["userErrors"][0]["code"] == "INVALID_TRANSITION", (name, payload["userErrors"])
    assert await counts(svc) == before
    assert (await get(svc, p["id"]))["status"] == status


async def test_signing_needs_an_admitting_assessment(svc):
    p = await listed(svc)
    p = await ok(svc, "startNegotiation", step(p))
    sign = step(p, investorName="贵州茶业集团有限公司", investorCreditCode=INVESTOR, contractInvestment="5",
                signedOn="2024-02-20")
    refused = await mutate(svc, "signProject", sign)
    assert refused["userErrors"][0]["code"] == "ASSESSMENT_REQUIRED"
    bad = await mutate(svc, "recordAssessment", assessment(p, "APPROVED", {"EMISSIONS": "CONDITIONAL"}))
    assert bad["userErrors"][0]["field"] == ["input", "conclusion"]
    await ok(svc, "recordAssessment", assessment(p, "REJECTED", {"EMISSIONS": "FAIL"}))
    sign["expectedVersion"] = (await get(svc, p["id"]))["version"]
    assert (await mutate(svc, "signProject", sign))["userErrors"][0]["code"] == "ASSESSMENT_REQUIRED"
    fields = "id version latestAssessment { conclusion permitsSigning conditions { id met description } }"
    conditional = await ok(svc, "recordAssessment", assessment(
        p, "CONDITIONAL", {"ENERGY_QUOTA": "CONDITIONAL"}, ["落实能耗指标", "取得环评批复"]), fields=fields)
    conditions = conditional["latestAssessment"]["conditions"]
    assert [c["met"] for c in conditions] == [False, False]
    sign["expectedVersion"] = conditional["version"]
    refused = await mutate(svc, "signProject", sign)
    assert "落实能耗指标" in refused["userErrors"][0]["message"]
    await ok(svc, "meetAssessmentCondition", {"id": conditions[0]["id"], "evidence": "已调剂"}, fields=fields)
    assert (await mutate(svc, "signProject", sign))["userErrors"][0]["code"] == "ASSESSMENT_REQUIRED"
    done = await ok(svc, "meetAssessmentCondition", {"id": conditions[1]["id"]}, fields=fields)
    assert done["latestAssessment"]["permitsSigning"] is True
    p = await ok(svc, "signProject", sign)
    assert p["status"] == "SIGNED"
    departments = (await get(svc, p["id"], fields="assessments { dimensions { department { code name } } }"))["assessments"]
    assert len(departments) == 2  # the refused one left nothing behind
    assert {"code": "natural_resources", "name": "贵州省自然资源厅"} in departments[0]["dimensions"][5].values()


async def test_delisting_with_each_reason(svc):
    reasons = ["POLICY_CHANGE", "PLAN_ADJUSTMENT", "LANDED", "INACCURATE", "EXPIRED", "OTHER"]
    for reason in reasons:
        p = await listed(svc)
        if reason == "OTHER":
            refused = await mutate(svc, "delistProject", step(p, reason="OTHER"))
            assert refused["userErrors"][0]["field"] == ["input", "comment"]
        p = await ok(svc, "delistProject", step(p, reason=reason, comment="规划调整后不再适用"))
        assert (p["status"], p["delistReason"]) == ("DELISTED", reason)
        assert (await history(svc, p["id"]))[-1] == "DELISTED"
    events = await outbox(svc, "delisted")
    assert [e["data"]["reason"] for e in events] == reasons
    assert all(set(e["data"]) == CONTRACT_KEYS["delisted"] for e in events)


async def test_delisting_from_draft_and_negotiation(svc):
    draft = await ok(svc, "delistProject", step(await create(svc), reason="EXPIRED"))
    negotiating = await assessed(svc)
    negotiating = await ok(svc, "delistProject", step(negotiating, reason="LANDED"))
    assert draft["status"] == negotiating["status"] == "DELISTED"


async def test_stale_version_and_bad_input_are_user_errors(svc):
    p = await create(svc)
    await ok(svc, "updateProject", step(p, summary="新简介"))
    stale = await mutate(svc, "submitProject", step(p))
    assert stale["userErrors"][0]["code"] == "CONFLICT"
    before = await counts(svc)
    cases = [
        ({"ndrcCode": "2024-520102-13-09-000123"}, ["input", "ndrcCode"]),
        ({"ndrcCode": "20245201021303"}, ["input", "ndrcCode"]),
        ({"chainCode": "NOPE"}, ["input", "chainCode"]),
        ({"category": "INDUSTRY"}, ["input", "category"]),
        ({"totalInvestment": "-1"}, ["input", "totalInvestment"]),
        ({"regionCode": "520000"}, ["input", "regionCode"]),
    ]
    for extra, field in cases:
        payload = await mutate(svc, "createProject", {**_draft(), **extra}, token=tok())
        assert payload["userErrors"][0]["field"] == field, extra
    p = await assessed(svc)
    bad_code = await mutate(svc, "signProject", step(p, investorName="x", investorCreditCode="91520102MA6DJXW59X",
                                                     contractInvestment="1", signedOn="2024-02-20"))
    assert bad_code["userErrors"][0]["field"] == ["input", "investorCreditCode"]
    future = await mutate(svc, "signProject", step(p, investorName="x", investorCreditCode=INVESTOR,
                                                   contractInvestment="1", signedOn="2024-09-20"))
    assert future["userErrors"][0]["field"] == ["input", "signedOn"]
    assert (await counts(svc))[1:] != before[1:]  # the assessed project itself was created meanwhile
    compact = await ok(svc, "createProject", {**_draft(), "ndrcCode": "20245201021303000123"}, token=tok(),
                       fields="ndrcCode")
    assert compact["ndrcCode"] == "2024-520102-13-03-000123"


def _draft():
    from projects_support import draft

    return draft()


async def test_a_form_comes_back_with_every_problem_at_once(svc):
    before = await counts(svc)
    payload = await mutate(svc, "createProject", draft(name=" ", totalInvestment="-5", leadDepartment="自然资原厅",
                                                       chainCode="NO_SUCH_CHAIN", ndrcCode="2024-1"),
                           tok("COUNTY", NANMING))
    assert payload["project"] is None
    problems = {tuple(e["field"]): e["code"] for e in payload["userErrors"]}
    assert problems == {("input", "name"): "BAD_USER_INPUT", ("input", "totalInvestment"): "BAD_USER_INPUT",
                        ("input", "leadDepartment"): "BAD_USER_INPUT", ("input", "chainCode"): "BAD_USER_INPUT",
                        ("input", "ndrcCode"): "BAD_USER_INPUT"}, payload["userErrors"]
    assert await counts(svc) == before
