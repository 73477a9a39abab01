"""Project rows: the pool's record of one investment project from compilation to production."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from qianzhao.common.ids import new_id
from qianzhao.common.tables import Imported
from sqlalchemy import (
    Boolean,
    Computed,
    Date,
    DateTime,
    FetchedValue,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base

MONEY = Numeric(18, 2)
SEARCH_TEXT_SQL = "lower(name || ' ' || summary)"
PREFECTURE_SQL = "left(region_code, 4) || '00'"


class Project(Imported, Base):
    __tablename__ = "projects"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(40), unique=True, server_default=FetchedValue())  # 0015: trigger
    name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20))
    chain_code: Mapped[str] = mapped_column(String(40), ForeignKey("industry_chains.code"))
    board: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(6))
    prefecture_code: Mapped[str] = mapped_column(String(6), Computed(PREFECTURE_SQL, persisted=True), deferred=True)
    park: Mapped[str | None] = mapped_column(String(200))
    lead_department: Mapped[str | None] = mapped_column(String(100))
    total_investment: Mapped[Decimal] = mapped_column(MONEY)
    investment_mode: Mapped[str] = mapped_column(String(20))
    expected_annual_output: Mapped[Decimal | None] = mapped_column(MONEY)
    expected_annual_tax: Mapped[Decimal | None] = mapped_column(MONEY)
    expected_return_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    market_prospects: Mapped[str | None] = mapped_column(Text)
    land_mu: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    energy_tce: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    water_tonnes: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    power_kwh: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    policy_support: Mapped[str | None] = mapped_column(Text)
    preconditions: Mapped[list[str]] = mapped_column(ARRAY(String(20)), default=list)
    premium: Mapped[bool] = mapped_column(Boolean, default=False)
    ndrc_code: Mapped[str | None] = mapped_column(String(24))
    contacts: Mapped[list[dict]] = mapped_column(JSONB, default=list)
    year: Mapped[int] = mapped_column(Integer)
    compiled_on: Mapped[date] = mapped_column(Date)

    status: Mapped[str] = mapped_column(String(20), default="DRAFT")
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    listed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    needs_supplement: Mapped[bool] = mapped_column(Boolean, default=False)
    delist_reason: Mapped[str | None] = mapped_column(String(20))
    delist_comment: Mapped[str | None] = mapped_column(Text)

    investor_name: Mapped[str | None] = mapped_column(String(200))
    investor_credit_code: Mapped[str | None] = mapped_column(String(18))
    contract_investment: Mapped[Decimal | None] = mapped_column(MONEY)
    signed_on: Mapped[date | None] = mapped_column(Date)
    construction_started_on: Mapped[date | None] = mapped_column(Date)
    production_started_on: Mapped[date | None] = mapped_column(Date)
    stall_notified_stage: Mapped[str | None] = mapped_column(String(20))

    major: Mapped[bool] = mapped_column(Boolean, default=False)
    responsible_leader: Mapped[str | None] = mapped_column(String(100))
    working_team: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)
    implementing_entity: Mapped[str | None] = mapped_column(String(200))
    assessing_departments: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)

    # search columns are for SQL only: never loaded, which keeps a page of 50 light to fetch
    search_text: Mapped[str] = mapped_column(Text, Computed(SEARCH_TEXT_SQL, persisted=True), deferred=True)
    search_grams: Mapped[list[str]] = mapped_column(ARRAY(Text), Computed(f"qz_grams({SEARCH_TEXT_SQL})",
                                                                         persisted=True), deferred=True)

    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # eager_defaults: generated columns come back with INSERT/UPDATE … RETURNING, never lazily (async)
    __mapper_args__ = {"version_id_col": version, "eager_defaults": True}
