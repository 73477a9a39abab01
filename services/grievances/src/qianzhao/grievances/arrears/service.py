"""Arrears ledger use cases. Money is Decimal yuan with at most 2 places (fen); nothing is ever a float.

Derived amounts: cleared = Σ repayments; planned = scheduled under agreed plans and not yet repaid (repayments
fulfil plans first); resolved = cleared + planned, never above the undisputed amount.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from qianzhao.common.auth import Role
from qianzhao.common.concurrency import check_version
from qianzhao.common.errors import DomainError, ErrorCode
from qianzhao.common.ids import next_number
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import select

from .. import access
from .. import validation as v
from ..grievance.enums import EnterpriseSize
from ..grievance.models import Grievance
from . import events
from .enums import STATUTORY_DAYS, ArrearsDebtorType
from .models import ArrearsClaim, Repayment, ResolutionPlan

ZERO = Decimal("0.00")


def money(value: Decimal, field: str, *, positive: bool = True) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value.as_tuple().exponent < -2:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "Amounts are yuan with at most 2 decimal places", field)
    if (value <= 0 if positive else value < 0) or value >= Decimal("1e16"):
        raise DomainError(ErrorCode.BAD_USER_INPUT, "Amount out of range", field)
    return value.quantize(Decimal("0.01"))


def resolved_amount(c: ArrearsClaim) -> Decimal:
    return min(c.undisputed_amount, c.cleared_amount + c.planned_amount)


def payment_due_on(c: ArrearsClaim) -> date:
    return c.delivery_date + timedelta(days=c.payment_term_days)


def days_overdue(c: ArrearsClaim, today: date) -> int:
    """Days past the payment limit while an undisputed amount is still unpaid."""
    if c.cleared_amount >= c.undisputed_amount:
        return 0
    return max(0, (today - payment_due_on(c)).days)


@dataclass(kw_only=True)
class NewClaim:
    creditor_credit_code: str
    creditor_name: str
    creditor_size: EnterpriseSize
    debtor_name: str
    debtor_type: ArrearsDebtorType
    debtor_credit_code: str | None
    region_code: str
    amount_claimed: Decimal
    disputed: bool
    undisputed_amount: Decimal | None
    contract_date: date
    delivery_date: date
    payment_term_days: int | None
    grievance_id: uuid.UUID | None


def _data(c: ArrearsClaim) -> dict:
    return {"claim_id": str(c.id), "number": c.number, "region_code": c.region_code,
            "creditor_credit_code": c.creditor_credit_code, "debtor_type": c.debtor_type,
            "undisputed_amount": str(c.undisputed_amount), "cleared_amount": str(c.cleared_amount),
            "resolved_amount": str(resolved_amount(c)), "grievance_id": str(c.grievance_id) if c.grievance_id else None}


def _require_officer(uow: UnitOfWork, region_code: str) -> None:
    p = uow.principal
    if not ((p.is_officer or p.role is Role.SERVICE) and p.covers_region(region_code)):
        raise DomainError(ErrorCode.FORBIDDEN, f"Region {region_code} is outside your jurisdiction", "regionCode")


async def register(*, uow: UnitOfWork, new: NewClaim, imported: dict | None = None) -> ArrearsClaim:
    """Register a claim; `imported` ({external_ref, demo}) marks one from the bureau's ledger."""
    creditor = v.credit_code(new.creditor_credit_code, "creditorCreditCode")
    debtor = v.credit_code(new.debtor_credit_code, "debtorCreditCode") if new.debtor_credit_code else None
    region = v.region(new.region_code)
    _require_officer(uow, region)
    if new.creditor_size is EnterpriseSize.LARGE:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "The creditor must be an SME (中小企业)", "creditorSize")
    claimed = money(new.amount_claimed, "amountClaimed")
    if new.disputed:
        if new.undisputed_amount is None:
            raise DomainError(ErrorCode.BAD_USER_INPUT, "A disputed claim needs its undisputed part",
                              "undisputedAmount")
        undisputed = money(new.undisputed_amount, "undisputedAmount", positive=False)
        if undisputed > claimed:
            raise DomainError(ErrorCode.BAD_USER_INPUT, "Undisputed part exceeds the claim", "undisputedAmount")
    else:
        undisputed = claimed
    if new.delivery_date < new.contract_date:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "Delivery precedes the contract", "deliveryDate")
    statutory = STATUTORY_DAYS[new.debtor_type]
    term = statutory if new.payment_term_days is None else new.payment_term_days
    if not 0 <= term <= statutory:
        raise DomainError(ErrorCode.BAD_USER_INPUT, f"Payment term must be within the statutory {statutory} days",
                          "paymentTermDays")
    if new.grievance_id is not None:
        g = await uow.session.get(Grievance, new.grievance_id)
        if g is None or not access.grievance_visible(uow.principal, g):
            raise DomainError(ErrorCode.NOT_FOUND, f"Grievance {new.grievance_id} not found", "grievanceId")
    now = uow.clock.now()
    seq = await next_number(uow.session, f"QK-{uow.clock.today().year}")
    c = ArrearsClaim(
        number=f"QK-{uow.clock.today().year}-{seq:05d}", creditor_credit_code=creditor,
        creditor_name=v.text(new.creditor_name, "creditorName", max_len=200), creditor_size=new.creditor_size.value,
        debtor_name=v.text(new.debtor_name, "debtorName", max_len=200), debtor_type=new.debtor_type.value,
        debtor_credit_code=debtor, region_code=region, amount_claimed=claimed, disputed=new.disputed,
        undisputed_amount=undisputed, cleared_amount=ZERO, planned_amount=ZERO, contract_date=new.contract_date,
        delivery_date=new.delivery_date, payment_term_days=term, grievance_id=new.grievance_id,
        registered_by=uow.principal.subject, registered_at=now, **_imported(uow, imported))
    uow.session.add(c)
    await uow.session.flush()
    uow.record(aggregate_type="arrears_claim", aggregate_id=c.id, action="REGISTERED",
               changes={"amountClaimed": str(claimed), "undisputed": str(undisputed), "debtorType": c.debtor_type})
    uow.emit(events.CLAIM_REGISTERED, subject=c.id, region_code=region, data={
        **_data(c), "amount_claimed": str(claimed), "disputed": c.disputed,
        "payment_due_on": payment_due_on(c).isoformat()})
    return c


