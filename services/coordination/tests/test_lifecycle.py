"""Case lifecycle through the service's own GraphQL endpoint: every step, escalation through three tiers to a
joint-meeting decision and resolution; illegal transitions change nothing."""

from __future__ import annotations

from coordination_helpers import (
    COUNTY,
    NANMING,
    NATURAL_RESOURCES,
    PREFECTURE,
    PROVINCE,
    YUNYAN,
    counts,
    event_types,
    step,
    submit,
    token,
)

MEETING = """mutation($input: ScheduleJointMeetingInput!) { scheduleJointMeeting(input: $input) {
  meeting { id number status } userErrors { code message } } }"""
PLACE = """mutation($input: PlaceCaseOnAgendaInput!) { placeCaseOnAgenda(input: $input) {
  agendaItem { id state origin } case { status version } userErrors { code message field } } }"""
DECIDE = """mutation($input: DecideAgendaItemInput!) { decideAgendaItem(input: $input) {
  agendaItem { id state decision responsibleDepartment { code } decisionDeadline } case { status leadDepartment { code } version }
  userErrors { code message } } }"""
FOLLOW = """mutation($input: RecordAgendaFollowUpInput!) { recordAgendaFollowUp(input: $input) {
  agendaItem { followUps { progress note } } userErrors { code message } } }"""
READ = """query($id: ID!) { coordinationCase(id: $id) { number status tier history { action actorRole }
  agendaItems { state decision meeting { number status } } } }"""


async def test_case_escalated_through_three_tiers_to_joint_meeting_decision_and_resolution(svc):
    created = await submit(svc)
    assert created["userErrors"] == []
    case = created["case"]
    assert case["number"] == "XT-2025-00001" and case["status"] == "SUBMITTED" and case["tier"] == "COUNTY"
    cid = case["id"]
    case = (await step(svc, "verifyCoordinationCase", COUNTY, id=cid, expectedVersion=1))["case"]
    assert case["status"] == "VERIFIED" and case["version"] == 2
    case = (await step(svc, "classifyCoordinationCase", COUNTY, id=cid, category="FACTOR_GUARANTEE",
                       factorSubtype="LAND"))["case"]
    case = (await step(svc, "assignCoordinationCase", COUNTY, id=cid, leadDepartment="industry_it",
                       coDepartments=["development_reform"]))["case"]
    assert case["status"] == "ASSIGNED" and case["coDepartments"] == [{"code": "development_reform"}]
    case = (await step(svc, "startCoordinationCase", COUNTY, id=cid))["case"]
    assert case["status"] == "IN_PROGRESS"
    case = (await step(svc, "escalateCoordinationCase", COUNTY, id=cid, reason="县级用地指标已用完"))["case"]
    assert case["tier"] == "PREFECTURE" and case["status"] == "IN_PROGRESS"
    # the county no longer coordinates it
    refused = await step(svc, "escalateCoordinationCase", COUNTY, id=cid, reason="再次上报")
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
    case = (await step(svc, "escalateCoordinationCase", PREFECTURE, id=cid, reason="市级无法统筹"))["case"]
    assert case["tier"] == "PROVINCE"
    top = await step(svc, "escalateCoordinationCase", PROVINCE, id=cid, reason="x")
    assert top["userErrors"][0]["code"] == "INVALID_TRANSITION"

    meeting = (await svc.ok(MEETING, {"input": {"title": "2025年第三次省领导小组联席会议", "meetingDate": "2025-10-20",
                                                "chair": "副省长", "attendingDepartments": [NATURAL_RESOURCES]}},
                            token=PROVINCE))["scheduleJointMeeting"]["meeting"]
    assert meeting["number"] == "LX-2025-001" and meeting["status"] == "SCHEDULED"
    placed = (await svc.ok(PLACE, {"input": await svc.with_version({"id": cid, "meetingId": meeting["id"]})},
                           token=PROVINCE))["placeCaseOnAgenda"]
    assert placed["userErrors"] == [] and placed["case"]["status"] == "ON_AGENDA"
    assert placed["agendaItem"]["origin"] == "MANUAL"
    decided = (await svc.ok(DECIDE, {"input": await svc.with_version({"id": placed["agendaItem"]["id"], "decision":
                                               "省自然资源厅统筹调剂用地指标50亩", "responsibleDepartment": NATURAL_RESOURCES,
                                               "deadline": "2025-11-30"})}, token=PROVINCE))["decideAgendaItem"]
    assert decided["case"]["status"] == "DECIDED" and decided["agendaItem"]["state"] == "DECIDED"
    # the responsible department follows up on the decision
    dept = token("DEPARTMENT", department=NATURAL_RESOURCES)
    followed = (await svc.ok(FOLLOW, {"input": await svc.with_version({"id": placed["agendaItem"]["id"], "progress": "DONE",
                                                "note": "指标已下达"})}, token=dept))["recordAgendaFollowUp"]
    assert followed["agendaItem"]["followUps"] == [{"progress": "DONE", "note": "指标已下达"}]
    premature = await step(svc, "confirmCoordinationResolution", COUNTY, id=cid)
    assert premature["userErrors"][0]["code"] == "INVALID_TRANSITION"
    case = (await step(svc, "recordCoordinationSolution", dept, id=cid, solution="调剂用地指标50亩已下达"))["case"]
    # only the raising unit (南明区) confirms
    other = await step(svc, "confirmCoordinationResolution", PROVINCE, id=cid)
    assert other["userErrors"][0]["code"] == "FORBIDDEN"
    case = (await step(svc, "confirmCoordinationResolution", COUNTY, id=cid, expectedVersion=case["version"]))["case"]
    assert case["status"] == "RESOLVED" and case["resolvedWorkingDays"] == 0

    read = (await svc.ok(READ, {"id": cid}, token=COUNTY))["coordinationCase"]
    assert [h["action"] for h in read["history"]] == [
        "SUBMITTED", "VERIFIED", "CLASSIFIED", "ASSIGNED", "STARTED", "ESCALATED", "ESCALATED", "PLACED_ON_AGENDA",
        "DECIDED", "FOLLOWED_UP", "SOLUTION_RECORDED", "RESOLVED"]
    assert read["agendaItems"][0]["meeting"] == {"number": "LX-2025-001", "status": "HELD"}
    assert await event_types(svc) == [
        "submitted", "verified", "classified", "assigned", "started", "escalated", "escalated", "scheduled",
        "placed_on_agenda", "decided", "followed_up", "solution_recorded", "resolved"]


