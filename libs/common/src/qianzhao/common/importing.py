"""Importing the bureau's existing records (导入), the service side: one `import<Records>` mutation per record kind.

A call carries up to 1,000 rows (`input_rules.MAX_IMPORT_ROWS`). Every row names its record in the bureau's own
register (`externalRef`, 外部编号): a row whose reference was imported before is left as it is, so importing the
same file again changes nothing. Every row is checked with the rules of the matching mutation and every problem is
reported at once, each at its path `["input", "rows", <row>, <field>]`; if any row has a problem, or the call is a
dry run, nothing is written. Otherwise all rows are written in one transaction, each with its history row
(`IMPORTED`) and the same events the mutations emit. The `qianzhao import` command (common.import_cli) sends files
through the gateway in such calls.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from typing import Any

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .api import UserError, mutate
from .errors import DomainError, DomainErrors, ErrorCode, Problems
from .ids import release_numbers
from .uow import UnitOfWork

EXTERNAL_REF = ("The record's reference in the bureau's own register or spreadsheet (外部编号), unique per record "
                "kind: a row whose reference was imported before is left unchanged.")
ROWS = "The rows to import, at most 1,000 per call (导入行)."
DRY_RUN = "Check every row and report every problem without writing anything (试导入)."
DEMO = "Synthetic demonstration data (演示数据), never the bureau's real records."


_checking: ContextVar[bool] = ContextVar("qz_import_checking", default=False)


def checking() -> bool:
    """True while a dry run checks its rows: a row's `add` may stop once the row is checked, staging nothing."""
    return _checking.get()


@strawberry.federation.type(shareable=True, description="What an import call did (导入结果); with userErrors nothing was written.")
class ImportPayload:
    imported: int = strawberry.field(description="Rows written by this call (0 on a dry run or with userErrors).")
    unchanged: int = strawberry.field(description="Rows whose externalRef had been imported before: left as they are.")
    checked: int = strawberry.field(description="Rows checked (all of them, on a dry run too).")
    dry_run: bool = strawberry.field(description="True when nothing was written because a dry run was asked for.")
    user_errors: list[UserError] = strawberry.field(description=(
        "Every problem of every row, each at its path [\"input\", \"rows\", row, field] (rows count from 0); when "
        "present nothing was written."))


def import_input(name: str, row_type: type, what: str) -> type:
    """`Import<Records>Input`: the rows of one call and the dry-run switch."""
    namespace = {
        "__annotations__": {"rows": list[row_type], "dry_run": bool},
        "rows": strawberry.field(description=ROWS),
        "dry_run": strawberry.field(default=False, description=DRY_RUN),
    }
    return strawberry.input(type(name, (), namespace), description=f"Rows of {what} to import (导入).")


async def existing_refs(session: AsyncSession, column: Any, refs: Sequence[str]) -> set[str]:
    """The references among `refs` already stored in `column` (one query)."""
    if not refs:
        return set()
    return set((await session.execute(select(column).where(column.in_(list(set(refs)))))).scalars())


def _at_row(index: int, error: DomainError) -> list[DomainError]:
    found = error.errors if isinstance(error, DomainErrors) else [error]
    return [DomainError(e.code, e.message, ["rows", str(index), *(e.field or [])]) for e in found]


async def run(info, rows: Sequence[Any], *, dry_run: bool, known: Callable[[AsyncSession, list[str]], Awaitable[set[str]]],
              add: Callable[[UnitOfWork, Any], Awaitable[None]]) -> ImportPayload:
    """Check and write `rows` all or nothing: `add(uow, row)` stages one row (raising a DomainError before staging
    anything when the row is refused); `known` tells which references were imported before."""
    counts = {"imported": 0, "unchanged": 0}

    async def step(uow: UnitOfWork) -> None:
        refs = [(getattr(r, "external_ref", None) or "").strip() for r in rows]
        before = await known(uow.session, [r for r in refs if r])
        problems, first_row = Problems(), {}
        for i, (row, ref) in enumerate(zip(rows, refs, strict=True)):
            if not ref:
                problems.add(DomainError(ErrorCode.BAD_USER_INPUT, "externalRef is required: the record's reference "
                                         "in your register", ["rows", str(i), "externalRef"]))
                continue
            if ref in first_row:
                problems.add(DomainError(ErrorCode.BAD_USER_INPUT, f"externalRef {ref} repeats row "
                                         f"{first_row[ref]}", ["rows", str(i), "externalRef"]))
                continue
            first_row[ref] = i
            if ref in before:
                counts["unchanged"] += 1
                continue
            try:
                await add(uow, row)
            except DomainError as exc:
                for e in _at_row(i, exc):
                    problems.add(e)
            else:
                counts["imported"] += 1
        problems.raise_any()
        await release_numbers(uow.session)
        if dry_run:
            await uow.discard()

    token = _checking.set(dry_run)
    try:
        _, errors = await mutate(info, step)
    finally:
        _checking.reset(token)
    written = not errors and not dry_run
    return ImportPayload(imported=counts["imported"] if written else 0, unchanged=counts["unchanged"],
                         checked=len(rows), dry_run=dry_run, user_errors=errors)
