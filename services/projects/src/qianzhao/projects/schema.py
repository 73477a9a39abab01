"""The projects subgraph schema: root fields of every aggregate merged into one Query and one Mutation."""

from __future__ import annotations

from qianzhao.common.api import federation_schema
from qianzhao.common.changes import change_subscription
from strawberry.tools import merge_types

from .assessment.api import AssessmentMutation
from .chains.api import ChainMutation, ChainQuery
from .entities.types import EnterpriseType, ProjectsRegionType
from .fiveones.api import FiveOnesMutation
from .intention.api import IntentionMutation, IntentionQuery
from .project.api import ProjectMutation, ProjectQuery
from .project.types import ProjectType
from .report import BureauReportType
from .review.api import ReviewMutation
from .scorecard import ScorecardRankingType
from .stall.api import StallMutation
from .survey.api import SurveyMutation, SurveyQuery
from .target.api import TargetMutation, TargetQuery
from .trips.api import TripMutation, TripQuery
from .verification.api import VerificationMutation, VerificationQuery

Query = merge_types("Query", (ProjectQuery, ChainQuery, VerificationQuery, TripQuery, SurveyQuery, IntentionQuery,
                                  TargetQuery))
Mutation = merge_types("Mutation", (ProjectMutation, ReviewMutation, AssessmentMutation, FiveOnesMutation,
                                    VerificationMutation, TripMutation, ChainMutation, StallMutation,
                                    SurveyMutation, IntentionMutation, TargetMutation))


Subscription = change_subscription(field="project_changed", payload="ProjectChange", record_field="project",
                                   record_type=ProjectType, what="project")


def build_schema():
    return federation_schema(query=Query, mutation=Mutation, subscription=Subscription, types=[ProjectType, EnterpriseType, ProjectsRegionType, BureauReportType,
                                                                                        ScorecardRankingType])
