"""GraphQL type of an industry chain."""

from __future__ import annotations

import strawberry

from ..enums import ProjectCategory
from .models import IndustryChain


@strawberry.type(name="IndustryChain", description="An industry chain projects are compiled around (产业链).")
class IndustryChainType:
    code: str = strawberry.field(description="Stable code (产业链代码), e.g. AGR_TEA.")
    name: str = strawberry.field(description="Chinese name, e.g. 茶叶.")
    category: ProjectCategory = strawberry.field(description="The category its projects count under (类别).")
    active: bool = strawberry.field(description="Whether new projects may use it (启用).")
    version: int = strawberry.field(description="Optimistic-concurrency version (版本号); pass it as expectedVersion.")

    @classmethod
    def from_model(cls, c: IndustryChain) -> IndustryChainType:
        return cls(code=c.code, name=c.name, category=ProjectCategory(c.category), active=c.active,
                   version=c.version)
