"""Root fields of coordination cases: coordinationCase(s), provincialCoordinationList, coordinationStats and the\ncase lifecycle mutations (thin: parse, authorize, call the service through common.api.mutate)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry
from qianzhao.common import importing
from qianzhao.common.api import Connection, OrderDirection, connection, mutate, paginate
from qianzhao.common.auth import Role
from qianzhao.common.errors import bad_input
from qianzhao.common.ids import parse_id
from qianzhao.common.periods import COMPARE_ARG, PERIOD_ARG, CompareTo, Period, PeriodInput
from qianzhao.common.reference import DepartmentType
from qianzhao.common.uow import UnitOfWork
from strawberry.types import Info

from ..enums import CaseOrderField, CaseStatus, Category, Source, StatsDimension, Tier
from . import access, reads, service, stats
from . import importing as case_import
from . import inputs as i
from .actions import CASE_ROLES
from .loaders import case_loader
from .models import CoordinationCase
from .models import CoordinationCase as C
from .types import CoordinationCaseType

READ_ROLES = (Role.PROVINCE, Role.PREFECTURE, Role.COUNTY, Role.DEPARTMENT)


@strawberry.input(description="Narrow coordinationCases / coordinationStats; every criterion is ANDed.")
class CoordinationCaseFilter:
    statuses: list[CaseStatus] | None = strawberry.field(default=None, description="Any of these statuses.")
    tiers: list[Tier] | None = strawberry.field(default=None, description="Any of these tiers.")
    categories: list[Category] | None = strawberry.field(default=None, description="Any of these categories.")
    sources: list[Source] | None = strawberry.field(default=None, description="Any of these sources.")
    region_code: str | None = strawberry.field(default=None, description="In this division or beneath it.")
    department: str | None = strawberry.field(default=None, description="Lead or co-department.")
    project_id: strawberry.ID | None = strawberry.field(default=None, description="About this project.")
    open_only: bool = strawberry.field(default=False, description="Only open cases.")
    search: str | None = strawberry.field(default=None, description="Substring of title, description, number "
                                                                    "or project name.")

    def to_filter(self) -> reads.CaseFilter:
        pid = None
        if self.project_id:
            pid = parse_id(self.project_id, "projectId")
        return reads.CaseFilter(statuses=self.statuses, tiers=self.tiers, categories=self.categories,
                                  sources=self.sources, region_code=self.region_code, department=self.department,
                                  project_id=pid, open_only=self.open_only, search=self.search)


@strawberry.input(description="Sort order of coordinationCases.")
class CoordinationCaseOrder:
    field: CaseOrderField = strawberry.field(default=CaseOrderField.SUBMITTED_AT, description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.DESC, description="Direction (排序方向).")


@strawberry.type(description="A count of cases per category (按问题类别).")
class CategoryCount:
    category: Category = strawberry.field(description="Category.")
    count: int = strawberry.field(description="Open province-tier cases in it.")


@strawberry.type(description="A count of cases per lead department (按牵头部门).")
class DepartmentCount:
    department: DepartmentType | None = strawberry.field(description="Lead department; null while unassigned.")
    count: int = strawberry.field(description="Open province-tier cases it leads.")


@strawberry.type(description="需要省级层面协调解决问题项目清单: the open province-tier cases, by category and "
                             "lead department.")
class ProvincialCoordinationList:
    total_count: int = strawberry.field(description="Open province-tier cases you may see.")
    cases: list[CoordinationCaseType] = strawberry.field(description="Ordered by category, lead department, number.")
    by_category: list[CategoryCount] = strawberry.field(description="Counts per category.")
    by_department: list[DepartmentCount] = strawberry.field(description="Counts per lead department.")


@strawberry.type
class CaseQueries:
    @strawberry.field(description="One coordination case by id; null when it does not exist or lies outside your jurisdiction.")
    async def coordination_case(self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="Case id.")]
                                ) -> CoordinationCaseType | None:
        principal = info.context.user()
        key = parse_id(id, "id")
        access.require_reader(principal)
        case = await case_loader(info).load(key)
        if case is None or not access.visible(principal, case):
            return None  # outside the jurisdiction answers as a missing record does
        return CoordinationCaseType.from_model(case)

    @strawberry.field(description="Coordination cases you may see (Relay connection, keyset pagination).")
    async def coordination_cases(
        self, info: Info,
        filter: Annotated[CoordinationCaseFilter | None, strawberry.argument(description="Criteria.")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size (default 20, max 200).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after.")] = None,
        order_by: Annotated[CoordinationCaseOrder | None, strawberry.argument(description="Sort order.")] = None,
    ) -> Connection[CoordinationCaseType]:
        principal = info.context.user()
        principal.require_role(*READ_ROLES)
        stmt = reads.visible_cases(principal, filter.to_filter() if filter else None)
        order_by = order_by or CoordinationCaseOrder()
        order, cursor_of = reads.order_of(order_by.field, order_by.direction is OrderDirection.DESC)
        async with info.context.exclusive() as session:
            items, page, total = await paginate(session, stmt, order=order, first=first, after=after,
                                                cursor_of=cursor_of)
        return connection(CoordinationCaseType, items, page, total, CoordinationCaseType.from_model)

    @strawberry.field(description="需要省级层面协调解决问题项目清单: open province-tier cases (within your "
                                  "jurisdiction or departments).")
    async def provincial_coordination_list(
        self, info: Info,
        category: Annotated[Category | None, strawberry.argument(description="Only this category.")] = None,
        department: Annotated[str | None, strawberry.argument(description="Only led by this department.")] = None,
    ) -> ProvincialCoordinationList:
        principal = info.context.user()
        principal.require_role(*READ_ROLES)
        stmt = reads.visible_cases(principal, reads.CaseFilter(tiers=[Tier.PROVINCE], open_only=True,
                                                                   categories=[category] if category else None))
        if department:
            stmt = stmt.where(C.lead_department == department)
        async with info.context.exclusive() as session:
            rows = (await session.execute(
                stmt.order_by(C.category, C.lead_department.nulls_last(), C.number))).scalars().all()
        by_cat: dict[str, int] = {}
        by_dept: dict[str | None, int] = {}
        for r in rows:
            by_cat[r.category] = by_cat.get(r.category, 0) + 1
            by_dept[r.lead_department] = by_dept.get(r.lead_department, 0) + 1
        return ProvincialCoordinationList(
            total_count=len(rows), cases=[CoordinationCaseType.from_model(r) for r in rows],
            by_category=[CategoryCount(category=Category(k), count=v) for k, v in sorted(by_cat.items())],
            by_department=[DepartmentCount(department=DepartmentType.of(k), count=v)
                           for k, v in sorted(by_dept.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))])

    @strawberry.field(description="Collected, resolved, in progress, overdue letters and mean working days to "
                                  "resolve, over the cases you may see, grouped by the given dimensions.")
    async def coordination_stats(
        self, info: Info,
        filter: Annotated[CoordinationCaseFilter | None, strawberry.argument(description="Criteria.")] = None,
        group_by: Annotated[list[StatsDimension] | None, strawberry.argument(
            description="Dimensions; none → the total alone.")] = None,
        period: Annotated[PeriodInput | None, PERIOD_ARG] = None,
        date_field: Annotated[stats.CoordinationStatsDateField, strawberry.argument(
            description="The date the period applies to (统计口径).")] = stats.CoordinationStatsDateField.SUBMITTED,
        compare_to: Annotated[CompareTo | None, COMPARE_ARG] = None,
    ) -> stats.CoordinationStats:
        principal = info.context.user()
        principal.require_role(*READ_ROLES)
        span = Period.of(period)
        if compare_to and span is None:
            raise bad_input("compareTo needs a period")
        stmt = reads.visible_cases(principal, filter.to_filter() if filter else None)
        column = stats.DATE_COLUMNS[date_field.value]
        now = info.context.clock.now()
        async with info.context.exclusive() as session:
            found = await stats.compute(session, stmt.where(span.clause(column)) if span else stmt, group_by or [], now)
            if compare_to is None:
                return found
            earlier = span.earlier(compare_to)
            then = await stats.compute(session, stmt.where(earlier.clause(column)), group_by or [], now)
        return stats.compared(found, then)


async def change(info: Info, payload: type, input, step: Callable[[UnitOfWork, CoordinationCase], Awaitable]):
    """Load and lock the case, check expectedVersion, run `step`, commit — or return userErrors and change nothing."""
    info.context.user().require_role(*CASE_ROLES)

    async def run(uow: UnitOfWork) -> CoordinationCase:
        case = await service.load(uow=uow, case_id=parse_id(input.id, "id"), expected_version=input.expected_version)
        await step(uow, case)
        return case

    case, errors = await mutate(info, run)
    return payload(case=None if errors else CoordinationCaseType.from_model(case), user_errors=errors)


ImportCoordinationCasesInput = importing.import_input("ImportCoordinationCasesInput",
                                                     case_import.CoordinationCaseImportRow,
                                                     "the bureau's coordination register")


@strawberry.type
class CaseMutations:
    @strawberry.mutation(description=(
        "Import coordination cases from the bureau's register (协调问题台账导入) at the tier, day and stage each "
        "reached, all or nothing, idempotent by externalRef; a dry run writes nothing. Officers, within their "
        "jurisdiction; each case names a major project of the pool by its number."))
    async def import_coordination_cases(self, info: Info, input: Annotated[ImportCoordinationCasesInput,
                                        strawberry.argument(description="The rows (导入行).")]) -> importing.ImportPayload:
        info.context.user().require_officer()
        return await importing.run(info, input.rows, dry_run=input.dry_run, known=case_import.known,
                                   add=case_import.add)

    @strawberry.mutation(description="Raise a problem blocking a major project (问题报送); starts SUBMITTED at the "
                                     "raiser's tier.")
    async def submit_coordination_case(self, info: Info, input: i.SubmitCoordinationCaseInput
                                       ) -> i.SubmitCoordinationCasePayload:
        info.context.user().require_officer()
        case, errors = await mutate(info, lambda uow: service.submit(
            uow=uow, region_code=input.region_code, title=input.title, description=input.description,
            category=input.category, factor_subtype=input.factor_subtype,
            support_requested=input.support_requested or "", project_id=parse_id(input.project_id, "projectId"),
            project_name=input.project_name, raising_unit=input.raising_unit))
        return i.SubmitCoordinationCasePayload(case=None if errors else CoordinationCaseType.from_model(case),
                                               user_errors=errors)

    @strawberry.mutation(description="SUBMITTED → VERIFIED (核实), by the tier coordinating the case.")
    async def verify_coordination_case(self, info: Info, input: i.VerifyCoordinationCaseInput
                                       ) -> i.VerifyCoordinationCasePayload:
        return await change(info, i.VerifyCoordinationCasePayload, input,
                            lambda uow, c: service.verify(uow=uow, case=c, comment=input.comment))

    @strawberry.mutation(description="SUBMITTED → REJECTED with a reason (不予受理). Final.")
    async def reject_coordination_case(self, info: Info, input: i.RejectCoordinationCaseInput
                                       ) -> i.RejectCoordinationCasePayload:
        return await change(info, i.RejectCoordinationCasePayload, input,
                            lambda uow, c: service.reject(uow=uow, case=c, reason=input.reason))

    @strawberry.mutation(description="VERIFIED → CLASSIFIED: confirm the category (分类).")
    async def classify_coordination_case(self, info: Info, input: i.ClassifyCoordinationCaseInput
                                         ) -> i.ClassifyCoordinationCasePayload:
        return await change(info, i.ClassifyCoordinationCasePayload, input, lambda uow, c: service.classify(
            uow=uow, case=c, category=input.category, factor_subtype=input.factor_subtype, comment=input.comment))

    @strawberry.mutation(description="CLASSIFIED → ASSIGNED: lead department plus co-departments (分类推送); also "
                                     "re-assigns an ASSIGNED or IN_PROGRESS case.")
    async def assign_coordination_case(self, info: Info, input: i.AssignCoordinationCaseInput
                                       ) -> i.AssignCoordinationCasePayload:
        return await change(info, i.AssignCoordinationCasePayload, input, lambda uow, c: service.assign(
            uow=uow, case=c, lead_department=input.lead_department, co_departments=input.co_departments or [],
            comment=input.comment))

    @strawberry.mutation(description="ASSIGNED → IN_PROGRESS (办理中), by the coordinating tier or lead department.")
    async def start_coordination_case(self, info: Info, input: i.StartCoordinationCaseInput
                                      ) -> i.StartCoordinationCasePayload:
        return await change(info, i.StartCoordinationCasePayload, input,
                            lambda uow, c: service.start(uow=uow, case=c, comment=input.comment))

    @strawberry.mutation(description="Move an open case up one tier: county → prefecture → province (提级协调). "
                                     "Status and departments stay; the higher tier now coordinates it.")
    async def escalate_coordination_case(self, info: Info, input: i.EscalateCoordinationCaseInput
                                         ) -> i.EscalateCoordinationCasePayload:
        return await change(info, i.EscalateCoordinationCasePayload, input,
                            lambda uow, c: service.escalate(uow=uow, case=c, reason=input.reason))

    @strawberry.mutation(description="Record the solution (ASSIGNED, IN_PROGRESS or DECIDED cases); the raising "
                                     "unit then confirms it.")
    async def record_coordination_solution(self, info: Info, input: i.RecordCoordinationSolutionInput
                                           ) -> i.RecordCoordinationSolutionPayload:
        return await change(info, i.RecordCoordinationSolutionPayload, input,
                            lambda uow, c: service.record_solution(uow=uow, case=c, solution=input.solution))

    @strawberry.mutation(description="→ RESOLVED: the raising unit confirms the recorded solution (确认解决).")
    async def confirm_coordination_resolution(self, info: Info, input: i.ConfirmCoordinationResolutionInput
                                              ) -> i.ConfirmCoordinationResolutionPayload:
        return await change(info, i.ConfirmCoordinationResolutionPayload, input,
                            lambda uow, c: service.confirm_resolution(uow=uow, case=c, comment=input.comment))

    @strawberry.mutation(description="→ CLOSED_UNRESOLVABLE with a reason; open letters are cancelled.")
    async def close_coordination_case(self, info: Info, input: i.CloseCoordinationCaseInput
                                      ) -> i.CloseCoordinationCasePayload:
        return await change(info, i.CloseCoordinationCasePayload, input,
                            lambda uow, c: service.close_unresolvable(uow=uow, case=c, reason=input.reason))
