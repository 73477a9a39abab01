"""Case lifecycle mutations. Each changes the case, one history row and one event, or nothing (userErrors)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from qianzhao.common.api import mutate
from qianzhao.common.ids import parse_id
from qianzhao.common.uow import UnitOfWork
from strawberry.types import Info

from . import inputs as i
from . import service
from .actions import CASE_ROLES
from .models import CoordinationCase
from .types import CoordinationCaseType


async def change(info: Info, payload: type, input, step: Callable[[UnitOfWork, CoordinationCase], Awaitable]):
    """Load and lock the case, check expectedVersion, run `step`, commit — or return userErrors and change nothing."""
    info.context.user().require_role(*CASE_ROLES)

    async def run(uow: UnitOfWork) -> CoordinationCase:
        case = await service.load(uow=uow, case_id=parse_id(input.id, "id"), expected_version=input.expected_version)
        await step(uow, case)
        return case

    case, errors = await mutate(info, run)
    return payload(case=None if errors else CoordinationCaseType.from_model(case), user_errors=errors)


@strawberry.type
class CaseMutations:
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
