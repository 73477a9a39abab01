"""Investment intentions (投资合作意向): an enterprise (or an officer for it) files one; the prefectures it names
answer within N working days (QZ_INTENTION_RESPONSE_WORKING_DAYS, 5 by default; the working-day calendar counts
holidays) with the leader who takes it on and the resources matched; it then becomes a project of the pool.

An intention still unanswered at its deadline goes to the province once (`escalatedAt`), like any missed deadline:
`check_deadlines` (every QZ_INTENTION_CHECK_SECONDS, and `runIntentionDeadlineCheck`) claims overdue rows with FOR
UPDATE SKIP LOCKED and marks them in the same transaction as the event, so replicas and repeated runs never
escalate one twice.
"""

from __future__ import annotations

from decimal import Decimal

from qianzhao.common import concurrency, regions
from qianzhao.common.auth import Principal, Role
from qianzhao.common.errors import DomainError, ErrorCode, Problems
from qianzhao.common.ids import new_id, next_number, parse_id
from qianzhao.common.scheduling import every
from qianzhao.common.uow import UnitOfWork
from qianzhao.common.workdays import add_working_days
from sqlalchemy import ColumnElement, false, select, true

from ..chains import cache as chain_cache
from ..project.models import Project
from ..project.validation import bad, credit_code
from . import events
from .actions import ACTIONS, IntentionAction, IntentionStatus
from .models import InvestmentIntention

S = IntentionStatus
OWNERSHIPS = ("PRIVATE", "STATE", "FOREIGN", "HK_MACAO_TAIWAN")
NEEDS = ("LAND", "ENERGY", "FINANCE", "TALENT", "LOGISTICS", "POLICY", "OTHER")
CHECKER = Principal(subject="projects-intention-deadlines", role=Role.SERVICE, name="意向响应期限检查")


def visible_clause(p: Principal) -> ColumnElement[bool]:
    """PROVINCE all; a prefecture's (and its counties') officers the intentions naming it; an enterprise its own."""
    if p.sees_everything:
        return true()
    if p.role is Role.ENTERPRISE:
        return InvestmentIntention.credit_code == p.credit_code if p.credit_code else false()
    if p.is_officer:
        prefecture = regions.prefecture_of(p.region_code) or p.region_code
        return InvestmentIntention.prefectures.contains([prefecture])
    return false()


def visible(p: Principal, i: InvestmentIntention) -> bool:
    if p.sees_everything:
        return True
    if p.role is Role.ENTERPRISE:
        return bool(p.credit_code) and i.credit_code == p.credit_code
    return p.is_officer and (regions.prefecture_of(p.region_code) or p.region_code) in i.prefectures


def _data(i: InvestmentIntention) -> dict:
    return {"intention_id": str(i.id), "number": i.number, "enterprise_name": i.enterprise_name,
            "chain_code": i.chain_code, "amount": str(i.amount), "prefectures": list(i.prefectures),
            "status": i.status, "response_due": i.response_due.isoformat(), "region_code": i.prefectures[0]}


