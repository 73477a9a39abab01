"""Root fields of the Grievance aggregate: grievance, grievances, grievanceStats and the lifecycle mutations
(thin: parse, authorize, call the service through common.api.mutate)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry
from qianzhao.common import importing
from qianzhao.common.api import Connection, mutate
from qianzhao.common.errors import bad_input
from qianzhao.common.ids import parse_id
from qianzhao.common.periods import COMPARE_ARG, PERIOD_ARG, CompareTo, Period, PeriodInput, matched
from qianzhao.common.uow import UnitOfWork
from strawberry.types import Info

from .. import access
from ..args import After, FilterArg, First, GroupByArg, Id, InputArg, OrderArg
from . import importing as grievance_import
from . import inputs as i
from . import intake, reads, service
from . import stats as grievance_stats
from .inputs import GrievanceFilter, GrievanceOrder
from .stats_types import GrievanceStats, GrievanceStatsDateField, GrievanceStatsDimension, GrievanceStatsGroup
from .types import GrievanceType, grievance_loader


@strawberry.type
class GrievanceQueries:
    @strawberry.field(description="One grievance by id; null when it does not exist or lies outside your jurisdiction.")
    async def grievance(self, info: Info, id: Id) -> GrievanceType | None:
        principal = info.context.user()
        g = await grievance_loader(info).load(parse_id(id))
        if g is None:
            return None
        if not access.grievance_visible(principal, g):
            return None  # outside the jurisdiction answers as a missing record does
        return GrievanceType.from_model(g)

    @strawberry.field(description="Grievances you may see, filtered and ordered (keyset pagination).")
    async def grievances(self, info: Info, filter: Annotated[GrievanceFilter | None, FilterArg] = None, first: First = None,
                         after: After = None, order_by: Annotated[GrievanceOrder | None, OrderArg] = None) -> Connection[GrievanceType]:
        return await reads.page(info.context, info.context.user(), f=filter, order=order_by, first=first,
                                after=after)

    @strawberry.field(description="Counts and the three rates of 接诉即办 (响应率/解决率/满意率), on-time rate and "
                                  "average working days to reply, over the cases you may see.")
    async def grievance_stats(
        self, info: Info, filter: Annotated[GrievanceFilter | None, FilterArg] = None,
        group_by: Annotated[list[GrievanceStatsDimension] | None, GroupByArg] = None,
        period: Annotated[PeriodInput | None, PERIOD_ARG] = None,
        date_field: Annotated[GrievanceStatsDateField, strawberry.argument(
            description="The date the period applies to (统计口径).")] = GrievanceStatsDateField.RECEIVED,
        compare_to: Annotated[CompareTo | None, COMPARE_ARG] = None,
    ) -> GrievanceStats:
        ctx = info.context
        dims = [grievance_stats.Dimension(d.value) for d in group_by or []]
        span = Period.of(period)
        column = grievance_stats.DATE_COLUMNS[date_field.value]
        earlier = span.earlier(compare_to) if span and compare_to else None
        if compare_to and span is None:
            raise bad_input("compareTo needs a period")

        async def over(p: Period | None):
            return await grievance_stats.compute(session, ctx.user(), f=filter, group_by=dims, now=ctx.clock.now(),
                                                 within=p.clause(column) if p else None)
        async with ctx.exclusive() as session:
            total, groups = await over(span)
            then_total, then_groups = await over(earlier) if earlier else (None, [])
        if earlier is None:
            return GrievanceStats(total=GrievanceStatsGroup.from_row(total),
                                  groups=[GrievanceStatsGroup.from_row(r) for r in groups])
        pairs = matched(groups, then_groups, lambda r: tuple(sorted(r.keys.items())))
        return GrievanceStats(total=GrievanceStatsGroup.from_row(total, then_total), groups=[
            GrievanceStatsGroup.from_row(r, then or grievance_stats.empty_row(r.keys)) for r, then in pairs])


M = strawberry.mutation




async def _run(info: Info, payload, step: Callable[[UnitOfWork], Awaitable]):
    info.context.user()
    g, errors = await mutate(info, step)
    return payload(grievance=None if errors else GrievanceType.from_model(g), user_errors=errors)


def _rules(info: Info) -> dict:
    return info.context.settings.deadline_rules


ImportGrievancesInput = importing.import_input("ImportGrievancesInput", grievance_import.GrievanceImportRow,
                                               "the direct line's case register")


@strawberry.type
class GrievanceMutations:
    @M(description="Import cases from the direct line's register (诉求台账导入) with the day each was received and the "
                   "stage it reached, all or nothing, idempotent by externalRef; a dry run writes nothing. Officers, "
                   "within their jurisdiction.")
    async def import_grievances(self, info: Info, input: Annotated[ImportGrievancesInput, InputArg]
                                ) -> importing.ImportPayload:
        info.context.user().require_officer()
        rules = _rules(info)
        return await importing.run(info, input.rows, dry_run=input.dry_run, known=grievance_import.known,
                                   add=lambda uow, row: grievance_import.add(uow, rules, row))

    @M(description="File a grievance (受理登记); enterprises file online for their own credit code.")
    async def file_grievance(self, info: Info, input: Annotated[i.FileGrievanceInput, InputArg]) -> i.FileGrievancePayload:
        async def step(uow):
            new = intake.NewGrievance(
                channel=input.channel, enterprise_name=input.enterprise_name, credit_code=input.credit_code,
                ownership=input.ownership, size=input.size, contact_name=input.contact_name,
                contact_phone=input.contact_phone, region_code=input.region_code, category=input.category,
                title=input.title, description=input.description, complaint_subtype=input.complaint_subtype,
                topics=list(input.topics or []), priority=input.priority,
                project_id=parse_id(input.project_id, "projectId") if input.project_id else None,
                received_at=input.received_at)
            return await intake.file(uow=uow, rules=_rules(info), new=new)
        return await _run(info, i.FileGrievancePayload, step)

    @M(description="Accept a received grievance as valid (受理); you become its accountable official (首接负责).")
    async def accept_grievance(self, info: Info, input: Annotated[i.AcceptGrievanceInput, InputArg]) -> i.AcceptGrievancePayload:
        return await _run(info, i.AcceptGrievancePayload, lambda uow: service.accept(
            uow=uow, grievance_id=parse_id(input.id, "id"),
            expected_version=input.expected_version, comment=input.comment))

    @M(description="Reject a received grievance as invalid (不予受理).")
    async def reject_grievance(self, info: Info, input: Annotated[i.RejectGrievanceInput, InputArg]) -> i.RejectGrievancePayload:
        return await _run(info, i.RejectGrievancePayload, lambda uow: service.reject(
            uow=uow, grievance_id=parse_id(input.id, "id"), reason=input.reason,
            expected_version=input.expected_version))

    @M(description="Merge a duplicate into the case it repeats (并单); it is then counted once.")
    async def merge_grievance(self, info: Info, input: Annotated[i.MergeGrievanceInput, InputArg]) -> i.MergeGrievancePayload:
        return await _run(info, i.MergeGrievancePayload, lambda uow: service.merge(
            uow=uow, grievance_id=parse_id(input.id, "id"), into_id=parse_id(input.into_id, "intoId"),
            expected_version=input.expected_version, comment=input.comment))

    @M(description="Dispatch (交办) an accepted case, or re-dispatch (改派) a returned one.")
    async def assign_grievance(self, info: Info, input: Annotated[i.AssignGrievanceInput, InputArg]) -> i.AssignGrievancePayload:
        return await _run(info, i.AssignGrievancePayload, lambda uow: service.assign(
            uow=uow, grievance_id=parse_id(input.id, "id"),
            lead=service.Unit(input.lead_unit.kind, input.lead_unit.code.strip()),
            co_handlers=[service.Unit(u.kind, u.code.strip()) for u in input.co_handlers or []],
            expected_version=input.expected_version, comment=input.comment))

    @M(description="Return your assignment with a reason (退单); the lead unit's return awaits re-dispatch.")
    async def return_assignment(self, info: Info, input: Annotated[i.ReturnAssignmentInput, InputArg]) -> i.ReturnAssignmentPayload:
        return await _run(info, i.ReturnAssignmentPayload, lambda uow: service.return_assignment(
            uow=uow, grievance_id=parse_id(input.id, "id"), reason=input.reason,
            expected_version=input.expected_version))

    @M(description="Start handling an assigned case (开始办理).")
    async def start_grievance_handling(self, info: Info,
                                       input: Annotated[i.StartGrievanceHandlingInput, InputArg]) -> i.StartGrievanceHandlingPayload:
        return await _run(info, i.StartGrievanceHandlingPayload, lambda uow: service.start(
            uow=uow, grievance_id=parse_id(input.id, "id"),
            expected_version=input.expected_version, comment=input.comment))

    @M(description="Send the enterprise a written reply (答复).")
    async def respond_to_grievance(self, info: Info, input: Annotated[i.RespondToGrievanceInput, InputArg]) -> i.RespondToGrievancePayload:
        return await _run(info, i.RespondToGrievancePayload, lambda uow: service.respond(
            uow=uow, grievance_id=parse_id(input.id, "id"), reply=input.reply,
            expected_version=input.expected_version))

    @M(description="Confirm the action taken (办结).")
    async def resolve_grievance(self, info: Info, input: Annotated[i.ResolveGrievanceInput, InputArg]) -> i.ResolveGrievancePayload:
        return await _run(info, i.ResolveGrievancePayload, lambda uow: service.resolve(
            uow=uow, grievance_id=parse_id(input.id, "id"), resolution=input.resolution,
            expected_version=input.expected_version))

    @M(description="Give (enterprise) or record (officer, 回访) feedback; UNSATISFIED reopens the case.")
    async def give_feedback(self, info: Info, input: Annotated[i.GiveFeedbackInput, InputArg]) -> i.GiveFeedbackPayload:
        return await _run(info, i.GiveFeedbackPayload, lambda uow: service.give_feedback(
            uow=uow, rules=_rules(info), grievance_id=parse_id(input.id, "id"),
            rating=input.rating, comment=input.comment, expected_version=input.expected_version))

    @M(description="Send a case that blocks a major project to the coordination service (转重大项目协调).")
    async def escalate_grievance_to_coordination(
            self, info: Info, input: Annotated[i.EscalateGrievanceToCoordinationInput, InputArg],
    ) -> i.EscalateGrievanceToCoordinationPayload:
        return await _run(info, i.EscalateGrievanceToCoordinationPayload, lambda uow: service.escalate_to_coordination(
            uow=uow, grievance_id=parse_id(input.id, "id"), reason=input.reason,
            expected_version=input.expected_version))
