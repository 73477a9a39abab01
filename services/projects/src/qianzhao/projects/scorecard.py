"""The projects service's indicators for unit scorecards (common.scorecard): projects signed and their contract
investment and constructions started per prefecture or county in the year (from the month rollups); the pool's
upkeep (listed projects verified in time, verification checks completed, five-ones milestones on time); and for
prefectures the investment intentions answered on time (projects hold nothing to score departments by)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import strawberry
from qianzhao.common import scorecard as sc
from qianzhao.common.periods import SHANGHAI, Period
from qianzhao.common.rollup import county_key, prefecture_key
from sqlalchemy import and_, func, or_, select, true
from strawberry.types import Info

from .fiveones.models import Milestone
from .intention.actions import IntentionStatus
from .intention.models import InvestmentIntention as I
from .project import rollup
from .project.models import Project
from .project.types import rules_of
from .verification.models import VerificationCampaign, VerificationCheck


async def _intentions_on_time(session, period: Period, now) -> dict[str, tuple[int, int]]:
    """Per prefecture named: (answered on time, fallen due) of the intentions whose first response fell due in the
    period. One falls due when answered, escalated, or past due and not declined; it is on time when the first
    response came by the due time."""
    prefecture = func.unnest(I.prefectures).table_valued("code").render_derived()
    rows = await session.execute(
        select(prefecture.c.code, func.count().filter(I.responded_at <= I.response_due),
               func.count().filter(or_(I.responded_at.is_not(None), I.escalated_at.is_not(None),
                                       (I.response_due < now) & (I.status != IntentionStatus.DECLINED.value))))
        .select_from(I).join(prefecture, true()).where(period.clause(I.response_due)).group_by(prefecture.c.code))
    return {code: (int(on_time), int(due)) for code, on_time, due in rows.all()}


async def _verified_in_time(session, level: sc.Level, rules) -> dict[str, tuple[int, int]]:
    """Per unit: (listed projects not stale, listed projects), now. Listed from the region rollup; stale — verified
    before the cut-off — from the month rollup's VERIFIED days before the cut-off's day and, for that day's part
    before the cut-off, from the stale index."""
    units = [u.code for u in sc.units(level)]
    table = rollup.ROLLUPS[0]  # project_rollup_region
    by = table.c.prefecture_code if level is sc.Level.PREFECTURE else table.c.region_code
    listed = dict((await session.execute(select(by, func.sum(table.c.project_count)).where(
        table.c.status == "LISTED", by.in_(units)).group_by(by))).all())
    cutoff = rules.stale_before
    day = cutoff.astimezone(SHANGHAI).date()
    stale = await rollup.dated(session, "VERIFIED", Period(date(2000, 1, 1), day - timedelta(days=1)), units)
    start = datetime.combine(day, time.min, SHANGHAI)
    same_day = (await session.execute(select(Project.region_code, func.count()).where(
        Project.status == "LISTED", Project.verified_at >= start, Project.verified_at < cutoff)
        .group_by(Project.region_code))).all()
    counts = {code: f.count for (code,), f in stale.items()}
    for region_code, n in same_day:
        for unit in rollup.units_of(region_code, units):
            counts[unit] = counts.get(unit, 0) + n
    return {u: (int(listed[u]) - counts.get(u, 0), int(listed[u])) for u in units if listed.get(u)}


async def _rates(session, level: sc.Level, year: int, rules) -> dict[str, dict[str, tuple[int, int]]]:
    """Per indicator key and unit: (met, measured) of the pool's upkeep — listed projects verified within
    QZ_STALE_AFTER_DAYS (the current year only: it is a state, not a history), checks of the year's verification
    campaigns completed, and the year's five-ones milestones done by their due day."""
    key = prefecture_key if level is sc.Level.PREFECTURE else county_key
    unit = key(Project.region_code).label("unit")

    async def grouped(met, measured, *where, joins=()) -> dict[str, tuple[int, int]]:
        stmt = select(unit, func.count().filter(met), func.count().filter(measured)).select_from(Project)
        for table, on in joins:
            stmt = stmt.join(table, on)
        rows = await session.execute(stmt.where(*where).group_by(unit))
        return {u: (int(m), int(n)) for u, m, n in rows.all() if u is not None}

    period = Period(date(year, 1, 1), date(year, 12, 31))
    out = {}
    if year == rules.today.year:
        out["projects.verifiedInTime"] = await _verified_in_time(session, level, rules)
    out["projects.verificationCompleted"] = await grouped(
        and_(VerificationCheck.outcome.is_not(None), VerificationCheck.outcome != "NEEDS_SUPPLEMENT"), true(),
        period.clause(VerificationCampaign.opened_at),
        joins=[(VerificationCheck, VerificationCheck.project_id == Project.id),
               (VerificationCampaign, VerificationCampaign.id == VerificationCheck.campaign_id)])
    out["projects.milestonesOnTime"] = await grouped(
        Milestone.done_on <= Milestone.due_on, or_(Milestone.done_on.is_not(None), Milestone.due_on < rules.today),
        period.clause(Milestone.due_on, is_date=True), joins=[(Milestone, Milestone.project_id == Project.id)])
    return out