async def load(*, uow: UnitOfWork, claim_id: uuid.UUID, expected_version: int | None) -> ArrearsClaim:
    c = (await uow.session.execute(select(ArrearsClaim).where(ArrearsClaim.id == claim_id)
                                   .with_for_update())).scalar_one_or_none()
    if c is None or not access.claim_visible(uow.principal, c):
        raise DomainError(ErrorCode.NOT_FOUND, f"Arrears claim {claim_id} not found", "id")
    _require_officer(uow, c.region_code)
    check_version(c, expected_version, what=f"Claim {c.number}")
    return c


def _maybe_resolved(uow: UnitOfWork, c: ArrearsClaim) -> None:
    if c.resolved_at is None and resolved_amount(c) >= c.undisputed_amount:
        c.resolved_at = uow.clock.now()
        uow.record(aggregate_type="arrears_claim", aggregate_id=c.id, action="RESOLVED",
                   changes={"resolved": str(resolved_amount(c))})
        uow.emit(events.CLAIM_RESOLVED, subject=c.id, region_code=c.region_code, data=_data(c))


def _imported(uow: UnitOfWork, imported: dict | None) -> dict:
    return {} if not imported else {"external_ref": imported["external_ref"], "demo": imported.get("demo", False),
                                    "imported_at": uow.clock.now()}


async def record_repayment(*, uow: UnitOfWork, claim_id, amount: Decimal, paid_on: date, note: str | None,
                           expected_version: int | None = None, imported: dict | None = None) -> ArrearsClaim:
    amount = money(amount, "amount")
    if paid_on > uow.clock.today():
        raise DomainError(ErrorCode.BAD_USER_INPUT, "A repayment cannot be in the future", "paidOn")
    c = await load(uow=uow, claim_id=claim_id, expected_version=expected_version)
    outstanding = c.undisputed_amount - c.cleared_amount
    if amount > outstanding:
        raise DomainError(ErrorCode.BAD_USER_INPUT, f"Repayment exceeds the outstanding {outstanding}", "amount")
    uow.session.add(Repayment(claim_id=c.id, amount=amount, paid_on=paid_on, note=v.text(note, "note", required=False),
                              recorded_by=uow.principal.subject, recorded_at=uow.clock.now(),
                              **_imported(uow, imported)))
    c.cleared_amount += amount
    c.planned_amount -= min(amount, c.planned_amount)
    uow.record(aggregate_type="arrears_claim", aggregate_id=c.id, action="REPAYMENT_RECORDED",
               changes={"amount": str(amount), "paidOn": paid_on.isoformat(), "cleared": str(c.cleared_amount)})
    uow.emit(events.REPAYMENT_RECORDED, subject=c.id, region_code=c.region_code,
             data={**_data(c), "amount": str(amount), "paid_on": paid_on.isoformat()})
    _maybe_resolved(uow, c)
    return c


async def agree_plan(*, uow: UnitOfWork, claim_id, agreed_on: date, installments: list[tuple[date, Decimal]],
                     note: str | None, expected_version: int | None = None, imported: dict | None = None
                     ) -> ArrearsClaim:
    if not installments:
        raise DomainError(ErrorCode.BAD_USER_INPUT, "A plan needs at least one installment", "installments")
    amounts = [money(a, f"installments.{i}.amount") for i, (_, a) in enumerate(installments)]
    for i, (due, _) in enumerate(installments):
        if due < agreed_on:
            raise DomainError(ErrorCode.BAD_USER_INPUT, "Installments fall due after the agreement",
                              f"installments.{i}.dueOn")
    total = sum(amounts, ZERO)
    c = await load(uow=uow, claim_id=claim_id, expected_version=expected_version)
    uncovered = c.undisputed_amount - c.cleared_amount - c.planned_amount
    if total > uncovered:
        raise DomainError(ErrorCode.BAD_USER_INPUT, f"The plan exceeds the uncovered {uncovered}", "installments")
    schedule = [{"due_on": d.isoformat(), "amount": str(a)} for (d, _), a in zip(installments, amounts, strict=True)]
    uow.session.add(ResolutionPlan(claim_id=c.id, agreed_on=agreed_on, amount=total, installments=schedule,
                                   note=v.text(note, "note", required=False), recorded_by=uow.principal.subject,
                                   recorded_at=uow.clock.now(), **_imported(uow, imported)))
    c.planned_amount += total
    uow.record(aggregate_type="arrears_claim", aggregate_id=c.id, action="PLAN_AGREED",
               changes={"amount": str(total), "installments": schedule})
    uow.emit(events.PLAN_AGREED, subject=c.id, region_code=c.region_code,
             data={**_data(c), "amount": str(total), "agreed_on": agreed_on.isoformat()})
    _maybe_resolved(uow, c)
    return c
