"""GraphQL type of a review."""

from __future__ import annotations

from datetime import datetime

import strawberry

from ..enums import ReviewDecision
from .models import ProjectReview


@strawberry.type(name="ProjectReview", description="A review of a submitted project (遴选记录).")
class ProjectReviewType:
    id: strawberry.ID = strawberry.field(description="Review id (遴选记录ID).")
    policy_alignment: int = strawberry.field(description="Policy alignment score 0–100 (政策契合度).")
    industry_linkage: int = strawberry.field(description="Industry linkage score 0–100 (产业关联度).")
    precondition_maturity: int = strawberry.field(description="Precondition maturity score 0–100 (前期成熟度).")
    market_prospects: int = strawberry.field(description="Market prospects score 0–100 (市场前景).")
    factors_guaranteed: bool = strawberry.field(description="Factors are guaranteed (要素有保障).")
    policy_supported: bool = strawberry.field(description="Policy supports it (政策有支撑).")
    product_marketable: bool = strawberry.field(description="The product has a market (产品有市场).")
    investment_returns: bool = strawberry.field(description="The investment earns a return (投资有回报).")
    tax_revenue: bool = strawberry.field(description="The government gains tax revenue (政府有税收).")
    decision: ReviewDecision = strawberry.field(description="LIST or RETURN (遴选结论).")
    comment: str | None = strawberry.field(description="Reviewer's comment (意见).")
    reviewer: str = strawberry.field(description="Who reviewed it (审核人).")
    reviewed_at: datetime = strawberry.field(description="When (时间, UTC).")

    @classmethod
    def from_model(cls, r: ProjectReview) -> ProjectReviewType:
        return cls(id=strawberry.ID(str(r.id)), policy_alignment=r.policy_alignment,
                   industry_linkage=r.industry_linkage, precondition_maturity=r.precondition_maturity,
                   market_prospects=r.market_prospects, factors_guaranteed=r.factors_guaranteed,
                   policy_supported=r.policy_supported, product_marketable=r.product_marketable,
                   investment_returns=r.investment_returns, tax_revenue=r.tax_revenue,
                   decision=ReviewDecision(r.decision), comment=r.comment, reviewer=r.reviewer,
                   reviewed_at=r.reviewed_at)
