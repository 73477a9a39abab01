"""GraphQL helpers and constants of the coordination tests (imported by conftest and the test modules)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from qianzhao.common.testing import dev_token
from sqlalchemy import text

NANMING = "520102"  # 南明区, 贵阳市
YUNYAN = "520103"  # 云岩区, 贵阳市
GUIYANG = "520100"
ZUNYI = "520300"
HONGHUAGANG = "520302"  # 红花岗区, 遵义市
NATURAL_RESOURCES = "natural_resources"
ENERGY = "energy"
CREDIT_CODE = "91520100MA6DLRGX41"
START = datetime(2025, 9, 26, 2, 0, tzinfo=UTC)  # Friday 10:00 in Guizhou, just before the National Day holiday

CASE_FIELDS = """id number status tier version regionCode category factorSubtype source leadDepartment { code } coDepartments { code }
  solution resolvedWorkingDays closureReason rejectionReason"""

SUBMIT = f"""mutation($input: SubmitCoordinationCaseInput!) {{
  submitCoordinationCase(input: $input) {{ case {{ {CASE_FIELDS} }} userErrors {{ field message code }} }} }}"""


def step_mutation(name: str) -> str:
    input_type = name[0].upper() + name[1:] + "Input"
    return f"""mutation($input: {input_type}!) {{
  {name}(input: $input) {{ case {{ {CASE_FIELDS} }} userErrors {{ field message code }} }} }}"""


SEND_LETTER = """mutation($input: SendDepartmentLetterInput!) { sendDepartmentLetter(input: $input) {
  letter { id number department { code } status deadline firstDeadline overdue overdueCount }
  case { version coDepartments { code } } userErrors { field message code } } }"""


def token(role: str = "PROVINCE", region: str = "520000", **kw) -> str:
    return dev_token(role, region, **kw)


PROVINCE = token()
COUNTY = token("COUNTY", NANMING)
PREFECTURE = token("PREFECTURE", GUIYANG)


async def know_project(svc, project_id: str | None = None, *, region: str = NANMING, status: str = "LISTED",
                       major: bool = True) -> str:
    """A project as coordination knows it from the projects service's events (the row those events maintain)."""
    project_id = project_id or str(uuid.uuid4())
    async with svc.runtime.engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO known_projects (id, number, name, region_code, status, major, as_of) VALUES "
            "(:id, :number, '茶叶精深加工项目', :region, :status, :major, now())"),
            {"id": project_id, "number": f"XM-{region}-2025-{project_id[:5]}", "region": region, "status": status,
             "major": major})
    return project_id


async def submit(svc, *, region=NANMING, tok=None, **overrides) -> dict:
    if "projectId" not in overrides:
        overrides["projectId"] = await know_project(svc, region=region)
    data = {"regionCode": region, "title": "项目用地指标不足", "description": "二期厂房用地指标尚未落实，影响开工。",
            "category": "FACTOR_GUARANTEE", "factorSubtype": "LAND",
            "projectName": "茶叶精深加工项目", "supportRequested": "请求省级统筹用地指标"} | overrides
    body = await svc.ok(SUBMIT, {"input": data}, token=tok or token("COUNTY", region))
    return body["submitCoordinationCase"]


async def step(svc, name: str, tok: str, **input_) -> dict:
    return (await svc.ok(step_mutation(name), {"input": await svc.with_version(input_)}, token=tok))[name]


async def counts(svc) -> dict[str, int]:
    async with svc.runtime.engine.connect() as conn:
        out = {}
        for table in ("coordination_cases", "outbox", "audit_history", "department_letters", "letter_reminders",
                      "agenda_items"):
            out[table] = await conn.scalar(text(f"SELECT count(*) FROM {table}"))
        return out


async def event_types(svc) -> list[str]:
    async with svc.runtime.engine.connect() as conn:
        rows = await conn.execute(text("SELECT event->>'type' FROM outbox ORDER BY seq"))
        return [r[0].split(".")[3] for r in rows]
