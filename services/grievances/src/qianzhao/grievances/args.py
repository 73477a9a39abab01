"""Described argument types shared by the root fields (every argument carries a description)."""

from __future__ import annotations

from typing import Annotated

import strawberry

First = Annotated[int | None, strawberry.argument(description="Page size: at most 200, default 20.")]
After = Annotated[str | None, strawberry.argument(description="Cursor of the last edge of the previous page.")]
Id = Annotated[strawberry.ID, strawberry.argument(description="The record's id.")]
