"""Alembic environment of the grievances database."""

from qianzhao.common.migrations import run_env
from qianzhao.grievances.arrears import models as _arrears  # noqa: F401  (registers tables)
from qianzhao.grievances.engagement import models as _engagement  # noqa: F401
from qianzhao.grievances.grievance import models as _grievance  # noqa: F401
from qianzhao.grievances.models import Base

run_env(Base.metadata)
