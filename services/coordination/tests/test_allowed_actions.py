"""`allowedActions` equals the set of mutations that succeed: every action tried on a case in every status and
tier, by the raising county, its prefecture and the lead department; a refused step says what comes first."""

from __future__ import annotations

from coordination_helpers import COUNTY, ENERGY, NATURAL_RESOURCES, PREFECTURE, PROVINCE, submit, token

LEAD = token("DEPARTMENT", department=NATURAL_RESOURCES)
ROLES = {"COUNTY": COUNTY, "PREFECTURE": PREFECTURE, "DEPARTMENT": LEAD}
MEETING = """mutation($input: ScheduleJointMeetingInput!) { scheduleJointMeeting(input: $input) { meeting { id } } }"""


def _run(name: str) -> str:
    return (f"mutation($input: {name[0].upper() + name[1:]}Input!) {{ {name}(input: $input) "
            f"{{ userErrors {{ field message code }} }} }}")


async def _try(svc, name: str, tok: str, **input_) -> list[dict]:
    """The refusals of one attempt: userErrors, or a top-level error (a role refused outright)."""
    body = await svc.graphql(_run(name), {"input": await svc.with_version(input_)}, token=tok)
    return body.get("errors") or body["data"][name]["userErrors"]


async def _go(svc, case: dict, name: str, tok: str = PROVINCE, **input_) -> dict:
    assert await _try(svc, name, tok, id=case["id"], **input_) == []
    return case


def chain(*steps):
    async def build(svc, meeting_id):
        case = (await submit(svc))["case"]
        for name, input_, *tok in steps:
            await _go(svc, case, name, *tok, **(input_(meeting_id) if callable(input_) else input_))
        return case
    return build


VERIFY = ("verifyCoordinationCase", {})
CLASSIFY = ("classifyCoordinationCase", {"category": "FACTOR_GUARANTEE", "factorSubtype": "LAND"})
ASSIGN = ("assignCoordinationCase", {"leadDepartment": NATURAL_RESOURCES, "coDepartments": []})
START = ("startCoordinationCase", {})
SOLVE = ("recordCoordinationSolution", {"solution": "调剂用地指标"})
UP = ("escalateCoordinationCase", {"reason": "县级无法协调"})
PLACE = ("placeCaseOnAgenda", lambda m: {"meetingId": m})

STATES = {
    "SUBMITTED": chain(), "VERIFIED": chain(VERIFY), "CLASSIFIED": chain(VERIFY, CLASSIFY),
    "ASSIGNED": chain(VERIFY, CLASSIFY, ASSIGN), "IN_PROGRESS": chain(VERIFY, CLASSIFY, ASSIGN, START),
    "SOLVED": chain(VERIFY, CLASSIFY, ASSIGN, START, SOLVE),
    "PREFECTURE_TIER": chain(VERIFY, CLASSIFY, ASSIGN, UP), "PROVINCE_TIER": chain(VERIFY, UP, UP),
    "ON_AGENDA": chain(VERIFY, UP, UP, PLACE),
    "REJECTED": chain(("rejectCoordinationCase", {"reason": "非项目问题"})),
    "CLOSED": chain(VERIFY, ("closeCoordinationCase", {"reason": "政策不允许"})),
    "RESOLVED": chain(VERIFY, CLASSIFY, ASSIGN, SOLVE, ("confirmCoordinationResolution", {}, COUNTY)),
}

ACTIONS = {
    "VERIFY": ("verifyCoordinationCase", {}),
    "REJECT": ("rejectCoordinationCase", {"reason": "不属于协调范围"}),
    "CLASSIFY": CLASSIFY,
    "ASSIGN": ASSIGN,
    "START": START,
    "ESCALATE": UP,
    "RECORD_SOLUTION": SOLVE,
    "CONFIRM_RESOLUTION": ("confirmCoordinationResolution", {}),
    "CLOSE": ("closeCoordinationCase", {"reason": "无法解决"}),
    "SEND_LETTER": ("sendDepartmentLetter", {"department": ENERGY, "content": "请协调电力接入",
                                             "feedbackWorkingDays": 5}),
    "PLACE_ON_AGENDA": PLACE,
}


async def _allowed(svc, case_id: str, tok: str) -> set[str]:
    data = await svc.ok("query($id: ID!) { coordinationCase(id: $id) { allowedActions } }", {"id": case_id},
                        token=tok)
    return set(data["coordinationCase"]["allowedActions"]) if data["coordinationCase"] else set()


