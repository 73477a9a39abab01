"""Five ones (五个一) for major projects: one leader, one team, one entity, one plan, milestones."""

from __future__ import annotations

import uuid
from datetime import date

from qianzhao.common import concurrency
from qianzhao.common.errors import DomainError, ErrorCode
from qianzhao.common.ids import parse_id
from qianzhao.common.uow import UnitOfWork
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..project import access, events, validation
from ..project.actions import ACTIONS, ProjectAction
from ..project.models import Project
from ..project.service import get, get_for_change
from .models import Milestone


async def set_five_ones(*, uow: UnitOfWork, project_id, expected_version: int, responsible_leader: str,
                        working_team: list[str], implementing_entity: str) -> Project:
    """Mark the project major and name its leader, team and implementing entity."""
    project = await get_for_change(uow=uow, project_id=project_id, expected_version=expected_version)
    ACTIONS.ensure_state(project, ProjectAction.SET_FIVE_ONES)
    team = [m.strip() for m in working_team if m.strip()]
    if not responsible_leader.strip():
        raise validation.bad("responsible_leader", "A responsible leader (包保领导) is required")
    if not team:
        raise validation.bad("working_team", "A working team (工作专班) needs at least one member")
    if not implementing_entity.strip():
        raise validation.bad("implementing_entity", "An implementing entity (实施主体) is required")
    changes = {"responsibleLeader": responsible_leader.strip(), "workingTeam": team,
               "implementingEntity": implementing_entity.strip()}
    project.major = True
    project.responsible_leader, project.working_team = responsible_leader.strip(), team
    project.implementing_entity = implementing_entity.strip()
    project.updated_at = uow.clock.now()
    uow.record(aggregate_type="project", aggregate_id=project.id, action="FIVE_ONES_SET", changes=changes)
    uow.emit(events.FIVE_ONES_SET, subject=project.id, region_code=project.region_code,
             data=events.basics(project) | {"status": project.status,
                                            "total_investment": events.money(project.total_investment)})
    await uow.session.flush()
    return project


async def add_milestone(*, uow: UnitOfWork, project_id, title: str, due_on: date,
                        expected_version: int | None = None) -> tuple[Project, Milestone]:
    """A node of the advancement plan (推进计划); the plan is part of the project, so its version moves."""
    project = await get_for_change(uow=uow, project_id=project_id, expected_version=expected_version)
    ACTIONS.ensure_state(project, ProjectAction.ADD_MILESTONE)
    if not title.strip():
        raise validation.bad("title", "A milestone needs a title")
    milestone = Milestone(project_id=project.id, title=title.strip(), due_on=due_on, created_at=uow.clock.now())
    project.updated_at = uow.clock.now()
    uow.session.add(milestone)
    await uow.session.flush()
    uow.record(aggregate_type="project", aggregate_id=project.id, action="MILESTONE_ADDED",
               changes={"milestoneId": str(milestone.id), "title": milestone.title, "dueOn": due_on.isoformat()})
    uow.emit(events.MILESTONE_ADDED, subject=project.id, region_code=project.region_code,
             data=events.basics(project) | {"milestone_id": str(milestone.id), "title": milestone.title,
                                            "due_on": due_on.isoformat()})
    return project, milestone


async def complete_milestone(*, uow: UnitOfWork, milestone_id, done_on: date,
                             expected_version: int | None = None) -> tuple[Project, Milestone]:
    key = parse_id(milestone_id, "id")
    milestone = await uow.session.get(Milestone, key)
    if milestone is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"Milestone {milestone_id} not found", "id")
    project = await get(session=uow.session, project_id=milestone.project_id)
    access.ensure_writable(uow.principal, project)
    concurrency.check_version(milestone, expected_version, what=f"Milestone of {project.number}")
    if milestone.done_on is not None:
        raise DomainError(ErrorCode.INVALID_TRANSITION, "Milestone is already done", "id")
    if done_on > uow.clock.today():
        raise validation.bad("done_on", "The date cannot be in the future")
    milestone.done_on = done_on
    uow.record(aggregate_type="project", aggregate_id=project.id, action="MILESTONE_DONE",
               changes={"milestoneId": str(milestone.id), "doneOn": done_on.isoformat()})
    uow.emit(events.MILESTONE_COMPLETED, subject=project.id, region_code=project.region_code,
             data=events.basics(project) | {"milestone_id": str(milestone.id), "title": milestone.title,
                                            "due_on": milestone.due_on.isoformat(), "done_on": done_on.isoformat()})
    await uow.session.flush()
    return project, milestone


async def milestones_of(*, session: AsyncSession, project_ids: list[uuid.UUID]) -> list[list[Milestone]]:
    rows = (await session.execute(select(Milestone).where(Milestone.project_id.in_(project_ids))
                                  .order_by(Milestone.due_on, Milestone.id))).scalars().all()
    out: dict[uuid.UUID, list[Milestone]] = {i: [] for i in project_ids}
    for m in rows:
        out[m.project_id].append(m)
    return [out[i] for i in project_ids]
