"""Review (遴选): score the project, tick the five haves, decide LIST or RETURN."""

from __future__ import annotations

from qianzhao.common.errors import DomainError, ErrorCode
from qianzhao.common.uow import UnitOfWork

from ..enums import ProjectStatus, ReviewDecision
from ..project import access, events, lifecycle, validation
from ..project.actions import ACTIONS, ProjectAction
from ..project.models import Project
from ..project.service import check_version, get
from .models import ProjectReview

SCORES = ("policy_alignment", "industry_linkage", "precondition_maturity", "market_prospects")
FIVE_HAVES = ("factors_guaranteed", "policy_supported", "product_marketable", "investment_returns", "tax_revenue")


async def review(*, uow: UnitOfWork, project_id, expected_version: int, scores: dict[str, int],
                 five_haves: dict[str, bool], decision: ReviewDecision, comment: str | None
                 ) -> tuple[Project, ProjectReview]:
    """LIST needs all five haves (五有); RETURN needs a comment telling the county what to supplement."""
    project = await get(session=uow.session, project_id=project_id)
    if not access.can_read(uow.principal, project):  # answered exactly as a missing project
        raise DomainError(ErrorCode.NOT_FOUND, f"Project {project_id} not found", "id")
    ACTIONS.ensure_actor(uow.principal, project, ProjectAction.REVIEW)
    check_version(project, expected_version)
    ACTIONS.ensure_state(project, ProjectAction.REVIEW)
    for key in SCORES:
        if not 0 <= scores[key] <= 100:
            raise validation.bad(key, "Scores are between 0 and 100")
    comment = (comment or "").strip() or None
    if decision is ReviewDecision.LIST and not all(five_haves[k] for k in FIVE_HAVES):
        missing = [validation.camel(k) for k in FIVE_HAVES if not five_haves[k]]
        raise validation.bad("five_haves", f"Listing needs all five haves (五有); missing: {', '.join(missing)}")
    if decision is ReviewDecision.RETURN and not comment:
        raise validation.bad("comment", "Returning a project needs a comment saying what to supplement")
    now = uow.clock.now()
    row = ProjectReview(project_id=project.id, **scores, **five_haves, decision=decision.value, comment=comment,
                        reviewer=uow.principal.subject, reviewed_at=now)
    uow.session.add(row)
    if decision is ReviewDecision.LIST:
        lifecycle.move(uow, project, ProjectStatus.LISTED, action="LISTED", comment=comment,
                       changes={"scores": scores})
        project.listed_at = project.verified_at = now
        spec = events.LISTED
    else:
        lifecycle.move(uow, project, ProjectStatus.RETURNED, action="RETURNED", comment=comment,
                       changes={"scores": scores})
        spec = events.RETURNED
    uow.emit(spec, subject=project.id, region_code=project.region_code, data=events.review_data(project, comment))
    await uow.session.flush()
    return project, row
