"""Working-day deadlines across National Day 2023 and the idempotent overdue check (超期催办)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from grievance_support import COUNTY, GUIYANG, NANMING, PROVINCE, START
from qianzhao.common.clock import FixedClock
from qianzhao.common.testing import reset_nats, running_service
from qianzhao.grievances.app import SERVICE
from qianzhao.grievances.grievance.overdue import check_overdue

OVERDUE = """query($id: ID!) { grievance(id: $id) { status overdue escalationTier version
  overdueFlags { stage dueAt cycle } escalations { fromTier toTier }
  reminders { stage issuerTier addressedTo { kind code } message } } }"""


async def test_reply_deadline_skips_national_day_and_counts_make_up_days(api):
    # Received Wed 27 Sep 2023: 28 Sep is working; 29 Sep–6 Oct is the Mid-Autumn/National Day holiday;
    # Sat 7 and Sun 8 Oct are make-up working days (调休上班); so day 5 is Tue 10 Oct, day 15 is Tue 24 Oct.
    g = await api.file()
    assert g["acceptDue"] == "2023-09-28T16:00:00+00:00"  # end of Thu 28 Sep in Shanghai
    assert g["replyDue"] == "2023-10-10T16:00:00+00:00"
    assert g["resolveDue"] == "2023-10-24T16:00:00+00:00"
    api.clock.set(datetime(2023, 9, 28, 9, 0, tzinfo=UTC))  # Thu 28 Sep 17:00 Shanghai, eve of the holiday
    g = await api.file(priority="URGENT")  # default rule */URGENT: reply within 3 working days
    assert g["number"] == "ZTC-2023-00002"
    assert g["acceptDue"] == "2023-10-07T16:00:00+00:00"  # the make-up Saturday
    assert g["replyDue"] == "2023-10-09T16:00:00+00:00"


async def test_deadline_rules_are_configurable_per_category_and_priority(databases, nats_server):
    await reset_nats(nats_server.url)
    rules = {"POLICY_CONSULTATION": {"reply": 2, "resolve": 2}, "COMPLAINT/HIGH": {"resolve": 10}}
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               clock=FixedClock(START), deadline_rules=rules) as svc:
        from grievance_support import Api

        api = Api(svc, FixedClock(START))
        g = await api.file(category="POLICY_CONSULTATION")
        assert (g["replyDue"], g["resolveDue"]) == ("2023-10-07T16:00:00+00:00", "2023-10-07T16:00:00+00:00")
        g = await api.file(category="COMPLAINT", priority="HIGH", complaintSubtype="ILLEGAL_FINES")
        assert g["replyDue"] == "2023-10-10T16:00:00+00:00"  # the default 5
        assert g["resolveDue"] == "2023-10-17T16:00:00+00:00"  # 10 working days
        g = await api.file(category="COMPLAINT")
        assert g["resolveDue"] == "2023-10-24T16:00:00+00:00"


async def test_overdue_is_flagged_escalated_and_reminded_exactly_once(api, svc):
    g = await api.file()
    gid = g["id"]
    await api.ok_step("acceptGrievance", "AcceptGrievanceInput", COUNTY, id=gid)
    await api.ok_step("assignGrievance", "AssignGrievanceInput", COUNTY, id=gid,
                      leadUnit={"kind": "REGION", "code": NANMING})

    def run():
        return check_overdue(sessionmaker=svc.runtime.sessionmaker, clock=api.clock, wait=True)

    api.clock.set(datetime(2023, 10, 10, 15, 59, tzinfo=UTC))  # a minute before the reply deadline
    assert await run() == 0
    api.clock.set(datetime(2023, 10, 11, 1, 0, tzinfo=UTC))
    assert sorted(await asyncio.gather(run(), run())) == [0, 1]  # two replicas at once: one does the work
    assert await run() == 0  # and running it again changes nothing
    assert (await api.events(gid)).count("overdue") == 1
    data = (await svc.ok(OVERDUE, {"id": gid}, token=PROVINCE))["grievance"]
    assert data["overdue"] is True and data["escalationTier"] == GUIYANG
    assert data["overdueFlags"] == [{"stage": "REPLY", "dueAt": "2023-10-10T16:00:00+00:00", "cycle": 0}]
    assert data["escalations"] == [{"fromTier": NANMING, "toTier": GUIYANG}]
    assert len(data["reminders"]) == 1
    assert data["reminders"][0]["addressedTo"] == [{"kind": "REGION", "code": NANMING}]
    assert data["reminders"][0]["issuerTier"] == GUIYANG
    event = await api.scalar("SELECT event FROM outbox WHERE event->>'type' LIKE '%overdue%'")
    assert event["data"]["stage"] == "REPLY" and event["data"]["escalatedTo"] == GUIYANG
    assert "13812345678" not in str(event)

    api.clock.set(datetime(2023, 10, 25, 1, 0, tzinfo=UTC))  # past the resolution deadline too
    assert await run() == 1 and await run() == 0
    data = (await svc.ok(OVERDUE, {"id": gid}, token=PROVINCE))["grievance"]
    assert [e["toTier"] for e in data["escalations"]] == [GUIYANG, "520000"]
    assert (await api.events(gid)).count("overdue") == 2
    assert await api.scalar("SELECT count(*) FROM grievance_reminders") == 2


async def test_background_worker_flags_overdue_on_its_own(databases, nats_server):
    await reset_nats(nats_server.url)
    clock = FixedClock(START)
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url,
                               clock=clock, overdue_check_seconds=0.1) as svc:
        from grievance_support import Api

        api = Api(svc, clock)
        g = await api.file()
        clock.set(datetime(2023, 9, 29, 1, 0, tzinfo=UTC))  # the acceptance deadline (end of 28 Sep) has passed
        for _ in range(100):
            if "overdue" in await api.events(g["id"]):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # several more passes of the worker change nothing
        assert (await api.events(g["id"])).count("overdue") == 1
        assert await api.scalar("SELECT stage FROM grievance_overdue") == "ACCEPT"
        assert await api.scalar("SELECT to_tier FROM grievance_escalations") == GUIYANG