async def test_allowed_actions_are_exactly_the_mutations_that_succeed(svc):
    enum = await svc.ok('{ __type(name: "CoordinationCaseAction") { enumValues { name } } }', token=PROVINCE)
    assert set(ACTIONS) == {v["name"] for v in enum["__type"]["enumValues"]}
    meeting = (await svc.ok(MEETING, {"input": {"title": "省联席会议", "meetingDate": "2025-10-20",
                                                "chair": "副省长"}}, token=PROVINCE))["scheduleJointMeeting"]
    meeting_id = meeting["meeting"]["id"]
    for state, build in STATES.items():
        spare = None
        for role, tok in ROLES.items():
            spare = spare or await build(svc, meeting_id)
            allowed = await _allowed(svc, spare["id"], tok)
            succeeded = set()
            for action, (mutation, input_) in ACTIONS.items():
                case = spare or await build(svc, meeting_id)
                errors = await _try(svc, mutation, tok, id=case["id"],
                                    **(input_(meeting_id) if callable(input_) else input_))
                if errors:
                    spare = case
                else:
                    succeeded.add(action)
                    spare = None
            assert allowed == succeeded, (state, role, sorted(allowed ^ succeeded))


async def test_a_refused_step_says_what_comes_first(svc):
    case = (await submit(svc))["case"]
    errors = await _try(svc, "assignCoordinationCase", COUNTY, id=case["id"], leadDepartment=NATURAL_RESOURCES,
                        coDepartments=[])
    assert errors == [{"field": ["input", "id"], "code": "INVALID_TRANSITION", "message":
                       f"Case {case['number']} is SUBMITTED: the case must be classified (分类) before it is assigned"}]


ADDRESSEE = token("DEPARTMENT", department=ENERGY)
LETTER_ROLES = {"ADDRESSEE": ADDRESSEE, "OTHER_DEPARTMENT": LEAD, "COUNTY": COUNTY}
LETTER_ACTIONS = {"ACKNOWLEDGE": ("acknowledgeDepartmentLetter", {}),
                  "SUBMIT_FEEDBACK": ("submitLetterFeedback", {"text": "已安排专班对接", "proposedSolution": None})}
SEND = """mutation($i: SendDepartmentLetterInput!) { sendDepartmentLetter(input: $i) { letter { id } } }"""


async def _letter(svc, then: tuple[str, ...] = ()) -> str:
    case = await chain(VERIFY)(svc, None)
    sent = await svc.ok(SEND, {"i": await svc.with_version({"id": case["id"], "department": ENERGY,
                                                             "content": "请协调电力接入", "feedbackWorkingDays": 5})},
                        token=PROVINCE)
    letter = sent["sendDepartmentLetter"]["letter"]
    for action in then:
        name, input_ = LETTER_ACTIONS[action]
        assert await _try(svc, name, ADDRESSEE, id=letter["id"], **input_) == []
    return letter["id"]


async def test_letter_actions_are_exactly_the_mutations_that_succeed(svc):
    states = {"SENT": (), "ACKNOWLEDGED": ("ACKNOWLEDGE",), "ANSWERED": ("SUBMIT_FEEDBACK",)}
    for state, then in states.items():
        for role, tok in LETTER_ROLES.items():
            letter_id = await _letter(svc, then)
            data = await svc.ok("{ departmentLetters { nodes { id allowedActions } } }", token=tok)
            shown = {n["id"]: set(n["allowedActions"]) for n in data["departmentLetters"]["nodes"]}
            allowed = shown.get(letter_id, set())
            succeeded = set()
            for action, (name, input_) in LETTER_ACTIONS.items():
                fresh = letter_id if not succeeded else await _letter(svc, then)
                if not await _try(svc, name, tok, id=fresh, **input_):
                    succeeded.add(action)
            assert allowed == succeeded, (state, role, sorted(allowed ^ succeeded))


async def test_agenda_item_actions_follow_its_state_and_case(svc):
    meeting = (await svc.ok(MEETING, {"input": {"title": "省联席会议", "meetingDate": "2025-10-20",
                                                "chair": "副省长"}}, token=PROVINCE))["scheduleJointMeeting"]
    case = await STATES["ON_AGENDA"](svc, meeting["meeting"]["id"])
    items = """query($id: ID!) { coordinationCase(id: $id) { agendaItems { id allowedActions } } }"""

    async def offered(tok):
        data = await svc.ok(items, {"id": case["id"]}, token=tok)
        return [set(i["allowedActions"]) for i in (data["coordinationCase"] or {}).get("agendaItems") or []]

    assert await offered(PROVINCE) == [{"DECIDE"}] and await offered(COUNTY) == [set()]
    [item] = (await svc.ok(items, {"id": case["id"]}, token=PROVINCE))["coordinationCase"]["agendaItems"]
    decide = {"decision": "由省能源局牵头保障用能", "responsibleDepartment": ENERGY, "deadline": "2025-12-31"}
    assert await _try(svc, "decideAgendaItem", COUNTY, id=item["id"], **decide) != []  # not offered, refused
    assert await _try(svc, "decideAgendaItem", PROVINCE, id=item["id"], **decide) == []
    assert await offered(PROVINCE) == [{"RECORD_FOLLOW_UP"}]
    assert await offered(ADDRESSEE) == [{"RECORD_FOLLOW_UP"}]  # the responsible department (now its lead)
    follow = {"progress": "ON_TRACK", "note": "已完成用能指标调剂方案"}
    assert await _try(svc, "recordAgendaFollowUp", ADDRESSEE, id=item["id"], **follow) == []
