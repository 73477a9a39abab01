"""coordinationStats: collected / resolved / in progress / overdue letters / working days to resolve, grouped."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy import Float, and_, cast, func, select

from ..enums import AWAITING_LETTER_VALUES, OPEN_VALUES, CaseStatus, Category, StatsDimension, Tier
from ..letter.models import DepartmentLetter
from .models import CoordinationCase as C

COLUMNS = {
    StatsDimension.CATEGORY: C.category,
    StatsDimension.TIER: C.tier,
    StatsDimension.DEPARTMENT: C.lead_department,
    StatsDimension.REGION: C.region_code,
    StatsDimension.STATUS: C.status,
}


@strawberry.type(description="One group of coordinationStats; the key fields not grouped by are null.")
class CoordinationStatsRow:
    category: Category | None = strawberry.field(description="Category, when grouped by CATEGORY.")
    tier: Tier | None = strawberry.field(description="Tier, when grouped by TIER.")
    department: str | None = strawberry.field(description="Lead department, when grouped by DEPARTMENT.")
    region_code: str | None = strawberry.field(description="Region code, when grouped by REGION.")
    status: CaseStatus | None = strawberry.field(description="Status, when grouped by STATUS.")
    collected: int = strawberry.field(description="Cases collected (收集问题数).")
    resolved: int = strawberry.field(description="Cases resolved (已解决).")
    in_progress: int = strawberry.field(description="Cases still open (推进中).")
    overdue_letters: int = strawberry.field(description="Letters awaiting feedback past their first deadline.")
    average_working_days_to_resolve: float | None = strawberry.field(
        description="Mean working days from submission to resolution of the resolved cases; null when none.")


async def compute(session, cases_stmt, group_by: list[StatsDimension], now: datetime) -> list[CoordinationStatsRow]:
    """Group the (already jurisdiction-filtered) cases of `cases_stmt`."""
    dims = list(dict.fromkeys(group_by))
    base = cases_stmt.subquery()
    overdue = (select(DepartmentLetter.case_id, func.count().label("n"))
               .where(DepartmentLetter.status.in_(AWAITING_LETTER_VALUES), DepartmentLetter.first_deadline <= now)
               .group_by(DepartmentLetter.case_id).subquery())
    keys = [base.c[COLUMNS[d].key].label(d.value) for d in dims]
    stmt = (select(
        *keys,
        func.count().label("collected"),
        func.count().filter(base.c.status == CaseStatus.RESOLVED.value).label("resolved"),
        func.count().filter(base.c.status.in_(OPEN_VALUES)).label("in_progress"),
        func.coalesce(func.sum(overdue.c.n), 0).label("overdue_letters"),
        func.avg(cast(base.c.resolved_working_days, Float)).filter(
            and_(base.c.status == CaseStatus.RESOLVED.value)).label("avg_days"),
    ).select_from(base.outerjoin(overdue, overdue.c.case_id == base.c.id)))
    if keys:
        stmt = stmt.group_by(*keys).order_by(*keys)
    rows = (await session.execute(stmt)).mappings().all()
    out = []
    for r in rows:
        out.append(CoordinationStatsRow(
            category=Category(r["CATEGORY"]) if "CATEGORY" in r and r["CATEGORY"] else None,
            tier=Tier(r["TIER"]) if "TIER" in r and r["TIER"] else None,
            department=r.get("DEPARTMENT"), region_code=r.get("REGION"),
            status=CaseStatus(r["STATUS"]) if "STATUS" in r and r["STATUS"] else None,
            collected=int(r["collected"]), resolved=int(r["resolved"]), in_progress=int(r["in_progress"]),
            overdue_letters=int(r["overdue_letters"]),
            average_working_days_to_resolve=round(float(r["avg_days"]), 2) if r["avg_days"] is not None else None,
        ))
    return out
