"""GraphQL type of a project. Fields marked internal are null for the public catalogue view."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from qianzhao.common.api import HistoryEntry
from qianzhao.common.ids import try_parse_id
from qianzhao.common.reference import DepartmentType
from strawberry.types import Info

from ..assessment.types import AssessmentType
from ..chains.types import IndustryChainType
from ..enums import (
    DelistReason,
    InvestmentMode,
    ProjectBoard,
    ProjectCategory,
    ProjectPrecondition,
    ProjectStatus,
)
from ..fiveones.types import FiveOnesType, MilestoneType
from ..review.types import ProjectReviewType
from . import access
from .access import View
from .actions import ACTIONS, ProjectAction
from .lifecycle import admission_problem
from .loaders import (
    assessments_loader,
    chain_loader,
    history_loader,
    milestones_loader,
    project_loader,
    reviews_loader,
)
from .models import Project
from .rules import Rules

if TYPE_CHECKING:
    from ..entities.types import EnterpriseType, ProjectsRegionType

PUBLIC = ("number", "name", "summary", "region_code", "chain_code", "park", "total_investment",
          "expected_annual_output", "expected_annual_tax", "expected_return_rate", "market_prospects", "land_mu",
          "energy_tce", "water_tonnes", "power_kwh", "policy_support", "premium", "ndrc_code", "year", "listed_at", "compiled_on", "demo")
SIGNING = ("investor_name", "investor_credit_code", "contract_investment", "signed_on", "construction_started_on",
           "production_started_on")
INTERNAL = ("version", "status_changed_at", "verified_at", "needs_supplement", "delist_comment", "major",
            "created_at", "updated_at", "external_ref", "imported_at")


def rules_of(info: Info) -> Rules:
    ctx = info.context
    return Rules.of(ctx.clock, ctx.settings)


@strawberry.type(name="ProjectContact", description="A contact person for the project (联系人).")
class ProjectContact:
    name: str = strawberry.field(description="Name (姓名).")
    title: str | None = strawberry.field(description="Position and unit (职务/单位).")
    phone: str | None = strawberry.field(description="Telephone (联系电话).")
    email: str | None = strawberry.field(description="E-mail (电子邮箱).")


@strawberry.federation.type(keys=["id"], name="Project", description="An investment project in the pool (招商推介项目).")
class ProjectType:
    id: strawberry.ID = strawberry.field(description="Project id (项目ID, UUIDv7).")
    number: str = strawberry.field(description="Human-readable number XM-<region>-<year>-<seq> (项目编号).")
    name: str = strawberry.field(description="Project name (项目名称).")
    summary: str = strawberry.field(description="Summary of the project (项目简介).")
    category: ProjectCategory = strawberry.field(description="Category (项目类别).")
    chain_code: str = strawberry.field(description="Code of its industry chain (产业链代码).")
    board: ProjectBoard = strawberry.field(description="Board of the packaged-project programme (板块).")
    region_code: str = strawberry.field(description="Statistical division code of the county or prefecture (所在地).")
    park: str | None = strawberry.field(description="Industrial park (所在园区).")
    lead_department: DepartmentType | None = strawberry.field(description="Lead department (牵头部门).")
    total_investment: Decimal = strawberry.field(description="Total investment in yuan (总投资, 元).")
    investment_mode: InvestmentMode = strawberry.field(description="Investment mode (投资方式).")
    expected_annual_output: Decimal | None = strawberry.field(description="Expected annual output, yuan (预计年产值).")
    expected_annual_tax: Decimal | None = strawberry.field(description="Expected annual tax, yuan (预计年税收).")
    expected_return_rate: Decimal | None = strawberry.field(description="Expected return rate, % (预计投资回报率).")
    market_prospects: str | None = strawberry.field(description="Market prospects (市场前景).")
    land_mu: Decimal | None = strawberry.field(description="Land needed, mu (用地, 亩).")
    energy_tce: Decimal | None = strawberry.field(description="Annual energy use, tce (能耗, 吨标准煤).")
    water_tonnes: Decimal | None = strawberry.field(description="Annual water use, tonnes (用水, 吨).")
    power_kwh: Decimal | None = strawberry.field(description="Annual power use, kWh (用电, 千瓦时).")
    policy_support: str | None = strawberry.field(description="Policy support (政策支持).")
    preconditions: list[ProjectPrecondition] = strawberry.field(description="Preconditions in place (前期工作).")
    premium: bool = strawberry.field(description="Premium-packaged project (精包装项目).")
    ndrc_code: str | None = strawberry.field(description="National investment project code (全国投资项目代码).")
    status: ProjectStatus = strawberry.field(description="Lifecycle status (项目状态).")
    year: int = strawberry.field(description="Year compiled (编制年度), as entered.")
    compiled_on: date = strawberry.field(description="When it was compiled (编制日期): the day in the world, which an "
                                                     "import may set in the past; createdAt is when the record was written.")
    demo: bool = strawberry.field(description="Synthetic demonstration data (演示数据), never the bureau's real records.")
    listed_at: datetime | None = strawberry.field(description="When it entered the pool (入库时间, UTC).")
    investor_name: str | None = strawberry.field(description="Investor enterprise (签约企业); signed projects only.")
    investor_credit_code: str | None = strawberry.field(description="Investor's unified social credit code (统一社会信用代码).")
    contract_investment: Decimal | None = strawberry.field(description="Contract investment, yuan (合同投资额).")
    signed_on: date | None = strawberry.field(description="Signing date (签约日期).")
    construction_started_on: date | None = strawberry.field(description="Construction start date (开工日期).")
    production_started_on: date | None = strawberry.field(description="Production start date (投产日期).")
    contacts: list[ProjectContact] | None = strawberry.field(description="Contacts (联系人); internal.")
    version: int | None = strawberry.field(description="Optimistic-concurrency version (版本号), pass as expectedVersion; internal.")
    status_changed_at: datetime | None = strawberry.field(description="When the status last changed (状态变更时间); internal.")
    verified_at: datetime | None = strawberry.field(description="Last verification (最近核查时间); internal.")
    needs_supplement: bool | None = strawberry.field(description="Flagged vague or inaccurate (需补充完善); internal.")
    stale: bool | None = strawberry.field(description="Listed and unverified too long (超期未核查); internal.")
    stalled: bool | None = strawberry.field(description="Signed/started without progress too long (停滞); internal.")
    days_in_stage: int | None = strawberry.field(description="Days since signing or construction start (阶段天数); internal.")
    delist_reason: DelistReason | None = strawberry.field(description="Why it was delisted (出库原因); internal.")
    delist_comment: str | None = strawberry.field(description="Delisting comment (出库说明); internal.")
    major: bool | None = strawberry.field(description="Major project under the five ones (重大项目); internal.")
    created_at: datetime | None = strawberry.field(description="When it was compiled (编制时间, UTC); internal.")
    updated_at: datetime | None = strawberry.field(description="Last change (更新时间, UTC); internal.")
    external_ref: str | None = strawberry.field(description="Its reference in the bureau's own register, when imported (外部编号); internal.")
    imported_at: datetime | None = strawberry.field(description="When it was imported (导入时间), possibly without the pool's earlier steps; internal.")
    _view: strawberry.Private[View] = View.FULL
    _responsible_leader: strawberry.Private[str | None] = None
    _working_team: strawberry.Private[tuple[str, ...]] = ()
    _implementing_entity: strawberry.Private[str | None] = None
    _record: strawberry.Private[Project | None] = None

    @property
    def internal(self) -> bool:
        return self._view is View.FULL

    @classmethod
    def from_model(cls, p: Project, view: View, rules: Rules) -> ProjectType:
        values = {k: getattr(p, k) for k in PUBLIC}
        signing = view in (View.FULL, View.OWN)
        values |= {k: (getattr(p, k) if signing else None) for k in SIGNING}
        full = view is View.FULL
        values |= {k: (getattr(p, k) if full else None) for k in INTERNAL}
        return cls(
            id=strawberry.ID(str(p.id)), category=ProjectCategory(p.category), board=ProjectBoard(p.board),
            investment_mode=InvestmentMode(p.investment_mode), status=ProjectStatus(p.status),
            preconditions=[ProjectPrecondition(x) for x in p.preconditions or []],
            contacts=[ProjectContact(name=c.get("name", ""), title=c.get("title"), phone=c.get("phone"),
                                     email=c.get("email")) for c in p.contacts or []] if full else None,
            stale=rules.is_stale(p) if full else None, stalled=rules.is_stalled(p) if full else None,
            days_in_stage=rules.days_in_stage(p) if full else None,
            delist_reason=DelistReason(p.delist_reason) if full and p.delist_reason else None,
            lead_department=DepartmentType.of(p.lead_department),
            _view=view, _responsible_leader=p.responsible_leader, _working_team=tuple(p.working_team or ()),
            _implementing_entity=p.implementing_entity, _record=p, **values)

    @classmethod
    async def load_visible(cls, info: Info, key: uuid.UUID) -> ProjectType | None:
        """The project as the caller may see it, batched through the request's loader; None when it is missing
        or outside what the caller may see (the two answer alike)."""
        principal = info.context.user()
        project = await project_loader(info).load(key)
        view = access.view_of(principal, project) if project is not None else None
        return None if view is None else cls.from_model(project, view, rules_of(info))

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> ProjectType | None:
        """Entity lookups apply the same jurisdiction rules as `project(id:)`."""
        key = try_parse_id(id)
        return None if key is None else await cls.load_visible(info, key)

    @strawberry.field(description="Its industry chain (产业链).")
    async def chain(self, info: Info) -> IndustryChainType | None:
        chain = await chain_loader(info).load(self.chain_code)
        return IndustryChainType.from_model(chain) if chain else None

    @strawberry.field(description="The division it is located in (所在行政区划).")
    def region(self) -> Annotated[ProjectsRegionType, strawberry.lazy("..entities.types")]:
        from ..entities.types import ProjectsRegionType

        return ProjectsRegionType(code=self.region_code)

    @strawberry.field(description="The investor enterprise (签约企业), once signed.")
    def investor(self) -> Annotated[EnterpriseType, strawberry.lazy("..entities.types")] | None:
        from ..entities.types import EnterpriseType

        return EnterpriseType(credit_code=self.investor_credit_code) if self.investor_credit_code else None

    @strawberry.field(description="Reviews (遴选记录), oldest first; internal.")
    async def reviews(self, info: Info) -> list[ProjectReviewType] | None:
        if not self.internal:
            return None
        return [ProjectReviewType.from_model(r) for r in await reviews_loader(info).load(uuid.UUID(self.id))]

    @strawberry.field(description="Pre-signing assessments (事前评估), oldest first; internal.")
    async def assessments(self, info: Info) -> list[AssessmentType] | None:
        if not self.internal:
            return None
        pairs = await assessments_loader(info).load(uuid.UUID(self.id))
        return [AssessmentType.from_model(a, c) for a, c in pairs]

    @strawberry.field(description="The latest pre-signing assessment (最新事前评估), which decides whether it may be signed; internal.")
    async def latest_assessment(self, info: Info) -> AssessmentType | None:
        found = await self.assessments(info)
        return found[-1] if found else None

    @strawberry.field(description="The five ones of a major project (五个一); null unless major; internal.")
    async def five_ones(self, info: Info) -> FiveOnesType | None:
        if not self.internal or not self.major:
            return None
        today = info.context.clock.today()
        milestones = await milestones_loader(info).load(uuid.UUID(self.id))
        return FiveOnesType(responsible_leader=self._responsible_leader, working_team=list(self._working_team),
                            implementing_entity=self._implementing_entity,
                            milestones=[MilestoneType.from_model(m, today) for m in milestones])

    @strawberry.field(description="What you may do to this project now (可执行操作): the mutations that would pass "
                                  "the rules of its state and your role, so a console shows the right buttons.")
    async def allowed_actions(self, info: Info) -> list[ProjectAction]:
        allowed = ACTIONS.allowed(info.context.user(), self._record)
        if ProjectAction.SIGN in allowed:
            pairs = await assessments_loader(info).load(uuid.UUID(self.id))
            if admission_problem(*(pairs[-1] if pairs else (None, []))):
                allowed.remove(ProjectAction.SIGN)
        return allowed

    @strawberry.field(description="Audit history (操作留痕), oldest first; internal.")
    async def history(self, info: Info) -> list[HistoryEntry] | None:
        if not self.internal:
            return None
        rows = await history_loader(info).load(uuid.UUID(self.id))
        return [HistoryEntry(action=r["action"], actor=r["actor"], actor_role=r["actor_role"],
                             actor_region=r["actor_region"], occurred_at=r["occurred_at"], changes=r["changes"],
                             comment=r["comment"], trace_id=r["trace_id"]) for r in rows]

