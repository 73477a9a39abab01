"""GraphQL inputs and payloads of the case mutations (verbNoun(input) → payload { …, userErrors })."""

from __future__ import annotations

from typing import Optional

import strawberry
from qianzhao.common.api import UserError

from ..enums import Category, FactorSubtype
from .types import CoordinationCaseType

ID_DOC = "Case id."
VERSION_DOC = "The version you last read; when stale nothing changes and userErrors says CONFLICT."


def case_payload(name: str, description: str) -> type:
    """A payload type `<name>` with the (changed) case and userErrors."""
    cls = type(name, (), {
        "__annotations__": {"case": Optional[CoordinationCaseType], "user_errors": list[UserError]},  # noqa: UP045
        "case": strawberry.field(description="The case after the change; null when there were userErrors."),
        "user_errors": strawberry.field(description="Why nothing changed (BAD_USER_INPUT, INVALID_TRANSITION, "
                                                    "CONFLICT, NOT_FOUND, FORBIDDEN)."),
    })
    return strawberry.type(cls, description=description)


def case_input(name: str, description: str, **extra: tuple[type, str]) -> type:
    """An input type `<name>` with id, expectedVersion and the extra fields given as (type, description)."""
    annotations = {"id": strawberry.ID, "expected_version": int}
    namespace = {"id": strawberry.field(description=ID_DOC),
                 "expected_version": strawberry.field(description=VERSION_DOC)}
    required = {k: v for k, v in extra.items() if not _optional(v[0])}
    optional = {k: v for k, v in extra.items() if _optional(v[0])}
    for key, (typ, doc) in required.items():
        annotations[key] = typ
        namespace[key] = strawberry.field(description=doc)
    for key, (typ, doc) in optional.items():
        annotations[key] = typ
        namespace[key] = strawberry.field(default=None, description=doc)
    annotations = {**{k: v for k, v in annotations.items() if k not in ("expected_version",) and k not in optional},
                   "expected_version": annotations["expected_version"],
                   **{k: annotations[k] for k in optional}}
    namespace["__annotations__"] = annotations
    return strawberry.input(type(name, (), namespace), description=description)


def _optional(typ) -> bool:
    return getattr(typ, "__origin__", None) is not None and type(None) in getattr(typ, "__args__", ())


COMMENT = (Optional[str], "Optional comment kept in the audit history.")  # noqa: UP045


@strawberry.input(description="A problem blocking a major project, raised by a county, prefecture or province unit.")
class SubmitCoordinationCaseInput:
    region_code: str = strawberry.field(description="Region code where the problem is (项目所在地).")
    title: str = strawberry.field(description="Short statement of the problem (问题简述).")
    description: str = strawberry.field(description="The problem in detail (问题描述).")
    category: Category = strawberry.field(description="Problem category (问题类别).")
    project_id: strawberry.ID = strawberry.field(description="The blocked project (required: major projects only).")
    factor_subtype: FactorSubtype | None = strawberry.field(default=None,
                                                            description="Required for FACTOR_GUARANTEE.")
    support_requested: str | None = strawberry.field(default=None, description="Support requested (需协调事项).")
    project_name: str | None = strawberry.field(default=None, description="Project name, for lists and letters.")
    raising_unit: str | None = strawberry.field(default=None,
                                                description="Raising unit's name; defaults to your division.")


SubmitCoordinationCasePayload = case_payload("SubmitCoordinationCasePayload", "Result of submitCoordinationCase.")

VerifyCoordinationCaseInput = case_input("VerifyCoordinationCaseInput", "Verify a submitted case (核实).",
                                         comment=COMMENT)
VerifyCoordinationCasePayload = case_payload("VerifyCoordinationCasePayload", "Result of verifyCoordinationCase.")

RejectCoordinationCaseInput = case_input("RejectCoordinationCaseInput", "Reject a submitted case (不予受理).",
                                         reason=(str, "Why it is not accepted."))
RejectCoordinationCasePayload = case_payload("RejectCoordinationCasePayload", "Result of rejectCoordinationCase.")

ClassifyCoordinationCaseInput = case_input(
    "ClassifyCoordinationCaseInput", "Confirm a verified case's category (分类).",
    category=(Category, "Confirmed category."),
    factor_subtype=(Optional[FactorSubtype], "Required for FACTOR_GUARANTEE."), comment=COMMENT)  # noqa: UP045
ClassifyCoordinationCasePayload = case_payload("ClassifyCoordinationCasePayload",
                                               "Result of classifyCoordinationCase.")

AssignCoordinationCaseInput = case_input(
    "AssignCoordinationCaseInput", "Push a classified case to a lead department and co-departments (分类推送).",
    lead_department=(str, "Lead department (牵头部门)."),
    co_departments=(Optional[list[str]], "Co-departments (配合部门)."), comment=COMMENT)  # noqa: UP045
AssignCoordinationCasePayload = case_payload("AssignCoordinationCasePayload", "Result of assignCoordinationCase.")

StartCoordinationCaseInput = case_input("StartCoordinationCaseInput", "Start work on an assigned case (办理).",
                                        comment=COMMENT)
StartCoordinationCasePayload = case_payload("StartCoordinationCasePayload", "Result of startCoordinationCase.")

EscalateCoordinationCaseInput = case_input(
    "EscalateCoordinationCaseInput", "Move an open case up one tier (county → prefecture → province) (提级协调).",
    reason=(str, "Why the current tier cannot solve it."))
EscalateCoordinationCasePayload = case_payload("EscalateCoordinationCasePayload",
                                               "Result of escalateCoordinationCase.")

RecordCoordinationSolutionInput = case_input(
    "RecordCoordinationSolutionInput", "Record the solution; the raising unit then confirms it (记录解决方案).",
    solution=(str, "What solves the problem."))
RecordCoordinationSolutionPayload = case_payload("RecordCoordinationSolutionPayload",
                                                 "Result of recordCoordinationSolution.")

ConfirmCoordinationResolutionInput = case_input(
    "ConfirmCoordinationResolutionInput", "The raising unit confirms the recorded solution (确认解决).",
    comment=COMMENT)
ConfirmCoordinationResolutionPayload = case_payload("ConfirmCoordinationResolutionPayload",
                                                    "Result of confirmCoordinationResolution.")

CloseCoordinationCaseInput = case_input(
    "CloseCoordinationCaseInput", "Close an open case as unresolvable (无法解决并办结).",
    reason=(str, "Why it cannot be solved."))
CloseCoordinationCasePayload = case_payload("CloseCoordinationCasePayload", "Result of closeCoordinationCase.")
