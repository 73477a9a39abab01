"""Who may do what to task lists, tasks and rectifications, from which state (common.actions)."""

from __future__ import annotations

from enum import Enum

import strawberry
from qianzhao.common.actions import ActionTable, Rule
from qianzhao.common.auth import Principal, Role

from .models import Rectification, Task, TaskList


@strawberry.enum(name="TaskListStatus", description="Lifecycle of a task list (清单状态).")
class ListStatus(Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="Being drawn up (编制中).")
    PUBLISHED = strawberry.enum_value("PUBLISHED", description="Issued to its units (已印发).")
    CLOSED = strawberry.enum_value("CLOSED", description="Closed for the year (已收官).")


@strawberry.enum(name="BusinessEnvironmentTaskStatus", description="Lifecycle of a task (任务状态).")
class TaskStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="Not started (未启动).")
    IN_PROGRESS = strawberry.enum_value("IN_PROGRESS", description="Progress reported (推进中).")
    COMPLETED = strawberry.enum_value("COMPLETED", description="Reported done, awaiting verification (已完成待销号).")
    VERIFIED = strawberry.enum_value("VERIFIED", description="Verified by the issuer (已销号).")


@strawberry.enum(name="RectificationStatus", description="Lifecycle of a rectification (整改状态).")
class RectStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="To be rectified (整改中).")
    SUBMITTED = strawberry.enum_value("SUBMITTED", description="Reported rectified, awaiting verification (待验收).")
    VERIFIED = strawberry.enum_value("VERIFIED", description="Accepted by the issuer (已验收).")


@strawberry.enum(name="TaskListAction", description="What can be done to a task list (可执行操作).")
class ListAction(Enum):
    ADD_TASK = "ADD_TASK"
    PUBLISH = "PUBLISH"
    CLOSE = "CLOSE"


@strawberry.enum(name="BusinessEnvironmentTaskAction", description="What can be done to a task (可执行操作).")
class TaskAction(Enum):
    REPORT_PROGRESS = "REPORT_PROGRESS"
    COMPLETE = "COMPLETE"
    VERIFY = "VERIFY"
    CHECK = "CHECK"


@strawberry.enum(name="RectificationAction", description="What can be done to a rectification (可执行操作).")
class RectAction(Enum):
    SUBMIT = "SUBMIT"
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"


def issuer(p: Principal, region_code: str) -> bool:
    """The issuing government's officers (the province for every list)."""
    return p.sees_everything or (p.is_officer and p.covers_region(region_code))


def responsible(p: Principal, unit_kind: str, unit_code: str) -> bool:
    """The responsible unit itself: its department, or its government's officers."""
    if unit_kind == "DEPARTMENT":
        return p.role is Role.DEPARTMENT and p.department == unit_code
    return p.is_officer and p.region_code == unit_code


LISTS: ActionTable[ListAction, TaskList] = ActionTable({
    ListAction.ADD_TASK: Rule.of([ListStatus.DRAFT, ListStatus.PUBLISHED], "a closed list takes no new tasks",
                                 lambda p, x: issuer(p, x.region_code), "Only the issuing government adds tasks"),
    ListAction.PUBLISH: Rule.of([ListStatus.DRAFT], "only a draft list is published",
                                lambda p, x: issuer(p, x.region_code), "Only the issuing government publishes it"),
    ListAction.CLOSE: Rule.of([ListStatus.PUBLISHED], "the list must be published before it is closed",
                              lambda p, x: issuer(p, x.region_code), "Only the issuing government closes it"),
}, state=lambda x: x.status, name=lambda x: f"Task list {x.number}")

T = TaskStatus
TASKS: ActionTable[TaskAction, Task] = ActionTable({
    TaskAction.REPORT_PROGRESS: Rule.of([T.OPEN, T.IN_PROGRESS], "progress is reported until the task is done",
                                        lambda p, x: responsible(p, x.unit_kind, x.unit_code),
                                        "Only the responsible unit reports progress"),
    TaskAction.COMPLETE: Rule.of([T.OPEN, T.IN_PROGRESS], "only an unfinished task is reported done",
                                 lambda p, x: responsible(p, x.unit_kind, x.unit_code),
                                 "Only the responsible unit reports it done"),
    TaskAction.VERIFY: Rule.of([T.COMPLETED], "the unit must report the task done before it is verified",
                               lambda p, x: issuer(p, x.issuer_region), "Only the issuing government verifies it"),
    TaskAction.CHECK: Rule.of([T.OPEN, T.IN_PROGRESS, T.COMPLETED], "a verified task is no longer supervised",
                              lambda p, x: issuer(p, x.issuer_region), "Only the issuing government supervises it"),
}, state=lambda x: x.status, name=lambda x: f"Task {x.number}")

R = RectStatus
RECTIFICATIONS: ActionTable[RectAction, Rectification] = ActionTable({
    RectAction.SUBMIT: Rule.of([R.OPEN], "only an open rectification is reported",
                               lambda p, x: responsible(p, x.unit_kind, x.unit_code),
                               "Only the responsible unit reports its rectification"),
    RectAction.ACCEPT: Rule.of([R.SUBMITTED], "the unit must report the rectification before it is accepted",
                               lambda p, x: issuer(p, x.issuer_region), "Only the issuing government accepts it"),
    RectAction.REJECT: Rule.of([R.SUBMITTED], "the unit must report the rectification before it is sent back",
                               lambda p, x: issuer(p, x.issuer_region), "Only the issuing government sends it back"),
}, state=lambda x: x.status, name=lambda x: f"Rectification {x.number}")
