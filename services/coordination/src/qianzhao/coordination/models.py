"""The coordination service's declarative base (its own MetaData)."""

from qianzhao.common.db import declarative_base

Base = declarative_base()
