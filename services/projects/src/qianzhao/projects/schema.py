"""The projects subgraph schema: root fields of every aggregate merged into one Query and one Mutation."""

from __future__ import annotations

from qianzhao.common.api import federation_schema
from strawberry.tools import merge_types

from .assessment.graphql import AssessmentMutation
from .chains.graphql import ChainMutation, ChainQuery
from .entities.types import EnterpriseType, ProjectsRegionType
from .fiveones.graphql import FiveOnesMutation
from .project.graphql import ProjectMutation, ProjectQuery
from .project.types import ProjectType
from .review.graphql import ReviewMutation
from .stall.graphql import StallMutation
from .trips.graphql import TripMutation, TripQuery
from .verification.graphql import VerificationMutation, VerificationQuery

Query = merge_types("Query", (ProjectQuery, ChainQuery, VerificationQuery, TripQuery))
Mutation = merge_types("Mutation", (ProjectMutation, ReviewMutation, AssessmentMutation, FiveOnesMutation,
                                    VerificationMutation, TripMutation, ChainMutation, StallMutation))


def build_schema():
    return federation_schema(query=Query, mutation=Mutation, types=[ProjectType, EnterpriseType, ProjectsRegionType])
