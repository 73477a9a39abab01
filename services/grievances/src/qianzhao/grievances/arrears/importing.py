"""Importing the SME arrears ledger (清欠台账导入): claims, then their repayments and agreed plans, each kind its own
file; a repayment or plan names its claim by the claim's externalRef."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from qianzhao.common import importing
from qianzhao.common.errors import DomainError, ErrorCode
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import select

from ..grievance.enums import EnterpriseSize
from . import service
from .enums import ArrearsDebtorType
from .models import ArrearsClaim, Repayment, ResolutionPlan

F = strawberry.field


@strawberry.input(description="One claim of the arrears ledger (拖欠账款台账导入行).")
class ArrearsClaimImportRow:
    external_ref: str = F(description=importing.EXTERNAL_REF)
    creditor_credit_code: str = F(description="Credit code of the creditor SME (债权企业统一社会信用代码).")
    creditor_name: str = F(description="Name of the creditor SME (债权企业).")
    creditor_size: EnterpriseSize = F(description="Size class (企业规模); MICRO, SMALL or MEDIUM.")
    debtor_name: str = F(description="Name of the debtor (欠款单位).")
    debtor_type: ArrearsDebtorType = F(description="Kind of debtor (欠款主体类型).")
    region_code: str = F(description="Region code of the claim (属地).")
    amount_claimed: Decimal = F(description="Amount claimed, yuan (申报金额).")
    contract_date: date = F(description="Contract date (合同日期).")
    delivery_date: date = F(description="Delivery (acceptance) date (交付验收日期).")
    disputed: bool = F(default=False, description="Whether part of it is disputed (有分歧).")
    undisputed_amount: Decimal | None = F(default=None, description="Undisputed part (无分歧金额); when disputed.")
    payment_term_days: int | None = F(default=None, description="Agreed term in days (约定付款期限).")
    debtor_credit_code: str | None = F(default=None, description="Credit code of the debtor (欠款单位信用代码).")
    demo: bool = F(default=False, description=importing.DEMO)


@strawberry.input(description="One repayment of the arrears ledger (清偿记录导入行).")
class ArrearsRepaymentImportRow:
    external_ref: str = F(description=importing.EXTERNAL_REF)
    claim_ref: str = F(description="The claim's externalRef (所属账款外部编号).")
    amount: Decimal = F(description="Amount repaid, yuan (清偿金额).")
    paid_on: date = F(description="When it was paid (清偿日期).")
    note: str | None = F(default=None, description="Note (备注).")
    demo: bool = F(default=False, description=importing.DEMO)


@strawberry.input(description="One agreed repayment plan of the arrears ledger (化解方案导入行), in one installment.")
class ArrearsPlanImportRow:
    external_ref: str = F(description=importing.EXTERNAL_REF)
    claim_ref: str = F(description="The claim's externalRef (所属账款外部编号).")
    agreed_on: date = F(description="When the plan was agreed (约定日期).")
    amount: Decimal = F(description="Amount the plan covers, yuan (约定金额).")
    due_on: date = F(description="When it falls due (约定还款日期).")
    note: str | None = F(default=None, description="Note (备注).")
    demo: bool = F(default=False, description=importing.DEMO)


def _mark(row) -> dict:
    return {"external_ref": row.external_ref.strip(), "demo": row.demo}


async def add_claim(uow: UnitOfWork, row: ArrearsClaimImportRow) -> None:
    await service.register(uow=uow, new=service.NewClaim(
        creditor_credit_code=row.creditor_credit_code, creditor_name=row.creditor_name,
        creditor_size=row.creditor_size, debtor_name=row.debtor_name, debtor_type=row.debtor_type,
        debtor_credit_code=row.debtor_credit_code, region_code=row.region_code, amount_claimed=row.amount_claimed,
        disputed=row.disputed, undisputed_amount=row.undisputed_amount, contract_date=row.contract_date,
        delivery_date=row.delivery_date, payment_term_days=row.payment_term_days, grievance_id=None),
        imported=_mark(row))


async def _claim_id(uow: UnitOfWork, ref: str):
    found = await uow.session.scalar(select(ArrearsClaim.id).where(ArrearsClaim.external_ref == ref.strip()))
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"No imported claim has externalRef {ref}", "claimRef")
    return found


async def add_repayment(uow: UnitOfWork, row: ArrearsRepaymentImportRow) -> None:
    await service.record_repayment(uow=uow, claim_id=await _claim_id(uow, row.claim_ref), amount=row.amount,
                                   paid_on=row.paid_on, note=row.note, imported=_mark(row))


async def add_plan(uow: UnitOfWork, row: ArrearsPlanImportRow) -> None:
    if row.agreed_on > uow.clock.today():
        raise DomainError(ErrorCode.BAD_USER_INPUT, "A plan cannot be agreed in the future", "agreedOn")
    await service.agree_plan(uow=uow, claim_id=await _claim_id(uow, row.claim_ref), agreed_on=row.agreed_on,
                             installments=[(row.due_on, row.amount)], note=row.note, imported=_mark(row))


def known_in(model):
    async def known(session, refs: list[str]) -> set[str]:
        return await importing.existing_refs(session, model.external_ref, refs)
    return known


KNOWN_CLAIMS, KNOWN_REPAYMENTS, KNOWN_PLANS = known_in(ArrearsClaim), known_in(Repayment), known_in(ResolutionPlan)
