"""jointMeetings: the leading group's meetings, newest first."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from qianzhao.common.api import Connection, connection, keyset_of, list_order, paginate
from qianzhao.common.auth import Role
from sqlalchemy import select
from strawberry.types import Info

from ..enums import MeetingStatus
from .models import JointMeeting as M
from .types import JointMeetingType

JointMeetingOrder = list_order("JointMeetingOrder", "joint meetings", {
    "CREATED_AT": ("created_at", "When the meeting was convened (安排时间)."),
    "MEETING_DATE": ("meeting_date", "The meeting's date (会议日期)."),
}, "CREATED_AT")


@strawberry.input(description="Filter of joint meetings (会议筛选); all given conditions must hold.")
class JointMeetingFilter:
    status: MeetingStatus | None = strawberry.field(default=None, description="Only this status.")
    date_from: dt.date | None = strawberry.field(default=None, description="On or after this date.")
    date_to: dt.date | None = strawberry.field(default=None, description="On or before this date.")


@strawberry.type
class MeetingQueries:
    @strawberry.field(description="Joint meetings (联席会议), most recently convened first. Any officer or department may list "
                                  "them; each agenda shows only the cases the caller may see.")
    async def joint_meetings(
        self, info: Info,
        filter: Annotated[JointMeetingFilter | None, strawberry.argument(description="Filter (筛选).")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size (default 20, max 200).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after.")] = None,
        order_by: Annotated[JointMeetingOrder | None, strawberry.argument(description="Sort order (排序); ties break on id.")] = None,
    ) -> Connection[JointMeetingType]:
        ctx = info.context
        ctx.user().require_role(Role.PROVINCE, Role.PREFECTURE, Role.COUNTY, Role.DEPARTMENT)
        stmt = select(M)
        f = filter or JointMeetingFilter()
        status, date_from, date_to = f.status, f.date_from, f.date_to
        if status:
            stmt = stmt.where(M.status == status.value)
        if date_from:
            stmt = stmt.where(M.meeting_date >= date_from)
        if date_to:
            stmt = stmt.where(M.meeting_date <= date_to)
        async with ctx.exclusive() as session:
            keys, cursor_of = keyset_of(order_by, JointMeetingOrder(), M)
            items, page, total = await paginate(session, stmt, order=keys, first=first, after=after,
                                                cursor_of=cursor_of)
        return connection(JointMeetingType, items, page, total, JointMeetingType.from_model)
