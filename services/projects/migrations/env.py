"""Alembic environment of the projects database."""

from qianzhao.common.migrations import run_env
from qianzhao.projects.models import Base
from qianzhao.projects.project import models  # noqa: F401  (registers tables)

run_env(Base.metadata)
