"""detectStalledProjects: run the stall check now (the worker runs it periodically)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from qianzhao.common import regions
from qianzhao.common.api import UserError, mutate
from qianzhao.common.errors import DomainError
from strawberry.types import Info

from ..project import access, validation
from ..project.api import to_type
from ..project.types import ProjectType, rules_of
from . import service


@strawberry.input(description="Run stall detection now (停滞检查).")
class DetectStalledProjectsInput:
    region_code: str | None = strawberry.field(default=None,
                                               description="Only this division and beneath (地区, 含下级); your own by default.")


@strawberry.type(description="Result of detectStalledProjects (操作结果).")
class DetectStalledProjectsPayload:
    flagged: list[ProjectType] = strawberry.field(description="Projects newly flagged stalled (新发现的停滞项目), each reported once.")
    user_errors: list[UserError] = strawberry.field(description="Expected failures (业务错误); nothing changed when present.")


@strawberry.type
class StallMutation:
    @strawberry.mutation(description="Flag newly stalled projects and emit `stalled` once each (停滞预警).")
    async def detect_stalled_projects(self, info: Info, input: Annotated[DetectStalledProjectsInput, strawberry.argument(description="The input (输入).")]
                                      ) -> DetectStalledProjectsPayload:
        ctx = info.context
        principal = ctx.user()
        principal.require_officer()
        code = input.region_code or principal.region_code

        async def step(uow):
            if regions.get(code) is None:
                raise validation.bad("region_code", f"Unknown region code {code}")
            if not principal.covers_region(code):
                raise DomainError("FORBIDDEN", f"Region {code} is outside your jurisdiction", "regionCode")
            return await service.detect(uow=uow, rules=rules_of(info), scope=access.region_scope(code))

        flagged, errors = await mutate(info, step)
        if errors:
            return DetectStalledProjectsPayload(flagged=[], user_errors=errors)
        convert = to_type(info)
        return DetectStalledProjectsPayload(flagged=[convert(p) for p in flagged], user_errors=[])
