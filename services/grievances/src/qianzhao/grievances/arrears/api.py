"""Root fields of the arrears ledger: arrearsClaim, arrearsClaims, arrearsStats and its mutations."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from qianzhao.common import importing
from qianzhao.common.api import Connection, mutate
from qianzhao.common.ids import parse_id
from strawberry.types import Info

from .. import access, loaders
from ..args import After, FilterArg, First, GroupByArg, Id, InputArg, OrderArg
from . import importing as arrears_import
from . import reads, service
from . import types as t
from .enums import ArrearsStatsDimension
from .models import ArrearsClaim


async def _run(info: Info, payload, step):
    info.context.user()
    c, errors = await mutate(info, step)
    return payload(claim=None if errors else t.ArrearsClaimType.from_model(c), user_errors=errors)


@strawberry.type
class ArrearsQueries:
    @strawberry.field(description="One arrears claim by id; null when it does not exist or lies outside your jurisdiction.")
    async def arrears_claim(self, info: Info, id: Id) -> t.ArrearsClaimType | None:
        principal = info.context.user()
        c = await loaders.by_id(info, ArrearsClaim).load(parse_id(id))
        if c is None:
            return None
        if not access.claim_visible(principal, c):
            return None  # outside the jurisdiction answers as a missing record does
        return t.ArrearsClaimType.from_model(c)

    @strawberry.field(description="Arrears claims you may see, newest first (keyset pagination).")
    async def arrears_claims(
        self, info: Info, filter: Annotated[reads.ArrearsFilter | None, FilterArg] = None, first: First = None, after: After = None,
        order_by: Annotated[reads.ArrearsClaimOrder | None, OrderArg] = None,
    ) -> Connection[t.ArrearsClaimType]:
        async with info.context.exclusive() as session:
            return await reads.page(session, info.context.user(), f=filter, first=first, after=after,
                                      order=order_by)

    @strawberry.field(description="Claimed, undisputed, due, cleared and resolved totals with exact rates (清偿率/化解率), "
                                  "as the ledger stood at the end of asOf.")
    async def arrears_stats(self, info: Info, filter: Annotated[reads.ArrearsFilter | None, FilterArg] = None,
                            group_by: Annotated[list[ArrearsStatsDimension] | None, GroupByArg] = None,
                            as_of: Annotated[date | None, strawberry.argument(description=(
                                "The day the figures stand at (截至日期): claims delivered, repayments paid and plans "
                                "agreed by its end; today when omitted."))] = None) -> reads.ArrearsStats:
        async with info.context.exclusive() as session:
            return await reads.stats(session, info.context.user(), f=filter, group_by=group_by or [],
                                     as_of=as_of or info.context.clock.today())


ImportArrearsClaimsInput = importing.import_input("ImportArrearsClaimsInput", arrears_import.ArrearsClaimImportRow,
                                                  "the arrears ledger's claims")
ImportArrearsRepaymentsInput = importing.import_input(
    "ImportArrearsRepaymentsInput", arrears_import.ArrearsRepaymentImportRow, "the arrears ledger's repayments")
ImportArrearsPlansInput = importing.import_input("ImportArrearsPlansInput", arrears_import.ArrearsPlanImportRow,
                                                 "the arrears ledger's agreed plans")
IMPORTS = ("from the bureau's ledger, all or nothing, idempotent by externalRef; a dry run writes nothing. Officers, "
           "within their jurisdiction.")


@strawberry.type
class ArrearsMutations:
    @strawberry.mutation(description=f"Import arrears claims (拖欠账款导入) {IMPORTS}")
    async def import_arrears_claims(self, info: Info, input: Annotated[ImportArrearsClaimsInput, InputArg]
                                    ) -> importing.ImportPayload:
        info.context.user().require_officer()
        return await importing.run(info, input.rows, dry_run=input.dry_run, known=arrears_import.KNOWN_CLAIMS,
                                   add=arrears_import.add_claim)

    @strawberry.mutation(description=f"Import repayments of imported claims (清偿记录导入) {IMPORTS}")
    async def import_arrears_repayments(self, info: Info, input: Annotated[ImportArrearsRepaymentsInput, InputArg]
                                        ) -> importing.ImportPayload:
        info.context.user().require_officer()
        return await importing.run(info, input.rows, dry_run=input.dry_run, known=arrears_import.KNOWN_REPAYMENTS,
                                   add=arrears_import.add_repayment)

    @strawberry.mutation(description=f"Import agreed plans of imported claims (化解方案导入) {IMPORTS}")
    async def import_arrears_plans(self, info: Info, input: Annotated[ImportArrearsPlansInput, InputArg]
                                   ) -> importing.ImportPayload:
        info.context.user().require_officer()
        return await importing.run(info, input.rows, dry_run=input.dry_run, known=arrears_import.KNOWN_PLANS,
                                   add=arrears_import.add_plan)

    @strawberry.mutation(description="Register an SME's arrears claim (登记拖欠中小企业账款).")
    async def register_arrears_claim(self, info: Info,
                                     input: Annotated[t.RegisterArrearsClaimInput, InputArg]) -> t.RegisterArrearsClaimPayload:
        async def step(uow):
            return await service.register(uow=uow, new=service.NewClaim(
                creditor_credit_code=input.creditor_credit_code, creditor_name=input.creditor_name,
                creditor_size=input.creditor_size, debtor_name=input.debtor_name, debtor_type=input.debtor_type,
                debtor_credit_code=input.debtor_credit_code, region_code=input.region_code,
                amount_claimed=input.amount_claimed, disputed=input.disputed,
                undisputed_amount=input.undisputed_amount, contract_date=input.contract_date,
                delivery_date=input.delivery_date, payment_term_days=input.payment_term_days,
                grievance_id=parse_id(input.grievance_id, "grievanceId") if input.grievance_id else None))
        return await _run(info, t.RegisterArrearsClaimPayload, step)

    @strawberry.mutation(description="Record a repayment (清偿) against a claim.")
    async def record_repayment(self, info: Info, input: Annotated[t.RecordRepaymentInput, InputArg]) -> t.RecordRepaymentPayload:
        return await _run(info, t.RecordRepaymentPayload, lambda uow: service.record_repayment(
            uow=uow, claim_id=parse_id(input.id, "id"), amount=input.amount, paid_on=input.paid_on,
            note=input.note, expected_version=input.expected_version))

    @strawberry.mutation(description="Record an agreed resolution plan (化解方案) for the unpaid amount.")
    async def agree_resolution_plan(self, info: Info,
                                    input: Annotated[t.AgreeResolutionPlanInput, InputArg]) -> t.AgreeResolutionPlanPayload:
        return await _run(info, t.AgreeResolutionPlanPayload, lambda uow: service.agree_plan(
            uow=uow, claim_id=parse_id(input.id, "id"), agreed_on=input.agreed_on,
            installments=[(i.due_on, i.amount) for i in input.installments], note=input.note,
            expected_version=input.expected_version))
