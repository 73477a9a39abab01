"""The gateway checks the platform's operation limits (`qianzhao.common.limits`), as every subgraph does."""

from qianzhao.common.limits import Budget, LimitExceeded, Limits, check, uses_introspection

__all__ = ["Budget", "LimitExceeded", "Limits", "check", "uses_introspection"]
