"""Entities of other subgraphs this subgraph extends: Project (projects) and Grievance (grievances).

Per the federation contract each declares only its key plus this subgraph's fields, and `resolve_reference`
returns a stub (this subgraph does not know the owner's other fields). Authorization still applies: the caller
must be authenticated, and the added fields only ever show cases the caller may see.
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from qianzhao.common.api import Connection, connection, paginate
from qianzhao.common.ids import try_parse_id
from strawberry.types import Info

from ..enums import CaseOrderField
from . import access, reads
from .loaders import grievance_case_loader
from .types import CoordinationCaseType


@strawberry.federation.type(keys=["id"], name="Project",
                            description="An investment project in the pool (招商推介项目).")
class ProjectRef:
    id: strawberry.ID = strawberry.field(description="Project id (项目ID, UUIDv7).")

    @strawberry.field(description="Coordination cases about this project that you may see, newest first.")
    async def coordination_cases(
        self, info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size (default 20, max 200).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after.")] = None,
        open_only: Annotated[bool, strawberry.argument(description="Only open cases (blockers).")] = False,
    ) -> Connection[CoordinationCaseType]:
        principal = info.context.user()
        pid = try_parse_id(self.id)
        if pid is None:
            return connection(CoordinationCaseType, [], _empty_info(), 0)
        stmt = reads.visible_cases(principal, reads.CaseFilter(project_id=pid, open_only=open_only))
        order, cursor_of = reads.order_of(CaseOrderField.SUBMITTED_AT, True)
        async with info.context.exclusive() as session:
            items, page, total = await paginate(session, stmt, order=order, first=first, after=after,
                                                cursor_of=cursor_of)
        return connection(CoordinationCaseType, items, page, total, CoordinationCaseType.from_model)

    @strawberry.field(description="How many open coordination cases (blocking problems, 未解决问题) you may see "
                                  "for this project.")
    async def open_blocker_count(self, info: Info) -> int:
        ctx = info.context
        principal = ctx.user()
        pid = try_parse_id(self.id)
        if pid is None:
            return 0
        async def counts(ids):
            session = ctx.session  # the batch holds the request's session
            return await reads.open_counts_by_project(session, principal, ids)

        load = ctx.loader("open_blockers", counts)
        return await load.load(pid)

    @classmethod
    def resolve_reference(cls, info: Info, id: strawberry.ID) -> ProjectRef:
        info.context.user()
        return cls(id=id)


@strawberry.federation.type(keys=["id"], name="Grievance",
                            description="An enterprise grievance (企业诉求), e.g. from the Governor's direct line (省长直通车).")
class GrievanceRef:
    id: strawberry.ID = strawberry.field(description="Grievance id (UUIDv7).")

    @strawberry.field(description="The coordination case opened from this grievance's escalation; null when "
                                  "there is none or you may not see it.")
    async def coordination_case(self, info: Info) -> CoordinationCaseType | None:
        principal = info.context.user()
        gid = try_parse_id(self.id)
        if gid is None:
            return None
        case = await grievance_case_loader(info).load(gid)
        if case is None or not access.visible(principal, case):
            return None
        return CoordinationCaseType.from_model(case)

    @classmethod
    def resolve_reference(cls, info: Info, id: strawberry.ID) -> GrievanceRef:
        info.context.user()
        return cls(id=id)


def _empty_info():
    from qianzhao.common.api import PageInfo

    return PageInfo(has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None)
