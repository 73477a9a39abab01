"""Entities other subgraphs own that this one extends: Project (id) and Enterprise (creditCode)."""

from __future__ import annotations

import uuid

import strawberry
from qianzhao.common.api import Connection
from qianzhao.common.auth import Role
from qianzhao.common.errors import forbidden
from qianzhao.common.ids import parse_id
from sqlalchemy import func, select
from stdnum.cn import uscc
from strawberry.types import Info

from . import access
from .args import After, First
from .arrears import reads as arrears_reads
from .arrears.models import ArrearsClaim
from .arrears.types import ArrearsClaimType
from .grievance import reads
from .grievance.enums import GrievanceStatus
from .grievance.models import Grievance
from .grievance.types import GrievanceType

F = strawberry.field


async def _project_counts(info: Info, ids: list[uuid.UUID]) -> list[int]:
    """Visible grievances per project, duplicates (MERGED) excluded so each matter counts once."""
    principal = info.context.user()
    stmt = (select(Grievance.project_id, func.count()).where(Grievance.project_id.in_(ids),
            Grievance.status != GrievanceStatus.MERGED.value, access.grievance_clause(principal, Grievance))
            .group_by(Grievance.project_id))
    counts = dict((await info.context.session.execute(stmt)).all())
    return [int(counts.get(i, 0)) for i in ids]


@strawberry.federation.type(keys=["id"], name="Project",
                            description="An investment project in the pool (招商推介项目).")
class ProjectRef:
    id: strawberry.ID = F(description="Project id (项目ID, UUIDv7).")

    @classmethod
    def resolve_reference(cls, info: Info, id: strawberry.ID) -> ProjectRef:
        info.context.user()  # authenticated callers only; the fields below filter by jurisdiction
        return cls(id=id)

    @F(description="Grievances related to this project that you may see (关联诉求).")
    async def grievances(self, info: Info, first: First = None,
                         after: After = None) -> Connection[GrievanceType]:
        pid = parse_id(self.id)
        base = select(Grievance).where(Grievance.project_id == pid)
        return await reads.page(info.context, info.context.user(), f=None, order=None, first=first,
                                  after=after, base=base)

    @F(description="How many grievances related to this project you may see; merged duplicates count once.")
    async def grievance_count(self, info: Info) -> int:
        pid = parse_id(self.id)
        return await info.context.loader("project-grievance-count", lambda ids: _project_counts(info, ids)).load(pid)


@strawberry.federation.type(keys=["creditCode"], name="Enterprise",
                            description="An enterprise keyed by its unified social credit code (统一社会信用代码).")
class EnterpriseRef:
    credit_code: str = F(description="Unified social credit code (统一社会信用代码).")

    @classmethod
    def resolve_reference(cls, info: Info, **representation) -> EnterpriseRef | None:
        principal = info.context.user()
        credit_code = str(representation.get("creditCode") or "")
        if not uscc.is_valid(credit_code):
            return None
        if principal.role is Role.ENTERPRISE and principal.credit_code != credit_code:
            raise forbidden("Enterprises may only see themselves")
        return cls(credit_code=credit_code)

    @F(description="Grievances this enterprise filed that you may see (企业诉求).")
    async def grievances(self, info: Info, first: First = None,
                         after: After = None) -> Connection[GrievanceType]:
        base = select(Grievance).where(Grievance.credit_code == self.credit_code)
        return await reads.page(info.context, info.context.user(), f=None, order=None, first=first,
                                  after=after, base=base)

    @F(description="Arrears claims of this enterprise as creditor that you may see (拖欠账款).")
    async def arrears_claims(self, info: Info, first: First = None,
                             after: After = None) -> Connection[ArrearsClaimType]:
        base = select(ArrearsClaim).where(ArrearsClaim.creditor_credit_code == self.credit_code)
        async with info.context.exclusive() as session:
            return await arrears_reads.page(session, info.context.user(), f=None, first=first, after=after,
                                              base=base)