UPKEEP = {"projects.verifiedInTime": "在库项目按期核查率", "projects.verificationCompleted": "项目核查完成率",
          "projects.milestonesOnTime": "“五个一”节点按期完成率"}


async def indicators(session, level: sc.Level, year: int, rules) -> list[sc.UnitIndicators]:
    if level is sc.Level.DEPARTMENT:
        return []
    period, units = Period(date(year, 1, 1), date(year, 12, 31)), [u.code for u in sc.units(level)]
    signed = await rollup.dated(session, "SIGNED", period, units)
    started = await rollup.dated(session, "CONSTRUCTION_STARTED", period, units)
    intentions = await _intentions_on_time(session, period, rules.now) if level is sc.Level.PREFECTURE else None
    upkeep = await _rates(session, level, year, rules)
    none, out = rollup.Figures(), []
    for code in units:
        found = [
            sc.indicator("projects.signed", "签约项目数", sc.Kind.COUNT, signed.get((code,), none).count),
            sc.indicator("projects.contractInvestment", "签约合同投资额", sc.Kind.AMOUNT,
                         signed.get((code,), none).contract_investment),
            sc.indicator("projects.constructionStarted", "开工项目数", sc.Kind.COUNT,
                         started.get((code,), none).count)]
        if intentions is not None:
            found.append(sc.indicator("projects.intentionsOnTime", "投资意向按期响应率", sc.Kind.RATE,
                                      sc.on_time_rate(*intentions[code]) if code in intentions else None))
        for key, measured in upkeep.items():
            found.append(sc.indicator(key, UPKEEP[key], sc.Kind.RATE,
                                      sc.on_time_rate(*measured[code]) if code in measured else None))
        out.append(sc.UnitIndicators(unit_code=code, indicators=found))
    return out


@strawberry.federation.type(keys=[sc.KEY], name="ScorecardRanking", description=sc.DESCRIPTION)
class ScorecardRankingType:
    level: sc.Level = strawberry.field(description="Which units are ranked.")
    year: int = strawberry.field(description="The year (考核年度).")

    @classmethod
    def resolve_reference(cls, info: Info, **rep) -> ScorecardRankingType | None:
        if not info.context.user().sees_everything:
            return None
        return cls(level=sc.Level(rep["level"]), year=int(rep["year"]))

    @strawberry.field(description="Each unit's project indicators (项目指标).")
    async def project_indicators(self, info: Info) -> list[sc.UnitIndicators] | None:
        async with info.context.exclusive() as session:
            return await indicators(session, self.level, self.year, rules_of(info))
