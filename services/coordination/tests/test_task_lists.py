"""Business-environment task lists (营商环境重点任务清单): the whole lifecycle through supervision and rectification,
refused steps changing nothing, each role's view, and overdue tasks reminded once then escalated once."""

from __future__ import annotations

from datetime import timedelta

from coordination_helpers import ENERGY, GUIYANG, NANMING, PROVINCE, counts, event_types, token

RESULT = "{ %s { id number status version allowedActions } userErrors { field code message } }"


async def call(svc, name: str, field: str, input_: dict, tok: str) -> dict:
    cap = name[0].upper() + name[1:]
    query = f"mutation($i: {cap}Input!) {{ {name}(input: $i) {RESULT % field} }}"
    return (await svc.ok(query, {"i": input_}, token=tok))[name]


async def ok(svc, name, field, input_, tok) -> dict:
    out = await call(svc, name, field, input_, tok)
    assert out["userErrors"] == [], out["userErrors"]
    return out[field]


async def published_task(svc, unit: dict, days: int = 30) -> tuple[dict, dict]:
    lst = await ok(svc, "createTaskList", "taskList", {"regionCode": "520000", "year": 2025,
                                                        "title": "2025年优化营商环境重点任务清单"}, PROVINCE)
    deadline = (svc.runtime.clock.today() + timedelta(days=days)).isoformat()
    task = await ok(svc, "addBusinessEnvironmentTask", "task", {
        "id": lst["id"], "expectedVersion": lst["version"], "title": "压缩企业开办时间", "unit": unit,
        "deadline": deadline, "description": "企业开办全程网办"}, PROVINCE)
    lst = await ok(svc, "publishTaskList", "taskList", {"id": lst["id"], "expectedVersion": lst["version"] + 1},
                   PROVINCE)
    return lst, task


