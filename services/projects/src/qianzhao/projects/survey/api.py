"""Field surveys (实地调研): recordFieldSurvey, linkSurveyProjects, fieldSurvey, fieldSurveys."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from qianzhao.common.api import (
    Connection,
    list_order,
    ordered_page,
    region_key,
    text_search,
)
from qianzhao.common.ids import parse_id
from sqlalchemy import select
from strawberry.types import Info

from ..payloads import payload, run
from . import service
from .models import FieldSurvey

if TYPE_CHECKING:
    from ..entities.types import ProjectsRegionType
    from ..project.types import ProjectType

REGION = Annotated["ProjectsRegionType", strawberry.lazy("qianzhao.projects.entities.types")]
PROJECT = Annotated["ProjectType", strawberry.lazy("qianzhao.projects.project.types")]
F = strawberry.field


@strawberry.enum(description="A heading of a survey's findings (调研内容).")
class SurveyHeading(Enum):
    INDUSTRY_BASE = strawberry.enum_value("INDUSTRY_BASE", description="Industrial base (产业基础).")
    DEVELOPMENT_PLAN = strawberry.enum_value("DEVELOPMENT_PLAN", description="Development plans (发展规划).")
    SUPPORT_POLICY = strawberry.enum_value("SUPPORT_POLICY", description="Support policies (支持政策).")
    FACTOR_GUARANTEE = strawberry.enum_value("FACTOR_GUARANTEE", description="Factor guarantees (要素保障).")
    PROJECT_FEASIBILITY = strawberry.enum_value("PROJECT_FEASIBILITY", description="Project feasibility (项目可行性).")


@strawberry.type(name="SurveySymposiumParticipant", description="A unit at a symposium and how many attended.")
class ParticipantType:
    unit: str = F(description="Participating unit (参会单位).")
    count: int = F(description="People from it (人数).")


@strawberry.type(name="SurveySymposium", description="A symposium held during a survey (座谈会).")
class SymposiumType:
    held_on: date = F(description="When (日期).")
    county: REGION = F(description="Where (县区).")
    participants: list[ParticipantType] = F(description="Units and people (参会单位).")


@strawberry.type(name="SurveyFinding", description="What the survey found under one heading (调研结论).")
class FindingType:
    heading: SurveyHeading = F(description="The heading (内容).")
    text: str = F(description="The finding (结论).")


@strawberry.type(name="FieldSurvey", description="A commissioned on-site survey of counties (实地调研) that establishes "
                                                 "the base of the projects to compile.")
class FieldSurveyType:
    id: strawberry.ID = F(description="Survey id.")
    number: str = F(description="Number DY-<year>-<seq> (调研编号).")
    title: str = F(description="Title (调研名称).")
    agency: str = F(description="The commissioned agency, e.g. a third-party institute (受托机构).")
    region: REGION = F(description="The province or prefecture that commissioned it (委托方).")
    counties: list[REGION] = F(description="Counties visited (调研县区).")
    start_on: date = F(description="First day (开始日期).")
    end_on: date = F(description="Last day (结束日期).")
    symposiums: list[SymposiumType] = F(description="Symposiums held (座谈会).")
    findings: list[FindingType] = F(description="Findings by heading, in heading order (调研结论).")
    version: int = F(description="Optimistic-concurrency version (版本号); pass it as expectedVersion.")
    recorded_at: datetime = F(description="When it was recorded (登记时间, UTC).")
    model: strawberry.Private[FieldSurvey]

    @classmethod
    def from_model(cls, s: FieldSurvey) -> FieldSurveyType:
        from ..entities.types import ProjectsRegionType

        def region(code):
            return region_key(code, ProjectsRegionType)
        return cls(
            id=strawberry.ID(str(s.id)), number=s.number, title=s.title, agency=s.agency, region=region(s.region_code),
            counties=[region(c) for c in s.counties], start_on=s.start_on, end_on=s.end_on,
            symposiums=[SymposiumType(held_on=date.fromisoformat(m["heldOn"]), county=region(m["county"]),
                                      participants=[ParticipantType(unit=p["unit"], count=p["count"])
                                                    for p in m["participants"]]) for m in s.symposiums],
            findings=[FindingType(heading=SurveyHeading(h), text=s.findings[h]) for h in service.HEADINGS
                      if h in s.findings],
            version=s.version, recorded_at=s.recorded_at, model=s)

    @F(description="Projects compiled or premium-packaged from it (由调研形成的项目) that you may see.")
    async def projects(self, info: Info) -> list[PROJECT]:
        from ..project.types import ProjectType

        found = [await ProjectType.load_visible(info, p) for p in self.model.project_ids]
        return [p for p in found if p is not None]


@strawberry.input(name="SurveySymposiumParticipantInput", description="A participating unit (参会单位).")
class ParticipantInput:
    unit: str = F(description="Unit (单位).")
    count: int = F(description="People (人数), at least 1.")


@strawberry.input(name="SurveySymposiumInput", description="A symposium held during the survey (座谈会).")
class SymposiumInput:
    held_on: date = F(description="When, within the survey (日期).")
    county_code: str = F(description="Where: one of the counties visited (县区代码).")
    participants: list[ParticipantInput] = F(description="Units and people (参会单位).")


@strawberry.input(name="SurveyFindingInput", description="A finding under one heading (调研结论).")
class FindingInput:
    heading: SurveyHeading = F(description="The heading (内容).")
    text: str = F(description="The finding (结论).")


@strawberry.input(description="A field survey the province or a prefecture commissioned (登记实地调研).")
class RecordFieldSurveyInput:
    title: str = F(description="Title (调研名称).")
    agency: str = F(description="The commissioned agency (受托机构).")
    region_code: str = F(description="The province (520000) or the commissioning prefecture (委托方).")
    counties: list[str] = F(description="County codes visited, within regionCode (调研县区).")
    start_on: date = F(description="First day (开始日期).")
    end_on: date = F(description="Last day (结束日期).")
    symposiums: list[SymposiumInput] = F(default_factory=list, description="Symposiums held (座谈会).")
    findings: list[FindingInput] = F(default_factory=list, description="Findings, each heading at most once.")
    project_ids: list[strawberry.ID] = F(default_factory=list, description="Projects compiled from it (项目).")


@strawberry.input(description="Link projects compiled or premium-packaged from a survey (关联项目).")
class LinkSurveyProjectsInput:
    id: strawberry.ID = F(description="Survey id.")
    expected_version: int = F(description="The version you read (版本号); CONFLICT when it has moved on.")
    project_ids: list[strawberry.ID] = F(description="Projects to add (项目).")


@strawberry.input(description="Filter of field surveys (调研筛选); all given conditions must hold.")
class FieldSurveyFilter:
    county_code: str | None = F(default=None, description="Only surveys that visited this county (县区).")
    search: str | None = F(default=None, description="Text in the number, title or agency (关键词).")


FieldSurveyOrder = list_order("FieldSurveyOrder", "field surveys", {
    "START_ON": ("start_on", "When it began (开始日期)."),
    "RECORDED_AT": ("recorded_at", "When it was recorded (登记时间)."),
}, "START_ON")

RecordFieldSurveyPayload = payload("RecordFieldSurveyPayload", "survey", FieldSurveyType,
                                   "Result of recordFieldSurvey (操作结果).", "The survey; null on errors.")
LinkSurveyProjectsPayload = payload("LinkSurveyProjectsPayload", "survey", FieldSurveyType,
                                    "Result of linkSurveyProjects (操作结果).", "The survey; null on errors.")


@strawberry.type
class SurveyQuery:
    @strawberry.field(description="One field survey (实地调研); null when missing or outside what you may see.")
    async def field_survey(self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(
            description="Survey id.")]) -> FieldSurveyType | None:
        principal = info.context.user()
        async with info.context.exclusive():
            survey = await info.context.session.get(FieldSurvey, parse_id(id, "id"))
        return FieldSurveyType.from_model(survey) if survey and service.visible(principal, survey) else None

    @strawberry.field(description="Field surveys of your jurisdiction or that visited one of its counties, latest "
                                  "first (实地调研).")
    async def field_surveys(
        self, info: Info,
        filter: Annotated[FieldSurveyFilter | None, strawberry.argument(description="Filter (筛选).")] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, at most 200 (每页条数).")] = None,
        after: Annotated[str | None, strawberry.argument(description="Cursor to continue after (游标).")] = None,
        order_by: Annotated[FieldSurveyOrder | None, strawberry.argument(
            description="Sort order (排序); ties break on id.")] = None,
    ) -> Connection[FieldSurveyType]:
        f = filter or FieldSurveyFilter()
        stmt = select(FieldSurvey).where(service.visible_clause(info.context.user()))
        if f.county_code:
            stmt = stmt.where(FieldSurvey.counties.contains([f.county_code]))
        stmt = text_search(stmt, f.search, FieldSurvey.number, FieldSurvey.title, FieldSurvey.agency)
        async with info.context.exclusive():
            return await ordered_page(info.context.session, stmt, order_by=order_by, default=FieldSurveyOrder(),
                                      model=FieldSurvey, node_type=FieldSurveyType, convert=FieldSurveyType.from_model, first=first, after=after)


@strawberry.type
class SurveyMutation:
    @strawberry.mutation(description="Record a field survey (登记实地调研), by the province or a prefecture.")
    async def record_field_survey(self, info: Info, input: Annotated[RecordFieldSurveyInput, strawberry.argument(
            description="The input (输入).")]) -> RecordFieldSurveyPayload:
        return await run(info, RecordFieldSurveyPayload, "survey", lambda uow: service.record(
            uow=uow, title=input.title, agency=input.agency, region_code=input.region_code, counties=input.counties,
            start_on=input.start_on, end_on=input.end_on,
            symposiums=[service.Symposium(s.held_on, s.county_code, [(p.unit, p.count) for p in s.participants])
                        for s in input.symposiums],
            findings=_findings(input.findings), project_ids=[str(p) for p in input.project_ids]),
            FieldSurveyType.from_model)

    @strawberry.mutation(description="Link projects compiled or premium-packaged from a survey (关联项目).")
    async def link_survey_projects(self, info: Info, input: Annotated[LinkSurveyProjectsInput, strawberry.argument(
            description="The input (输入).")]) -> LinkSurveyProjectsPayload:
        return await run(info, LinkSurveyProjectsPayload, "survey", lambda uow: service.link_projects(
            uow=uow, survey_id=parse_id(input.id, "id"), expected_version=input.expected_version,
            project_ids=[str(p) for p in input.project_ids]), FieldSurveyType.from_model)


def _findings(given: list[FindingInput]) -> dict[str, str]:
    from qianzhao.common.errors import DomainError, ErrorCode

    out: dict[str, str] = {}
    for i, f in enumerate(given):
        if f.heading.value in out:
            raise DomainError(ErrorCode.BAD_USER_INPUT, f"{f.heading.value} is given twice", ["findings", str(i)])
        out[f.heading.value] = f.text
    return out


