"""Root fields of target enterprises: targetEnterprise(s), create/update/follow up/link projects."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from qianzhao.common import importing
from qianzhao.common.api import (
    Connection,
    list_order,
    ordered_page,
    text_search,
)
from qianzhao.common.ids import parse_id
from qianzhao.common.privacy import mask_phone
from qianzhao.common.workdays import working_days_between
from sqlalchemy import select
from strawberry.types import Info

from ..payloads import payload, run
from . import service
from .models import TargetEnterprise
from .service import FollowUpKind, Tier, Willingness

if TYPE_CHECKING:
    from ..project.types import ProjectType

F = strawberry.field
VERSION = "The version you read (版本号); CONFLICT when it has moved on."


@strawberry.type(name="TargetContact", description="A contact at the enterprise (联系人).")
class ContactType:
    name: str = F(description="Name (姓名).")
    title: str | None = F(description="Position (职务).")
    phone: str | None = F(description="Telephone (联系电话); masked outside the courting government.")


@strawberry.type(name="TargetFollowUp", description="A follow-up with the enterprise (跟进记录).")
class FollowUpType:
    kind: FollowUpKind = F(description="How (方式).")
    on: date = F(description="When (日期).")
    note: str = F(description="What came of it (情况).")
    trip_id: strawberry.ID | None = F(description="The investment trip it happened on, if any (外出招商).")


@strawberry.type(name="TargetEnterprise", description="An enterprise a government courts (重点目标企业).")
class TargetType:
    id: strawberry.ID = F(description="Target id.")
    number: str = F(description="Number MB-<year>-<seq> (编号).")
    name: str = F(description="The enterprise (企业名称).")
    credit_code: str | None = F(description="Its unified social credit code, when known (统一社会信用代码).")
    location: str = F(description="Where it is (所在地).")
    chain_code: str = F(description="Industry chain (产业链).")
    region_code: str = F(description="The courting government (招引地区).")
    tier: Tier = F(description="Tier (层级).")
    willingness: Willingness = F(description="Cooperation willingness (合作意愿).")
    owner_name: str | None = F(description="The officer who owns the lead (责任人).")
    last_contact_on: date = F(description="Last contact (最近跟进).")
    next_step: str | None = F(description="The next step (下一步).")
    next_step_due: date | None = F(description="Due by (下一步时限).")
    created_at: datetime = F(description="When the region started courting it (建档时间).")
    external_ref: str | None = F(description="Its reference in the bureau's register, when imported (外部编号).")
    demo: bool = F(description=importing.DEMO)
    version: int = F(description="Optimistic-concurrency version; pass it as expectedVersion.")
    model: strawberry.Private[TargetEnterprise]

    @classmethod
    def of(cls, t: TargetEnterprise) -> TargetType:
        return cls(id=strawberry.ID(str(t.id)), number=t.number, name=t.name, credit_code=t.credit_code,
                   location=t.location, chain_code=t.chain_code, region_code=t.region_code, tier=Tier(t.tier),
                   willingness=Willingness(t.willingness), owner_name=t.owner_name, last_contact_on=t.last_contact_on,
                   next_step=t.next_step, next_step_due=t.next_step_due, created_at=t.created_at,
                   external_ref=t.external_ref, demo=t.demo, version=t.version, model=t)

    @F(description="Contacts (联系人); phones are shown to the courting government's own officers, masked for others.")
    def contacts(self, info: Info) -> list[ContactType]:
        own = service.owns(info.context.user(), self.model)
        return [ContactType(name=c["name"], title=c.get("title"),
                            phone=c.get("phone") if own or not c.get("phone") else mask_phone(c["phone"]))
                for c in self.model.contacts]

    @F(description="Follow-ups, oldest first (跟进记录).")
    def follow_ups(self) -> list[FollowUpType]:
        return [FollowUpType(kind=FollowUpKind(f["kind"]), on=date.fromisoformat(f["on"]), note=f["note"],
                             trip_id=strawberry.ID(f["tripId"]) if f.get("tripId") else None)
                for f in self.model.follow_ups]

    @F(description="No contact for QZ_TARGET_STALE_WORKING_DAYS working days (跟进超期).")
    def stale(self, info: Info) -> bool:
        from datetime import time

        from qianzhao.common.periods import SHANGHAI

        last = datetime.combine(self.model.last_contact_on, time(12), SHANGHAI)
        return working_days_between(last, info.context.clock.now()) > info.context.settings.target_stale_working_days

    @F(description="Another government courts the same enterprise too (多地招引); which one only the province sees.")
    async def also_courted_elsewhere(self, info: Info) -> bool:
        async with info.context.exclusive() as session:
            return bool(await service.courted_by(session, self.model))

    @F(description="The other governments courting it (province only; null for others).")
    async def courted_by(self, info: Info) -> list[str] | None:
        if not info.context.user().sees_everything:
            return None
        async with info.context.exclusive() as session:
            return await service.courted_by(session, self.model)

    @F(description="The projects it invests in (转化项目), those you may see.")
    async def projects(self, info: Info) -> list[Annotated[ProjectType, strawberry.lazy("..project.types")]]:
        from ..project.types import ProjectType

        found = [await ProjectType.load_visible(info, p) for p in self.model.project_ids]
        return [p for p in found if p is not None]


@strawberry.input(name="TargetContactInput", description="A contact (联系人).")
class ContactInput:
    name: str = F(description="Name (姓名).")
    title: str | None = F(default=None, description="Position (职务).")
    phone: str | None = F(default=None, description="Telephone (联系电话).")


@strawberry.input(description="Start courting an enterprise (建档重点目标企业).")
class CreateTargetEnterpriseInput:
    name: str = F(description="The enterprise (企业名称).")
    location: str = F(description="Where it is, e.g. 深圳市 (所在地).")
    chain_code: str = F(description="Industry chain (产业链).")
    tier: Tier = F(default=Tier.GENERAL, description="Tier (层级).")
    willingness: Willingness = F(default=Willingness.NONE, description="Cooperation willingness (合作意愿).")
    credit_code: str | None = F(default=None, description="Its unified social credit code, when known.")
    region_code: str | None = F(default=None, description="The courting government; yours when omitted (招引地区).")
    contacts: list[ContactInput] = F(default_factory=list, description="Contacts (联系人).")
    next_step: str | None = F(default=None, description="The next step (下一步).")
    next_step_due: date | None = F(default=None, description="Due by (下一步时限).")
    intention_id: strawberry.ID | None = F(default=None, description="The investment intention it came from (来源意向).")


@strawberry.input(description="One target enterprise of the bureau's register (重点目标企业导入行).")
class TargetEnterpriseImportRow:
    external_ref: str = F(description=importing.EXTERNAL_REF)
    name: str = F(description="The enterprise (企业名称).")
    location: str = F(description="Where it is, e.g. 深圳市 (所在地).")
    chain_code: str = F(description="Industry chain (产业链).")
    region_code: str = F(description="The courting government (招引地区).")
    tier: Tier = F(default=Tier.GENERAL, description="Tier (层级).")
    willingness: Willingness = F(default=Willingness.NONE, description="Cooperation willingness (合作意愿).")
    credit_code: str | None = F(default=None, description="Its unified social credit code, when known (统一社会信用代码).")
    contact_name: str | None = F(default=None, description="A contact's name (联系人).")
    contact_title: str | None = F(default=None, description="The contact's position (联系人职务).")
    contact_phone: str | None = F(default=None, description="The contact's telephone (联系电话).")
    last_contact_on: date | None = F(default=None, description="The last contact, not in the future; the import day "
                                                               "when omitted (最近跟进).")
    next_step: str | None = F(default=None, description="The next step (下一步).")
    next_step_due: date | None = F(default=None, description="Due by (下一步时限).")
    demo: bool = F(default=False, description=importing.DEMO)


ImportTargetEnterprisesInput = importing.import_input("ImportTargetEnterprisesInput", TargetEnterpriseImportRow,
                                                      "target enterprises")


async def _import_target(uow, row: TargetEnterpriseImportRow) -> None:
    contacts = [{"name": row.contact_name.strip(), "title": row.contact_title, "phone": row.contact_phone}
                ] if (row.contact_name or "").strip() else []
    await service.create(uow=uow, name=row.name, credit_code_=row.credit_code, location=row.location,
                         chain_code=row.chain_code, region_code=row.region_code, tier=row.tier,
                         willingness=row.willingness, contacts=contacts, next_step=row.next_step,
                         next_step_due=row.next_step_due, last_contact_on=row.last_contact_on,
                         external_ref=row.external_ref.strip(), demo=row.demo)


async def _known_targets(session, refs: list[str]) -> set[str]:
    return await importing.existing_refs(session, TargetEnterprise.external_ref, refs)


@strawberry.input(description="Change a target's tier, willingness or next step (更新).")
class UpdateTargetEnterpriseInput:
    id: strawberry.ID = F(description="Target id.")
    expected_version: int = F(description=VERSION)
    tier: Tier | None = F(default=strawberry.UNSET, description="Tier (层级).")
    willingness: Willingness | None = F(default=strawberry.UNSET, description="Cooperation willingness (合作意愿).")
    next_step: str | None = F(default=strawberry.UNSET, description="The next step (下一步).")
    next_step_due: date | None = F(default=strawberry.UNSET, description="Due by (下一步时限).")


@strawberry.input(description="Record a follow-up (记录跟进).")
class RecordTargetFollowUpInput:
    id: strawberry.ID = F(description="Target id.")
    expected_version: int = F(description=VERSION)
    kind: FollowUpKind = F(description="How (方式).")
    on: date = F(description="When (日期).")
    note: str = F(description="What came of it (情况).")
    trip_id: strawberry.ID | None = F(default=None, description="For TRIP: the investment trip (外出招商).")


@strawberry.input(description="Link the projects the target invests in (转化项目).")
class LinkTargetProjectsInput:
    id: strawberry.ID = F(description="Target id.")
    expected_version: int = F(description=VERSION)
    project_ids: list[strawberry.ID] = F(description="Projects (项目).")


@strawberry.input(description="Filter of target enterprises (目标企业筛选).")
class TargetEnterpriseFilter:
    region_code: str | None = F(default=None, description="Courted by this government or those beneath it.")
    willingness: list[Willingness] | None = F(default=None, description="Any of these willingness levels.")
    tier: Tier | None = F(default=None, description="Of this tier.")
    search: str | None = F(default=None, description="Text in the number or name (关键词).")


TargetEnterpriseOrder = list_order("TargetEnterpriseOrder", "target enterprises", {
    "CREATED_AT": ("created_at", "When courting began (建档时间)."),
    "LAST_CONTACT_ON": ("last_contact_on", "Last contact (最近跟进)."),
}, "CREATED_AT")


def _p(name: str):
    return payload(name, "target", TargetType, f"Result of {name[0].lower()}{name[1:-7]} (操作结果).",
                   "The target after the change; null on errors.")


CreateTargetEnterprisePayload = _p("CreateTargetEnterprisePayload")
UpdateTargetEnterprisePayload = _p("UpdateTargetEnterprisePayload")
RecordTargetFollowUpPayload = _p("RecordTargetFollowUpPayload")
LinkTargetProjectsPayload = _p("LinkTargetProjectsPayload")


@strawberry.type
class TargetQuery:
    @F(description="One target enterprise; null when missing or outside what you may see.")
    async def target_enterprise(self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(
            description="Target id.")]) -> TargetType | None:
        async with info.context.exclusive() as session:
            t = await session.get(TargetEnterprise, parse_id(id, "id"))
        return TargetType.of(t) if t and service.visible(info.context.user(), t) else None

    @F(description="Target enterprises your government and those beneath it court (重点目标企业).")
    async def target_enterprises(
        self, info: Info,
        filter: Annotated[TargetEnterpriseFilter | None, strawberry.argument(description="Filter (筛选).")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, at most 200 (每页条数).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after (游标).")] = None,
        order_by: Annotated[TargetEnterpriseOrder | None, strawberry.argument(description="Sort order.")] = None,
    ) -> Connection[TargetType]:
        from qianzhao.common.auth import region_scope

        f = filter or TargetEnterpriseFilter()
        stmt = select(TargetEnterprise).where(service.visible_clause(info.context.user()))
        if f.region_code:
            stmt = stmt.where(region_scope(f.region_code, TargetEnterprise.region_code))
        if f.willingness:
            stmt = stmt.where(TargetEnterprise.willingness.in_([w.value for w in f.willingness]))
        if f.tier:
            stmt = stmt.where(TargetEnterprise.tier == f.tier.value)
        stmt = text_search(stmt, f.search, TargetEnterprise.number, TargetEnterprise.name)
        async with info.context.exclusive() as session:
            return await ordered_page(session, stmt, order_by=order_by, default=TargetEnterpriseOrder(),
                                      model=TargetEnterprise, node_type=TargetType, convert=TargetType.of, first=first, after=after)


@strawberry.type
class TargetMutation:
    @strawberry.mutation(description="Start courting an enterprise (建档重点目标企业), for your government or one beneath it.")
    async def create_target_enterprise(self, info: Info, input: Annotated[CreateTargetEnterpriseInput, strawberry.argument(
            description="The input (输入).")]) -> CreateTargetEnterprisePayload:
        return await run(info, CreateTargetEnterprisePayload, "target", lambda uow: service.create(
            uow=uow, name=input.name, credit_code_=input.credit_code, location=input.location,
            chain_code=input.chain_code, region_code=input.region_code, tier=input.tier,
            willingness=input.willingness, contacts=[{"name": c.name, "title": c.title, "phone": c.phone}
                                                     for c in input.contacts],
            next_step=input.next_step, next_step_due=input.next_step_due, intention_id=input.intention_id),
            TargetType.of)

    @strawberry.mutation(description="Import target enterprises from the bureau's register (重点目标企业导入), all or "
                                     "nothing, idempotent by externalRef; a dry run writes nothing. Officers, for "
                                     "their government or one beneath it.")
    async def import_target_enterprises(self, info: Info, input: Annotated[ImportTargetEnterprisesInput,
                                        strawberry.argument(description="The rows (导入行).")]) -> importing.ImportPayload:
        info.context.user().require_officer()
        return await importing.run(info, input.rows, dry_run=input.dry_run, known=_known_targets, add=_import_target)

    @strawberry.mutation(description="Change a target's tier, willingness or next step (更新).")
    async def update_target_enterprise(self, info: Info, input: Annotated[UpdateTargetEnterpriseInput, strawberry.argument(
            description="The input (输入).")]) -> UpdateTargetEnterprisePayload:
        changes = {k: getattr(input, k) for k in ("tier", "willingness", "next_step", "next_step_due")
                   if getattr(input, k) is not strawberry.UNSET}
        return await run(info, UpdateTargetEnterprisePayload, "target", lambda uow: service.update(
            uow=uow, target_id=input.id, expected_version=input.expected_version, changes=changes), TargetType.of)

    @strawberry.mutation(description="Record a visit, call, meeting or trip with the enterprise (记录跟进).")
    async def record_target_follow_up(self, info: Info, input: Annotated[RecordTargetFollowUpInput, strawberry.argument(
            description="The input (输入).")]) -> RecordTargetFollowUpPayload:
        return await run(info, RecordTargetFollowUpPayload, "target", lambda uow: service.follow_up(
            uow=uow, target_id=input.id, expected_version=input.expected_version, kind=input.kind, on=input.on,
            note=input.note, trip_id=input.trip_id), TargetType.of)

    @strawberry.mutation(description="Link the projects the enterprise invests in (转化项目).")
    async def link_target_projects(self, info: Info, input: Annotated[LinkTargetProjectsInput, strawberry.argument(
            description="The input (输入).")]) -> LinkTargetProjectsPayload:
        return await run(info, LinkTargetProjectsPayload, "target", lambda uow: service.link_projects(
            uow=uow, target_id=input.id, expected_version=input.expected_version,
            project_ids=list(input.project_ids)), TargetType.of)
