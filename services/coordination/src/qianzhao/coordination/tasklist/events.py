"""Events of business-environment task lists, tasks and rectifications."""

from __future__ import annotations

from qianzhao.common.events import EventSpec, RegionalData, UnitRef


class TaskListData(RegionalData):
    """A list as it is after the event (regionCode: the issuing government)."""

    list_id: str
    number: str
    year: int
    title: str
    status: str
    task_count: int


class TaskData(RegionalData):
    """A task as it is after the event (regionCode: the list's issuing government)."""

    task_id: str
    list_id: str
    number: str
    title: str
    unit: UnitRef
    status: str
    deadline: str
    overdue_count: int
    open_rectifications: int = 0


class RectificationData(TaskData):
    """A rectification (整改) of a task, with the task it belongs to."""

    rectification_id: str
    rectification_number: str
    rectification_status: str
    rectification_deadline: str


def _spec(aggregate: str, action: str, data, description: str) -> EventSpec:
    return EventSpec("coordination", aggregate, action, data, description=description)


LIST_CREATED = _spec("task_list", "created", TaskListData, "A business-environment task list was drawn up (清单编制).")
LIST_PUBLISHED = _spec("task_list", "published", TaskListData, "A task list was published to its units (印发).")
LIST_CLOSED = _spec("task_list", "closed", TaskListData, "A task list was closed for the year (收官).")
TASK_ADDED = _spec("task", "added", TaskData, "A task was added to a list with its unit and deadline.")
TASK_PROGRESS = _spec("task", "progress_reported", TaskData, "The responsible unit reported progress (进展).")
TASK_COMPLETED = _spec("task", "completed", TaskData, "The responsible unit reported a task done (完成).")
TASK_VERIFIED = _spec("task", "verified", TaskData, "The issuer verified a completed task (销号).")
TASK_CHECKED = _spec("task", "checked", TaskData, "A supervision check (督查) looked at a task.")
TASK_OVERDUE = _spec("task", "overdue", TaskData, "A task passed its deadline: a reminder (催办) the first time, "
                                                  "escalation to the issuer's leadership the second.")
RECT_OPENED = _spec("rectification", "opened", RectificationData, "A supervision check found a problem to rectify.")
RECT_SUBMITTED = _spec("rectification", "submitted", RectificationData, "The unit reported its rectification.")
RECT_VERIFIED = _spec("rectification", "verified", RectificationData, "The issuer accepted a rectification.")
RECT_REJECTED = _spec("rectification", "rejected", RectificationData, "The issuer sent a rectification back with a "
                                                                      "new deadline.")
RECT_OVERDUE = _spec("rectification", "overdue", RectificationData, "A rectification passed its deadline: reminder, "
                                                                    "then escalation.")
ALL = [LIST_CREATED, LIST_PUBLISHED, LIST_CLOSED, TASK_ADDED, TASK_PROGRESS, TASK_COMPLETED, TASK_VERIFIED,
       TASK_CHECKED, TASK_OVERDUE, RECT_OPENED, RECT_SUBMITTED, RECT_VERIFIED, RECT_REJECTED, RECT_OVERDUE]