async def test_illegal_transitions_and_bad_input_change_nothing(svc):
    cid = (await submit(svc))["case"]["id"]
    await step(svc, "verifyCoordinationCase", COUNTY, id=cid)
    before = await counts(svc)
    attempts = [
        ("verifyCoordinationCase", COUNTY, {}, "INVALID_TRANSITION"),
        ("rejectCoordinationCase", COUNTY, {"reason": "重复"}, "INVALID_TRANSITION"),
        ("startCoordinationCase", COUNTY, {}, "INVALID_TRANSITION"),
        ("confirmCoordinationResolution", COUNTY, {}, "INVALID_TRANSITION"),
        ("classifyCoordinationCase", COUNTY, {"category": "FACTOR_GUARANTEE"}, "BAD_USER_INPUT"),
        ("classifyCoordinationCase", COUNTY, {"category": "FINANCING", "factorSubtype": "LAND"}, "BAD_USER_INPUT"),
        ("classifyCoordinationCase", COUNTY, {"category": "FINANCING", "expectedVersion": 1}, "CONFLICT"),
        ("escalateCoordinationCase", COUNTY, {"reason": "  "}, "BAD_USER_INPUT"),
        ("classifyCoordinationCase", token("COUNTY", YUNYAN), {"category": "FINANCING"}, "NOT_FOUND"),
        ("classifyCoordinationCase", token("DEPARTMENT", department="finance"), {"category": "FINANCING"}, "NOT_FOUND"),
    ]
    for name, tok, extra, code in attempts:
        payload = await step(svc, name, tok, id=cid, **extra)
        assert payload["case"] is None and payload["userErrors"][0]["code"] == code, (name, payload)
    assert await counts(svc) == before
    body = await svc.graphql(
        "mutation($i: VerifyCoordinationCaseInput!) { verifyCoordinationCase(input: $i) { userErrors { code } } }",
        {"i": {"id": cid, "expectedVersion": 1}}, token=token("ENTERPRISE", credit_code="91520100MA6DLRGX41"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await counts(svc) == before


async def test_submission_validation(svc):
    before = await counts(svc)
    for overrides, code, field in [
        ({"title": " "}, "BAD_USER_INPUT", "title"),
        ({"category": "FACTOR_GUARANTEE", "factorSubtype": None}, "BAD_USER_INPUT", "factorSubtype"),
        ({"regionCode": "999999"}, "BAD_USER_INPUT", "regionCode"),
        ({"regionCode": YUNYAN}, "FORBIDDEN", "regionCode"),
        ({"projectId": "not-a-uuid"}, "BAD_USER_INPUT", "projectId"),
    ]:
        payload = await submit(svc, tok=COUNTY, **overrides)
        assert payload["case"] is None
        assert payload["userErrors"][0]["code"] == code and payload["userErrors"][0]["field"] == ["input", field]
    assert await counts(svc) == before
    prefecture_case = (await submit(svc, tok=PREFECTURE))["case"]
    assert prefecture_case["tier"] == "PREFECTURE" and prefecture_case["number"] == "XT-2025-00001"


async def test_reject_and_close_unresolvable(svc):
    a = (await submit(svc))["case"]["id"]
    rejected = (await step(svc, "rejectCoordinationCase", COUNTY, id=a, reason="不属于项目问题"))["case"]
    assert rejected["status"] == "REJECTED" and rejected["rejectionReason"] == "不属于项目问题"
    again = await step(svc, "escalateCoordinationCase", COUNTY, id=a, reason="x")
    assert again["userErrors"][0]["code"] == "INVALID_TRANSITION"
    b = (await submit(svc))["case"]
    assert b["number"] == "XT-2025-00002"
    await step(svc, "verifyCoordinationCase", COUNTY, id=b["id"])
    closed = (await step(svc, "closeCoordinationCase", COUNTY, id=b["id"], reason="企业已放弃该地块"))["case"]
    assert closed["status"] == "CLOSED_UNRESOLVABLE" and closed["closureReason"] == "企业已放弃该地块"
    assert await event_types(svc) == ["submitted", "rejected", "submitted", "verified", "closed"]
    assert NANMING


async def test_a_form_comes_back_with_every_problem_at_once(svc):
    before = await counts(svc)
    payload = await submit(svc, region=NANMING, title=" ", description="", category="FACTOR_GUARANTEE",
                           factorSubtype=None, regionCode="529999", tok=COUNTY)
    found = {tuple(e["field"]): e["code"] for e in payload["userErrors"]}
    assert found == {("input", "regionCode"): "BAD_USER_INPUT", ("input", "title"): "BAD_USER_INPUT",
                     ("input", "description"): "BAD_USER_INPUT", ("input", "factorSubtype"): "BAD_USER_INPUT"}
    assert await counts(svc) == before
