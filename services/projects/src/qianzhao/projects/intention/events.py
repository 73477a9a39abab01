"""Events of investment intentions (投资合作意向)."""

from __future__ import annotations

from pydantic import Field
from qianzhao.common.events import EventSpec, RegionalData


class IntentionData(RegionalData):
    """An intention as it is after the event: who, what, where it is routed (regionCode: the first prefecture it
    names), its state and deadline."""

    intention_id: str
    number: str
    enterprise_name: str
    chain_code: str
    amount: str = Field(description="Intended investment, yuan (意向投资额).")
    prefectures: list[str] = Field(description="Prefecture codes it is routed to (意向市州).")
    status: str
    response_due: str


def _spec(action: str, description: str) -> EventSpec:
    return EventSpec("projects", "intention", action, IntentionData, description=description)


FILED = _spec("filed", "An enterprise's investment intention was filed or recorded (投资合作意向).")
RESPONDED = _spec("responded", "A government answered an intention: the leader who took it on and the resources "
                               "matched (首次响应).")
DECLINED = _spec("declined", "An intention was declined with a reason.")
CONVERTED = _spec("converted", "An intention became a project of the pool (转化为项目).")
ESCALATED = _spec("escalated", "An intention passed its response deadline unanswered and went to the province "
                               "(超期上报).")
ALL = [FILED, RESPONDED, DECLINED, CONVERTED, ESCALATED]
