"""Verification campaigns (清理核查): types, queries and mutations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import strawberry
from qianzhao.common.api import (
    Connection,
    connection,
    list_order,
    ordered_page,
    paginate,
    text_search,
)
from qianzhao.common.ids import parse_id
from sqlalchemy import select
from strawberry.types import Info

from ..enums import CampaignKind, CampaignStatus, CheckOutcome, DelistReason
from ..payloads import payload, run
from ..project import access
from ..project.loaders import project_loader
from ..project.models import Project
from ..project.types import ProjectType, rules_of
from . import service
from .models import VerificationCampaign, VerificationCheck


@strawberry.type(name="VerificationProgress", description="Progress of a campaign (核查进度).")
class VerificationProgress:
    total: int = strawberry.field(description="Projects in scope when it opened (应核查).")
    checked: int = strawberry.field(description="Projects checked (已核查).")
    pending: int = strawberry.field(description="Projects not yet checked (未核查).")
    ok: int = strawberry.field(description="Checked and accurate (无误).")
    needs_supplement: int = strawberry.field(description="Flagged for supplement (需补充完善).")
    delisted: int = strawberry.field(description="Delisted by the campaign (出库).")

    @strawberry.field(description="Share checked, in percent (完成率).")
    def percent_checked(self) -> float:
        return round(100.0 * self.checked / self.total, 1) if self.total else 100.0


@strawberry.type(name="VerificationCheck", description="The check of one project in a campaign (核查记录).")
class VerificationCheckType:
    project_id: strawberry.ID = strawberry.field(description="Project id (项目ID).")
    outcome: CheckOutcome | None = strawberry.field(description="Outcome; null while pending (核查结论).")
    note: str | None = strawberry.field(description="Checker's note (核查意见).")
    checked_at: datetime | None = strawberry.field(description="When it was checked (核查时间, UTC).")

    @strawberry.field(description="The project checked (被核查项目).")
    async def project(self, info: Info) -> ProjectType | None:
        p = await project_loader(info).load(uuid.UUID(self.project_id))
        return ProjectType.from_model(p, access.View.FULL, rules_of(info)) if p else None

    @classmethod
    def from_model(cls, c: VerificationCheck) -> VerificationCheckType:
        return cls(project_id=strawberry.ID(str(c.project_id)), outcome=CheckOutcome(c.outcome) if c.outcome else None,
                   note=c.note, checked_at=c.checked_at)


def progress_loader(info: Info):
    return info.context.loader("campaign-progress", lambda ids: service.progress_many(session=info.context.session, ids=ids))


@strawberry.type(name="VerificationCampaign", description="A verification campaign over a jurisdiction (清理核查).")
class VerificationCampaignType:
    id: strawberry.ID = strawberry.field(description="Campaign id (核查ID).")
    number: str = strawberry.field(description="Number HC-<region>-<year>-<seq> (编号).")
    name: str = strawberry.field(description="Name (名称).")
    kind: CampaignKind = strawberry.field(description="ROUTINE or CONCENTRATED (类型).")
    region_code: str = strawberry.field(description="The jurisdiction covered (核查范围).")
    status: CampaignStatus = strawberry.field(description="OPEN or CLOSED (状态).")
    opened_at: datetime = strawberry.field(description="Opened (开始时间, UTC).")
    closed_at: datetime | None = strawberry.field(description="Closed (结束时间, UTC).")
    version: int = strawberry.field(description="Optimistic-concurrency version (版本号).")

    @strawberry.field(description="Progress figures (核查进度).")
    async def progress(self, info: Info) -> VerificationProgress:
        p = await progress_loader(info).load(uuid.UUID(self.id))
        return VerificationProgress(total=p["total"], checked=p["total"] - p["pending"], pending=p["pending"],
                                    ok=p["OK"], needs_supplement=p["NEEDS_SUPPLEMENT"], delisted=p["DELIST"])

    @strawberry.field(description="Checks of the projects you may see (核查清单).")
    async def checks(
        self, info: Info,
        pending: Annotated[bool | None, strawberry.argument(description="Only unchecked (true, 未核查) or checked (false, 已核查).")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, at most 200 (每页条数).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after (游标).")] = None,
    ) -> Connection[VerificationCheckType]:
        principal = info.context.user()
        stmt = (select(VerificationCheck).join(Project, Project.id == VerificationCheck.project_id)
                .where(VerificationCheck.campaign_id == uuid.UUID(self.id), access.read_clause(principal)))
        if pending is not None:
            stmt = stmt.where(VerificationCheck.outcome.is_(None) if pending else VerificationCheck.outcome.isnot(None))
        async with info.context.exclusive():
            items, page, total = await paginate(info.context.session, stmt, order=[(VerificationCheck.id, False)],
                                                first=first, after=after, cursor_of=lambda c: [str(c.id)])
        return connection(VerificationCheckType, items, page, total, VerificationCheckType.from_model)

    @classmethod
    def from_model(cls, c: VerificationCampaign) -> VerificationCampaignType:
        return cls(id=strawberry.ID(str(c.id)), number=c.number, name=c.name, kind=CampaignKind(c.kind),
                   region_code=c.region_code, status=CampaignStatus(c.status), opened_at=c.opened_at,
                   closed_at=c.closed_at, version=c.version)


@strawberry.input(description="Open a campaign (开展核查).")
class OpenVerificationCampaignInput:
    name: str = strawberry.field(description="Name (名称).")
    kind: CampaignKind = strawberry.field(description="ROUTINE or CONCENTRATED (类型).")
    region_code: str | None = strawberry.field(default=None,
                                               description="Province or prefecture; defaults to your own (范围).")


@strawberry.input(description="The check of one project (核查结论).")
class RecordVerificationCheckInput:
    id: strawberry.ID = strawberry.field(description="The project checked (项目ID).")
    expected_version: int = strawberry.field(description="The project version you read (版本号); CONFLICT when it "
                                                         "has moved on.")
    campaign_id: strawberry.ID = strawberry.field(description="Campaign id (核查ID).")
    outcome: CheckOutcome = strawberry.field(description="OK, NEEDS_SUPPLEMENT or DELIST (结论).")
    note: str | None = strawberry.field(default=None, description="Note; required for NEEDS_SUPPLEMENT (意见).")
    delist_reason: DelistReason | None = strawberry.field(default=None,
                                                          description="Reason when delisting (出库原因); INACCURATE by default.")


VerificationCampaignOrder = list_order("VerificationCampaignOrder", "verification campaigns", {
    "OPENED_AT": ("opened_at", "When the campaign was opened (发起时间)."),
}, "OPENED_AT")


@strawberry.input(description="Filter of verification campaigns (核查筛选).")
class VerificationCampaignFilter:
    status: CampaignStatus | None = strawberry.field(default=None, description="Only OPEN or CLOSED (状态).")
    search: str | None = strawberry.field(default=None, description="Text in the campaign's number or name (关键词).")


@strawberry.input(description="Close a campaign (结束核查).")
class CloseVerificationCampaignInput:
    id: strawberry.ID = strawberry.field(description="Campaign id (核查ID).")
    expected_version: int = strawberry.field(description="The version you read (版本号); CONFLICT when it has moved on.")


def _c(name, what):
    return payload(name, "campaign", VerificationCampaignType, f"Result of {what} (操作结果).",
                   "The campaign after the change (核查); null on errors.")


OpenVerificationCampaignPayload = _c("OpenVerificationCampaignPayload", "openVerificationCampaign")
CloseVerificationCampaignPayload = _c("CloseVerificationCampaignPayload", "closeVerificationCampaign")
RecordVerificationCheckPayload = payload("RecordVerificationCheckPayload", "check", VerificationCheckType,
                                         "Result of recordVerificationCheck (操作结果).", "The recorded check (核查记录); null on errors.")


@strawberry.type
class VerificationQuery:
    @strawberry.field(description="One campaign by id (核查).")
    async def verification_campaign(
            self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="Campaign id (核查ID).")]) -> VerificationCampaignType | None:
        principal = info.context.user()
        key = parse_id(id, "id")
        async with info.context.exclusive():
            campaign = await info.context.session.get(VerificationCampaign, key)
        if campaign is None:
            return None
        if not service.can_see(principal, campaign):
            return None  # outside the jurisdiction answers as a missing record does
        return VerificationCampaignType.from_model(campaign)

    @strawberry.field(description="Campaigns covering your jurisdiction, newest first (核查列表).")
    async def verification_campaigns(
        self, info: Info,
        filter: Annotated[VerificationCampaignFilter | None, strawberry.argument(description="Filter (筛选).")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, at most 200 (每页条数).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after (游标).")] = None,
        order_by: Annotated[VerificationCampaignOrder | None, strawberry.argument(
            description="Sort order (排序); ties break on id.")] = None,
    ) -> Connection[VerificationCampaignType]:
        allowed = service.visible_regions(info.context.user())
        stmt = select(VerificationCampaign)
        if allowed is not None:
            stmt = stmt.where(VerificationCampaign.region_code.in_(allowed))
        if filter is not None and filter.status is not None:
            stmt = stmt.where(VerificationCampaign.status == CampaignStatus(filter.status).value)
        stmt = text_search(stmt, filter.search if filter else None, VerificationCampaign.number,
                           VerificationCampaign.name)
        async with info.context.exclusive():
            return await ordered_page(info.context.session, stmt, order_by=order_by, default=VerificationCampaignOrder(),
                                      model=VerificationCampaign, node_type=VerificationCampaignType, convert=VerificationCampaignType.from_model, first=first, after=after)


@strawberry.type
class VerificationMutation:
    @strawberry.mutation(description="Open a verification campaign over your jurisdiction's listed projects (开展核查).")
    async def open_verification_campaign(self, info: Info, input: Annotated[OpenVerificationCampaignInput, strawberry.argument(description="The input (输入).")]
                                         ) -> OpenVerificationCampaignPayload:
        return await run(info, OpenVerificationCampaignPayload, "campaign", lambda uow: service.open_campaign(
            uow=uow, name=input.name, kind=CampaignKind(input.kind), region_code=input.region_code),
            VerificationCampaignType.from_model)

    @strawberry.mutation(description="Record the check of one project (核查).")
    async def record_verification_check(self, info: Info, input: Annotated[RecordVerificationCheckInput, strawberry.argument(description="The input (输入).")]
                                        ) -> RecordVerificationCheckPayload:
        async def action(uow):
            check, _ = await service.record_check(
                uow=uow, campaign_id=input.campaign_id, project_id=input.id, expected_version=input.expected_version,
                outcome=CheckOutcome(input.outcome), note=input.note,
                delist_reason=DelistReason(input.delist_reason) if input.delist_reason else None)
            return check
        return await run(info, RecordVerificationCheckPayload, "check", action, VerificationCheckType.from_model)

    @strawberry.mutation(description="Close a campaign (结束核查).")
    async def close_verification_campaign(self, info: Info, input: Annotated[CloseVerificationCampaignInput, strawberry.argument(description="The input (输入).")]
                                          ) -> CloseVerificationCampaignPayload:
        return await run(info, CloseVerificationCampaignPayload, "campaign", lambda uow: service.close_campaign(
            uow=uow, campaign_id=input.id, expected_version=input.expected_version),
            VerificationCampaignType.from_model)
