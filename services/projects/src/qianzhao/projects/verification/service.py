"""Verification campaigns (清理核查): snapshot the listed projects of a jurisdiction, check each one."""

from __future__ import annotations

import uuid

from qianzhao.common import regions
from qianzhao.common.auth import Principal, Role
from qianzhao.common.errors import DomainError, ErrorCode
from qianzhao.common.ids import new_id, next_number, parse_id
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..enums import CampaignKind, CheckOutcome, DelistReason
from ..project import access, events, lifecycle, validation
from ..project.models import Project
from ..project.service import get_for_change
from .models import VerificationCampaign, VerificationCheck


def visible_regions(principal: Principal) -> list[str] | None:
    """Campaign regions a principal sees: its own, those above it and (for the province) all. None = all."""
    if principal.sees_everything:
        return None
    if not principal.is_officer:
        return []
    return [principal.region_code, *(r.code for r in regions.ancestors(principal.region_code))]


def can_see(principal: Principal, campaign: VerificationCampaign) -> bool:
    allowed = visible_regions(principal)
    return allowed is None or campaign.region_code in allowed


async def _campaign(session: AsyncSession, campaign_id) -> VerificationCampaign:
    key = parse_id(campaign_id, "campaignId")
    campaign = await session.get(VerificationCampaign, key)
    if campaign is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"Campaign {campaign_id} not found", "campaignId")
    return campaign


def _campaign_data(c: VerificationCampaign) -> dict:
    return {"campaign_id": str(c.id), "number": c.number, "name": c.name, "kind": c.kind, "region_code": c.region_code,
            "status": c.status}


async def open_campaign(*, uow: UnitOfWork, name: str, kind: CampaignKind, region_code: str | None
                        ) -> VerificationCampaign:
    """The province or a prefecture opens a campaign over its jurisdiction's LISTED projects."""
    principal = uow.principal
    if principal.role not in (Role.PROVINCE, Role.PREFECTURE, Role.SERVICE):
        raise DomainError(ErrorCode.FORBIDDEN, "Campaigns are opened by the province or a prefecture", "regionCode")
    region_code = region_code or principal.region_code
    region = regions.get(region_code)
    if region is None or region.level is regions.RegionLevel.COUNTY:
        raise validation.bad("region_code", "A campaign covers the province or a prefecture")
    if not principal.covers_region(region_code):
        raise DomainError(ErrorCode.FORBIDDEN, f"Region {region_code} is outside your jurisdiction", "regionCode")
    if not name.strip():
        raise validation.bad("name", "A campaign needs a name")
    now = uow.clock.now()
    seq = await next_number(uow.session, f"HC-{region_code}-{now.year}")
    campaign = VerificationCampaign(number=f"HC-{region_code}-{now.year}-{seq:03d}", name=name.strip(),
                                    kind=kind.value, region_code=region_code, status="OPEN",
                                    opened_by=principal.subject, opened_at=now)
    uow.session.add(campaign)
    await uow.session.flush()
    ids = (await uow.session.execute(select(Project.id).where(
        Project.status == "LISTED", access.region_scope(region_code)))).scalars().all()
    if ids:
        await uow.session.execute(insert(VerificationCheck),
                                  [{"id": new_id(), "campaign_id": campaign.id, "project_id": i} for i in ids])
    uow.record(aggregate_type="verification_campaign", aggregate_id=campaign.id, action="OPENED",
               changes={"kind": kind.value, "regionCode": region_code, "projects": len(ids)})
    uow.emit(events.CAMPAIGN_OPENED, subject=campaign.id, region_code=region_code, data=_campaign_data(campaign)
             | {"projects": len(ids)})
    return campaign


