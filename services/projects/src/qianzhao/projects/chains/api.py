"""industryChains and upsertIndustryChain."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from ..enums import ProjectCategory
from ..payloads import payload, run
from . import cache, service
from .types import IndustryChainType


@strawberry.input(description="Add or change an industry chain (维护产业链); province only.")
class UpsertIndustryChainInput:
    code: str = strawberry.field(description="Chain code (产业链代码); an unknown code adds a chain.")
    name: str = strawberry.field(description="Chinese name (名称).")
    category: ProjectCategory = strawberry.field(description="Category (类别).")
    active: bool = strawberry.field(default=True, description="Usable by new projects (启用).")
    expected_version: int | None = strawberry.field(default=None,
                                                    description="Version (版本号); required when changing an existing chain.")


UpsertIndustryChainPayload = payload("UpsertIndustryChainPayload", "chain", IndustryChainType,
                                     "Result of upsertIndustryChain (操作结果).", "The chain (产业链); null on errors.")


@strawberry.type
class ChainQuery:
    @strawberry.field(description="The industry chains (产业链), in their official order.")
    async def industry_chains(
            self, info: Info,
            include_inactive: Annotated[bool, strawberry.argument(description="Include retired chains (含停用).")] = False,
    ) -> list[IndustryChainType]:
        info.context.user()
        async with info.context.exclusive():
            chains = await service.all_chains(session=info.context.session, include_inactive=include_inactive)
        return [IndustryChainType.from_model(c) for c in chains]


@strawberry.type
class ChainMutation:
    @strawberry.mutation(description="Add or change an industry chain (维护产业链); province only. New projects, "
                                     "intentions and target enterprises see the change at once on this replica and within "
                                     f"{cache.TTL_SECONDS:.0f} s on the others.")
    async def upsert_industry_chain(self, info: Info, input: Annotated[UpsertIndustryChainInput, strawberry.argument(description="The input (输入).")]) -> UpsertIndustryChainPayload:
        payload = await run(info, UpsertIndustryChainPayload, "chain", lambda uow: service.upsert(
            uow=uow, code=input.code, name=input.name, category=ProjectCategory(input.category),
            active=input.active, expected_version=input.expected_version), IndustryChainType.from_model)
        if payload.chain is not None:  # committed: this process sees the change at once
            cache.forget(info.context.session, payload.chain.code)
        return payload
