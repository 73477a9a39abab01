"""Grievance lists: jurisdiction first, then the caller's filter, keyset-paginated in the requested order."""

from __future__ import annotations

from qianzhao.common.api import OrderDirection, any_of, connection, paginate
from qianzhao.common.auth import Principal, region_scope
from qianzhao.common.ids import parse_id
from sqlalchemy import Select, and_, exists, or_, select

from .. import access
from .enums import unit_key
from .inputs import GrievanceFilter, GrievanceOrder, GrievanceOrderField
from .models import Grievance, OverdueFlag
from .types import GrievanceType

ORDER_COLUMNS = {
    GrievanceOrderField.RECEIVED_AT: ("received_at", Grievance.received_at),
    GrievanceOrderField.NUMBER: ("number", Grievance.number),
    GrievanceOrderField.REPLY_DUE: ("reply_due", Grievance.reply_due),
    GrievanceOrderField.RESOLVE_DUE: ("resolve_due", Grievance.resolve_due),
    GrievanceOrderField.UPDATED_AT: ("updated_at", Grievance.updated_at),
}




def filtered(principal: Principal, f: GrievanceFilter | None, base: Select | None = None) -> Select:
    """`base` (default: all grievance rows) narrowed to what the principal may see and the filter asks for."""
    stmt = (base if base is not None else select(Grievance)).where(access.grievance_clause(principal, Grievance))
    if f is None:
        return stmt
    stmt = any_of(stmt, (Grievance.status, f.statuses), (Grievance.category, f.categories),
                  (Grievance.channel, f.channels), (Grievance.priority, f.priorities),
                  (Grievance.ownership, f.ownerships))
    if f.region_code:
        stmt = stmt.where(region_scope(f.region_code, Grievance.region_code))
    if f.credit_code:
        stmt = stmt.where(Grievance.credit_code == f.credit_code.strip().upper())
    if f.project_id:
        stmt = stmt.where(Grievance.project_id == parse_id(f.project_id, "projectId"))
    if f.unit:
        stmt = stmt.where(Grievance.unit_keys.contains([unit_key(f.unit.kind, f.unit.code)]))
    if f.received_from:
        stmt = stmt.where(Grievance.received_at >= f.received_from)
    if f.received_before:
        stmt = stmt.where(Grievance.received_at < f.received_before)
    if f.overdue_flagged is not None:
        flagged = exists().where(OverdueFlag.grievance_id == Grievance.id)
        stmt = stmt.where(flagged if f.overdue_flagged else ~flagged)
    if f.search and f.search.strip():
        stmt = stmt.where(search_clause(f.search))
    return stmt


def bigrams(text: str) -> list[str]:
    """Character bigrams, as the database's grievance_bigrams() computes them (migration 0003)."""
    text = text.lower()
    return sorted({text[i:i + 2] for i in range(len(text) - 1)})


def search_clause(term: str):
    """Bigram containment (GIN index) narrows to candidates, ILIKE confirms; 1-character terms only ILIKE."""
    term = term.strip()
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    match = or_(Grievance.title.ilike(pattern), Grievance.enterprise_name.ilike(pattern))
    grams = bigrams(term)
    return and_(Grievance.search_bigrams.contains(grams), match) if grams else match


async def page(ctx, principal: Principal, *, f: GrievanceFilter | None, order: GrievanceOrder | None,
               first: int | None, after: str | None, base: Select | None = None):
    order = order or GrievanceOrder()
    attr, column = ORDER_COLUMNS[order.field]
    desc = order.direction is OrderDirection.DESC
    async with ctx.exclusive() as session:
        items, info, total = await paginate(
            session, filtered(principal, f, base), order=[(column, desc), (Grievance.id, desc)], first=first,
            after=after, cursor_of=lambda g: [getattr(g, attr), str(g.id)])
    return connection(GrievanceType, items, info, total, GrievanceType.from_model)
