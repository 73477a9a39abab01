"""Arrears lists and arrearsStats: SQL sums over NUMERIC columns, so totals are exact to the fen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import strawberry
from qianzhao.common.api import (
    RegionType,
    any_of,
    list_order,
    ordered_page,
    region_key,
    text_search,
)
from qianzhao.common.auth import Principal, region_scope
from qianzhao.common.rollup import county_key, prefecture_key
from sqlalchemy import Date, Select, String, case, cast, column, func, literal, select, true
from sqlalchemy.dialects.postgresql import JSONB

from .. import access
from ..grievance.enums import EnterpriseSize
from .enums import ArrearsDebtorType, ArrearsStatsDimension
from .models import MONEY, ArrearsClaim, Repayment, ResolutionPlan
from .types import ArrearsClaimType, ratio

F = strawberry.field


@strawberry.input(description="Filter of arrears lists and statistics.")
class ArrearsFilter:
    region_code: str | None = F(default=None, description="In this region or beneath it.")
    debtor_types: list[ArrearsDebtorType] | None = F(default=None, description="Any of these kinds of debtor.")
    creditor_credit_code: str | None = F(default=None, description="Of this creditor SME.")
    disputed: bool | None = F(default=None, description="Disputed (true) or undisputed (false) claims.")
    resolved: bool | None = F(default=None, description="Fully resolved (true) or not (false).")
    search: str | None = F(default=None, description="Text in the claim's number, creditor or debtor name (关键词).")


def filtered(principal: Principal, f: ArrearsFilter | None, base: Select | None = None) -> Select:
    c = ArrearsClaim
    stmt = (base if base is not None else select(c)).where(
        access.region_scope_clause(principal, c.region_code, c.creditor_credit_code))
    if f is None:
        return stmt
    if f.region_code:
        stmt = stmt.where(region_scope(f.region_code, c.region_code))
    stmt = any_of(stmt, (c.debtor_type, f.debtor_types))
    stmt = text_search(stmt, f.search, c.number, c.creditor_name, c.debtor_name)
    if f.creditor_credit_code:
        stmt = stmt.where(c.creditor_credit_code == f.creditor_credit_code.strip().upper())
    if f.disputed is not None:
        stmt = stmt.where(c.disputed.is_(f.disputed))
    if f.resolved is not None:
        stmt = stmt.where(c.resolved_at.is_not(None) if f.resolved else c.resolved_at.is_(None))
    return stmt


ArrearsClaimOrder = list_order("ArrearsClaimOrder", "arrears claims", {
    "REGISTERED_AT": ("registered_at", "When the claim was registered (登记时间)."),
    "AMOUNT_CLAIMED": ("amount_claimed", "Amount claimed (申报金额)."),
}, "REGISTERED_AT")


async def page(session, principal: Principal, *, f, first, after, base: Select | None = None, order=None):
    return await ordered_page(session, filtered(principal, f, base), order_by=order, default=ArrearsClaimOrder(),
                              model=ArrearsClaim, node_type=ArrearsClaimType, convert=ArrearsClaimType.from_model,
                              first=first, after=after)


@dataclass
class Sums:
    claim_count: int
    claimed: Decimal
    undisputed: Decimal
    cleared: Decimal
    resolved: Decimal
    due: Decimal


@strawberry.type(description="What a group of arrearsStats shares; the keys not grouped by are null.")
class ArrearsStatsKey:
    region: RegionType | None = F(default=None, description="When grouped by REGION.")
    prefecture: RegionType | None = F(default=None, description="When grouped by PREFECTURE.")
    county: RegionType | None = F(default=None, description="When grouped by COUNTY; null above a county.")
    debtor_type: ArrearsDebtorType | None = F(default=None, description="When grouped by DEBTOR_TYPE.")
    creditor_size: EnterpriseSize | None = F(default=None, description="When grouped by CREDITOR_SIZE.")
    disputed: bool | None = F(default=None, description="When grouped by DISPUTED.")


@strawberry.type(description="Arrears totals and rates for one group (or all), exact Decimal yuan.")
class ArrearsStatsGroup:
    sums: strawberry.Private[Sums]
    key: ArrearsStatsKey = F(default_factory=lambda: ArrearsStatsKey(),
                             description="The group's keys (分组); all null in the total.")

    @F(description="Number of claims.")
    def claim_count(self) -> int:
        return self.sums.claim_count

    @F(description="Total claimed, yuan (申报金额).")
    def claimed_amount(self) -> Decimal:
        return self.sums.claimed

    @F(description="Total undisputed, yuan (无分歧金额).")
    def undisputed_amount(self) -> Decimal:
        return self.sums.undisputed

    @F(description="Total disputed, yuan (有分歧金额).")
    def disputed_amount(self) -> Decimal:
        return self.sums.claimed - self.sums.undisputed

    @F(description="Undisputed amount due by the as-of date, yuan (应清偿金额): for each claim, what an agreed plan's "
                   "installments make due by then, and the rest of its undisputed amount once its statutory or "
                   "agreed payment date (delivery + payment term) has passed.")
    def due_amount(self) -> Decimal:
        return self.sums.due

    @F(description="Total repaid by the as-of date, yuan (已清偿).")
    def cleared_amount(self) -> Decimal:
        return self.sums.cleared

    @F(description="Total resolved by the as-of date = repaid + agreed under a plan and not yet repaid, at most the "
                   "undisputed amount, yuan (已化解).")
    def resolved_amount(self) -> Decimal:
        return self.sums.resolved

    @F(description="Total outstanding undisputed, yuan.")
    def outstanding_amount(self) -> Decimal:
        return self.sums.undisputed - self.sums.cleared

    @F(description="Clearance rate (清偿率) = repaid ÷ undisputed amount due by the as-of date (clearedAmount ÷ "
                   "dueAmount), an exact ratio to 4 places, half-up; null when nothing is due.")
    def clearance_rate(self) -> Decimal | None:
        return ratio(self.sums.cleared, self.sums.due)

    @F(description="Resolution rate (化解率) = (repaid + agreed under a plan) ÷ undisputed amount (resolvedAmount ÷ "
                   "undisputedAmount), an exact ratio to 4 places, half-up; null when nothing is undisputed.")
    def resolution_rate(self) -> Decimal | None:
        return ratio(self.sums.resolved, self.sums.undisputed)


@strawberry.type(description="Arrears statistics over the claims you may see.")
class ArrearsStats:
    total: ArrearsStatsGroup = F(description="All matching claims.")
    groups: list[ArrearsStatsGroup] = F(description="One row per combination of the groupBy keys.")


def _dim(d: ArrearsStatsDimension):
    c = ArrearsClaim
    return {
        ArrearsStatsDimension.REGION: c.region_code,
        ArrearsStatsDimension.PREFECTURE: prefecture_key(c.region_code),
        ArrearsStatsDimension.COUNTY: county_key(c.region_code),
        ArrearsStatsDimension.DEBTOR_TYPE: c.debtor_type,
        ArrearsStatsDimension.CREDITOR_SIZE: c.creditor_size,
        ArrearsStatsDimension.DISPUTED: cast(c.disputed, String),
    }[d].label(d.value.lower())


def _measures(as_of: date):
    """Per-claim figures as of a day (correlated sums over repayments and plans), summed over the claims."""
    c, r, p = ArrearsClaim, Repayment, ResolutionPlan
    zero = literal(Decimal("0.00"))
    repaid = select(func.coalesce(func.sum(r.amount), zero)).where(r.claim_id == c.id, r.paid_on <= as_of)
    planned = select(func.coalesce(func.sum(p.amount), zero)).where(p.claim_id == c.id, p.agreed_on <= as_of)
    first_plan = select(func.min(p.agreed_on)).where(p.claim_id == c.id, p.agreed_on <= as_of).scalar_subquery()
    repaid_since_plan = select(func.coalesce(func.sum(r.amount), zero)).where(
        r.claim_id == c.id, r.paid_on <= as_of, r.paid_on >= first_plan)
    installment = func.jsonb_array_elements(p.installments).table_valued(column("value", JSONB)).alias("installment")
    installments_due = (select(func.coalesce(func.sum(installment.c.value["amount"].astext.cast(MONEY)), zero))
                        .select_from(p).join(installment, true())
                        .where(p.claim_id == c.id, p.agreed_on <= as_of,
                               installment.c.value["due_on"].astext.cast(Date) <= as_of))
    cleared = repaid.scalar_subquery()
    unpaid_plans = func.greatest(zero, planned.scalar_subquery() - repaid_since_plan.scalar_subquery())
    resolved = func.least(c.undisputed_amount, cleared + unpaid_plans)
    statutory_due = case((c.delivery_date + c.payment_term_days <= as_of,
                          func.greatest(zero, c.undisputed_amount - planned.scalar_subquery())), else_=zero)
    due = statutory_due + installments_due.scalar_subquery()
    return [func.count().label("claim_count"), func.coalesce(func.sum(c.amount_claimed), zero).label("claimed"),
            func.coalesce(func.sum(c.undisputed_amount), zero).label("undisputed"),
            func.coalesce(func.sum(cleared), zero).label("cleared"),
            func.coalesce(func.sum(resolved), zero).label("resolved"),
            func.coalesce(func.sum(due), zero).label("due")]


def _sums(m) -> Sums:
    q = Decimal("0.01")
    return Sums(claim_count=int(m["claim_count"]), claimed=Decimal(m["claimed"]).quantize(q),
                undisputed=Decimal(m["undisputed"]).quantize(q), cleared=Decimal(m["cleared"]).quantize(q),
                resolved=Decimal(m["resolved"]).quantize(q), due=Decimal(m["due"]).quantize(q))


async def stats(session, principal: Principal, *, f, group_by: list[ArrearsStatsDimension], as_of: date
                ) -> ArrearsStats:
    """The ledger as it stood at the end of `as_of`: claims delivered by then, repayments and plans made by then."""
    measures = _measures(as_of)
    existing = ArrearsClaim.delivery_date <= as_of
    total = (await session.execute(filtered(principal, f, select(*measures).select_from(ArrearsClaim)
                                            .where(existing)))).one()
    groups = []
    dims = list(dict.fromkeys(group_by))
    if dims:
        cols = [_dim(d) for d in dims]
        stmt = filtered(principal, f, select(*cols, *measures).select_from(ArrearsClaim).where(existing)
                        ).group_by(*cols)
        for r in (await session.execute(stmt.order_by(*cols))).all():
            m = r._mapping
            groups.append(ArrearsStatsGroup(sums=_sums(m), key=ArrearsStatsKey(
                region=region_key(m.get("region")), prefecture=region_key(m.get("prefecture")),
                county=region_key(m.get("county")),
                debtor_type=ArrearsDebtorType(m["debtor_type"]) if m.get("debtor_type") else None,
                creditor_size=EnterpriseSize(m["creditor_size"]) if m.get("creditor_size") else None,
                disputed=(m["disputed"] == "true") if m.get("disputed") is not None else None)))
    return ArrearsStats(total=ArrearsStatsGroup(sums=_sums(total._mapping)), groups=groups)
