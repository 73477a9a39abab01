"""The grievance lifecycle through the subgraph: every step, return and re-dispatch, merge, reopen, refusals."""

from __future__ import annotations

import pytest
from grievance_support import ACME, COUNTY, NANMING, PROVINCE, YUNYAN, tok

NATRES = tok("DEPARTMENT", department="natural_resources", subject="dept-natres")
ENERGY = tok("DEPARTMENT", department="energy", subject="dept-energy")
ENTERPRISE = tok("ENTERPRISE", NANMING, credit_code=ACME, subject="acme-user")
UNIT_NATRES = {"kind": "DEPARTMENT", "code": "natural_resources"}
UNIT_ENERGY = {"kind": "DEPARTMENT", "code": "energy"}

HISTORY = "query($id: ID!) { grievance(id: $id) { status history { action actorRole } assignments { unit { code } role state round returnReason } } }"


async def test_full_lifecycle_with_return_redispatch_and_reopen(api):
    g = await api.file()
    assert g["status"] == "RECEIVED" and g["number"] == "ZTC-2023-00001" and g["channel"] == "HOTLINE_CALL"
    gid = g["id"]
    s = await api.ok_step("acceptGrievance", "AcceptGrievanceInput", COUNTY, id=gid,
                          expectedVersion=g["version"])
    assert (s["status"], s["validity"]) == ("ACCEPTED", "VALID")
    s = await api.ok_step("assignGrievance", "AssignGrievanceInput", COUNTY, id=gid,
                          leadUnit=UNIT_NATRES, coHandlers=[UNIT_ENERGY])
    assert s["status"] == "ASSIGNED" and s["leadUnit"] == UNIT_NATRES
    s = await api.ok_step("returnAssignment", "ReturnAssignmentInput", NATRES, id=gid,
                          reason="不属于本部门职责")
    assert s["status"] == "RETURNED" and s["handlingUnits"] == []
    s = await api.ok_step("assignGrievance", "AssignGrievanceInput", COUNTY, id=gid,
                          leadUnit=UNIT_ENERGY, coHandlers=[])
    assert s["status"] == "ASSIGNED" and s["leadUnit"] == UNIT_ENERGY
    await api.ok_step("startGrievanceHandling", "StartGrievanceHandlingInput", ENERGY, id=gid)
    api.clock.advance(days=1)
    await api.ok_step("respondToGrievance", "RespondToGrievanceInput", ENERGY, id=gid,
                      reply="已协调供电局上门办理。")
    await api.ok_step("resolveGrievance", "ResolveGrievanceInput", ENERGY, id=gid,
                      resolution="已通电。")
    s = await api.ok_step("giveFeedback", "GiveFeedbackInput", ENTERPRISE, id=gid,
                          rating="UNSATISFIED", comment="电压不稳")
    assert (s["status"], s["reopenCount"]) == ("IN_PROGRESS", 1)
    await api.ok_step("respondToGrievance", "RespondToGrievanceInput", ENERGY, id=gid, reply="已更换变压器")
    await api.ok_step("resolveGrievance", "ResolveGrievanceInput", ENERGY, id=gid, resolution="电压正常")
    s = await api.ok_step("giveFeedback", "GiveFeedbackInput", ENTERPRISE, id=gid, rating="SATISFIED")
    assert (s["status"], s["reopenCount"]) == ("CLOSED", 1)

    assert await api.events(gid) == ["received", "accepted", "assigned", "returned", "assigned",
                                     "handling_started", "responded", "resolved", "reopened", "responded",
                                     "resolved", "closed"]
    data = await api.svc.ok(HISTORY, {"id": gid}, token=PROVINCE)
    actions = [h["action"] for h in data["grievance"]["history"]]
    assert actions == ["RECEIVED", "ACCEPTED", "ASSIGNED", "RETURNED", "REDISPATCHED", "HANDLING_STARTED",
                       "RESPONDED", "RESOLVED", "REOPENED", "RESPONDED", "RESOLVED", "CLOSED"]
    assert data["grievance"]["assignments"] == [
        {"unit": {"code": "natural_resources"}, "role": "LEAD", "state": "RETURNED", "round": 1,
         "returnReason": "不属于本部门职责"},
        {"unit": {"code": "energy"}, "role": "CO_HANDLER", "state": "RETURNED", "round": 1, "returnReason": None},
        {"unit": {"code": "energy"}, "role": "LEAD", "state": "ACTIVE", "round": 2, "returnReason": None},
    ]
    # no event carries the phone number or the contact's name
    dump = await api.scalar("SELECT string_agg(event::text, ' ') FROM outbox")
    assert "13812345678" not in dump and "张三" not in dump