async def record_check(*, uow: UnitOfWork, campaign_id, project_id, outcome: CheckOutcome, note: str | None,
                       delist_reason: DelistReason | None, expected_version: int | None = None
                       ) -> tuple[VerificationCheck, Project]:
    """OK refreshes the verification date; NEEDS_SUPPLEMENT flags it; DELIST removes it from the pool."""
    campaign = await _campaign(uow.session, campaign_id)
    if campaign.status != "OPEN":
        raise DomainError(ErrorCode.INVALID_TRANSITION, f"Campaign {campaign.number} is closed", "campaignId")
    project = await get_for_change(uow=uow, project_id=project_id, expected_version=expected_version)
    check = (await uow.session.execute(select(VerificationCheck).where(
        VerificationCheck.campaign_id == campaign.id, VerificationCheck.project_id == project.id)
    )).scalar_one_or_none()
    if check is None:
        raise DomainError(ErrorCode.BAD_USER_INPUT, f"Project {project.number} is not in this campaign", "campaignId")
    if check.outcome not in (None, CheckOutcome.NEEDS_SUPPLEMENT.value):
        raise DomainError(ErrorCode.INVALID_TRANSITION, f"Project {project.number} was already checked "
                          f"({check.outcome})", "id")
    note = (note or "").strip() or None
    now = uow.clock.now()
    if outcome is CheckOutcome.DELIST:
        await lifecycle.delist(uow=uow, project_id=project.id, expected_version=None, project=project,
                               reason=delist_reason or DelistReason.INACCURATE, comment=note)
    else:
        if project.status != "LISTED":
            raise DomainError(ErrorCode.INVALID_TRANSITION, f"Project {project.number} is no longer LISTED",
                              "id")
        if outcome is CheckOutcome.NEEDS_SUPPLEMENT and not note:
            raise validation.bad("note", "Say what is vague or inaccurate")
        project.verified_at = now
        project.needs_supplement = outcome is CheckOutcome.NEEDS_SUPPLEMENT
        uow.record(aggregate_type="project", aggregate_id=project.id, action=f"VERIFIED_{outcome.value}",
                   comment=note, changes={"campaignId": str(campaign.id), "outcome": outcome.value})
        if outcome is CheckOutcome.NEEDS_SUPPLEMENT:
            uow.emit(events.VERIFICATION_FLAGGED, subject=project.id, region_code=project.region_code,
                     data=events.basics(project) | {"campaign_id": str(campaign.id), "outcome": outcome.value,
                                                    "note": note,
                                                    "total_investment": events.money(project.total_investment)})
    check.outcome, check.note, check.checked_by, check.checked_at = outcome.value, note, uow.principal.subject, now
    await uow.session.flush()
    return check, project


async def close_campaign(*, uow: UnitOfWork, campaign_id, expected_version: int) -> VerificationCampaign:
    campaign = await _campaign(uow.session, campaign_id)
    if not (uow.principal.sees_everything or (uow.principal.is_officer
                                              and uow.principal.covers_region(campaign.region_code))):
        raise DomainError(ErrorCode.FORBIDDEN, "Only the campaign's owner closes it", "id")
    if campaign.version != expected_version:
        raise DomainError(ErrorCode.CONFLICT, f"Campaign is at version {campaign.version}", "expectedVersion")
    if campaign.status != "OPEN":
        raise DomainError(ErrorCode.INVALID_TRANSITION, "Campaign is already closed", "id")
    campaign.status, campaign.closed_at = "CLOSED", uow.clock.now()
    uow.record(aggregate_type="verification_campaign", aggregate_id=campaign.id, action="CLOSED")
    uow.emit(events.CAMPAIGN_CLOSED, subject=campaign.id, region_code=campaign.region_code,
             data=_campaign_data(campaign))
    await uow.session.flush()
    return campaign


async def progress_many(*, session: AsyncSession, ids: list[uuid.UUID]) -> list[dict[str, int]]:
    """Counts per outcome for a batch of campaigns (one grouped query)."""
    rows = (await session.execute(
        select(VerificationCheck.campaign_id, VerificationCheck.outcome, func.count())
        .where(VerificationCheck.campaign_id.in_(ids))
        .group_by(VerificationCheck.campaign_id, VerificationCheck.outcome))).all()
    out = {i: {"total": 0, "pending": 0, "OK": 0, "NEEDS_SUPPLEMENT": 0, "DELIST": 0} for i in ids}
    for campaign_id, outcome, count in rows:
        out[campaign_id]["total"] += count
        out[campaign_id][outcome or "pending"] += count
    return [out[i] for i in ids]
