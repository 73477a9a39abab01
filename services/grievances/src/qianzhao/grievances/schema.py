"""The grievances subgraph schema: root fields of grievances, statistics, the arrears ledger and engagement."""

from __future__ import annotations

from typing import Annotated

import strawberry
from qianzhao.common.api import Connection, RegionType, federation_schema
from qianzhao.common.ids import parse_id
from qianzhao.common.reference import DepartmentType
from strawberry.types import Info

from . import access
from .args import After, FilterArg, First, GroupByArg, Id, OrderArg
from .arrears.api import ArrearsMutations, ArrearsQueries
from .engagement.api import EngagementMutations, EngagementQueries
from .federation import EnterpriseRef, ProjectRef
from .grievance import queries
from .grievance import stats as grievance_stats
from .grievance.inputs import GrievanceFilter, GrievanceOrder
from .grievance.mutations import GrievanceMutations
from .grievance.stats_types import GrievanceStats, GrievanceStatsDimension, GrievanceStatsGroup
from .grievance.types import GrievanceType, grievance_loader


@strawberry.type
class Query(ArrearsQueries, EngagementQueries):
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
        return await queries.page(info.context, info.context.user(), f=filter, order=order_by,
                                  first=first, after=after)

    @strawberry.field(description="Counts and the three rates of 接诉即办 (响应率/解决率/满意率), on-time rate and "
                                  "average working days to reply, over the cases you may see.")
    async def grievance_stats(self, info: Info, filter: Annotated[GrievanceFilter | None, FilterArg] = None,
                              group_by: Annotated[list[GrievanceStatsDimension] | None, GroupByArg] = None) -> GrievanceStats:
        ctx = info.context
        dims = [grievance_stats.Dimension(d.value) for d in group_by or []]
        async with ctx.exclusive() as session:
            total, groups = await grievance_stats.compute(session, ctx.user(), f=filter, group_by=dims,
                                                          now=ctx.clock.now())
        return GrievanceStats(total=GrievanceStatsGroup.from_row(total),
                              groups=[GrievanceStatsGroup.from_row(r) for r in groups])


@strawberry.type
class Mutation(GrievanceMutations, ArrearsMutations, EngagementMutations):
    pass


def build_schema():
    return federation_schema(query=Query, mutation=Mutation, types=[GrievanceType, ProjectRef, EnterpriseRef, RegionType, DepartmentType])