async def _snapshot(api):
    return await api.rows("SELECT id, status, version, validity, merged_into_id, unit_keys FROM grievances ORDER BY id"), \
        await api.scalar("SELECT count(*) FROM outbox"), await api.scalar("SELECT count(*) FROM audit_history")


ILLEGAL = [
    ("resolveGrievance", "ResolveGrievanceInput", {"resolution": "x"}),
    ("respondToGrievance", "RespondToGrievanceInput", {"reply": "x"}),
    ("startGrievanceHandling", "StartGrievanceHandlingInput", {}),
    ("giveFeedback", "GiveFeedbackInput", {"rating": "SATISFIED"}),
    ("returnAssignment", "ReturnAssignmentInput", {"reason": "x"}),
]


@pytest.mark.parametrize(("name", "input_type", "extra"), ILLEGAL)
async def test_illegal_transitions_change_nothing(api, name, input_type, extra):
    g = await api.file()
    before = await _snapshot(api)
    payload = await api.step(name, input_type, PROVINCE, id=g["id"], **extra)
    assert payload["grievance"] is None
    assert payload["userErrors"][0]["code"] in ("INVALID_TRANSITION", "FORBIDDEN")
    assert await _snapshot(api) == before


async def test_refusals_after_closing_and_stale_versions(api):
    g = await api.file()
    gid = g["id"]
    await api.ok_step("rejectGrievance", "RejectGrievanceInput", COUNTY, id=gid, reason="非企业诉求")
    before = await _snapshot(api)
    for name, typ, extra in [("acceptGrievance", "AcceptGrievanceInput", {}),
                             ("assignGrievance", "AssignGrievanceInput", {"leadUnit": UNIT_ENERGY}),
                             ("mergeGrievance", "MergeGrievanceInput", {"intoId": gid})]:
        payload = await api.step(name, typ, COUNTY, id=gid, **extra)
        assert payload["userErrors"][0]["code"] in ("INVALID_TRANSITION", "BAD_USER_INPUT"), payload
    assert await _snapshot(api) == before
    other = await api.file()
    payload = await api.step("acceptGrievance", "AcceptGrievanceInput", COUNTY, id=other["id"],
                             expectedVersion=other["version"] + 5)
    assert payload["userErrors"][0]["code"] == "CONFLICT"
    payload = await api.step("acceptGrievance", "AcceptGrievanceInput", tok("COUNTY", YUNYAN),
                             id=other["id"])
    assert payload["userErrors"][0]["code"] == "NOT_FOUND"
    payload = await api.step("returnAssignment", "ReturnAssignmentInput", ENERGY, id=other["id"], reason="x")
    assert payload["userErrors"][0]["code"] == "NOT_FOUND"


async def test_merge_links_duplicate_and_duplicates_follow(api):
    a = await api.file()
    b = await api.file(channel="LETTER")
    c = await api.file(channel="ONLINE")
    await api.ok_step("acceptGrievance", "AcceptGrievanceInput", COUNTY, id=a["id"])
    s = await api.ok_step("mergeGrievance", "MergeGrievanceInput", COUNTY, id=c["id"], intoId=b["id"])
    assert (s["status"], s["validity"]) == ("MERGED", "DUPLICATE")
    await api.ok_step("mergeGrievance", "MergeGrievanceInput", COUNTY, id=b["id"], intoId=a["id"])
    q = "query($id: ID!) { grievance(id: $id) { duplicates { id } mergedInto { id } } }"
    data = await api.svc.ok(q, {"id": a["id"]}, token=PROVINCE)
    assert sorted(d["id"] for d in data["grievance"]["duplicates"]) == sorted([b["id"], c["id"]])
    data = await api.svc.ok(q, {"id": c["id"]}, token=PROVINCE)
    assert data["grievance"]["mergedInto"] == {"id": a["id"]}
    payload = await api.step("mergeGrievance", "MergeGrievanceInput", COUNTY, id=a["id"], intoId=b["id"])
    assert payload["userErrors"][0]["code"] == "INVALID_TRANSITION"
    assert await api.events(c["id"]) == ["received", "merged"]


