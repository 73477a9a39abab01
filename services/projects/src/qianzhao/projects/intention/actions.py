"""What may be done to an investment intention, by whom, from which state (common.actions)."""

from __future__ import annotations

from enum import Enum

import strawberry
from qianzhao.common import regions
from qianzhao.common.actions import ActionTable, Rule
from qianzhao.common.auth import Principal

from .models import InvestmentIntention


@strawberry.enum(description="Lifecycle of an investment intention (意向状态).")
class IntentionStatus(Enum):
    RECEIVED = strawberry.enum_value("RECEIVED", description="Filed, awaiting the government's first response (待响应).")
    RESPONDED = strawberry.enum_value("RESPONDED", description="A leader took it on and resources were matched (已响应).")
    CONVERTED = strawberry.enum_value("CONVERTED", description="It became a project of the pool (已转化为项目).")
    DECLINED = strawberry.enum_value("DECLINED", description="Declined with a reason (不予推进).")


@strawberry.enum(name="InvestmentIntentionAction", description="What can be done to an intention (可执行操作).")
class IntentionAction(Enum):
    RESPOND = "RESPOND"
    DECLINE = "DECLINE"
    CONVERT = "CONVERT"


def routed_officer(p: Principal, i: InvestmentIntention) -> bool:
    """The province, or an officer of a prefecture it names (or of one of that prefecture's counties)."""
    return p.sees_everything or (p.is_officer and (p.region_code in i.prefectures
                                                   or regions.prefecture_of(p.region_code) in i.prefectures))


S = IntentionStatus
ACTIONS: ActionTable[IntentionAction, InvestmentIntention] = ActionTable({
    IntentionAction.RESPOND: Rule.of([S.RECEIVED], "only a received intention awaits its first response",
                                     routed_officer, "Only the prefectures it names (and the province) respond"),
    IntentionAction.DECLINE: Rule.of([S.RECEIVED, S.RESPONDED], "a converted or declined intention is closed",
                                     routed_officer, "Only the prefectures it names (and the province) decline"),
    IntentionAction.CONVERT: Rule.of([S.RESPONDED], "a government must respond before the intention becomes a "
                                                    "project", routed_officer,
                                     "Only the prefectures it names (and the province) convert it"),
}, state=lambda i: i.status, name=lambda i: f"Intention {i.number}")
