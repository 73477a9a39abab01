"""Alembic environment of the coordination database."""

from qianzhao.common.migrations import run_env
from qianzhao.coordination.case import models as _case  # noqa: F401  (registers tables)
from qianzhao.coordination.letter import models as _letter  # noqa: F401
from qianzhao.coordination.meeting import models as _meeting  # noqa: F401
from qianzhao.coordination.models import Base

run_env(Base.metadata)
