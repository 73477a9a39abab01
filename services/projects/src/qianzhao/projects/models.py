"""The projects service's declarative base (its own MetaData)."""

from qianzhao.common.db import declarative_base

Base = declarative_base()


def load_all_models() -> None:
    """Import every model module so the metadata knows all tables (Alembic, tests)."""
    from .assessment import models as _a  # noqa: F401
    from .chains import models as _c  # noqa: F401
    from .fiveones import models as _f  # noqa: F401
    from .intention import models as _i  # noqa: F401
    from .project import models as _p  # noqa: F401
    from .review import models as _r  # noqa: F401
    from .survey import models as _s  # noqa: F401
    from .target import models as _tg  # noqa: F401
    from .trips import models as _t  # noqa: F401
    from .verification import models as _v  # noqa: F401