async def file(*, uow: UnitOfWork, enterprise_name: str, credit_code_: str | None, ownership: str, chain_code: str,
               amount: Decimal, prefectures: list[str], needs: list[str], description: str,
               response_days: int) -> InvestmentIntention:
    """An ENTERPRISE files for itself (its credit code from the token); an officer records one for an enterprise."""
    p = uow.principal
    if p.role not in (Role.ENTERPRISE, Role.PROVINCE, Role.PREFECTURE, Role.COUNTY, Role.SERVICE):
        raise DomainError(ErrorCode.FORBIDDEN, "Intentions are filed by enterprises or recorded by regional officers")
    problems = Problems()
    code = credit_code_
    if p.role is Role.ENTERPRISE:
        if code and code.strip().upper() != p.credit_code:
            problems.add(DomainError(ErrorCode.FORBIDDEN, "Enterprises file for their own credit code", "creditCode"))
        code = p.credit_code
    elif code:
        code = problems.check(credit_code, code, "credit_code")
    if not enterprise_name.strip():
        problems.add(bad("enterprise_name", "The enterprise's name is required"))
    if ownership not in OWNERSHIPS:
        problems.add(bad("ownership", f"Ownership is one of {', '.join(OWNERSHIPS)}"))
    await problems.check_awaited(chain_cache.usable(uow.session, chain_code))
    if not amount.is_finite() or amount <= 0:
        problems.add(bad("amount", "The intended investment is a positive amount"))
    if not prefectures:
        problems.add(bad("prefectures", "Name at least one prefecture (意向市州)"))
    for n, code_ in enumerate(prefectures):
        region = regions.get(code_)
        if region is None or region.level is not regions.RegionLevel.PREFECTURE:
            problems.add(DomainError(ErrorCode.BAD_USER_INPUT, f"{code_} is not one of the 9 prefectures",
                                     ["prefectures", str(n)]))
    for n, need in enumerate(needs):
        if need not in NEEDS:
            problems.add(DomainError(ErrorCode.BAD_USER_INPUT, f"Needs are {', '.join(NEEDS)}", ["needs", str(n)]))
    if not description.strip():
        problems.add(bad("description", "Say what the enterprise intends (意向内容)"))
    problems.raise_any()
    now = uow.clock.now()
    year = uow.clock.today().year
    i = InvestmentIntention(
        id=new_id(), number=f"YX-{year}-{await next_number(uow.session, f'YX-{year}'):05d}",
        enterprise_name=enterprise_name.strip(), credit_code=code, ownership=ownership, chain_code=chain_code,
        amount=amount.quantize(Decimal("0.01")), prefectures=list(dict.fromkeys(prefectures)),
        needs=list(dict.fromkeys(needs)), description=description.strip(), status=S.RECEIVED.value,
        filed_by=p.subject, filed_at=now, response_due=add_working_days(now, response_days), project_ids=[])
    uow.session.add(i)
    uow.record(aggregate_type="investment_intention", aggregate_id=i.id, action="FILED",
               changes={"prefectures": i.prefectures, "amount": str(i.amount), "chainCode": chain_code})
    uow.emit(events.FILED, subject=i.id, region_code=i.prefectures[0], data=_data(i))
    return i


async def load(*, uow: UnitOfWork, intention_id, expected_version: int | None,
               action: IntentionAction | None = None) -> InvestmentIntention:
    i = await uow.session.get(InvestmentIntention, parse_id(intention_id, "id"))
    if i is None or not visible(uow.principal, i):
        raise DomainError(ErrorCode.NOT_FOUND, f"Intention {intention_id} not found", "id")
    if action is not None:
        ACTIONS.ensure(uow.principal, i, action)
    concurrency.check_version(i, expected_version, what=f"Intention {i.number}")
    return i


async def respond(*, uow: UnitOfWork, intention_id, expected_version: int, leader_name: str, leader_post: str,
                  resources_matched: str) -> InvestmentIntention:
    """The first response (首次响应): the leader who takes it on (主要领导牵头) and the resources matched."""
    i = await load(uow=uow, intention_id=intention_id, expected_version=expected_version,
                   action=IntentionAction.RESPOND)
    problems = Problems()
    for field, value in (("leader_name", leader_name), ("leader_post", leader_post),
                         ("resources_matched", resources_matched)):
        if not value.strip():
            problems.add(bad(field, "Required"))
    problems.raise_any()
    i.status, i.responded_at = S.RESPONDED.value, uow.clock.now()
    i.responding_region = uow.principal.region_code
    i.leader_name, i.leader_post, i.resources_matched = leader_name.strip(), leader_post.strip(), resources_matched.strip()
    await uow.session.flush()
    uow.record(aggregate_type="investment_intention", aggregate_id=i.id, action="RESPONDED",
               changes={"leaderName": i.leader_name, "leaderPost": i.leader_post,
                        "onTime": i.responded_at <= i.response_due})
    uow.emit(events.RESPONDED, subject=i.id, region_code=i.prefectures[0], data=_data(i))
    return i