async def test_a_task_goes_through_supervision_and_rectification_to_verification(svc):
    dept = token("DEPARTMENT", department=ENERGY)
    lst, task = await published_task(svc, {"kind": "DEPARTMENT", "code": ENERGY})
    assert lst["status"] == "PUBLISHED" and task["number"] == f"{lst['number']}-001"
    assert task["allowedActions"] == ["CHECK"]  # the issuer, on an open task
    before = await counts(svc)
    refused = await call(svc, "verifyBusinessEnvironmentTask", "task", {"id": task["id"], "expectedVersion": 1},
                         PROVINCE)
    assert refused["userErrors"][0]["code"] == "INVALID_TRANSITION" and "before" in refused["userErrors"][0]["message"]
    other = await call(svc, "reportTaskProgress", "task", {"id": task["id"], "expectedVersion": 1, "percent": 10,
                                                           "text": "启动"}, token("DEPARTMENT", department="commerce"))
    assert other["userErrors"][0]["code"] == "NOT_FOUND"  # another department: answered as missing
    assert await counts(svc) == before
    t = await ok(svc, "reportTaskProgress", "task", {"id": task["id"], "expectedVersion": 1, "percent": 40,
                                                     "text": "已上线企业开办一网通办"}, dept)
    assert t["status"] == "IN_PROGRESS" and t["allowedActions"] == ["REPORT_PROGRESS", "COMPLETE"]
    t = await ok(svc, "recordSupervisionCheck", "task", {
        "id": task["id"], "expectedVersion": t["version"], "checkedOn": svc.runtime.clock.today().isoformat(),
        "inspector": "省政府督查室", "findings": [{"finding": "部分事项仍需线下跑腿",
                                                   "deadline": (svc.runtime.clock.today() + timedelta(days=20)).isoformat()}]},
        PROVINCE)
    rects = (await svc.ok("""query($id: ID!) { businessEnvironmentTasks(filter: {taskListId: $id}) { nodes {
        rectifications { id version status allowedActions } } } }""", {"id": lst["id"]}, token=dept)
             )["businessEnvironmentTasks"]["nodes"][0]["rectifications"]
    (r,) = rects
    assert r["status"] == "OPEN" and r["allowedActions"] == ["SUBMIT"]
    early = await call(svc, "completeBusinessEnvironmentTask", "task", {"id": task["id"],
                                                                        "expectedVersion": t["version"]}, dept)
    assert early["userErrors"][0]["code"] == "INVALID_TRANSITION"  # a rectification is still open
    r = await ok(svc, "submitRectification", "rectification", {"id": r["id"], "expectedVersion": r["version"],
                                                                "report": "已全部改为网上办理"}, dept)
    r = await ok(svc, "rejectRectification", "rectification", {
        "id": r["id"], "expectedVersion": r["version"], "reason": "仍有两项需线下",
        "newDeadline": (svc.runtime.clock.today() + timedelta(days=10)).isoformat()}, PROVINCE)
    assert r["status"] == "OPEN"
    r = await ok(svc, "submitRectification", "rectification", {"id": r["id"], "expectedVersion": r["version"],
                                                                "report": "两项已改"}, dept)
    r = await ok(svc, "acceptRectification", "rectification", {"id": r["id"], "expectedVersion": r["version"]},
                 PROVINCE)
    assert r["status"] == "VERIFIED"
    t = await ok(svc, "completeBusinessEnvironmentTask", "task", {"id": task["id"], "expectedVersion": t["version"]},
                 dept)
    t = await ok(svc, "verifyBusinessEnvironmentTask", "task", {"id": task["id"], "expectedVersion": t["version"]},
                 PROVINCE)
    assert t["status"] == "VERIFIED"
    types = await event_types(svc)
    for kind in ("created", "published", "added", "progress_reported", "checked", "opened", "submitted",
                 "rejected", "verified", "completed"):
        assert kind in types, kind
    lists = "{ taskLists { totalCount } businessEnvironmentTasks { totalCount } }"
    for tok, seen in [(PROVINCE, 1), (dept, 1), (token("DEPARTMENT", department="commerce"), 0),
                      (token("PREFECTURE", GUIYANG), 0), (token("ENTERPRISE", NANMING, credit_code="91520100MA6DLRGX41"), 0)]:
        data = await svc.ok(lists, token=tok)
        assert (data["taskLists"]["totalCount"], data["businessEnvironmentTasks"]["totalCount"]) == (seen, seen), tok


async def test_an_overdue_task_is_reminded_once_then_escalated_once(svc, clock):
    _, task = await published_task(svc, {"kind": "REGION", "code": NANMING}, days=3)
    run = "mutation { runCoordinationDeadlineCheck { taskReminders taskEscalations } }"
    assert (await svc.ok(run, token=PROVINCE))["runCoordinationDeadlineCheck"] == {"taskReminders": 0,
                                                                                   "taskEscalations": 0}
    clock.advance(days=4)
    assert (await svc.ok(run, token=PROVINCE))["runCoordinationDeadlineCheck"]["taskReminders"] == 1
    assert (await svc.ok(run, token=PROVINCE))["runCoordinationDeadlineCheck"]["taskReminders"] == 0  # once
    clock.advance(days=20)  # past the reminder's new deadline (5 working days)
    assert (await svc.ok(run, token=PROVINCE))["runCoordinationDeadlineCheck"]["taskEscalations"] == 1
    assert (await svc.ok(run, token=PROVINCE))["runCoordinationDeadlineCheck"] == {"taskReminders": 0,
                                                                                   "taskEscalations": 0}
    node = (await svc.ok("{ businessEnvironmentTasks(filter: {overdue: true}) { nodes { remindedAt escalatedAt } } }",
                         token=token("COUNTY", NANMING)))["businessEnvironmentTasks"]["nodes"]
    assert len(node) == 1 and node[0]["remindedAt"] and node[0]["escalatedAt"]
    assert (await event_types(svc)).count("overdue") == 2
