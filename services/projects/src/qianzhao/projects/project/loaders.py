"""Per-request DataLoaders: every nested list of a page of projects costs one query."""

from __future__ import annotations

import uuid
from collections import defaultdict

from qianzhao.common.db import get_by_ids
from qianzhao.common.tables import audit_history
from sqlalchemy import select
from strawberry.types import Info

from ..assessment.models import Assessment, AssessmentCondition
from ..chains.models import IndustryChain
from ..fiveones import service as fiveones
from ..review.models import ProjectReview
from .models import Project


def project_loader(info: Info):
    ctx = info.context
    return info.context.loader("project", lambda ids: get_by_ids(ctx.session, Project, ids))


def _grouped(rows, key, ids):
    out: dict[uuid.UUID, list] = defaultdict(list)
    for row in rows:
        out[key(row)].append(row)
    return [out.get(i, []) for i in ids]


def reviews_loader(info: Info):
    session = info.context.session

    async def load(ids):
        rows = (await session.execute(select(ProjectReview).where(ProjectReview.project_id.in_(ids))
                                      .order_by(ProjectReview.reviewed_at, ProjectReview.id))).scalars().all()
        return _grouped(rows, lambda r: r.project_id, ids)

    return info.context.loader("reviews", load)


def assessments_loader(info: Info):
    """(assessment, conditions) pairs per project, oldest first."""
    session = info.context.session

    async def load(ids):
        rows = (await session.execute(select(Assessment).where(Assessment.project_id.in_(ids))
                                      .order_by(Assessment.assessed_at, Assessment.id))).scalars().all()
        conditions = (await session.execute(select(AssessmentCondition).where(
            AssessmentCondition.assessment_id.in_([a.id for a in rows])))).scalars().all() if rows else []
        by_assessment = _grouped(conditions, lambda c: c.assessment_id, [a.id for a in rows])
        pairs = list(zip(rows, by_assessment, strict=True))
        return _grouped(pairs, lambda pair: pair[0].project_id, ids)

    return info.context.loader("assessments", load)


def milestones_loader(info: Info):
    session = info.context.session
    return info.context.loader("milestones", lambda ids: fiveones.milestones_of(session=session, project_ids=ids))


def history_loader(info: Info):
    session = info.context.session

    async def load(ids):
        rows = (await session.execute(select(audit_history).where(audit_history.c.aggregate_id.in_(ids))
                                      .order_by(audit_history.c.occurred_at, audit_history.c.id))).mappings().all()
        return _grouped(rows, lambda r: r["aggregate_id"], ids)

    return info.context.loader("history", load)


def chain_loader(info: Info):
    session = info.context.session

    async def load(codes):
        rows = (await session.execute(select(IndustryChain).where(IndustryChain.code.in_(codes)))).scalars().all()
        by_code = {c.code: c for c in rows}
        return [by_code.get(c) for c in codes]

    return info.context.loader("chain", load)
