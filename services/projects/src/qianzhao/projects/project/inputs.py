"""GraphQL inputs of the Project aggregate and their conversion to service arguments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from qianzhao.common.api import OrderDirection

from ..enums import (
    DelistReason,
    InvestmentMode,
    ProjectBoard,
    ProjectCategory,
    ProjectOrderField,
    ProjectPrecondition,
    ProjectSort,
    ProjectStatus,
)
from ..payloads import transition_input
from .reads import ProjectFilter
from .validation import bad

UNSET: Any = strawberry.UNSET


@strawberry.input(description="A contact person (联系人).")
class ProjectContactInput:
    name: str = strawberry.field(description="Name (姓名).")
    title: str | None = strawberry.field(default=None, description="Position and unit (职务/单位).")
    phone: str | None = strawberry.field(default=None, description="Telephone (联系电话).")
    email: str | None = strawberry.field(default=None, description="E-mail (电子邮箱).")


def _d(text: str):
    return strawberry.field(default=None, description=text)


@strawberry.input(description="A new draft project (编制项目).")
class CreateProjectInput:
    name: str = strawberry.field(description="Project name (项目名称).")
    region_code: str = strawberry.field(description="County or prefecture code where it is located (所在地).")
    chain_code: str = strawberry.field(description="Industry chain code (产业链); see industryChains.")
    board: ProjectBoard = strawberry.field(description="Board of the packaged-project programme (板块).")
    total_investment: Decimal = strawberry.field(description="Total investment in yuan (总投资, 元).")
    investment_mode: InvestmentMode = strawberry.field(description="Investment mode (投资方式).")
    category: ProjectCategory | None = _d("Category (类别); must match the chain's, derived from it when omitted.")
    summary: str = strawberry.field(default="", description="Summary (项目简介).")
    park: str | None = _d("Industrial park (所在园区).")
    lead_department: str | None = _d("Lead department (牵头部门).")
    expected_annual_output: Decimal | None = _d("Expected annual output, yuan (预计年产值).")
    expected_annual_tax: Decimal | None = _d("Expected annual tax, yuan (预计年税收).")
    expected_return_rate: Decimal | None = _d("Expected return rate, % (预计投资回报率).")
    market_prospects: str | None = _d("Market prospects (市场前景).")
    land_mu: Decimal | None = _d("Land needed, mu (用地, 亩).")
    energy_tce: Decimal | None = _d("Annual energy use, tce (能耗, 吨标准煤).")
    water_tonnes: Decimal | None = _d("Annual water use, tonnes (用水, 吨).")
    power_kwh: Decimal | None = _d("Annual power use, kWh (用电, 千瓦时).")
    policy_support: str | None = _d("Policy support (政策支持).")
    preconditions: list[ProjectPrecondition] = strawberry.field(default_factory=list,
                                                                description="Preconditions in place (前期工作).")
    premium: bool = strawberry.field(default=False, description="Premium-packaged (精包装).")
    ndrc_code: str | None = _d("National investment project code YYYY-RRRRRR-II-TT-NNNNNN (全国投资项目代码).")
    contacts: list[ProjectContactInput] = strawberry.field(default_factory=list, description="Contacts (联系人).")


def _u(text: str):
    return strawberry.field(default=UNSET, description=text)


@strawberry.input(description="Changes to a draft, returned or listed project (修改/补充完善); omitted fields stay.")
class UpdateProjectInput:
    id: strawberry.ID = strawberry.field(description="Project id (项目ID).")
    expected_version: int = strawberry.field(description="The version you read (版本号); CONFLICT when it has moved on.")
    comment: str | None = strawberry.field(default=None, description="Comment for the history (说明).")
    name: str | None = _u("Project name (项目名称).")
    summary: str | None = _u("Summary (项目简介).")
    region_code: str | None = _u("County or prefecture code (所在地).")
    chain_code: str | None = _u("Industry chain code (产业链).")
    category: ProjectCategory | None = _u("Category (类别); must match the chain's.")
    board: ProjectBoard | None = _u("Board (板块).")
    park: str | None = _u("Industrial park (所在园区).")
    lead_department: str | None = _u("Lead department (牵头部门).")
    total_investment: Decimal | None = _u("Total investment, yuan (总投资).")
    investment_mode: InvestmentMode | None = _u("Investment mode (投资方式).")
    expected_annual_output: Decimal | None = _u("Expected annual output, yuan (预计年产值).")
    expected_annual_tax: Decimal | None = _u("Expected annual tax, yuan (预计年税收).")
    expected_return_rate: Decimal | None = _u("Expected return rate, % (预计投资回报率).")
    market_prospects: str | None = _u("Market prospects (市场前景).")
    land_mu: Decimal | None = _u("Land, mu (用地, 亩).")
    energy_tce: Decimal | None = _u("Energy, tce (能耗).")
    water_tonnes: Decimal | None = _u("Water, tonnes (用水).")
    power_kwh: Decimal | None = _u("Power, kWh (用电).")
    policy_support: str | None = _u("Policy support (政策支持).")
    preconditions: list[ProjectPrecondition] | None = _u("Preconditions in place (前期工作).")
    premium: bool | None = _u("Premium-packaged (精包装).")
    ndrc_code: str | None = _u("National investment project code (全国投资项目代码).")
    contacts: list[ProjectContactInput] | None = _u("Contacts (联系人).")


FIELDS = ("name", "summary", "region_code", "chain_code", "category", "board", "park", "lead_department",
          "total_investment", "investment_mode", "expected_annual_output", "expected_annual_tax",
          "expected_return_rate", "market_prospects", "land_mu", "energy_tce", "water_tonnes", "power_kwh",
          "policy_support", "preconditions", "premium", "ndrc_code", "contacts")
NOT_NULL = ("name", "summary", "region_code", "chain_code", "board", "total_investment", "investment_mode",
            "preconditions", "premium", "contacts")


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, ProjectContactInput):
        return {k: getattr(value, k) for k in ("name", "title", "phone", "email") if getattr(value, k)}
    return getattr(value, "value", value)


def fields_of(input_: CreateProjectInput | UpdateProjectInput) -> dict[str, Any]:
    """The given fields as model values (enums to strings); explicit null on a required field is refused."""
    out = {}
    for key in FIELDS:
        value = getattr(input_, key, UNSET)
        if value is UNSET:
            continue
        if value is None and key in NOT_NULL and isinstance(input_, UpdateProjectInput):
            raise bad(key, "Cannot be cleared")
        out[key] = _plain(value)
    return out


SubmitProjectInput = transition_input("SubmitProjectInput", "Submit a draft or returned project for review (报送).")
StartNegotiationInput = transition_input("StartNegotiationInput", "An investor is negotiating (进入洽谈).")
ResumePromotionInput = transition_input("ResumePromotionInput", "Talks failed; back to the catalogue (恢复推介).")


@strawberry.input(description="Remove a project from the pool (出库).")
class DelistProjectInput:
    id: strawberry.ID = strawberry.field(description="Project id (项目ID).")
    expected_version: int = strawberry.field(description="The version you read (版本号); CONFLICT when it has moved on.")
    reason: DelistReason = strawberry.field(description="Why (出库原因).")
    comment: str | None = strawberry.field(default=None, description="Explanation; required for OTHER (说明).")


@strawberry.input(description="Record the signed contract (签约).")
class SignProjectInput:
    id: strawberry.ID = strawberry.field(description="Project id (项目ID).")
    expected_version: int = strawberry.field(description="The version you read (版本号); CONFLICT when it has moved on.")
    investor_name: str = strawberry.field(description="Investor enterprise's name (签约企业).")
    investor_credit_code: str = strawberry.field(description="Its unified social credit code (统一社会信用代码).")
    contract_investment: Decimal = strawberry.field(description="Contract investment, yuan (合同投资额).")
    signed_on: date = strawberry.field(description="Signing date (签约日期).")
    comment: str | None = strawberry.field(default=None, description="Comment for the history (备注).")


@strawberry.input(description="Construction has started (开工).")
class StartConstructionInput:
    id: strawberry.ID = strawberry.field(description="Project id (项目ID).")
    expected_version: int = strawberry.field(description="The version you read (版本号); CONFLICT when it has moved on.")
    started_on: date = strawberry.field(description="Construction start date (开工日期).")
    comment: str | None = strawberry.field(default=None, description="Comment for the history (备注).")


@strawberry.input(description="Production has started (投产).")
class StartProductionInput:
    id: strawberry.ID = strawberry.field(description="Project id (项目ID).")
    expected_version: int = strawberry.field(description="The version you read (版本号); CONFLICT when it has moved on.")
    started_on: date = strawberry.field(description="Production start date (投产日期).")
    comment: str | None = strawberry.field(default=None, description="Comment for the history (备注).")


@strawberry.input(description="Order of a project list (排序); ties break on id.")
class ProjectOrder:
    field: ProjectOrderField = strawberry.field(default=ProjectOrderField.COMPILED_AT, description="Sort key (排序字段).")
    direction: OrderDirection = strawberry.field(default=OrderDirection.DESC, description="Direction (排序方向).")

    def sort(self) -> ProjectSort:
        """The keyset order (and index) that serves this field and direction."""
        desc = self.direction is OrderDirection.DESC
        return {ProjectOrderField.COMPILED_AT: (ProjectSort.NEWEST, ProjectSort.OLDEST),
                ProjectOrderField.TOTAL_INVESTMENT: (ProjectSort.INVESTMENT_DESC, ProjectSort.INVESTMENT_ASC),
                ProjectOrderField.NUMBER: (ProjectSort.NUMBER_DESC, ProjectSort.NUMBER)}[self.field][0 if desc else 1]


@strawberry.input(name="ProjectFilter", description="Filter of projects (筛选条件); all given conditions must hold.")
class ProjectFilterInput:
    region_code: str | None = _d("A division; includes everything beneath it (地区, 含下级).")
    categories: list[ProjectCategory] | None = _d("Any of these categories (类别).")
    chain_codes: list[str] | None = _d("Any of these industry chains (产业链).")
    boards: list[ProjectBoard] | None = _d("Any of these boards (板块).")
    statuses: list[ProjectStatus] | None = _d("Any of these statuses (状态).")
    premium: bool | None = _d("Premium-packaged or not (精包装).")
    min_investment: Decimal | None = _d("Total investment at least, yuan (总投资下限).")
    max_investment: Decimal | None = _d("Total investment at most, yuan (总投资上限).")
    search: str | None = _d("Substrings of name or summary, space-separated, all must occur (关键词).")
    stale: bool | None = _d("Listed and unverified too long (超期未核查); officers only.")
    stalled: bool | None = _d("Stalled after signing or construction start (停滞); officers only.")
    major: bool | None = _d("Major projects under the five ones (重大项目); officers only.")
    year: int | None = _d("Year compiled (编制年度).")


INTERNAL_FILTERS = ("stale", "stalled", "major")


def to_filter(f: ProjectFilterInput | None) -> ProjectFilter:
    if f is None:
        return ProjectFilter()
    return ProjectFilter(
        region_code=f.region_code, categories=_plain(f.categories), chain_codes=f.chain_codes,
        boards=_plain(f.boards), statuses=_plain(f.statuses), premium=f.premium, min_investment=f.min_investment,
        max_investment=f.max_investment, search=f.search, stale=f.stale, stalled=f.stalled, major=f.major,
        year=f.year)
