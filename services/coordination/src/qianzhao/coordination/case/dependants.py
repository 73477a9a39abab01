"""What ends with a case: letters still awaiting feedback and pending agenda time."""

from __future__ import annotations

from qianzhao.common.uow import UnitOfWork
from sqlalchemy import update

from ..enums import AWAITING_LETTER_VALUES, AgendaState, LetterStatus
from .models import CoordinationCase


async def end_dependants(*, uow: UnitOfWork, case: CoordinationCase) -> None:
    """A case that ended no longer awaits letters or agenda time: cancel them (part of the same change)."""
    from ..letter.models import DepartmentLetter
    from ..meeting.models import AgendaItem  # imported late: both modules import the case model

    await uow.session.execute(
        update(DepartmentLetter).where(DepartmentLetter.case_id == case.id,
                                       DepartmentLetter.status.in_(AWAITING_LETTER_VALUES))
        .values(status=LetterStatus.CANCELLED.value, version=DepartmentLetter.version + 1)
        .execution_options(synchronize_session=False))
    await uow.session.execute(
        update(AgendaItem).where(AgendaItem.case_id == case.id,
                                 AgendaItem.state.in_([AgendaState.PROPOSED.value, AgendaState.PLACED.value]))
        .values(state=AgendaState.WITHDRAWN.value).execution_options(synchronize_session=False))
