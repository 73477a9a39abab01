"""GraphQL enums of the projects subgraph (values equal names; stored as strings)."""

from __future__ import annotations

from enum import Enum

import strawberry

V = strawberry.enum_value


@strawberry.enum(description="Project category (项目类别) used in the bureau's statistics.")
class ProjectCategory(Enum):
    INDUSTRY = V("INDUSTRY", description="Industrial project of the ten industrial industries (十大工业产业).")
    AGRICULTURE = V("AGRICULTURE", description="Characteristic agriculture project (农业特色优势产业).")
    MODERN_SERVICES = V("MODERN_SERVICES", description="Modern services project (现代服务业).")
    OTHER = V("OTHER", description="Other project (其他).")


@strawberry.enum(description="Board of the packaged-project programme (精包装项目板块).")
class ProjectBoard(Enum):
    PREFECTURE = V("PREFECTURE", description="Prefecture board (市州板块).")
    LEAD_DEPARTMENT = V("LEAD_DEPARTMENT", description="Lead department of a key industry (重点产业牵头部门板块).")
    PARK = V("PARK", description="Industrial park board (园区板块).")
    INDUSTRIAL_TOWN = V("INDUSTRIAL_TOWN", description="Industrial town board (产业小镇板块).")
    TOURISM_STOCK = V("TOURISM_STOCK", description="Revitalising idle tourism assets (旅游项目存量盘活板块).")
    RELOCATION_SITE = V("RELOCATION_SITE", description="Poverty-alleviation relocation sites (易地扶贫搬迁安置点板块).")


@strawberry.enum(description="Lifecycle status of a project (项目状态).")
class ProjectStatus(Enum):
    DRAFT = V("DRAFT", description="Being compiled (编制中).")
    SUBMITTED = V("SUBMITTED", description="Submitted for review (已报送待遴选).")
    RETURNED = V("RETURNED", description="Returned for supplement (退回补充).")
    LISTED = V("LISTED", description="Selected into the pool and promoted (入库推介).")
    NEGOTIATING = V("NEGOTIATING", description="Negotiating with an investor (洽谈中).")
    SIGNED = V("SIGNED", description="Contract signed (已签约).")
    UNDER_CONSTRUCTION = V("UNDER_CONSTRUCTION", description="Construction started (已开工).")
    IN_PRODUCTION = V("IN_PRODUCTION", description="In production or operation (已投产).")
    DELISTED = V("DELISTED", description="Removed from the pool (已出库).")


@strawberry.enum(name="ProjectDelistReason", description="Why a project left the pool (出库原因).")
class DelistReason(Enum):
    POLICY_CHANGE = V("POLICY_CHANGE", description="Made invalid by a policy change (政策调整).")
    PLAN_ADJUSTMENT = V("PLAN_ADJUSTMENT", description="Made invalid by a plan adjustment (规划调整).")
    LANDED = V("LANDED", description="Landed elsewhere / already attracted (已招商成功).")
    INACCURATE = V("INACCURATE", description="Vague or inaccurate information (信息不实).")
    EXPIRED = V("EXPIRED", description="No longer current (过期).")
    OTHER = V("OTHER", description="Another reason, see the comment (其他).")


@strawberry.enum(name="ProjectInvestmentMode", description="How the investor is expected to invest (投资方式).")
class InvestmentMode(Enum):
    SOLE = V("SOLE", description="Sole proprietorship (独资).")
    JOINT_VENTURE = V("JOINT_VENTURE", description="Joint venture (合资).")
    COOPERATION = V("COOPERATION", description="Cooperative operation (合作经营).")
    PPP = V("PPP", description="Public-private partnership (政府和社会资本合作).")
    EQUITY = V("EQUITY", description="Equity participation (股权投资).")
    OTHER = V("OTHER", description="Another mode (其他).")


@strawberry.enum(description="Precondition of a project (前期工作条件).")
class ProjectPrecondition(Enum):
    LAND = V("LAND", description="Land secured (用地落实).")
    PLANNING = V("PLANNING", description="Planning approved (规划许可).")
    EIA = V("EIA", description="Environmental impact assessment (环境影响评价).")
    ENERGY_REVIEW = V("ENERGY_REVIEW", description="Energy-saving review (节能审查).")
    FEASIBILITY = V("FEASIBILITY", description="Feasibility study done (可行性研究).")
    SITE_READY = V("SITE_READY", description="Site levelled and serviced (场地平整/三通一平).")


@strawberry.enum(name="ProjectReviewDecision", description="Review decision (遴选结论).")
class ReviewDecision(Enum):
    LIST = V("LIST", description="Select into the pool (入库).")
    RETURN = V("RETURN", description="Return for supplement (退回补充).")


