"""Events the Project aggregate publishes (outbox → QZ_PROJECTS).

`stalled`, `delisted` and `stage_changed` follow the cross-service contract field for field: the
coordination service consumes them. Amounts are decimal yuan as strings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field
from qianzhao.common.events import EventData, EventSpec, RegionalData

from .models import Project


class ProjectBasics(RegionalData):
    """What every project event carries (see `basics`): enough for a dashboard to count projects and sum their
    investment by region, chain, board and status without calling back — the project as it is after the event."""

    project_id: str
    number: str
    name: str
    category: str
    chain_code: str
    status: str
    board: str
    premium: bool
    total_investment: str


class ProjectEventData(ProjectBasics):
    """created / submitted / listed / returned / negotiation started / promotion resumed, with the officer's
    comment where one was given."""

    comment: str | None = None


class FiveOnesSetData(ProjectBasics):
    """five_ones_set: the project is major (重大项目) with a leader, a team and an implementing entity."""


class ProjectUpdatedData(ProjectBasics):
    """updated: each changed field with its old and new value (camelCase field names, values as strings)."""

    changes: dict[str, dict[str, str | None]]


class MilestoneData(ProjectBasics):
    """milestone_added / milestone_completed: a node of a major project's advancement plan (推进计划)."""

    milestone_id: str
    title: str
    due_on: str
    done_on: str | None = None


class ConditionMetData(ProjectBasics):
    """condition_met: a condition of a CONDITIONAL admission was met (条件落实)."""

    assessment_id: str
    condition_id: str
    description: str


class CampaignData(RegionalData):
    """campaign opened / closed: a verification campaign (清理核查) over a region's listed projects."""

    campaign_id: str
    number: str
    name: str
    kind: str
    status: str
    projects: int | None = None


class ChainData(EventData):
    """chain upserted: an industry chain was added, renamed, recategorised or retired."""

    code: str
    name: str
    category: str
    active: bool


class ProjectDelistedData(ProjectBasics):
    reason: str = Field(description="Why it left the pool (出库原因), a ProjectDelistReason.")


class ProjectStageChangedData(ProjectBasics):
    stage: Literal["SIGNED", "UNDER_CONSTRUCTION", "IN_PRODUCTION"] = Field(description="The stage entered.")
    previous_stage: str = Field(description="The status it left.")
    total_investment: str
    contract_investment: str


class ProjectStalledData(ProjectBasics):
    stage: Literal["SIGNED", "UNDER_CONSTRUCTION"] = Field(description="The stage it is stuck in.")
    days_in_stage: int
    total_investment: str


class AssessmentCompletedData(ProjectBasics):
    """assessment_completed: the pre-signing assessment's conclusion."""

    assessment_id: str
    conclusion: Literal["APPROVED", "CONDITIONAL", "REJECTED"]


class VerificationFlaggedData(ProjectBasics):
    """verification_flagged: a verification campaign found the project needs supplementing."""

    campaign_id: str
    outcome: Literal["NEEDS_SUPPLEMENT"]
    note: str | None


def _spec(name, model, description):
    return EventSpec("projects", "project", name, model, description=description)


PROJECT_CREATED = _spec("created", ProjectEventData, "A project was compiled into the pool as a draft (编制).")
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
UPDATED = _spec("updated", ProjectUpdatedData, "A project's fields were edited or supplemented (修改/补充完善).")
NEGOTIATION_STARTED = _spec("negotiation_started", ProjectEventData,
                            "A listed project entered negotiation with an investor (进入洽谈).")
PROMOTION_RESUMED = _spec("promotion_resumed", ProjectEventData,
                          "Negotiation failed and the project is promoted again (恢复推介).")
MILESTONE_ADDED = _spec("milestone_added", MilestoneData, "A node was added to a major project's plan (推进计划).")
MILESTONE_COMPLETED = _spec("milestone_completed", MilestoneData, "A plan node of a major project was done.")
CONDITION_MET = _spec("condition_met", ConditionMetData, "A condition of a CONDITIONAL admission was met (条件落实).")
CAMPAIGN_OPENED = EventSpec("projects", "campaign", "opened", CampaignData,
                            description="A verification campaign (清理核查) was opened over a region's listed projects.")
CAMPAIGN_CLOSED = EventSpec("projects", "campaign", "closed", CampaignData,
                            description="A verification campaign was closed.")
CHAIN_UPSERTED = EventSpec("projects", "chain", "upserted", ChainData,
                           description="An industry chain (产业链) was added or changed.")
STALLED = _spec("stalled", ProjectStalledData,
                "A signed project has not started, or a started one has not produced, for too long (停滞).")

ALL = [PROJECT_CREATED, SUBMITTED, LISTED, RETURNED, DELISTED, STAGE_CHANGED, ASSESSMENT_COMPLETED,
       VERIFICATION_FLAGGED, FIVE_ONES_SET, STALLED, UPDATED, NEGOTIATION_STARTED, PROMOTION_RESUMED,
       MILESTONE_ADDED, MILESTONE_COMPLETED, CONDITION_MET, CAMPAIGN_OPENED, CAMPAIGN_CLOSED, CHAIN_UPSERTED]


def text(value) -> str | None:
    """A changed value as an event carries it: amounts as Decimal strings, lists joined, None kept."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return str(value)


def money(value: Decimal | None) -> str:
    return str((value or Decimal(0)).quantize(Decimal("0.01")))


def basics(p: Project) -> dict:
    """The fields every project event carries: the project as it is after the change."""
    return {"project_id": str(p.id), "number": p.number, "name": p.name, "region_code": p.region_code,
            "category": p.category, "chain_code": p.chain_code, "status": p.status, "board": p.board,
            "premium": bool(p.premium), "total_investment": money(p.total_investment)}


def review_data(p: Project, comment: str | None = None) -> dict:
    return basics(p) | {"comment": comment}
