"""Events the Project aggregate publishes (outbox → QZ_PROJECTS).

`stalled`, `delisted` and `stage_changed` follow the cross-service contract field for field: the
coordination service consumes them. Amounts are decimal yuan as strings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel
from qianzhao.common.events import EventSpec

from .models import Project


class ProjectCreatedData(BaseModel):
    id: str
    number: str
    name: str
    region_code: str


class ProjectEventData(BaseModel):
    """submitted / listed / returned: enough for a dashboard to count and sum without calling back."""

    project_id: str
    number: str
    name: str
    region_code: str
    category: str
    chain_code: str
    board: str
    premium: bool
    total_investment: str
    comment: str | None = None


class FiveOnesSetData(BaseModel):
    """five_ones_set: the project is major (重大项目) with a leader, a team and an implementing entity."""

    project_id: str
    number: str
    name: str
    region_code: str
    category: str
    chain_code: str
    status: str
    total_investment: str


class ProjectDelistedData(BaseModel):
    project_id: str
    number: str
    name: str
    region_code: str
    category: str
    chain_code: str
    reason: str


class ProjectStageChangedData(BaseModel):
    project_id: str
    number: str
    name: str
    region_code: str
    category: str
    chain_code: str
    stage: Literal["SIGNED", "UNDER_CONSTRUCTION", "IN_PRODUCTION"]
    previous_stage: str
    total_investment: str
    contract_investment: str


class ProjectStalledData(BaseModel):
    project_id: str
    number: str
    name: str
    region_code: str
    category: str
    chain_code: str
    stage: Literal["SIGNED", "UNDER_CONSTRUCTION"]
    days_in_stage: int
    total_investment: str


class AssessmentCompletedData(BaseModel):
    project_id: str
    assessment_id: str
    number: str
    name: str
    region_code: str
    category: str
    chain_code: str
    conclusion: Literal["APPROVED", "CONDITIONAL", "REJECTED"]
    total_investment: str


class VerificationFlaggedData(BaseModel):
    project_id: str
    campaign_id: str
    number: str
    name: str
    region_code: str
    category: str
    chain_code: str
    outcome: Literal["NEEDS_SUPPLEMENT"]
    note: str | None
    total_investment: str


def _spec(name, model, description):
    return EventSpec("projects", "project", name, model, description=description)


PROJECT_CREATED = _spec("created", ProjectCreatedData, "A project was compiled into the pool as a draft (编制).")
SUBMITTED = _spec("submitted", ProjectEventData, "A project was submitted for review (报送遴选).")
LISTED = _spec("listed", ProjectEventData, "A project was selected into the pool (入库).")
RETURNED = _spec("returned", ProjectEventData, "A project was returned for supplement (退回补充).")
DELISTED = _spec("delisted", ProjectDelistedData, "A project left the pool with a reason (出库).")
STAGE_CHANGED = _spec("stage_changed", ProjectStageChangedData,
                      "A project was signed, started construction or started production (签约/开工/投产).")
ASSESSMENT_COMPLETED = _spec("assessment_completed", AssessmentCompletedData,
                             "A pre-signing assessment was concluded (事前评估完成).")
VERIFICATION_FLAGGED = _spec("verification_flagged", VerificationFlaggedData,
                             "A verification check found a project vague or inaccurate (核查需补充).")
FIVE_ONES_SET = _spec("five_ones_set", FiveOnesSetData,
                      "A project was made major under the five ones (五个一), or its five ones changed.")
STALLED = _spec("stalled", ProjectStalledData,
                "A signed project has not started, or a started one has not produced, for too long (停滞).")

ALL = [PROJECT_CREATED, SUBMITTED, LISTED, RETURNED, DELISTED, STAGE_CHANGED, ASSESSMENT_COMPLETED,
       VERIFICATION_FLAGGED, FIVE_ONES_SET, STALLED]


def money(value: Decimal | None) -> str:
    return str((value or Decimal(0)).quantize(Decimal("0.01")))


def basics(p: Project) -> dict:
    """The identifying fields every project event carries."""
    return {"project_id": str(p.id), "number": p.number, "name": p.name, "region_code": p.region_code,
            "category": p.category, "chain_code": p.chain_code}


def review_data(p: Project, comment: str | None = None) -> dict:
    return basics(p) | {"board": p.board, "premium": p.premium, "total_investment": money(p.total_investment),
                        "comment": comment}