async def test_validation_of_credit_code_and_phone(api):
    for field, value in [("creditCode", "91520102MA6DQ00004"), ("contactPhone", "12345"),
                         ("regionCode", "999999"), ("title", " ")]:
        data = await api.svc.ok(
            "mutation($input: FileGrievanceInput!) { fileGrievance(input: $input) { grievance { id } "
            "userErrors { field code } } }", {"input": __import__("grievance_support").grievance_input(**{field: value})},
            token=COUNTY)
        assert data["fileGrievance"] == {"grievance": None, "userErrors": [{"field": ["input", field], "code": "BAD_USER_INPUT"}]}
    assert await api.scalar("SELECT count(*) FROM grievances") == 0
    assert await api.scalar("SELECT count(*) FROM outbox") == 0
    g = await api.file(contactPhone="0851-85551234")
    assert g["contactPhone"] == "851****1234"


async def test_co_handler_withdraws_only_its_own_part(api):
    g = await api.file()
    await api.ok_step("acceptGrievance", "AcceptGrievanceInput", COUNTY, id=g["id"])
    await api.ok_step("assignGrievance", "AssignGrievanceInput", COUNTY, id=g["id"],
                      leadUnit=UNIT_NATRES, coHandlers=[UNIT_ENERGY])
    s = await api.ok_step("returnAssignment", "ReturnAssignmentInput", ENERGY, id=g["id"], reason="非本部门")
    assert s["status"] == "ASSIGNED" and s["handlingUnits"] == [UNIT_NATRES]
    # the energy department no longer sees the case; the lead unit carries on
    body = await api.svc.graphql("query($id: ID!) { grievance(id: $id) { id } }", {"id": g["id"]}, token=ENERGY)
    assert body == {"data": {"grievance": None}}
    await api.ok_step("startGrievanceHandling", "StartGrievanceHandlingInput", NATRES, id=g["id"])


async def test_handling_units_resolve_to_departments_and_regions_and_typos_are_refused(api):
    g = await api.file()
    await api.ok_step("acceptGrievance", "AcceptGrievanceInput", COUNTY, id=g["id"])
    typo = await api.step("assignGrievance", "AssignGrievanceInput", COUNTY, id=g["id"],
                          leadUnit={"kind": "DEPARTMENT", "code": "自然资原厅"},
                          coHandlers=[{"kind": "REGION", "code": "520000"}])
    assert typo["grievance"] is None
    assert typo["userErrors"][0]["field"] == ["input", "leadUnit", "code"]
    await api.ok_step("assignGrievance", "AssignGrievanceInput", COUNTY, id=g["id"], leadUnit=UNIT_NATRES,
                      coHandlers=[{"kind": "REGION", "code": NANMING}])
    units = (await api.svc.ok("query($id: ID!) { grievance(id: $id) { leadUnit { department { name } } "
                              "handlingUnits { kind department { code } region { name } } } }",
                              {"id": g["id"]}, token=COUNTY))["grievance"]
    assert units["leadUnit"] == {"department": {"name": "贵州省自然资源厅"}}
    assert sorted(units["handlingUnits"], key=lambda u: u["kind"]) == [
        {"kind": "DEPARTMENT", "department": {"code": "natural_resources"}, "region": None},
        {"kind": "REGION", "department": None, "region": {"name": "南明区"}}]


async def test_a_filing_comes_back_with_every_problem_at_once(api):
    from grievance_support import FILE, grievance_input

    before = await api.scalar("SELECT count(*) FROM grievances")
    data = await api.svc.ok(FILE, {"input": grievance_input(creditCode="91520102MA6DQ00010", contactPhone="12345",
                                                            title="  ", regionCode="529999")}, token=COUNTY)
    errors = data["fileGrievance"]["userErrors"]
    assert {tuple(e["field"]): e["code"] for e in errors} == {
        ("input", "creditCode"): "BAD_USER_INPUT", ("input", "contactPhone"): "BAD_USER_INPUT",
        ("input", "title"): "BAD_USER_INPUT", ("input", "regionCode"): "BAD_USER_INPUT"}, errors
    assert await api.scalar("SELECT count(*) FROM grievances") == before
