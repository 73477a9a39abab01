"""The coordination service's part of unit scorecards (common.scorecard): cases resolved and business-environment
tasks on time per prefecture or county, letters and tasks on time per department; the targets; the ranking
(`ranked`, which @requires the other services' indicators) and the root field `scorecards`."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import strawberry
from qianzhao.common import scorecard as sc
from qianzhao.common.errors import bad_input, forbidden
from qianzhao.common.periods import Period
from qianzhao.common.rollup import county_key, prefecture_key
from sqlalchemy import and_, func, or_, select, union_all
from strawberry.types import Info

from . import targets
from .case.models import CoordinationCase as C
from .enums import CaseStatus
from .letter.models import DepartmentLetter as L
from .tasklist.models import Rectification, Task, TaskList


async def _tasks_on_time(session, unit, unit_kind: str, year: int) -> dict[str, tuple[int, int]]:
    """Per unit: (on time, fallen due) of the year's lists' tasks and their rectifications. A task falls due when it
    is completed or goes overdue and is on time when completed without ever going overdue; a rectification the same
    with its report."""
    def measured(model, done):
        code = unit(model.unit_code).label("unit")
        return (select(code, func.count().filter(and_(done.is_not(None), model.overdue_count == 0)).label("on_time"),
                       func.count().filter(or_(done.is_not(None), model.overdue_count > 0)).label("due"))
                .where(model.unit_kind == unit_kind).group_by(code))
    tasks = measured(Task, Task.completed_at).join(TaskList, TaskList.id == Task.list_id).where(TaskList.year == year)
    rects = (measured(Rectification, Rectification.submitted_at).join(Task, Task.id == Rectification.task_id)
             .join(TaskList, TaskList.id == Task.list_id).where(TaskList.year == year))
    both = union_all(tasks, rects).subquery()
    rows = await session.execute(select(both.c.unit, func.sum(both.c.on_time), func.sum(both.c.due))
                                 .group_by(both.c.unit))
    return {u: (int(on_time), int(due)) for u, on_time, due in rows.all() if u is not None}


async def indicators(session, level: sc.Level, year: int, now) -> list[sc.UnitIndicators]:
    period = Period(date(year, 1, 1), date(year, 12, 31))

    def tasks_on_time(counts: tuple[int, int] | None):
        return sc.indicator("coordination.tasksOnTime", "营商环境任务按期完成率", sc.Kind.RATE,
                            sc.on_time_rate(*counts) if counts else None)

    if level is sc.Level.DEPARTMENT:
        letters = {d: (int(on_time), int(due)) for d, on_time, due in (await session.execute(
            select(L.department, func.count().filter(L.feedback_at <= L.first_deadline),
                   func.count().filter(or_(L.feedback_at.is_not(None), L.first_deadline < now)))
            .where(period.clause(L.sent_at)).group_by(L.department))).all()}
        tasks = await _tasks_on_time(session, lambda code: code, "DEPARTMENT", year)
        return [sc.UnitIndicators(unit_code=u.code, indicators=[
            sc.indicator("coordination.lettersOnTime", "协调函按期反馈率", sc.Kind.RATE,
                         sc.on_time_rate(*letters[u.code]) if u.code in letters else None),
            tasks_on_time(tasks.get(u.code))]) for u in sc.units(level)]
    key = prefecture_key if level is sc.Level.PREFECTURE else county_key
    unit = key(C.region_code).label("unit")
    resolved = dict((await session.execute(select(unit, func.count()).where(
        C.status == CaseStatus.RESOLVED.value, period.clause(C.resolved_at)).group_by(unit))).all())
    tasks = await _tasks_on_time(session, key, "REGION", year)
    return [sc.UnitIndicators(unit_code=u.code, indicators=[
        sc.indicator("coordination.resolved", "协调解决问题数", sc.Kind.COUNT, resolved.get(u.code, 0)),
        tasks_on_time(tasks.get(u.code))]) for u in sc.units(level)]


def weights(settings) -> dict[str, float]:
    given = settings.scorecard_weights
    return json.loads(given) if isinstance(given, str) else dict(given)


@strawberry.input(name="IndicatorWeightInput", description="A weight for one indicator (指标权重).")
class WeightInput:
    key: str = strawberry.field(description="The indicator's key, e.g. projects.signed.")
    weight: float = strawberry.field(description="Its weight, 0 to 100.")


def _external(description: str):
    return strawberry.federation.field(external=True, description=description)


@strawberry.federation.type(keys=[sc.KEY], name="ScorecardRanking", description=sc.DESCRIPTION)
class ScorecardRankingType:
    level: sc.Level = strawberry.field(description="Which units are ranked.")
    year: int = strawberry.field(description="The year (考核年度).")
    project_indicators: list[sc.UnitIndicators] | None = _external("From the projects service.")
    grievance_indicators: list[sc.UnitIndicators] | None = _external("From the grievances service.")
    sections: strawberry.Private[dict[str, Any]]

    @classmethod
    def resolve_reference(cls, info: Info, **rep) -> ScorecardRankingType | None:
        if not info.context.user().sees_everything:
            return None
        return cls(level=sc.Level(rep["level"]), year=int(rep["year"]), project_indicators=None,
                   grievance_indicators=None, sections=rep)

    @strawberry.field(description="Each unit's coordination indicators (协调指标).")
    async def coordination_indicators(self, info: Info) -> list[sc.UnitIndicators]:
        async with info.context.exclusive() as session:
            return await indicators(session, self.level, self.year, info.context.clock.now())

    @strawberry.field(description="The units' targets for the year (考核目标), set with setScorecardTargets.")
    async def targets(self, info: Info) -> list[targets.TargetType]:
        async with info.context.exclusive() as session:
            return [targets.TargetType.of(t) for t in await targets.of_year(session, self.year, self.level)]

    @strawberry.federation.field(requires=[sc.REQUIRES], description=(
        "Every unit ranked by its weighted score, best first (考核排名): Σ weight × indicator ÷ Σ weights of the "
        "level's indicators × 100; an indicator with a target counted as its attainment (value ÷ target, at most 1), "
        "else a rate as it is and a count or amount as its share of the best peer's; weights QZ_SCORECARD_WEIGHTS."))
    async def ranked(self, info: Info, weights_: Annotated[list[WeightInput] | None, strawberry.argument(
            name="weights", description="Weigh the indicators differently for this ranking (what-if); the "
                                        "configured weights otherwise.")] = None) -> list[sc.Scorecard]:
        chosen = weights(info.context.settings)
        if weights_:
            if any(not 0 <= w.weight <= 100 for w in weights_):
                raise bad_input("A weight lies between 0 and 100")
            if unknown := sorted({w.key for w in weights_} - set(sc.DEFAULT_WEIGHTS)):
                raise bad_input(f"No indicator is called {', '.join(unknown)}; they are {', '.join(sc.DEFAULT_WEIGHTS)}")
            chosen = {w.key: w.weight for w in weights_}
        own = await self.coordination_indicators(info)
        async with info.context.exclusive() as session:
            goals = {(t.unit_code, t.key): t.target for t in await targets.of_year(session, self.year, self.level)}
        mine = [{"unitCode": u.unit_code, "indicators": [{"key": i.key, "label": i.label, "kind": i.kind.value,
                                                           "value": i.value} for i in u.indicators]} for u in own]
        return sc.rank(self.level, [self.sections.get("projectIndicators"), self.sections.get("grievanceIndicators"),
                                    mine], chosen, goals)


    @strawberry.federation.field(requires=[sc.REQUIRES], description=(
        "One unit's scorecard and its rank among its peers (单位考核结果), scored as in `ranked` with the configured "
        "weights; null for a code that is no unit of this level."))
    async def unit(self, info: Info, code: Annotated[str, strawberry.argument(
            description="The prefecture's or county's division code, or the department's code.")]
                   ) -> sc.Scorecard | None:
        if len(code) > 100:
            raise bad_input("A unit code has at most 100 characters")
        if not sc.is_unit(self.level, code):
            return None
        return next((s for s in await self.ranked(info) if s.unit_code == code), None)


@strawberry.type
class ScorecardQuery:
    @strawberry.field(description="The scorecards of every prefecture or county for a year (考核排名); province "
                                  "officers only (FORBIDDEN for others).")
    def scorecards(self, info: Info, level: Annotated[sc.Level, strawberry.argument(description="Which units.")],
                   year: Annotated[int, strawberry.argument(description="The year (考核年度).")]
                   ) -> ScorecardRankingType | None:
        if not info.context.user().sees_everything:  # who may ask comes before what is asked
            raise forbidden("Scorecards rank every unit: province officers only (考核排名由省级查看)")
        if not 2000 <= year <= info.context.clock.today().year:
            raise bad_input(f"{year} is not a year to rank")
        return ScorecardRankingType(level=level, year=year, project_indicators=None, grievance_indicators=None,
                                    sections={})
