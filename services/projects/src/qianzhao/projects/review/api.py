"""reviewProject: the selection decision (遴选)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from ..enums import ReviewDecision
from ..payloads import payload, run
from ..project.api import to_type
from ..project.types import ProjectType
from . import service

ReviewProjectPayload = payload("ReviewProjectPayload", "project", ProjectType, "Result of reviewProject (遴选结果).",
                               "The project (项目), now LISTED or RETURNED; null on errors.")


@strawberry.input(name="ProjectFiveHavesInput", description="The five haves checklist (五有).")
class FiveHavesInput:
    factors_guaranteed: bool = strawberry.field(description="Factors are guaranteed (要素有保障).")
    policy_supported: bool = strawberry.field(description="Policy supports it (政策有支撑).")
    product_marketable: bool = strawberry.field(description="The product has a market (产品有市场).")
    investment_returns: bool = strawberry.field(description="The investment earns a return (投资有回报).")
    tax_revenue: bool = strawberry.field(description="The government gains tax revenue (政府有税收).")


@strawberry.input(description="Review of a submitted project (遴选).")
class ReviewProjectInput:
    id: strawberry.ID = strawberry.field(description="Project id (项目ID).")
    expected_version: int = strawberry.field(description="The version you read (版本号); CONFLICT when it has moved on.")
    policy_alignment: int = strawberry.field(description="Policy alignment 0–100 (政策契合度).")
    industry_linkage: int = strawberry.field(description="Industry linkage 0–100 (产业关联度).")
    precondition_maturity: int = strawberry.field(description="Precondition maturity 0–100 (前期成熟度).")
    market_prospects: int = strawberry.field(description="Market prospects 0–100 (市场前景).")
    five_haves: FiveHavesInput = strawberry.field(description="The five haves checklist (五有).")
    decision: ReviewDecision = strawberry.field(description="LIST or RETURN (遴选结论).")
    comment: str | None = strawberry.field(default=None, description="Comment; required when returning (意见).")


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(description="Review a submitted project: LIST it into the pool or RETURN it (遴选).")
    async def review_project(self, info: Info, input: Annotated[ReviewProjectInput, strawberry.argument(description="The input (输入).")]) -> ReviewProjectPayload:
        async def action(uow):
            project, _ = await service.review(
                uow=uow, project_id=input.id, expected_version=input.expected_version,
                scores={k: getattr(input, k) for k in service.SCORES},
                five_haves={k: getattr(input.five_haves, k) for k in service.FIVE_HAVES},
                decision=ReviewDecision(input.decision), comment=input.comment)
            return project
        return await run(info, ReviewProjectPayload, "project", action, to_type(info))
