"""Importing the bureau's existing project register (项目导入): rows with their real dates and stage.

A row is checked with createProject's rules plus the stage's: a signed project has its signing date, investor and
contract investment; dates follow one another (compiled ≤ listed ≤ signed ≤ construction ≤ production) and none
is in the future. A project recorded as signed without the pool's earlier steps is allowed (it is marked
`importedAt`, and counts as introduced in the period it was signed).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import strawberry
from qianzhao.common import importing
from qianzhao.common.errors import Problems
from qianzhao.common.ids import new_id, next_number_of_many
from qianzhao.common.periods import SHANGHAI
from qianzhao.common.uow import UnitOfWork

from ..enums import InvestmentMode, ProjectBoard, ProjectCategory, ProjectStatus
from . import events, validation
from .models import Project
from .service import checked_fields

S = ProjectStatus
IMPORTABLE = (S.DRAFT, S.SUBMITTED, S.LISTED, S.NEGOTIATING, S.SIGNED, S.UNDER_CONSTRUCTION, S.IN_PRODUCTION)
SIGNED = (S.SIGNED, S.UNDER_CONSTRUCTION, S.IN_PRODUCTION)
STAGE_DATES = (("listed_on", "listedOn"), ("signed_on", "signedOn"),
               ("construction_started_on", "constructionStartedOn"), ("production_started_on", "productionStartedOn"))


def _d(text: str):
    return strawberry.field(default=None, description=text)


@strawberry.input(description="One project of the bureau's register (项目导入行).")
class ProjectImportRow:
    external_ref: str = strawberry.field(description=importing.EXTERNAL_REF)
    name: str = strawberry.field(description="Project name (项目名称).")
    region_code: str = strawberry.field(description="County or prefecture code where it is located (所在地).")
    chain_code: str = strawberry.field(description="Industry chain code (产业链); see industryChains.")
    board: ProjectBoard = strawberry.field(description="Board of the packaged-project programme (板块).")
    total_investment: Decimal = strawberry.field(description="Total investment in yuan (总投资, 元).")
    investment_mode: InvestmentMode = strawberry.field(description="Investment mode (投资方式).")
    compiled_on: date = strawberry.field(description="When it was compiled (编制日期).")
    status: ProjectStatus = strawberry.field(description="Its stage now (项目状态); DELISTED is not imported.")
    year: int | None = _d("Compile year as entered (编制年度); the year of compiledOn when omitted.")
    category: ProjectCategory | None = _d("Category (类别); must match the chain's, derived from it when omitted.")
    summary: str = strawberry.field(default="", description="Summary (项目简介).")
    park: str | None = _d("Industrial park (所在园区).")
    lead_department: str | None = _d("Lead department code (牵头部门).")
    premium: bool = strawberry.field(default=False, description="Premium-packaged (精包装).")
    listed_on: date | None = _d("When it entered the pool (入库日期); for listed projects and later stages.")
    investor_name: str | None = _d("Investor enterprise (签约企业); signed projects.")
    investor_credit_code: str | None = _d("Investor's unified social credit code (统一社会信用代码).")
    contract_investment: Decimal | None = _d("Contract investment, yuan (合同投资额); signed projects.")
    signed_on: date | None = _d("Signing date (签约日期); signed projects.")
    construction_started_on: date | None = _d("Construction start (开工日期); under construction or in production.")
    production_started_on: date | None = _d("Production start (投产日期); in production.")
    responsible_leader: str | None = _d("A major project's responsible leader (包保领导); with workingTeam and "
                                        "implementingEntity it is imported as major under the five ones (五个一).")
    working_team: list[str] | None = _d("Its working team (工作专班), one member per item.")
    implementing_entity: str | None = _d("Its implementing entity (实施主体).")
    demo: bool = strawberry.field(default=False, description=importing.DEMO)


BASE = ("name", "region_code", "chain_code", "board", "total_investment", "investment_mode", "category", "summary",
        "park", "lead_department", "premium", "investor_name", "investor_credit_code", "contract_investment")


def _stage_problems(row: ProjectImportRow, today: date, problems: Problems) -> None:
    status = row.status
    if status not in IMPORTABLE:
        problems.add(validation.bad("status", f"{status.value} projects are not imported; import them at the stage "
                                              "they reached"))
        return
    needed = {"listed_on": False, "signed_on": status in SIGNED,
              "construction_started_on": status in (S.UNDER_CONSTRUCTION, S.IN_PRODUCTION),
              "production_started_on": status is S.IN_PRODUCTION}
    for key, name in STAGE_DATES:
        value = getattr(row, key)
        if needed[key] and value is None:
            problems.add(validation.bad(key, f"A {status.value} project needs {name}"))
        elif value is not None and key != "listed_on" and not needed[key]:
            problems.add(validation.bad(key, f"A {status.value} project has no {name} yet"))
    if row.listed_on is not None and status in (S.DRAFT, S.SUBMITTED):
        problems.add(validation.bad("listed_on", f"A {status.value} project has not entered the pool"))
    if status in SIGNED:
        for key in ("investor_name", "contract_investment"):
            if getattr(row, key) is None:
                problems.add(validation.bad(key, f"A signed project needs {validation.camel(key)}"))
    previous = ("compiledOn", row.compiled_on)
    if row.compiled_on > today:
        problems.add(validation.bad("compiled_on", "The date cannot be in the future"))
    for key, name in STAGE_DATES:
        value = getattr(row, key)
        if value is None:
            continue
        if value > today:
            problems.add(validation.bad(key, "The date cannot be in the future"))
        elif value < previous[1]:
            problems.add(validation.bad(key, f"{name} ({value}) is before {previous[0]} ({previous[1]})"))
        previous = (name, value)
    five = (row.responsible_leader, row.working_team, row.implementing_entity)
    if any(five) and not all(v and (not isinstance(v, list) or any(m.strip() for m in v)) for v in five):
        problems.add(validation.bad("responsible_leader", "A major project names its responsibleLeader, workingTeam "
                                                          "and implementingEntity (五个一) together"))
    if row.year is not None and not 1990 <= row.year <= today.year:
        problems.add(validation.bad("year", f"Year {row.year} is not a compile year"))


async def add(uow: UnitOfWork, row: ProjectImportRow) -> None:
    """Stage one project (numbered like createProject's, by region and compile year) with its history and event."""
    problems = Problems()
    given = {k: getattr(row, k) for k in BASE}
    given = {k: getattr(v, "value", v) for k, v in given.items() if v is not None}
    if given.get("investor_credit_code"):
        given["investor_credit_code"] = problems.check(validation.credit_code, given["investor_credit_code"])
    fields, chain = await checked_fields(uow, given, problems)
    _stage_problems(row, uow.clock.today(), problems)
    problems.raise_any()
    if importing.checking():  # a dry run: the row passed every rule; numbering and staging it would be discarded
        return
    fields["category"] = chain.category
    now, year = uow.clock.now(), row.year or row.compiled_on.year
    region_code = fields["region_code"]
    with uow.session.no_autoflush:  # the rows staged so far go in one batch at the end, not one INSERT each
        seq = await next_number_of_many(uow.session, f"XM-{region_code}-{year}")
    listed_at = datetime.combine(row.listed_on, time(9), SHANGHAI) if row.listed_on else None
    project = Project(**fields, id=new_id(), number=f"XM-{region_code}-{year}-{seq:05d}", year=year, status=row.status.value,
                      compiled_on=row.compiled_on, listed_at=listed_at, signed_on=row.signed_on,
                      construction_started_on=row.construction_started_on,
                      production_started_on=row.production_started_on, external_ref=row.external_ref.strip(),
                      imported_at=now, demo=row.demo, status_changed_at=now, created_at=now, updated_at=now,
                      contacts=[], preconditions=[], needs_supplement=False, assessing_departments=[], version=1,
                      major=bool(row.responsible_leader), responsible_leader=(row.responsible_leader or "").strip() or None,
                      working_team=[m.strip() for m in row.working_team or [] if m.strip()],
                      implementing_entity=(row.implementing_entity or "").strip() or None)
    uow.session.add(project)
    uow.record(aggregate_type="project", aggregate_id=project.id, action="IMPORTED",
               changes={"externalRef": project.external_ref, "status": project.status,
                        "compiledOn": row.compiled_on.isoformat()} | {
                   validation.camel(k): v for k, v in fields.items()})
    uow.emit(events.PROJECT_CREATED, subject=project.id, region_code=region_code, data=events.review_data(project))
    if project.major:
        uow.emit(events.FIVE_ONES_SET, subject=project.id, region_code=region_code, data=events.basics(project))


async def known(session, refs: list[str]) -> set[str]:
    return await importing.existing_refs(session, Project.external_ref, refs)
