"""Reactions to other services' events (filled in below); see consumers()."""

from __future__ import annotations


def consumers(runtime) -> list:
    return []
