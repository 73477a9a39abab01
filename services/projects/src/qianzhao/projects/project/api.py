"""Root fields of the Project aggregate: project, projects, projectStats and the lifecycle mutations."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from qianzhao.common import importing, periods
from qianzhao.common.api import Connection, region_key
from qianzhao.common.auth import Role
from qianzhao.common.errors import bad_input, forbidden
from qianzhao.common.ids import parse_id
from qianzhao.common.periods import COMPARE_ARG, PERIOD_ARG, CompareTo, Period, PeriodInput, StatsChange
from strawberry.types import Info

from ..enums import (
    DelistReason,
    ProjectBoard,
    ProjectCategory,
    ProjectStatsDimension,
    ProjectStatus,
)
from ..payloads import payload, run
from . import access, lifecycle, reads, rollup, service
from . import importing as project_import
from .inputs import (
    INTERNAL_FILTERS,
    CreateProjectInput,
    DelistProjectInput,
    ProjectFilterInput,
    ProjectOrder,
    ResumePromotionInput,
    SignProjectInput,
    StartConstructionInput,
    StartNegotiationInput,
    StartProductionInput,
    SubmitProjectInput,
    UpdateProjectInput,
    fields_of,
    to_filter,
)
from .listing import project_page
from .types import ProjectType, rules_of


def _p(name: str, what: str):
    return payload(name, "project", ProjectType, f"Result of {what} (操作结果).", "The project after the change (项目); null on errors.")


CreateProjectPayload = _p("CreateProjectPayload", "createProject")
UpdateProjectPayload = _p("UpdateProjectPayload", "updateProject")
SubmitProjectPayload = _p("SubmitProjectPayload", "submitProject")
StartNegotiationPayload = _p("StartNegotiationPayload", "startNegotiation")
ResumePromotionPayload = _p("ResumePromotionPayload", "resumePromotion")
DelistProjectPayload = _p("DelistProjectPayload", "delistProject")
SignProjectPayload = _p("SignProjectPayload", "signProject")
StartConstructionPayload = _p("StartConstructionPayload", "startConstruction")
StartProductionPayload = _p("StartProductionPayload", "startProduction")


def to_type(info: Info):
    rules = rules_of(info)
    return lambda p: ProjectType.from_model(p, access.View.FULL, rules)


if TYPE_CHECKING:
    from ..entities.types import ProjectsRegionType

REGION = Annotated["ProjectsRegionType", strawberry.lazy("qianzhao.projects.entities.types")]


@strawberry.type(description="What a group of projectStats shares; the keys not grouped by are null (分组).")
class ProjectStatsKey:
    category: ProjectCategory | None = strawberry.field(default=None, description="When grouped by CATEGORY (类别).")
    chain_code: str | None = strawberry.field(default=None, description="When grouped by CHAIN (产业链).")
    board: ProjectBoard | None = strawberry.field(default=None, description="When grouped by BOARD (板块).")
    region: REGION | None = strawberry.field(default=None, description="When grouped by REGION (地区).")
    prefecture: REGION | None = strawberry.field(default=None, description="When grouped by PREFECTURE (市州).")
    county: REGION | None = strawberry.field(default=None, description="When grouped by COUNTY (县区); null for "
                                                                       "prefecture-level projects.")
    status: ProjectStatus | None = strawberry.field(default=None, description="When grouped by STATUS (状态).")
    year: int | None = strawberry.field(default=None, description="When grouped by YEAR (年度).")


@strawberry.type(name="ProjectStatsGroup", description="The figures of one group of project statistics (统计行).")
class ProjectStatsRow:
    key: ProjectStatsKey = strawberry.field(description="The group's keys (分组); all null in the total.")
    count: int = strawberry.field(description="Number of projects (项目个数).")
    total_investment: Decimal = strawberry.field(description="Sum of total investment, yuan (总投资合计).")
    contract_investment: Decimal = strawberry.field(description="Sum of contract investment, yuan (合同投资合计).")
    raw_key: strawberry.Private[tuple] = ()
    then: strawberry.Private[ProjectStatsRow | None] = None  # the same group in the comparison period

    @strawberry.field(description="The same group's figures in the comparison period (compareTo); null without "
                                  "compareTo.")
    def previous(self) -> ProjectStatsRow | None:
        return self.then

    @strawberry.field(description="Each figure against the comparison period (同比/环比); null without compareTo.")
    def changes(self) -> list[StatsChange] | None:
        return None if self.then is None else periods.changes(self, self.then, ["count", "total_investment",
                                                                                 "contract_investment"])


@strawberry.enum(description="The date a project's period applies to (统计口径).")
class ProjectStatsDateField(Enum):
    COMPILED = strawberry.enum_value("COMPILED", description="When it was compiled (编制时间).")
    LISTED = strawberry.enum_value("LISTED", description="When it entered the pool (入库时间).")
    SIGNED = strawberry.enum_value("SIGNED", description="Its signing date (签约日期): projects introduced (引进).")
    CONSTRUCTION_STARTED = strawberry.enum_value("CONSTRUCTION_STARTED", description="Construction start (开工日期).")
    PRODUCTION_STARTED = strawberry.enum_value("PRODUCTION_STARTED", description="Production start (投产日期).")


@strawberry.type(description="Project statistics over what you may see: the total and one row per group (项目统计).")
class ProjectStats:
    total: ProjectStatsRow = strawberry.field(description="All matching projects (合计).")
    groups: list[ProjectStatsRow] = strawberry.field(description="One row per combination of the groupBy keys, in "
                                                                 "key order; empty groups are left out.")


def _stats_row(r) -> ProjectStatsRow:
    from ..entities.types import ProjectsRegionType

    def region(code):
        return region_key(code, ProjectsRegionType)

    return ProjectStatsRow(
        key=ProjectStatsKey(
            category=ProjectCategory(r["category"]) if r.get("category") else None, chain_code=r.get("chain"),
            board=ProjectBoard(r["board"]) if r.get("board") else None, region=region(r.get("region")),
            prefecture=region(r.get("prefecture")), county=region(r.get("county")),
            status=ProjectStatus(r["status"]) if r.get("status") else None, year=r.get("year")),
        count=r["count"], total_investment=r["total_investment"], contract_investment=r["contract_investment"],
        raw_key=tuple(r.get(k) for k in ("category", "chain", "board", "region", "prefecture", "county", "status",
                                         "year")))


def _check_filter(info: Info, f: ProjectFilterInput | None):
    principal = info.context.user()
    if f is not None and not (principal.is_officer or principal.sees_everything or principal.role is Role.DEPARTMENT):
        if any(getattr(f, k) is not None for k in INTERNAL_FILTERS):
            raise forbidden("stale, stalled and major are internal filters")
    return principal


@strawberry.type
class ProjectQuery:
    @strawberry.field(description="One project by id (项目); null when it does not exist or lies outside what you may see.")
    async def project(self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="Project id (项目ID).")]
                      ) -> ProjectType | None:
        return await ProjectType.load_visible(info, parse_id(id, "id"))

    @strawberry.field(description="Projects you may see, filtered and ordered, as a keyset-paginated connection (项目库).")
    async def projects(
        self, info: Info,
        filter: Annotated[ProjectFilterInput | None, strawberry.argument(description="Filter (筛选).")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, at most 200 (每页条数).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after (游标).")] = None,
        order_by: Annotated[ProjectOrder | None, strawberry.argument(
            description="Order (排序); newest compiled first by default.")] = None,
    ) -> Connection[ProjectType]:
        principal = _check_filter(info, filter)
        stmt = reads.list_statement(principal, to_filter(filter), rules_of(info))
        return await project_page(info, stmt, order=order_by.sort() if order_by else None, first=first, after=after)

    @strawberry.field(description="Counts and investment sums of the projects you may see, grouped (项目统计).")
    async def project_stats(
        self, info: Info,
        filter: Annotated[ProjectFilterInput | None, strawberry.argument(description="Filter (筛选).")] = None,
        group_by: Annotated[list[ProjectStatsDimension], strawberry.argument(description="Dimensions to group by (统计维度).")] = [],  # noqa: B006
        period: Annotated[PeriodInput | None, PERIOD_ARG] = None,
        date_field: Annotated[ProjectStatsDateField, strawberry.argument(
            description="The date the period applies to (统计口径).")] = ProjectStatsDateField.COMPILED,
        compare_to: Annotated[CompareTo | None, COMPARE_ARG] = None,
    ) -> ProjectStats:
        principal = _check_filter(info, filter)
        f, rules = to_filter(filter), rules_of(info)
        span = Period.of(period)
        if compare_to and span is None:
            raise bad_input("compareTo needs a period")
        column, is_date = rollup.DATE_COLUMNS[date_field.value]

        async def over(p: Period | None) -> ProjectStats:
            within = p.clause(column, is_date=is_date) if p else None
            total = await reads.stats(session=info.context.session, principal=principal, f=f, rules=rules,
                                      group_by=[], within=within)
            rows = await reads.stats(session=info.context.session, principal=principal, f=f, rules=rules,
                                     group_by=group_by, within=within) if group_by else []
            return ProjectStats(total=_stats_row(total[0]), groups=[_stats_row(r) for r in rows])
        async with info.context.exclusive():
            found = await over(span)
            then = await over(span.earlier(compare_to)) if compare_to else None
        if then is not None:
            found.total.then = then.total
            for group, earlier in periods.matched(found.groups, then.groups, lambda g: g.raw_key):
                group.then = earlier or ProjectStatsRow(key=group.key, count=0, total_investment=Decimal(0),
                                                        contract_investment=Decimal(0))
        return found


ImportProjectsInput = importing.import_input("ImportProjectsInput", project_import.ProjectImportRow,
                                             "the bureau's project register")


@strawberry.type
class ProjectMutation:
    @strawberry.mutation(description=(
        "Import projects from the bureau's register (项目导入) with their real dates and stage, all or nothing, "
        "idempotent by externalRef; a dry run reports every problem and writes nothing. Officers, within their "
        "jurisdiction."))
    async def import_projects(self, info: Info, input: Annotated[ImportProjectsInput, strawberry.argument(
            description="The rows (导入行).")]) -> importing.ImportPayload:
        info.context.user().require_officer()
        return await importing.run(info, input.rows, dry_run=input.dry_run, known=project_import.known,
                                   add=project_import.add)

    @strawberry.mutation(description="Compile a new draft project (编制项目).")
    async def create_project(self, info: Info, input: Annotated[CreateProjectInput, strawberry.argument(description="The input (输入).")]) -> CreateProjectPayload:
        return await run(info, CreateProjectPayload, "project",
                         lambda uow: service.create(uow=uow, fields=fields_of(input)), to_type(info))

    @strawberry.mutation(description="Edit a draft/returned project or supplement a listed one (修改/补充完善).")
    async def update_project(self, info: Info, input: Annotated[UpdateProjectInput, strawberry.argument(description="The input (输入).")]) -> UpdateProjectPayload:
        async def action(uow):
            return await service.update(uow=uow, project_id=input.id, expected_version=input.expected_version,
                                        fields=fields_of(input), comment=input.comment)
        return await run(info, UpdateProjectPayload, "project", action, to_type(info))

    @strawberry.mutation(description="Submit a draft or returned project for review (报送遴选).")
    async def submit_project(self, info: Info, input: Annotated[SubmitProjectInput, strawberry.argument(description="The input (输入).")]) -> SubmitProjectPayload:
        return await run(info, SubmitProjectPayload, "project", lambda uow: lifecycle.submit(
            uow=uow, project_id=input.id, expected_version=input.expected_version, comment=input.comment),
            to_type(info))

    @strawberry.mutation(description="A listed project enters negotiation with an investor (进入洽谈).")
    async def start_negotiation(self, info: Info, input: Annotated[StartNegotiationInput, strawberry.argument(description="The input (输入).")]) -> StartNegotiationPayload:
        return await run(info, StartNegotiationPayload, "project", lambda uow: lifecycle.start_negotiation(
            uow=uow, project_id=input.id, expected_version=input.expected_version, comment=input.comment),
            to_type(info))

    @strawberry.mutation(description="Negotiation failed; promote the project again (恢复推介).")
    async def resume_promotion(self, info: Info, input: Annotated[ResumePromotionInput, strawberry.argument(description="The input (输入).")]) -> ResumePromotionPayload:
        return await run(info, ResumePromotionPayload, "project", lambda uow: lifecycle.resume_promotion(
            uow=uow, project_id=input.id, expected_version=input.expected_version, comment=input.comment),
            to_type(info))

    @strawberry.mutation(description="Remove a project from the pool before signing, with a reason (出库).")
    async def delist_project(self, info: Info, input: Annotated[DelistProjectInput, strawberry.argument(description="The input (输入).")]) -> DelistProjectPayload:
        return await run(info, DelistProjectPayload, "project", lambda uow: lifecycle.delist(
            uow=uow, project_id=input.id, expected_version=input.expected_version,
            reason=DelistReason(input.reason), comment=input.comment), to_type(info))

    @strawberry.mutation(description="Record the signed contract; refused unless the assessment admits it (签约).")
    async def sign_project(self, info: Info, input: Annotated[SignProjectInput, strawberry.argument(description="The input (输入).")]) -> SignProjectPayload:
        return await run(info, SignProjectPayload, "project", lambda uow: lifecycle.sign(
            uow=uow, project_id=input.id, expected_version=input.expected_version,
            investor_name=input.investor_name, investor_credit_code=input.investor_credit_code,
            contract_investment=input.contract_investment, signed_on=input.signed_on, comment=input.comment),
            to_type(info))

    @strawberry.mutation(description="Record the construction start of a signed project (开工).")
    async def start_construction(self, info: Info, input: Annotated[StartConstructionInput, strawberry.argument(description="The input (输入).")]) -> StartConstructionPayload:
        return await run(info, StartConstructionPayload, "project", lambda uow: lifecycle.start_construction(
            uow=uow, project_id=input.id, expected_version=input.expected_version, started_on=input.started_on,
            comment=input.comment), to_type(info))

    @strawberry.mutation(description="Record the production start of a project under construction (投产).")
    async def start_production(self, info: Info, input: Annotated[StartProductionInput, strawberry.argument(description="The input (输入).")]) -> StartProductionPayload:
        return await run(info, StartProductionPayload, "project", lambda uow: lifecycle.start_production(
            uow=uow, project_id=input.id, expected_version=input.expected_version, started_on=input.started_on,
            comment=input.comment), to_type(info))
