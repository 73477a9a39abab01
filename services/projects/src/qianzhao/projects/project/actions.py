"""What may be done to a project now, by whom: the mutations check this table and `allowedActions` reads it."""

from __future__ import annotations

from enum import Enum

import strawberry
from qianzhao.common.actions import ActionTable, Rule

from ..enums import EDITABLE, PRE_SIGNING, V
from ..enums import ProjectStatus as S
from . import access
from .models import Project


@strawberry.enum(description="An action a console may offer on a project, named for its mutation (可执行操作).")
class ProjectAction(Enum):
    UPDATE = V("UPDATE", description="updateProject: edit or supplement (修改/补充完善).")
    SUBMIT = V("SUBMIT", description="submitProject: send for review (报送遴选).")
    REVIEW = V("REVIEW", description="reviewProject: list or return (遴选).")
    START_NEGOTIATION = V("START_NEGOTIATION", description="startNegotiation (进入洽谈).")
    RESUME_PROMOTION = V("RESUME_PROMOTION", description="resumePromotion (恢复推介).")
    DELIST = V("DELIST", description="delistProject (出库).")
    RECORD_ASSESSMENT = V("RECORD_ASSESSMENT", description="recordAssessment: pre-signing assessment (事前评估).")
    SIGN = V("SIGN", description="signProject (签约); offered only when the latest assessment admits it.")
    START_CONSTRUCTION = V("START_CONSTRUCTION", description="startConstruction (开工).")
    START_PRODUCTION = V("START_PRODUCTION", description="startProduction (投产).")
    SET_FIVE_ONES = V("SET_FIVE_ONES", description="setFiveOnes (五个一).")
    ADD_MILESTONE = V("ADD_MILESTONE", description="addMilestone (推进计划节点).")


A = ProjectAction
OUTSIDE = "The project is outside your jurisdiction"
NOT_DELISTED = [s for s in S if s is not S.DELISTED]


def _five_ones_set(project: Project) -> str | None:
    return None if project.major else "set the five ones (五个一) before planning milestones"


def _rule(states, needs: str, actor=access.may_change, denied: str = OUTSIDE, guard=None) -> Rule[Project]:
    return Rule.of(states, needs, actor, denied, guard)


ACTIONS: ActionTable[ProjectAction, Project] = ActionTable({
    A.UPDATE: _rule(EDITABLE, "a signed or delisted project is no longer edited"),
    A.SUBMIT: _rule([S.DRAFT, S.RETURNED], "only a draft or returned project is submitted for review"),
    A.REVIEW: _rule([S.SUBMITTED], "the project must be submitted for review first", access.may_review,
                    "Review (遴选) is done by a prefecture or the province"),
    A.START_NEGOTIATION: _rule([S.LISTED], "the project must be listed (入库) before negotiation starts"),
    A.RESUME_PROMOTION: _rule([S.NEGOTIATING], "only a project in negotiation resumes promotion"),
    A.DELIST: _rule(PRE_SIGNING, "only projects before signing are delisted"),
    A.RECORD_ASSESSMENT: _rule([S.LISTED, S.NEGOTIATING],
                               "the project must be listed or in negotiation to be assessed"),
    A.SIGN: _rule([S.NEGOTIATING], "negotiation must start before signing"),
    A.START_CONSTRUCTION: _rule([S.SIGNED], "the project must be signed before construction starts"),
    A.START_PRODUCTION: _rule([S.UNDER_CONSTRUCTION], "construction must start before production"),
    A.SET_FIVE_ONES: _rule(NOT_DELISTED, "a delisted project gets no five ones"),
    A.ADD_MILESTONE: _rule(NOT_DELISTED, "a delisted project gets no milestones", guard=_five_ones_set),
}, state=lambda p: p.status, name=lambda p: f"Project {p.number}")
