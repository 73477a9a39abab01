"""Department letters: working-day deadlines across a public holiday, acknowledgement, feedback; the scheduler in
two replicas on one database makes overdue → reminder → agenda proposal happen exactly once each."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from coordination_helpers import (
    ENERGY,
    NATURAL_RESOURCES,
    PROVINCE,
    SEND_LETTER,
    counts,
    event_types,
    step,
    submit,
    token,
)
from qianzhao.common.testing import running_service
from qianzhao.common.workdays import add_working_days
from qianzhao.coordination.app import SERVICE
from qianzhao.coordination.letter.scheduler import run_deadline_check
from sqlalchemy import text

ACK = """mutation($input: AcknowledgeDepartmentLetterInput!) { acknowledgeDepartmentLetter(input: $input) {
  letter { status acknowledgedAt } userErrors { code message } } }"""
FEEDBACK = """mutation($input: SubmitLetterFeedbackInput!) { submitLetterFeedback(input: $input) {
  letter { status feedbackText proposedSolution overdue } userErrors { code message } } }"""
LETTERS = """query($d: String, $o: Boolean) { departmentLetters(filter: { department: $d, overdue: $o }) { totalCount
  nodes { number department { code } overdue overdueCount deadline reminders { sequence newDeadline } case { number } } } }"""
MEETING = """mutation($input: ScheduleJointMeetingInput!) { scheduleJointMeeting(input: $input) { meeting { id } } }"""
CASE = """query($id: ID!) { coordinationCase(id: $id) { status agendaProposedAt
  agendaItems { state origin meeting { number } } letters { number overdueCount status } } }"""


async def province_case(svc) -> str:
    cid = (await submit(svc, region="520000", tok=PROVINCE))["case"]["id"]
    await step(svc, "verifyCoordinationCase", PROVINCE, id=cid)
    return cid


async def test_deadline_spans_the_national_day_holiday_and_department_answers(svc, clock):
    cid = await province_case(svc)
    sent = (await svc.ok(SEND_LETTER, {"input": await svc.with_version({"id": cid, "department": NATURAL_RESOURCES,
                                                 "content": "请协调解决项目用地指标"})}, token=PROVINCE))["sendDepartmentLetter"]
    assert sent["userErrors"] == []
    letter = sent["letter"]
    # Fri 26 Sep 2025 + 10 working days: 28 Sep (make-up Sunday), 29, 30 Sep, [1–8 Oct holiday], 9, 10,
    # 11 Oct (make-up Saturday), 13, 14, 15, 16 Oct → due at the end of 16 Oct, Shanghai time
    assert letter["deadline"] == "2025-10-16T16:00:00+00:00" == letter["firstDeadline"]
    assert letter["number"] == "XTH-2025-00001" and letter["status"] == "SENT" and not letter["overdue"]
    assert sent["case"]["coDepartments"] == [{"code": NATURAL_RESOURCES}]
    dept = token("DEPARTMENT", department=NATURAL_RESOURCES)
    other = token("DEPARTMENT", department=ENERGY)
    assert (await svc.ok(ACK, {"input": await svc.with_version({"id": letter["id"]})}, token=other)
            )["acknowledgeDepartmentLetter"]["userErrors"][0]["code"] == "NOT_FOUND"
    ack = (await svc.ok(ACK, {"input": await svc.with_version({"id": letter["id"]})}, token=dept))["acknowledgeDepartmentLetter"]
    assert ack["letter"]["status"] == "ACKNOWLEDGED"
    again = (await svc.ok(ACK, {"input": await svc.with_version({"id": letter["id"]})}, token=dept))["acknowledgeDepartmentLetter"]
    assert again["userErrors"][0]["code"] == "INVALID_TRANSITION"
    clock.set(datetime(2025, 10, 16, 15, 59, tzinfo=UTC))
    assert (await svc.ok(LETTERS, {"o": True}, token=PROVINCE))["departmentLetters"]["totalCount"] == 0
    clock.set(datetime(2025, 10, 16, 16, 0, tzinfo=UTC))
    late = (await svc.ok(LETTERS, {"o": True}, token=dept))["departmentLetters"]
    assert late["totalCount"] == 1 and late["nodes"][0]["overdue"]
    answered = (await svc.ok(FEEDBACK, {"input": await svc.with_version({"id": letter["id"], "text": "已研究，拟调剂指标",
                                                  "proposedSolution": "从省级预留指标中调剂50亩"})}, token=dept)
                )["submitLetterFeedback"]
    assert answered["letter"]["status"] == "ANSWERED" and not answered["letter"]["overdue"]
    assert (await svc.ok(LETTERS, {"o": True}, token=PROVINCE))["departmentLetters"]["totalCount"] == 0
    # a department asks only for its own letters
    body = await svc.graphql(LETTERS, {"d": NATURAL_RESOURCES}, token=other)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await event_types(svc) == ["submitted", "verified", "letter_sent", "letter_acknowledged",
                                      "feedback_received"]


async def test_bad_letters_change_nothing(svc):
    cid = (await submit(svc))["case"]["id"]
    before = await counts(svc)
    for extra, code in [({}, "INVALID_TRANSITION"), ({"feedbackWorkingDays": 0}, "BAD_USER_INPUT"),
                        ({"department": " "}, "BAD_USER_INPUT"), ({"expectedVersion": 7}, "CONFLICT")]:
        payload = (await svc.ok(SEND_LETTER, {"input": await svc.with_version({"id": cid, "department": ENERGY, "content": "请支持用电"})
                                              | extra}, token=PROVINCE))["sendDepartmentLetter"]
        assert payload["letter"] is None and payload["userErrors"][0]["code"] == code
    assert await counts(svc) == before


async def _wait_for(svc, sql: str, expected: int) -> None:
    for _ in range(200):
        async with svc.runtime.engine.connect() as conn:
            if await conn.scalar(text(sql)) == expected:
                return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{sql} never reached {expected}")


async def test_overdue_reminder_and_agenda_proposal_happen_once_with_two_scheduler_replicas(
        databases, nats_server, clock):
    url = databases.fresh(SERVICE)
    async with running_service(SERVICE, database_url=url, nats_url=nats_server.url, clock=clock,
                               deadline_check_seconds=0.05) as a, \
            running_service(SERVICE, database_url=url, nats_url=nats_server.url, clock=clock,
                            deadline_check_seconds=0.05) as b:
        cid = await province_case(a)
        meeting = (await a.ok(MEETING, {"input": {"title": "联席会议", "meetingDate": "2025-11-20", "chair": "副省长"}},
                              token=PROVINCE))["scheduleJointMeeting"]["meeting"]
        letter = (await b.ok(SEND_LETTER, {"input": await b.with_version({"id": cid, "department": NATURAL_RESOURCES,
                                                     "content": "请协调用地"})}, token=PROVINCE))["sendDepartmentLetter"]
        assert letter["userErrors"] == []

        async def hammer():
            results = await asyncio.gather(*[run_deadline_check(s.runtime) for s in (a, b) for _ in range(3)])
            return [r for r in results if r.ran]

        assert all(r.overdue == 0 for r in await hammer())  # not due yet
        clock.set(datetime(2025, 10, 17, 1, 0, tzinfo=UTC))  # the morning after the deadline
        await _wait_for(a, "SELECT count(*) FROM letter_reminders", 1)
        await hammer()
        await asyncio.sleep(0.2)  # more background rounds in both replicas
        new_deadline = add_working_days(clock.now(), 5)
        letters = (await a.ok(LETTERS, {"o": True}, token=PROVINCE))["departmentLetters"]["nodes"]
        assert letters[0]["overdueCount"] == 1
        assert letters[0]["reminders"] == [{"sequence": 1, "newDeadline": new_deadline.isoformat()}]
        assert letters[0]["deadline"] == new_deadline.isoformat()
        assert (await event_types(a)).count("letter_overdue") == 1
        assert (await event_types(a)).count("letter_reminded") == 1
        stats = await b.ok("{ coordinationStats { total { overdueLetters inProgress } } }", token=PROVINCE)
        assert stats["coordinationStats"] == {"total": {"overdueLetters": 1, "inProgress": 1}}

        clock.set(new_deadline)  # the reminder's deadline passes too
        await _wait_for(b, "SELECT count(*) FROM agenda_items", 1)
        await hammer()
        await asyncio.sleep(0.2)
        types = await event_types(b)
        assert types.count("letter_overdue") == 2 and types.count("letter_reminded") == 1
        assert types.count("agenda_proposed") == 1
        assert (await counts(a))["letter_reminders"] == 1
        case = (await a.ok(CASE, {"id": cid}, token=PROVINCE))["coordinationCase"]
        assert case["agendaProposedAt"] is not None
        assert case["agendaItems"] == [{"state": "PROPOSED", "origin": "LETTER_OVERDUE",
                                        "meeting": {"number": "LX-2025-001"}}]
        assert case["letters"][0]["overdueCount"] == 2
        placed = await a.ok("""mutation($i: PlaceCaseOnAgendaInput!) { placeCaseOnAgenda(input: $i) {
            agendaItem { state origin } case { status } userErrors { code } } }""",
                            {"i": await a.with_version({"id": cid, "meetingId": meeting["id"]})}, token=PROVINCE)
        assert placed["placeCaseOnAgenda"]["agendaItem"] == {"state": "PLACED", "origin": "LETTER_OVERDUE"}
        clock.advance(days=30)
        await hammer()
        assert (await event_types(a)).count("letter_overdue") == 2  # never a third time


async def test_operators_can_run_the_deadline_check_now(svc, clock):
    cid = await province_case(svc)
    await svc.ok(SEND_LETTER, {"input": await svc.with_version({"id": cid, "department": ENERGY, "content": "请保障用能",
                                         "feedbackWorkingDays": 1})}, token=PROVINCE)
    run = "mutation { runCoordinationDeadlineCheck { ran overdue reminders proposals } }"
    assert (await svc.ok(run, token=PROVINCE))["runCoordinationDeadlineCheck"] == {
        "ran": True, "overdue": 0, "reminders": 0, "proposals": 0}
    clock.set(datetime(2025, 10, 10, 2, 0, tzinfo=UTC))  # 29 Sep was the one working day: overdue
    assert (await svc.ok(run, token=PROVINCE))["runCoordinationDeadlineCheck"] == {
        "ran": True, "overdue": 1, "reminders": 1, "proposals": 0}
    assert (await svc.ok(run, token=PROVINCE))["runCoordinationDeadlineCheck"]["overdue"] == 0
    body = await svc.graphql(run, token=token("COUNTY", "520102"))
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
