"""The projects subgraph schema."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.types import Info

from qianzhao.common.api import federation_schema, user_errors
from qianzhao.common.errors import DomainError, bad_input, forbidden

from .project import service as project_service
from .project.types import CreateProjectInput, CreateProjectPayload, ProjectType, project_loader


@strawberry.type
class Query:
    @strawberry.field(description="One project by id; FORBIDDEN outside your jurisdiction.")
    async def project(self, info: Info, id: strawberry.ID) -> ProjectType | None:
        principal = info.context.user()
        try:
            key = uuid.UUID(str(id))
        except ValueError:
            raise bad_input(f"{id!r} is not a project id") from None
        project = await project_loader(info).load(key)
        if project is None:
            return None
        if not project_service.visible(principal, project):
            raise forbidden(f"Project {id} is outside your jurisdiction")
        return ProjectType.from_model(project)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Compile a new draft project (编制项目).")
    async def create_project(self, info: Info, input: CreateProjectInput) -> CreateProjectPayload:
        ctx = info.context
        ctx.user().require_officer()
        try:
            async with ctx.uow() as uow:
                project = await project_service.create(uow=uow, name=input.name, region_code=input.region_code)
        except DomainError as exc:
            return CreateProjectPayload(project=None, user_errors=user_errors(exc))
        return CreateProjectPayload(project=ProjectType.from_model(project), user_errors=[])


def build_schema():
    return federation_schema(query=Query, mutation=Mutation, types=[ProjectType])
