"""Reference data served, not typed in: `regions`, `departments`, `me`, and the `Department` entity."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.federation.schema_directives import Shareable
from strawberry.types import Info

from . import departments, regions
from .api import RegionLevel, RegionType


@strawberry.federation.type(keys=["code"], name="Department",
                            description="A provincial department or other unit that receives assignments, letters and "
                                        "assessments (省直部门/承办单位), keyed by its registry code.")
class DepartmentType:
    code: str = strawberry.field(description="Registry code, e.g. natural_resources; used in every input and token.")

    @strawberry.field(description="Full Chinese name, e.g. 贵州省自然资源厅.", directives=[Shareable()])
    def name(self) -> str:
        found = departments.get(self.code)
        return found.name if found else self.code

    @strawberry.field(description="Short name used in documents, e.g. 省自然资源厅.", directives=[Shareable()])
    def short_name(self) -> str:
        found = departments.get(self.code)
        return found.short_name if found else self.code

    @classmethod
    def resolve_reference(cls, code: str):
        return cls(code=code) if departments.get(code) else None

    @classmethod
    def of(cls, code: str | None) -> DepartmentType | None:
        """The department a stored code names; null for a code the registry no longer holds."""
        return cls(code=code) if code and departments.get(code) else None


@strawberry.enum(name="PrincipalRole", description="What kind of caller a token names (角色).")
class RoleEnum(Enum):
    PROVINCE = strawberry.enum_value("PROVINCE", description="A provincial officer (省级): sees the whole province.")
    PREFECTURE = strawberry.enum_value("PREFECTURE", description="A prefecture officer (市州): its counties too.")
    COUNTY = strawberry.enum_value("COUNTY", description="A county officer (县区): its own county.")
    DEPARTMENT = strawberry.enum_value("DEPARTMENT", description="A provincial department's officer (省直部门): "
                                                                  "what is assigned or addressed to it.")
    ENTERPRISE = strawberry.enum_value("ENTERPRISE", description="An enterprise user (企业): its own credit code.")
    SERVICE = strawberry.enum_value("SERVICE", description="Another platform process (内部服务).")


@strawberry.type(name="Me", description="The caller as the platform sees it (当前用户): role and the unit it acts for.")
class MeType:
    subject: str = strawberry.field(description="Who the token names (sub).")
    role: RoleEnum = strawberry.field(description="PROVINCE, PREFECTURE, COUNTY, DEPARTMENT, ENTERPRISE or SERVICE.")
    region: RegionType | None = strawberry.field(description="The officer's region (辖区); null for other roles.")
    department: DepartmentType | None = strawberry.field(description="The department of a DEPARTMENT officer.")
    credit_code: str | None = strawberry.field(description="An ENTERPRISE user's unified social credit code.")
    name: str | None = strawberry.field(description="Display name, when the token carries one.")


@strawberry.type
class ReferenceQuery:
    """Root fields every console reads first; served by one subgraph, resolvable as entities by all."""

    @strawberry.field(description="Guizhou's statistical divisions (行政区划), in code order: all 98, or those "
                                  "directly under `parent`, or those of one `level`.")
    def regions(self, parent: Annotated[str | None, strawberry.argument(
                    description="Only the divisions directly beneath this code.")] = None,
                level: Annotated[RegionLevel | None, strawberry.argument(
                    description="Only divisions of this tier.")] = None) -> list[RegionType]:
        found = regions.all_regions().values()
        if parent is not None:
            found = [r for r in found if r.parent_code == parent]
        if level is not None:
            found = [r for r in found if r.level.value == level.value]
        return [RegionType(code=r.code) for r in sorted(found, key=lambda r: r.code)]

    @strawberry.field(description="The registry of departments and units (部门名录) that inputs and tokens name by "
                                  "code, in code order.")
    def departments(self) -> list[DepartmentType]:
        return [DepartmentType(code=c) for c in sorted(departments.all_departments())]

    @strawberry.field(description="The caller (当前用户): role, region, department or enterprise.")
    def me(self, info: Info) -> MeType:
        p = info.context.user()
        return MeType(subject=p.subject, role=RoleEnum(p.role.value), name=p.name, credit_code=p.credit_code,
                      region=RegionType(code=p.region_code) if p.is_officer else None,
                      department=DepartmentType.of(p.department))
