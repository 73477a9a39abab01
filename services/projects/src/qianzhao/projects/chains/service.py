"""The industry-chain reference table: read by everyone, edited by the province."""

from __future__ import annotations

import uuid

from qianzhao.common.auth import Role
from qianzhao.common.errors import DomainError, ErrorCode
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..enums import ProjectCategory
from ..project import events, validation
from .models import IndustryChain


async def all_chains(*, session: AsyncSession, include_inactive: bool = False) -> list[IndustryChain]:
    stmt = select(IndustryChain).order_by(IndustryChain.sort_order, IndustryChain.code)
    if not include_inactive:
        stmt = stmt.where(IndustryChain.active)
    return list((await session.execute(stmt)).scalars().all())


async def upsert(*, uow: UnitOfWork, code: str, name: str, category: ProjectCategory, active: bool,
                 expected_version: int | None) -> IndustryChain:
    """Add a chain, or rename / recategorise / retire one (expectedVersion required for changes)."""
    if uow.principal.role not in (Role.PROVINCE, Role.SERVICE):
        raise DomainError(ErrorCode.FORBIDDEN, "Only the province edits the industry chains", "code")
    code, name = code.strip().upper(), name.strip()
    if not code or len(code) > 40 or not name:
        raise validation.bad("code", "A chain needs a code (≤ 40 characters) and a name")
    chain = await uow.session.get(IndustryChain, code)
    if chain is None:
        order = await uow.session.scalar(select(func.coalesce(func.max(IndustryChain.sort_order), 0)))
        chain = IndustryChain(code=code, name=name, category=category.value, active=active, sort_order=order + 1)
        uow.session.add(chain)
        action = "CREATED"
    else:
        if expected_version != chain.version:
            raise DomainError(ErrorCode.CONFLICT, f"Chain {code} is at version {chain.version}", "expectedVersion")
        chain.name, chain.category, chain.active = name, category.value, active
        action = "UPDATED"
    chain.updated_at = uow.clock.now()
    await uow.session.flush()
    # audit rows take a uuid aggregate id; chains are keyed by code, so derive a stable one from it
    uow.record(aggregate_type="industry_chain", aggregate_id=uuid.uuid5(uuid.NAMESPACE_URL, f"qianzhao:chain:{code}"),
               action=action, changes={"code": code, "name": name, "category": category.value, "active": active})
    uow.emit(events.CHAIN_UPSERTED, subject=code, region_code=None,
             data={"code": code, "name": name, "category": category.value, "active": active})
    return chain