async def decline(*, uow: UnitOfWork, intention_id, expected_version: int, reason: str) -> InvestmentIntention:
    i = await load(uow=uow, intention_id=intention_id, expected_version=expected_version,
                   action=IntentionAction.DECLINE)
    if not reason.strip():
        raise bad("reason", "Say why it is declined")
    i.status, i.decline_reason = S.DECLINED.value, reason.strip()
    await uow.session.flush()
    uow.record(aggregate_type="investment_intention", aggregate_id=i.id, action="DECLINED", comment=i.decline_reason)
    uow.emit(events.DECLINED, subject=i.id, region_code=i.prefectures[0], data=_data(i))
    return i


async def convert(*, uow: UnitOfWork, intention_id, expected_version: int, project_id) -> InvestmentIntention:
    """The intention matured into a project of the pool (linked both ways: the project's `intentions`)."""
    i = await load(uow=uow, intention_id=intention_id, expected_version=expected_version,
                   action=IntentionAction.CONVERT)
    project = await uow.session.get(Project, parse_id(project_id, "projectId"))
    if project is None or not uow.principal.covers_region(project.region_code):
        raise DomainError(ErrorCode.NOT_FOUND, f"Project {project_id} not found", "projectId")
    if regions.prefecture_of(project.region_code) not in i.prefectures:
        raise bad("project_id", "The project lies outside the prefectures the intention names")
    i.status, i.project_ids = S.CONVERTED.value, [*i.project_ids, project.id]
    await uow.session.flush()
    uow.record(aggregate_type="investment_intention", aggregate_id=i.id, action="CONVERTED",
               changes={"projectId": str(project.id), "projectNumber": project.number})
    uow.emit(events.CONVERTED, subject=i.id, region_code=i.prefectures[0], data=_data(i))
    return i


async def check_deadlines(*, uow: UnitOfWork) -> list[InvestmentIntention]:
    """Escalate every intention past its response deadline unanswered, once (超期上报省级)."""
    rows = (await uow.session.execute(
        select(InvestmentIntention).where(InvestmentIntention.status == S.RECEIVED.value,
                                          InvestmentIntention.escalated_at.is_(None),
                                          InvestmentIntention.response_due <= uow.clock.now())
        .order_by(InvestmentIntention.response_due).limit(1000).with_for_update(skip_locked=True))).scalars().all()
    for i in rows:
        i.escalated_at = uow.clock.now()
        uow.record(aggregate_type="investment_intention", aggregate_id=i.id, action="ESCALATED",
                   changes={"responseDue": i.response_due.isoformat()})
        uow.emit(events.ESCALATED, subject=i.id, region_code=i.prefectures[0], data=_data(i))
    await uow.session.flush()
    return list(rows)


def matching(p: Principal, *, status: list[str] | None, overdue: bool | None, prefecture: str | None, now):
    stmt = select(InvestmentIntention).where(visible_clause(p))
    if status:
        stmt = stmt.where(InvestmentIntention.status.in_(status))
    if prefecture:
        stmt = stmt.where(InvestmentIntention.prefectures.contains([prefecture]))
    if overdue is not None:
        late = (InvestmentIntention.status == S.RECEIVED.value) & (InvestmentIntention.response_due <= now)
        stmt = stmt.where(late if overdue else ~late)
    return stmt


async def run_once(runtime) -> int:
    async with runtime.sessionmaker() as session:
        async with UnitOfWork(session, principal=CHECKER, clock=runtime.clock) as uow:
            return len(await check_deadlines(uow=uow))


async def worker(runtime) -> None:
    await every(runtime.settings.intention_check_seconds, lambda: run_once(runtime),
                name="overdue intentions escalated", service=runtime.definition.name)

