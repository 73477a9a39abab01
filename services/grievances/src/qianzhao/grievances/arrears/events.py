"""Events of the arrears ledger (stream QZ_GRIEVANCES). Amounts are decimal strings in yuan."""

from __future__ import annotations

from qianzhao.common.events import EventSpec, RegionalData


class ClaimData(RegionalData):
    claim_id: str
    number: str
    creditor_credit_code: str
    debtor_type: str
    undisputed_amount: str
    cleared_amount: str
    resolved_amount: str
    grievance_id: str | None = None


class ClaimRegisteredData(ClaimData):
    amount_claimed: str
    disputed: bool
    payment_due_on: str


class RepaymentRecordedData(ClaimData):
    amount: str
    paid_on: str


class PlanAgreedData(ClaimData):
    amount: str
    agreed_on: str


def _spec(name, model, description):
    return EventSpec("grievances", "arrears", name, model, description=description)


CLAIM_REGISTERED = _spec("claim_registered", ClaimRegisteredData, "An SME arrears claim was registered (登记).")
REPAYMENT_RECORDED = _spec("repayment_recorded", RepaymentRecordedData, "A repayment was recorded (清偿).")
PLAN_AGREED = _spec("resolution_plan_agreed", PlanAgreedData, "A repayment schedule was agreed (化解方案).")
CLAIM_RESOLVED = _spec("claim_resolved", ClaimData,
                       "The undisputed amount is fully cleared or covered by agreed plans (已化解).")

ALL = [CLAIM_REGISTERED, REPAYMENT_RECORDED, PLAN_AGREED, CLAIM_RESOLVED]
