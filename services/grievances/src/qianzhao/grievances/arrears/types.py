"""GraphQL types of the arrears ledger."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import strawberry
from qianzhao.common.api import HistoryEntry, payload_type
from strawberry.types import Info

from .. import access, loaders
from ..grievance.enums import EnterpriseSize
from ..grievance.models import Grievance
from ..grievance.types import GrievanceType
from . import service
from .enums import ArrearsDebtorType
from .models import ArrearsClaim, Repayment, ResolutionPlan

F = strawberry.field
RATE = Decimal("0.0001")


def ratio(num: Decimal, den: Decimal) -> Decimal | None:
    return None if not den else (num / den).quantize(RATE, ROUND_HALF_UP)


@strawberry.type(description="A repayment to the SME (清偿).")
class ArrearsRepayment:
    amount: Decimal = F(description="Amount repaid, yuan.")
    paid_on: date = F(description="Date paid.")
    note: str | None = F(description="Note.")


@strawberry.type(description="One installment of a resolution plan.")
class ArrearsInstallment:
    due_on: date = F(description="When it falls due.")
    amount: Decimal = F(description="Amount, yuan.")


@strawberry.type(description="An agreed repayment schedule (化解方案).")
class ArrearsResolutionPlan:
    agreed_on: date = F(description="When the parties agreed it.")
    amount: Decimal = F(description="Total scheduled, yuan.")
    installments: list[ArrearsInstallment] = F(description="The schedule.")
    note: str | None = F(description="Note.")


@strawberry.type(name="ArrearsClaim", description="An SME's claim of arrears against a debtor (拖欠中小企业账款).")
class ArrearsClaimType:
    model: strawberry.Private[ArrearsClaim]
    id: strawberry.ID = F(description="Claim id (UUIDv7).")

    @classmethod
    def from_model(cls, c: ArrearsClaim) -> ArrearsClaimType:
        return cls(model=c, id=strawberry.ID(str(c.id)))

    @F(description="Number QK-<year>-<seq>.")
    def number(self) -> str:
        return self.model.number

    @F(description="Its reference in the bureau's own ledger, when imported (外部编号).")
    def external_ref(self) -> str | None:
        return self.model.external_ref

    @F(description="Synthetic demonstration data (演示数据), never the bureau's real records.")
    def demo(self) -> bool:
        return self.model.demo

    @F(description="Credit code of the creditor SME (债权企业).")
    def creditor_credit_code(self) -> str:
        return self.model.creditor_credit_code

    @F(description="Name of the creditor SME.")
    def creditor_name(self) -> str:
        return self.model.creditor_name

    @F(description="Size class of the creditor.")
    def creditor_size(self) -> EnterpriseSize:
        return EnterpriseSize(self.model.creditor_size)

    @F(description="Name of the debtor (欠款主体).")
    def debtor_name(self) -> str:
        return self.model.debtor_name

    @F(description="Kind of debtor.")
    def debtor_type(self) -> ArrearsDebtorType:
        return ArrearsDebtorType(self.model.debtor_type)

    @F(description="Credit code of the debtor, when known.")
    def debtor_credit_code(self) -> str | None:
        return self.model.debtor_credit_code

    @F(description="Region code of the claim.")
    def region_code(self) -> str:
        return self.model.region_code

    @F(description="Amount claimed, yuan (申报金额).")
    def amount_claimed(self) -> Decimal:
        return self.model.amount_claimed

    @F(description="Whether the parties disagree about part of it (有分歧).")
    def disputed(self) -> bool:
        return self.model.disputed

    @F(description="Undisputed amount, yuan (无分歧金额).")
    def undisputed_amount(self) -> Decimal:
        return self.model.undisputed_amount

    @F(description="Disputed amount = claimed − undisputed, yuan.")
    def disputed_amount(self) -> Decimal:
        return self.model.amount_claimed - self.model.undisputed_amount

    @F(description="Cleared amount = Σ repayments, yuan (已清偿).")
    def cleared_amount(self) -> Decimal:
        return self.model.cleared_amount

    @F(description="Scheduled under agreed plans and not yet repaid, yuan.")
    def planned_amount(self) -> Decimal:
        return self.model.planned_amount

    @F(description="Resolved amount = cleared + planned, yuan (已化解).")
    def resolved_amount(self) -> Decimal:
        return service.resolved_amount(self.model)

    @F(description="Undisputed amount still unpaid, yuan.")
    def outstanding_amount(self) -> Decimal:
        return self.model.undisputed_amount - self.model.cleared_amount

    @F(description="Clearance rate (清偿率) = cleared ÷ undisputed, 4 places.")
    def clearance_rate(self) -> Decimal | None:
        return ratio(self.model.cleared_amount, self.model.undisputed_amount)

    @F(description="Resolution rate (化解率) = resolved ÷ undisputed, 4 places.")
    def resolution_rate(self) -> Decimal | None:
        return ratio(service.resolved_amount(self.model), self.model.undisputed_amount)

    @F(description="Contract date.")
    def contract_date(self) -> date:
        return self.model.contract_date

    @F(description="Delivery (acceptance) date; the payment limit runs from it.")
    def delivery_date(self) -> date:
        return self.model.delivery_date

    @F(description="Payment term in days (statutory at most 30 for public bodies, 60 for large enterprises).")
    def payment_term_days(self) -> int:
        return self.model.payment_term_days

    @F(description="When payment was due = delivery date + payment term.")
    def payment_due_on(self) -> date:
        return service.payment_due_on(self.model)

    @F(description="Days past the payment limit while unpaid (逾期天数).")
    def days_overdue(self, info: Info) -> int:
        return service.days_overdue(self.model, info.context.clock.today())

    @F(description="When it became fully resolved (UTC).")
    def resolved_at(self) -> datetime | None:
        return self.model.resolved_at

    @F(description="The hotline grievance it came through, if visible to you.")
    async def grievance(self, info: Info) -> GrievanceType | None:
        if self.model.grievance_id is None:
            return None
        g = await loaders.by_id(info, Grievance).load(self.model.grievance_id)
        return GrievanceType.from_model(g) if g and access.grievance_visible(info.context.user(), g) else None

    @F(description="Repayments, oldest first.")
    async def repayments(self, info: Info) -> list[ArrearsRepayment]:
        rows = await loaders.children(info, Repayment, "claim_id", Repayment.paid_on, Repayment.recorded_at).load(
            self.model.id)
        return [ArrearsRepayment(amount=r.amount, paid_on=r.paid_on, note=r.note) for r in rows]

    @F(description="Agreed resolution plans.")
    async def resolution_plans(self, info: Info) -> list[ArrearsResolutionPlan]:
        rows = await loaders.children(info, ResolutionPlan, "claim_id", ResolutionPlan.recorded_at).load(self.model.id)
        return [ArrearsResolutionPlan(agreed_on=p.agreed_on, amount=p.amount, note=p.note, installments=[
            ArrearsInstallment(due_on=date.fromisoformat(i["due_on"]), amount=Decimal(i["amount"]))
            for i in p.installments]) for p in rows]

    @F(description="Audit history (留痕).")
    async def history(self, info: Info) -> list[HistoryEntry]:
        return await loaders.history(info).load(self.model.id)

    @F(description="Optimistic-concurrency version; pass it as expectedVersion.")
    def version(self) -> int:
        return self.model.version


@strawberry.input(description="A new arrears claim (登记拖欠账款).")
class RegisterArrearsClaimInput:
    creditor_credit_code: str = F(description="Credit code of the creditor SME.")
    creditor_name: str = F(description="Name of the creditor SME.")
    creditor_size: EnterpriseSize = F(description="Size class; must be MICRO, SMALL or MEDIUM.")
    debtor_name: str = F(description="Name of the debtor.")
    debtor_type: ArrearsDebtorType = F(description="Kind of debtor; sets the statutory payment limit.")
    region_code: str = F(description="Region code of the claim.")
    amount_claimed: Decimal = F(description="Amount claimed, yuan, at most 2 decimals.")
    contract_date: date = F(description="Contract date.")
    delivery_date: date = F(description="Delivery (acceptance) date.")
    disputed: bool = F(default=False, description="Whether part of it is disputed (有分歧).")
    undisputed_amount: Decimal | None = F(default=None, description="Undisputed part; required when disputed.")
    payment_term_days: int | None = F(default=None, description="Agreed term; defaults to the statutory limit.")
    debtor_credit_code: str | None = F(default=None, description="Credit code of the debtor.")
    grievance_id: strawberry.ID | None = F(default=None, description="The hotline grievance it came through.")


@strawberry.input(description="A repayment (清偿).")
class RecordRepaymentInput:
    id: strawberry.ID = F(description="The claim.")
    amount: Decimal = F(description="Amount repaid, yuan, at most 2 decimals.")
    paid_on: date = F(description="Date paid.")
    note: str | None = F(default=None, description="Note.")
    expected_version: int = F(description="The version you last read; CONFLICT when the claim changed since.")


@strawberry.input(description="One installment of a plan.")
class ArrearsInstallmentInput:
    due_on: date = F(description="When it falls due.")
    amount: Decimal = F(description="Amount, yuan.")


@strawberry.input(description="An agreed resolution plan (化解方案).")
class AgreeResolutionPlanInput:
    id: strawberry.ID = F(description="The claim.")
    agreed_on: date = F(description="When the parties agreed it.")
    installments: list[ArrearsInstallmentInput] = F(description="The schedule.")
    note: str | None = F(default=None, description="Note.")
    expected_version: int = F(description="The version you last read; CONFLICT when the claim changed since.")


def _payload(name: str):
    return payload_type(name, "claim", ArrearsClaimType, description=f"Result of {name[0].lower()}{name[1:-7]}.",
                        node_description="The claim after the change; null when userErrors is not empty.")


RegisterArrearsClaimPayload = _payload("RegisterArrearsClaimPayload")
RecordRepaymentPayload = _payload("RecordRepaymentPayload")
AgreeResolutionPlanPayload = _payload("AgreeResolutionPlanPayload")
