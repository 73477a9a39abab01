"""Events of target enterprises (重点目标企业)."""

from __future__ import annotations

from qianzhao.common.events import EventSpec, RegionalData


class TargetData(RegionalData):
    """A target as it is after the event (regionCode: the courting government); no contact's personal data."""

    target_id: str
    number: str
    name: str
    chain_code: str
    tier: str
    willingness: str
    last_contact_on: str
    project_ids: list[str]


def _spec(action: str, description: str) -> EventSpec:
    return EventSpec("projects", "target", action, TargetData, description=description)


CREATED = _spec("created", "A region started courting a target enterprise (重点目标企业).")
UPDATED = _spec("updated", "A target's tier, willingness or next step changed.")
FOLLOWED_UP = _spec("followed_up", "A visit, call, meeting or trip with a target was recorded (跟进).")
PROJECTS_LINKED = _spec("projects_linked", "Projects the target invests in were linked to it (转化项目).")
ALL = [CREATED, UPDATED, FOLLOWED_UP, PROJECTS_LINKED]
