"""GraphQL types of the Project aggregate."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from strawberry.types import Info

from qianzhao.common.api import UserError
from qianzhao.common.errors import forbidden

from . import service
from .models import Project


def project_loader(info: Info):
    ctx = info.context
    return ctx.loader("project", lambda ids: service.get_many(session=ctx.session, ids=ids))


@strawberry.federation.type(keys=["id"], name="Project", description="An investment project in the pool (招商推介项目).")
class ProjectType:
    id: strawberry.ID = strawberry.field(description="Project id (UUIDv7).")
    number: str = strawberry.field(description="Human-readable number, XM-<region>-<year>-<seq>.")
    name: str = strawberry.field(description="Project name (项目名称).")
    region_code: str = strawberry.field(description="Statistical division code of the county or prefecture.")
    version: int = strawberry.field(description="Optimistic-concurrency version; pass it as expectedVersion.")
    created_at: datetime = strawberry.field(description="When it was compiled (UTC).")

    @classmethod
    def from_model(cls, p: Project) -> ProjectType:
        return cls(id=strawberry.ID(str(p.id)), number=p.number, name=p.name, region_code=p.region_code,
                   version=p.version, created_at=p.created_at)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> ProjectType | None:
        principal = info.context.user()
        try:
            key = uuid.UUID(str(id))
        except ValueError:
            return None
        project = await project_loader(info).load(key)
        if project is None:
            return None
        if not service.visible(principal, project):
            raise forbidden(f"Project {id} is outside your jurisdiction")
        return cls.from_model(project)


@strawberry.input(description="A new draft project.")
class CreateProjectInput:
    name: str = strawberry.field(description="Project name (项目名称).")
    region_code: str = strawberry.field(description="County or prefecture code where the project is located.")


@strawberry.type(description="Result of createProject.")
class CreateProjectPayload:
    project: ProjectType | None = strawberry.field(description="The created project, when there were no errors.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was created.")
