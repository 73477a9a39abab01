"""Described argument types shared by the root fields (every argument carries a description)."""

from __future__ import annotations

from typing import Annotated

import strawberry

First = Annotated[int | None, strawberry.argument(description="Page size: at most 200, default 20.")]
After = Annotated[str | None, strawberry.argument(description="Cursor of the last edge of the previous page.")]
Id = Annotated[strawberry.ID, strawberry.argument(description="The record's id.")]
InputArg = strawberry.argument(description="The mutation's input (see its type for each field).")
FilterArg = strawberry.argument(description="Conditions the records must meet; all must hold.")
GroupByArg = strawberry.argument(description="Dimensions to group by; the total is always returned too.")
OrderArg = strawberry.argument(description="Sort order; ties break on id. Default: newest first.")
PeriodArg = strawberry.argument(description="Length of the counting period.")
