"""One page of projects as a Relay connection, counting only when the client asks for totalCount."""

from __future__ import annotations

from qianzhao.common.api import Connection, connection, paginate
from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from ..enums import ProjectSort
from . import access
from .models import Project
from .reads import ORDERS
from .rules import Rules
from .types import ProjectType, rules_of


def _asks_total(selections) -> bool:
    for sel in selections or []:
        if isinstance(sel, SelectedField):
            if sel.name == "totalCount":
                return True
        elif isinstance(sel, FragmentSpread | InlineFragment) and _asks_total(sel.selections):
            return True
    return False


def wants_total(info: Info) -> bool:
    """Whether the connection's selection (through fragments too) includes totalCount, which costs a COUNT."""
    return any(_asks_total(field.selections) for field in info.selected_fields)


def cursor_values(order: ProjectSort):
    cols = ORDERS[order]

    def of(p: Project):
        return [getattr(p, c.key) for c, _ in cols]

    return of


async def project_page(info: Info, stmt, *, order: ProjectSort | None, first: int | None,
                       after: str | None) -> Connection[ProjectType]:
    order = order or ProjectSort.NEWEST
    principal = info.context.user()
    rules: Rules = rules_of(info)
    async with info.context.exclusive():
        items, page, total = await paginate(info.context.session, stmt, order=ORDERS[order], first=first,
                                            after=after, cursor_of=cursor_values(order), count=wants_total(info))
    return connection(ProjectType, items, page, total,
                      lambda p: ProjectType.from_model(p, access.view_of(principal, p) or access.View.PUBLIC, rules))
