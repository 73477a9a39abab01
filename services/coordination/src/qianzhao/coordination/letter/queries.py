"""departmentLetters: letters by addressee and overdue state, within what the caller may see."""

from __future__ import annotations

from typing import Annotated

import strawberry
from qianzhao.common.api import Connection, connection, keyset_of, list_order, paginate
from qianzhao.common.auth import Role
from qianzhao.common.errors import forbidden
from sqlalchemy import and_, not_, or_, select
from strawberry.types import Info

from ..case import access
from ..case.models import CoordinationCase
from ..enums import AWAITING_LETTER_VALUES
from .models import DepartmentLetter as L
from .types import DepartmentLetterType

DepartmentLetterOrder = list_order("DepartmentLetterOrder", "department letters", {
    "SENT_AT": ("sent_at", "When the letter was sent (发函时间)."),
    "DEADLINE": ("deadline", "Its current feedback deadline (反馈期限)."),
}, "SENT_AT")


@strawberry.input(description="Filter of department letters (函件筛选); all given conditions must hold.")
class DepartmentLetterFilter:
    department: str | None = strawberry.field(default=None, description="Addressed department code; DEPARTMENT "
                                                                        "officers may only ask for their own.")
    overdue: bool | None = strawberry.field(default=None, description="true: only letters awaiting feedback past "
                                                                     "their first deadline; false: only the others.")


@strawberry.type
class LetterQueries:
    @strawberry.field(description="Letters to departments (函件), newest first. A DEPARTMENT officer sees the letters "
                                  "addressed to their department; regional officers those of cases in their "
                                  "jurisdiction.")
    async def department_letters(
        self, info: Info,
        filter: Annotated[DepartmentLetterFilter | None, strawberry.argument(description="Filter (筛选).")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size (default 20, max 200).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after.")] = None,
        order_by: Annotated[DepartmentLetterOrder | None, strawberry.argument(description="Sort order (排序); ties break on id.")] = None,
    ) -> Connection[DepartmentLetterType]:
        ctx = info.context
        principal = ctx.user()
        principal.require_role(Role.PROVINCE, Role.PREFECTURE, Role.COUNTY, Role.DEPARTMENT)
        department, overdue = (filter.department, filter.overdue) if filter else (None, None)
        stmt = select(L).join(CoordinationCase, CoordinationCase.id == L.case_id)
        if principal.role is Role.DEPARTMENT:
            if department and department != principal.department:
                raise forbidden(f"{principal.department} officers see only letters addressed to them")
            department = principal.department
        else:
            stmt = stmt.where(access.visible_clause(principal))
        if department:
            stmt = stmt.where(L.department == department)
        if overdue is not None:
            late = and_(L.status.in_(AWAITING_LETTER_VALUES), L.first_deadline <= ctx.clock.now())
            stmt = stmt.where(late if overdue else or_(not_(late)))
        async with ctx.exclusive() as session:
            keys, cursor_of = keyset_of(order_by, DepartmentLetterOrder(), L)
            items, page, total = await paginate(session, stmt, order=keys, first=first, after=after,
                                                cursor_of=cursor_of)
        return connection(DepartmentLetterType, items, page, total, DepartmentLetterType.from_model)
