"""The registry of provincial departments and other units that receive assignments, letters and assessments.

Shipped as `data/departments.csv`; an operator adds units with `QZ_DEPARTMENTS_FILE` (a CSV of the same columns).
A department is referred to by its code everywhere: inputs, tokens, events.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    short_name: str


def _read(text: str, origin: str) -> list[Department]:
    out = []
    for row in csv.DictReader(text.splitlines()):
        code = (row.get("code") or "").strip()
        if not CODE.match(code) or not (row.get("name") or "").strip():
            raise ValueError(f"{origin}: {code!r} is not a department row (code: a-z, 0-9, _; and a name)")
        name = row["name"].strip()
        out.append(Department(code, name, (row.get("short_name") or "").strip() or name))
    return out


@cache
def all_departments() -> dict[str, Department]:
    from .settings import PlatformSettings

    shipped = resources.files("qianzhao.common").joinpath("data/departments.csv").read_text("utf-8")
    found = {d.code: d for d in _read(shipped, "departments.csv")}
    extra = PlatformSettings().departments_file
    if extra:
        found |= {d.code: d for d in _read(Path(extra).read_text("utf-8"), extra)}
    return found


def get(code: str | None) -> Department | None:
    return all_departments().get(code or "")


def unknown_message(code: str) -> str:
    """What a client sees for a code that is not in the registry (a typo, a name instead of a code)."""
    by_name = {d.name: d.code for d in all_departments().values()} | {
        d.short_name: d.code for d in all_departments().values()}
    hint = f"; did you mean {by_name[code]!r}?" if code in by_name else "; see the `departments` query"
    return f"Unknown department code {code!r}{hint}"


def require(code: str, field: str | list[str]) -> str:
    """The code when the registry holds it; else a BAD_USER_INPUT userError on `field` (nothing is dispatched)."""
    from .errors import DomainError, ErrorCode

    code = (code or "").strip()
    if get(code) is None:
        raise DomainError(ErrorCode.BAD_USER_INPUT, unknown_message(code), field)
    return code
