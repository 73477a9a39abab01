"""Root fields of investment intentions: investmentIntention(s), file/respond/decline/convert, the deadline check."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from qianzhao.common.api import (
    Connection,
    UserError,
    list_order,
    mutate,
    ordered_page,
    text_search,
)
from qianzhao.common.auth import Role
from qianzhao.common.ids import parse_id
from strawberry.types import Info

from ..payloads import payload, run
from . import service
from .actions import ACTIONS, IntentionAction, IntentionStatus
from .models import InvestmentIntention

if TYPE_CHECKING:
    from ..project.types import ProjectType

F = strawberry.field


@strawberry.enum(name="IntentionNeed", description="What the enterprise needs matched (要素需求).")
class IntentionNeed(Enum):
    LAND = strawberry.enum_value("LAND", description="Land (用地).")
    ENERGY = strawberry.enum_value("ENERGY", description="Energy and power (用能).")
    FINANCE = strawberry.enum_value("FINANCE", description="Finance (融资).")
    TALENT = strawberry.enum_value("TALENT", description="Talent and labour (人才用工).")
    LOGISTICS = strawberry.enum_value("LOGISTICS", description="Logistics (物流).")
    POLICY = strawberry.enum_value("POLICY", description="Policy support (政策).")
    OTHER = strawberry.enum_value("OTHER", description="Other (其他).")


@strawberry.type(name="InvestmentIntention", description="An enterprise's intention to invest (投资合作意向), routed to "
                                                          "the prefectures it names and answered within working days.")
class InvestmentIntentionType:
    id: strawberry.ID = F(description="Intention id.")
    number: str = F(description="Number YX-<year>-<seq> (意向编号).")
    enterprise_name: str = F(description="The enterprise (企业名称).")
    credit_code: str | None = F(description="Its unified social credit code (统一社会信用代码), when known.")
    ownership: str = F(description="Ownership (所有制): PRIVATE, STATE, FOREIGN or HK_MACAO_TAIWAN.")
    chain_code: str = F(description="Industry chain (产业链).")
    amount: Decimal = F(description="Intended investment, yuan (意向投资额).")
    prefecture_codes: list[str] = F(description="Prefectures it is routed to (意向市州).")
    needs: list[IntentionNeed] = F(description="What it needs matched (要素需求).")
    description: str = F(description="What it intends (意向内容).")
    status: IntentionStatus = F(description="Lifecycle status (意向状态).")
    filed_at: datetime = F(description="When it was filed (提出时间).")
    response_due: datetime = F(description="The first response is due by then (响应期限), N working days after filing.")
    overdue: bool = F(description="Unanswered past its deadline (超期未响应).")
    escalated_at: datetime | None = F(description="When it went to the province, unanswered (超期上报时间).")
    responded_at: datetime | None = F(description="When the government first responded (响应时间).")
    responded_on_time: bool | None = F(description="Whether that was by the deadline (按期响应).")
    leader_name: str | None = F(description="The leader who took it on (牵头领导).")
    leader_post: str | None = F(description="Their post (职务), e.g. 市长.")
    resources_matched: str | None = F(description="Resources matched to its needs (资源匹配).")
    decline_reason: str | None = F(description="Why it was declined.")
    version: int = F(description="Optimistic-concurrency version; pass it as expectedVersion.")
    model: strawberry.Private[InvestmentIntention]

    @classmethod
    def from_model(cls, i: InvestmentIntention, now: datetime | None = None) -> InvestmentIntentionType:
        now = now or datetime.now(i.response_due.tzinfo)
        return cls(id=strawberry.ID(str(i.id)), number=i.number, enterprise_name=i.enterprise_name,
                   credit_code=i.credit_code, ownership=i.ownership, chain_code=i.chain_code, amount=i.amount,
                   prefecture_codes=list(i.prefectures), needs=[IntentionNeed(n) for n in i.needs],
                   description=i.description, status=IntentionStatus(i.status), filed_at=i.filed_at,
                   response_due=i.response_due,
                   overdue=i.status == IntentionStatus.RECEIVED.value and i.response_due <= now,
                   escalated_at=i.escalated_at, responded_at=i.responded_at,
                   responded_on_time=None if i.responded_at is None else i.responded_at <= i.response_due,
                   leader_name=i.leader_name, leader_post=i.leader_post, resources_matched=i.resources_matched,
                   decline_reason=i.decline_reason, version=i.version, model=i)

    @F(description="What you may do to it now (可执行操作).")
    def allowed_actions(self, info: Info) -> list[IntentionAction]:
        return ACTIONS.allowed(info.context.user(), self.model)

    @F(description="The projects it became (转化项目), those you may see.")
    async def projects(self, info: Info) -> list[Annotated[ProjectType, strawberry.lazy("..project.types")]]:
        from ..project.types import ProjectType

        found = [await ProjectType.load_visible(info, p) for p in self.model.project_ids]
        return [p for p in found if p is not None]


def _type(info: Info):
    now = info.context.clock.now()
    return lambda i: InvestmentIntentionType.from_model(i, now)


@strawberry.input(description="An enterprise's investment intention (提出投资合作意向).")
class FileInvestmentIntentionInput:
    enterprise_name: str = F(description="The enterprise (企业名称).")
    chain_code: str = F(description="Industry chain (产业链).")
    amount: Decimal = F(description="Intended investment, yuan (意向投资额).")
    prefecture_codes: list[str] = F(description="The prefectures it prefers (意向市州), 1 to 9.")
    description: str = F(description="What it intends (意向内容).")
    needs: list[IntentionNeed] = F(default_factory=list, description="What it needs matched (要素需求).")
    ownership: str = F(default="PRIVATE", description="Ownership (所有制): PRIVATE, STATE, FOREIGN or HK_MACAO_TAIWAN.")
    credit_code: str | None = F(default=None, description="Its credit code; an enterprise user's own is taken from "
                                                          "its token.")


@strawberry.input(description="The first response to an intention (首次响应).")
class RespondToInvestmentIntentionInput:
    id: strawberry.ID = F(description="Intention id.")
    expected_version: int = F(description="The version you read (版本号); CONFLICT when it has moved on.")
    leader_name: str = F(description="The leader who takes it on (牵头领导).")
    leader_post: str = F(description="Their post (职务).")
    resources_matched: str = F(description="Resources matched to its needs (资源匹配情况).")


@strawberry.input(description="Decline an intention (不予推进).")
class DeclineInvestmentIntentionInput:
    id: strawberry.ID = F(description="Intention id.")
    expected_version: int = F(description="The version you read (版本号); CONFLICT when it has moved on.")
    reason: str = F(description="Why (理由).")


@strawberry.input(description="The intention became a project of the pool (转化为项目).")
class ConvertInvestmentIntentionInput:
    id: strawberry.ID = F(description="Intention id.")
    expected_version: int = F(description="The version you read (版本号); CONFLICT when it has moved on.")
    project_id: strawberry.ID = F(description="The project (项目ID), in a prefecture the intention names.")


@strawberry.input(description="Filter of investment intentions (意向筛选).")
class InvestmentIntentionFilter:
    statuses: list[IntentionStatus] | None = F(default=None, description="Any of these states.")
    prefecture_code: str | None = F(default=None, description="Routed to this prefecture (意向市州).")
    overdue: bool | None = F(default=None, description="Unanswered past the deadline (true) or not (false).")
    search: str | None = F(default=None, description="Text in the number or the enterprise's name (关键词).")


InvestmentIntentionOrder = list_order("InvestmentIntentionOrder", "investment intentions", {
    "FILED_AT": ("filed_at", "When it was filed (提出时间)."),
    "RESPONSE_DUE": ("response_due", "Its response deadline (响应期限)."),
}, "FILED_AT")


def _payload(name: str):
    return payload(name, "intention", InvestmentIntentionType, f"Result of {name[0].lower()}{name[1:-7]} (操作结果).",
                   "The intention after the change; null on errors.")


FileInvestmentIntentionPayload = _payload("FileInvestmentIntentionPayload")
RespondToInvestmentIntentionPayload = _payload("RespondToInvestmentIntentionPayload")
DeclineInvestmentIntentionPayload = _payload("DeclineInvestmentIntentionPayload")
ConvertInvestmentIntentionPayload = _payload("ConvertInvestmentIntentionPayload")


@strawberry.type(description="Result of runIntentionDeadlineCheck.")
class IntentionDeadlineCheckPayload:
    escalated: int = F(description="Intentions escalated to the province now (本次超期上报).")
    user_errors: list[UserError] = F(description="Always empty: the check has no input to refuse.")


@strawberry.type
class IntentionQuery:
    @F(description="One investment intention; null when missing or outside what you may see.")
    async def investment_intention(self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(
            description="Intention id.")]) -> InvestmentIntentionType | None:
        principal = info.context.user()
        async with info.context.exclusive():
            i = await info.context.session.get(InvestmentIntention, parse_id(id, "id"))
        return _type(info)(i) if i and service.visible(principal, i) else None

    @F(description="Investment intentions you may see (投资合作意向): the province all, a prefecture and its counties "
                   "those naming it, an enterprise its own; latest first.")
    async def investment_intentions(
        self, info: Info,
        filter: Annotated[InvestmentIntentionFilter | None, strawberry.argument(description="Filter (筛选).")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, at most 200 (每页条数).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after (游标).")] = None,
        order_by: Annotated[InvestmentIntentionOrder | None, strawberry.argument(
            description="Sort order (排序); ties break on id.")] = None,
    ) -> Connection[InvestmentIntentionType]:
        f = filter or InvestmentIntentionFilter()
        stmt = service.matching(info.context.user(), status=[s.value for s in f.statuses or []], overdue=f.overdue,
                                prefecture=f.prefecture_code, now=info.context.clock.now())
        stmt = text_search(stmt, f.search, InvestmentIntention.number, InvestmentIntention.enterprise_name)
        async with info.context.exclusive():
            return await ordered_page(info.context.session, stmt, order_by=order_by, default=InvestmentIntentionOrder(),
                                      model=InvestmentIntention, node_type=InvestmentIntentionType, convert=_type(info), first=first, after=after)


@strawberry.type
class IntentionMutation:
    @strawberry.mutation(description="File an investment intention (提出投资合作意向): an enterprise for itself, or an "
                                     "officer for an enterprise; the prefectures named answer within working days.")
    async def file_investment_intention(self, info: Info, input: Annotated[
            FileInvestmentIntentionInput, strawberry.argument(description="The input (输入).")]
            ) -> FileInvestmentIntentionPayload:
        days = info.context.settings.intention_response_working_days
        return await run(info, FileInvestmentIntentionPayload, "intention", lambda uow: service.file(
            uow=uow, enterprise_name=input.enterprise_name, credit_code_=input.credit_code, ownership=input.ownership,
            chain_code=input.chain_code, amount=input.amount, prefectures=input.prefecture_codes,
            needs=[n.value for n in input.needs], description=input.description, response_days=days),
            _type(info), officer=False)

    @strawberry.mutation(description="RECEIVED → RESPONDED: the leader who takes it on and the resources matched.")
    async def respond_to_investment_intention(self, info: Info, input: Annotated[
            RespondToInvestmentIntentionInput, strawberry.argument(description="The input (输入).")]
            ) -> RespondToInvestmentIntentionPayload:
        return await run(info, RespondToInvestmentIntentionPayload, "intention", lambda uow: service.respond(
            uow=uow, intention_id=input.id, expected_version=input.expected_version, leader_name=input.leader_name,
            leader_post=input.leader_post, resources_matched=input.resources_matched), _type(info))

    @strawberry.mutation(description="RECEIVED or RESPONDED → DECLINED, with a reason.")
    async def decline_investment_intention(self, info: Info, input: Annotated[
            DeclineInvestmentIntentionInput, strawberry.argument(description="The input (输入).")]
            ) -> DeclineInvestmentIntentionPayload:
        return await run(info, DeclineInvestmentIntentionPayload, "intention", lambda uow: service.decline(
            uow=uow, intention_id=input.id, expected_version=input.expected_version, reason=input.reason),
            _type(info))

    @strawberry.mutation(description="RESPONDED → CONVERTED: it became a project of the pool (转化为项目).")
    async def convert_investment_intention(self, info: Info, input: Annotated[
            ConvertInvestmentIntentionInput, strawberry.argument(description="The input (输入).")]
            ) -> ConvertInvestmentIntentionPayload:
        return await run(info, ConvertInvestmentIntentionPayload, "intention", lambda uow: service.convert(
            uow=uow, intention_id=input.id, expected_version=input.expected_version, project_id=input.project_id),
            _type(info))

    @strawberry.mutation(description="Escalate now every intention unanswered past its deadline, once (operators; "
                                     "the service also does it every QZ_INTENTION_CHECK_SECONDS).")
    async def run_intention_deadline_check(self, info: Info) -> IntentionDeadlineCheckPayload:
        info.context.user().require_role(Role.PROVINCE, Role.SERVICE)
        escalated, _ = await mutate(info, lambda uow: service.check_deadlines(uow=uow))
        return IntentionDeadlineCheckPayload(escalated=len(escalated or []), user_errors=[])
