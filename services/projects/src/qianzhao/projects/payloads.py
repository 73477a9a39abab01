"""Mutation plumbing shared by every aggregate: payload types and the run-in-a-unit-of-work helper."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Optional

import strawberry
from qianzhao.common.api import mutate, payload_type
from qianzhao.common.uow import UnitOfWork
from strawberry.types import Info


def payload(name: str, field: str, node_type: Any, description: str, node_description: str):
    """A `VerbNounPayload` type with one result field and `userErrors`."""
    return payload_type(name, field, node_type, description=description, node_description=node_description)


def transition_input(name: str, description: str):
    """An input naming a project, the version the caller saw, and a comment (意见)."""
    namespace = {
        "__annotations__": {"id": strawberry.ID, "expected_version": int, "comment": Optional[str]},  # noqa: UP045
        "id": strawberry.field(description="Project id (项目ID)."),
        "expected_version": strawberry.field(description="The version you read (版本号); CONFLICT when it has moved on."),
        "comment": strawberry.field(default=None, description="Comment for the history (意见/说明)."),
    }
    return strawberry.input(type(name, (), namespace), description=description)


async def run(info: Info, payload_cls, field: str, action: Callable[[UnitOfWork], Awaitable[Any]],
              convert: Callable[[Any], Any], *, officer: bool = True):
    """Run `action` in one transaction; DomainErrors roll everything back and become userErrors."""
    ctx = info.context
    principal = ctx.user()
    if officer:
        principal.require_officer()
    result, errors = await mutate(info, action)
    return payload_cls(**{field: None if errors else convert(result), "user_errors": errors})
