"""The grievances subgraph schema: root fields of every aggregate merged into one Query and one Mutation."""

from __future__ import annotations

from qianzhao.common.api import RegionType, federation_schema
from qianzhao.common.changes import change_subscription
from qianzhao.common.reference import DepartmentType
from strawberry.tools import merge_types

from .arrears.api import ArrearsMutations, ArrearsQueries
from .engagement.api import EngagementMutations, EngagementQueries
from .federation import EnterpriseRef, ProjectRef
from .grievance.api import GrievanceMutations, GrievanceQueries
from .grievance.types import GrievanceType
from .report import BureauReportType
from .scorecard import ScorecardRankingType

Query = merge_types("Query", (GrievanceQueries, ArrearsQueries, EngagementQueries))
Mutation = merge_types("Mutation", (GrievanceMutations, ArrearsMutations, EngagementMutations))


Subscription = change_subscription(field="grievance_changed", payload="GrievanceChange", record_field="grievance",
                                   record_type=GrievanceType, what="grievance")


def build_schema():
    return federation_schema(query=Query, mutation=Mutation, subscription=Subscription, types=[GrievanceType, ProjectRef, EnterpriseRef, RegionType, DepartmentType, BureauReportType, ScorecardRankingType])
