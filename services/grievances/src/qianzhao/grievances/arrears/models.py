"""Arrears ledger rows: a claim of an SME against a debtor, its repayments (清偿) and resolution plans (化解)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from qianzhao.common.ids import new_id
from qianzhao.common.tables import Imported
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base

MONEY = Numeric(18, 2)


class ArrearsClaim(Imported, Base):
    __tablename__ = "arrears_claims"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    creditor_credit_code: Mapped[str] = mapped_column(String(18), index=True)
    creditor_name: Mapped[str] = mapped_column(String(200))
    creditor_size: Mapped[str] = mapped_column(String(10))
    debtor_name: Mapped[str] = mapped_column(String(200))
    debtor_type: Mapped[str] = mapped_column(String(30))
    debtor_credit_code: Mapped[str | None] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    amount_claimed: Mapped[Decimal] = mapped_column(MONEY)
    disputed: Mapped[bool] = mapped_column(Boolean)
    undisputed_amount: Mapped[Decimal] = mapped_column(MONEY)
    cleared_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    planned_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    contract_date: Mapped[date] = mapped_column(Date)
    delivery_date: Mapped[date] = mapped_column(Date)
    payment_term_days: Mapped[int] = mapped_column(Integer)
    grievance_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("grievances.id"), index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    registered_by: Mapped[str] = mapped_column(String(200))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __mapper_args__ = {"version_id_col": version}


class Repayment(Imported, Base):
    __tablename__ = "arrears_repayments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("arrears_claims.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ResolutionPlan(Imported, Base):
    """An agreed repayment schedule for (part of) the unpaid amount; `installments` = [{due_on, amount}]."""

    __tablename__ = "arrears_resolution_plans"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    claim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("arrears_claims.id"), index=True)
    agreed_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    installments: Mapped[list] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