@strawberry.enum(name="ProjectAssessmentDimension", description="Dimension of the pre-signing assessment (事前评估维度).")
class AssessmentDimension(Enum):
    SECURITY = V("SECURITY", description="National and socio-economic security (国家安全和经济社会安全).")
    PUBLIC_INTEREST = V("PUBLIC_INTEREST", description="Public interest (社会公共利益).")
    ECOLOGICAL_ACCESS = V("ECOLOGICAL_ACCESS", description="Ecological environment access (生态环境准入).")
    ENERGY_QUOTA = V("ENERGY_QUOTA", description="Energy consumption quota (能耗指标).")
    EMISSIONS = V("EMISSIONS", description="Pollutant and carbon emissions (排放指标).")
    SPATIAL_PLANNING = V("SPATIAL_PLANNING", description="Territorial spatial planning (国土空间规划).")
    MARKET_ACCESS = V("MARKET_ACCESS", description="Market and industry access (市场和产业准入).")
    FACTOR_GUARANTEE = V("FACTOR_GUARANTEE", description="Factor guarantees: land, energy, water, power (要素保障).")


@strawberry.enum(name="ProjectAssessmentResult", description="Result for one assessment dimension (评估结果).")
class AssessmentResult(Enum):
    PASS = V("PASS", description="Passes (通过).")
    CONDITIONAL = V("CONDITIONAL", description="Passes on conditions (附条件通过).")
    FAIL = V("FAIL", description="Fails (不通过).")


@strawberry.enum(name="ProjectAssessmentConclusion", description="Conclusion of a pre-signing assessment (评估结论).")
class AssessmentConclusion(Enum):
    APPROVED = V("APPROVED", description="Admitted (准入).")
    CONDITIONAL = V("CONDITIONAL", description="Admitted on conditions (附条件准入).")
    REJECTED = V("REJECTED", description="Not admitted (不予准入).")


@strawberry.enum(name="VerificationCampaignKind", description="Kind of verification campaign (核查类型).")
class CampaignKind(Enum):
    ROUTINE = V("ROUTINE", description="Routine verification (日常核查).")
    CONCENTRATED = V("CONCENTRATED", description="Concentrated clean-up (集中清理核查).")


@strawberry.enum(name="VerificationCampaignStatus", description="Status of a verification campaign (核查状态).")
class CampaignStatus(Enum):
    OPEN = V("OPEN", description="Checks are being recorded (进行中).")
    CLOSED = V("CLOSED", description="Closed (已结束).")


@strawberry.enum(name="VerificationOutcome", description="Outcome of checking one project in a campaign (核查结论).")
class CheckOutcome(Enum):
    OK = V("OK", description="Accurate and valid (核查无误).")
    NEEDS_SUPPLEMENT = V("NEEDS_SUPPLEMENT", description="Vague or inaccurate, needs supplement (需补充完善).")
    DELIST = V("DELIST", description="Invalid, delisted (出库).")


@strawberry.enum(name="InvestmentTripLevel", description="Level of the leader who made an investment trip (外出招商领导层级).")
class TripLevel(Enum):
    PREFECTURE = V("PREFECTURE", description="Prefecture party secretary or mayor (市州党政主要负责同志).")
    COUNTY = V("COUNTY", description="County party secretary or head (县级党政主要负责同志).")


@strawberry.enum(name="InvestmentTripStatsDimension", description="A dimension to group trip statistics by.")
class TripStatsDimension(Enum):
    LEVEL = V("LEVEL", description="By the leader's level (按层级).")
    REGION = V("REGION", description="By the leader's own division (按地区).")
    PREFECTURE = V("PREFECTURE", description="By prefecture, its counties' trips rolled up (按市州).")
    COUNTY = V("COUNTY", description="By county; null for prefecture leaders' trips (按县区).")


@strawberry.enum(description="Dimension to group project statistics by (统计维度).")
class ProjectStatsDimension(Enum):
    CATEGORY = V("CATEGORY", description="By category (按类别).")
    CHAIN = V("CHAIN", description="By industry chain (按产业链).")
    BOARD = V("BOARD", description="By board (按板块).")
    REGION = V("REGION", description="By the project's own region, as recorded (按地区).")
    PREFECTURE = V("PREFECTURE", description="By prefecture, its counties' projects rolled up (按市州).")
    COUNTY = V("COUNTY", description="By county; null for prefecture-level projects (按县区).")
    STATUS = V("STATUS", description="By status (按状态).")
    YEAR = V("YEAR", description="By year compiled (按年度).")


class ProjectSort(Enum):
    """The keyset orders a project list supports (each with its own index)."""

    NEWEST = "NEWEST"
    OLDEST = "OLDEST"
    INVESTMENT_DESC = "INVESTMENT_DESC"
    INVESTMENT_ASC = "INVESTMENT_ASC"
    NUMBER = "NUMBER"
    NUMBER_DESC = "NUMBER_DESC"


@strawberry.enum(description="What a project list is sorted by (排序字段).")
class ProjectOrderField(Enum):
    COMPILED_AT = V("COMPILED_AT", description="When it was compiled (编制时间).")
    TOTAL_INVESTMENT = V("TOTAL_INVESTMENT", description="Total investment (总投资).")
    NUMBER = V("NUMBER", description="Project number (项目编号).")


PRE_SIGNING = frozenset({ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ProjectStatus.RETURNED,
                         ProjectStatus.LISTED, ProjectStatus.NEGOTIATING})
EDITABLE = frozenset({ProjectStatus.DRAFT, ProjectStatus.RETURNED, ProjectStatus.LISTED, ProjectStatus.NEGOTIATING})
