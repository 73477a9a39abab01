"""Alembic environment of the projects database."""

from qianzhao.common.migrations import run_env
from qianzhao.projects.models import Base, load_all_models

load_all_models()
run_env(Base.metadata)
