"""The coordination subgraph schema: root fields of cases, letters and meetings; the entities it owns/extends."""

from __future__ import annotations

import strawberry
from qianzhao.common.api import RegionType, federation_schema
from qianzhao.common.changes import change_subscription
from qianzhao.common.reference import DepartmentType, ReferenceQuery
from strawberry.tools import merge_types

from .case.api import CaseMutations, CaseQueries
from .case.references import GrievanceRef, ProjectRef
from .case.types import CoordinationCaseType
from .letter.api import LetterMutations, LetterQueries
from .letter.types import DepartmentLetterType
from .meeting.api import MeetingMutations, MeetingQueries
from .meeting.types import AgendaItemType, JointMeetingType
from .report import BureauReportType, ReportQuery
from .scorecard import ScorecardQuery, ScorecardRankingType
from .targets import TargetMutation
from .tasklist.api import TaskListMutations, TaskListQueries


def build_schema() -> strawberry.federation.Schema:
    query = merge_types("Query", (CaseQueries, LetterQueries, MeetingQueries, ReferenceQuery, ReportQuery,
                                  TaskListQueries, ScorecardQuery))
    mutation = merge_types("Mutation", (CaseMutations, LetterMutations, MeetingMutations, TaskListMutations,
                                        TargetMutation))
    subscription = change_subscription(field="coordination_case_changed", payload="CoordinationCaseChange",
                                       record_field="case", record_type=CoordinationCaseType,
                                       what="coordination case")
    return federation_schema(query=query, mutation=mutation, subscription=subscription,
                             types=[CoordinationCaseType, ProjectRef, GrievanceRef, RegionType, DepartmentType, DepartmentLetterType,
                                    JointMeetingType, AgendaItemType, BureauReportType, ScorecardRankingType])
