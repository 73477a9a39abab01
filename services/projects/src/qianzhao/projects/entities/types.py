"""Enterprise (keyed by credit code) with its signed projects; Region with its project count."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

import strawberry
from qianzhao.common import regions
from qianzhao.common.api import Connection, RegionType
from qianzhao.common.auth import Role
from qianzhao.common.errors import forbidden
from sqlalchemy import func, or_, select
from strawberry.federation.schema_directives import Shareable
from strawberry.types import Info

from ..enums import ProjectSort
from ..project import access
from ..project.listing import project_page
from ..project.models import Project
from ..project.types import ProjectType


@strawberry.federation.type(keys=["creditCode"], name="Enterprise",
                            description="An enterprise keyed by its unified social credit code (统一社会信用代码).")
class EnterpriseType:
    credit_code: str = strawberry.field(description="Unified social credit code (统一社会信用代码).")

    @classmethod
    def resolve_reference(cls, info: Info, **representation) -> EnterpriseType:
        credit_code = str(representation.get("creditCode", ""))
        principal = info.context.user()
        if principal.role is Role.ENTERPRISE and principal.credit_code != credit_code:
            raise forbidden("Enterprises see only themselves")
        return cls(credit_code=credit_code)

    @strawberry.field(description="Projects this enterprise signed (签约项目) that you may see, newest first.")
    async def signed_projects(
            self, info: Info,
            first: Annotated[int | None, strawberry.argument(description="Page size, at most 200 (每页条数).")] = None,
            after: Annotated[str | None, strawberry.argument(description="Cursor to continue after (游标).")] = None) -> Connection[ProjectType]:
        principal = info.context.user()
        if principal.role is Role.ENTERPRISE and principal.credit_code != self.credit_code:
            raise forbidden("Enterprises see only themselves")
        stmt = select(Project).where(access.read_clause(principal), Project.investor_credit_code == self.credit_code,
                                     Project.status.in_(access.SIGNED_STAGES))
        return await project_page(info, stmt, order=ProjectSort.NEWEST, first=first, after=after)


def region_counts_loader(info: Info):
    """Project counts for many regions (each including everything beneath it) in one grouped query."""
    principal = info.context.user()
    session = info.context.session

    async def load(codes: list[str]) -> list[int]:
        rows = (await session.execute(
            select(Project.region_code, func.count()).where(
                access.read_clause(principal), or_(*[access.region_scope(c) for c in codes]))
            .group_by(Project.region_code))).all()
        totals: dict[str, int] = defaultdict(int)
        for code, count in rows:
            for wanted in codes:
                if regions.contains(wanted, code):
                    totals[wanted] += count
        return [totals[c] for c in codes]

    return info.context.loader("region-counts", load)


@strawberry.federation.type(keys=["code"], name="Region",
                            description="One of Guizhou's 98 statistical divisions (行政区划), keyed by its 6-digit code.")
class ProjectsRegionType(RegionType):
    @strawberry.field(description="The division above this one (上级区划); null for the province.",
                      directives=[Shareable()])
    def parent(self) -> ProjectsRegionType | None:
        parent = regions.require(self.code).parent_code
        return ProjectsRegionType(code=parent) if parent else None

    @strawberry.field(description="Projects located in this division or beneath it that you may see (项目数).")
    async def project_count(self, info: Info) -> int:
        if regions.get(self.code) is None:
            return 0
        return await region_counts_loader(info).load(self.code)
