"""The bureau's import files (Excel or CSV), the client side of `qianzhao import`.

Each import mutation of the installed services (`import<Records>`, common.importing) is a kind: `projects`,
`investment-trips`, `target-enterprises`, `grievances`, `enterprise-visits`, `arrears-claims`, `arrears-repayments`,
`arrears-plans`, `coordination-cases`.
A kind's columns are its row input type's fields, read from the service schemas, so the template, the reader and the
API never disagree: row 1 holds the Chinese headers (from the field descriptions, `*` when required), row 2 the
field names, data from row 3; a file whose first row holds field names (or Chinese headers) is read too.

A file is sent through the gateway with the caller's token, so jurisdiction applies exactly as in the consoles.
It is first checked whole (every chunk as a dry run, at most 1,000 rows per call): if any cell is refused, every
problem is reported (row, column, value, message) and nothing is written. Only then are the chunks written; each
call is one transaction, and rows are idempotent by externalRef, so if a later chunk fails (say a concurrent
import of the same references), running the same file again completes it and changes nothing twice.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    get_named_type,
)
from graphql.pyutils import Undefined

from .input_rules import MAX_IMPORT_ROWS

CHINESE = re.compile(r"\(([^()]*[\u4e00-\u9fff][^()]*)\)")
SEPARATORS = re.compile(r"[,，、;；\n]+")
TRUE, FALSE = {"true", "1", "是", "y", "yes", "√"}, {"false", "0", "否", "n", "no", ""}
LIST_SHEET = "取值"  # the template's sheet of allowed values (enums, region, department and chain codes)


@dataclass(frozen=True)
class Column:
    name: str  # the row input field
    header: str  # Chinese header
    scalar: str  # String, Int, Decimal, Date, Boolean, ID, or the enum's name
    required: bool
    is_list: bool = False
    choices: tuple[str, ...] = ()  # enum values
    labels: dict[str, str] = field(default_factory=dict)  # Chinese label → enum value
    description: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    mutation: str
    input_type: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column | None:
        for c in self.columns:
            if key in (c.name, c.header, c.header.rstrip("*")):
                return c
        return None


@dataclass
class Problem:
    row: int  # the file's row number (1 = the first line)
    column: str
    value: Any
    message: str


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"-\1", name).lower()


def _header(name: str, description: str, required: bool) -> str:
    found = CHINESE.search(description or "")
    text = found.group(1).split(",")[0].strip() if found else name
    return text + ("*" if required else "")


def kinds_of(schema) -> dict[str, Kind]:
    """The import kinds of a GraphQL schema (graphql-core), by name."""
    found: dict[str, Kind] = {}
    for name, f in (schema.mutation_type.fields.items() if schema.mutation_type else []):
        if not name.startswith("import") or "input" not in f.args:
            continue
        input_type = get_named_type(f.args["input"].type)
        rows = input_type.fields.get("rows") if isinstance(input_type, GraphQLInputObjectType) else None
        if rows is None:
            continue
        row_type = get_named_type(rows.type)
        columns = []
        for fname, fdef in row_type.fields.items():
            t, required = fdef.type, isinstance(fdef.type, GraphQLNonNull) and fdef.default_value is Undefined
            t = t.of_type if isinstance(t, GraphQLNonNull) else t
            is_list = isinstance(t, GraphQLList)
            named = get_named_type(t)
            choices, labels = (), {}
            if isinstance(named, GraphQLEnumType):
                choices = tuple(named.values)
                for value, v in named.values.items():
                    if (m := CHINESE.search(v.description or "")) is not None:
                        labels[m.group(1).strip()] = value
            columns.append(Column(fname, _header(fname, fdef.description or "", required), named.name, required,
                                  is_list, choices, labels, fdef.description or ""))
        kind = _kebab(name.removeprefix("import"))
        found[kind] = Kind(kind, name, input_type.name, tuple(columns))
    return found


def installed_kinds() -> dict[str, Kind]:
    """The import kinds of the installed services."""
    from .registry import installed_services

    found: dict[str, Kind] = {}
    for definition in installed_services():
        found |= kinds_of(definition.schema()._schema)
    return dict(sorted(found.items()))


# --- reading ----------------------------------------------------------------------------------------------------

def _rows_of(path: Path) -> Iterator[list[Any]]:
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as f:
            yield from csv.reader(f)
        return
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        book.close()


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not m:
        raise ValueError("not a date (YYYY-MM-DD)")
    return date(int(m[1]), int(m[2]), int(m[3])).isoformat()


def _scalar(column: Column, value: Any) -> Any:
    if column.choices:
        text = _text(value)
        found = text.upper() if text.upper() in column.choices else column.labels.get(text)
        if found is None:
            raise ValueError(f"not one of {', '.join(column.choices)}")
        return found
    if column.scalar == "Int":
        text = _text(value)
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError("not a whole number")
        return int(text)
    if column.scalar == "Decimal":
        try:
            amount = Decimal(_text(value).replace(",", ""))
        except InvalidOperation:
            raise ValueError("not an amount") from None
        if not amount.is_finite():
            raise ValueError("not an amount")
        return str(amount)
    if column.scalar == "Date":
        return _date(value)
    if column.scalar == "Boolean":
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if text in TRUE or text in FALSE:
            return text in TRUE
        raise ValueError("not 是/否 (true/false)")
    text = _text(value)
    if _is_code(column) and " " in text:  # a template list entry: the code, then its name
        return text.split()[0]
    return text


def _is_code(column: Column) -> bool:
    return column.name.endswith("regionCode") or "epartment" in column.name


def convert(column: Column, value: Any) -> Any:
    """A cell as the API takes it (None for an empty cell); ValueError says why a cell is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if column.is_list:
        return [_scalar(column, part) for part in SEPARATORS.split(_text(value)) if part.strip()]
    return _scalar(column, value)


@dataclass
class Sheet:
    """A file's rows as API rows, with the file row of each and the problems found in its cells."""

    kind: Kind
    rows: list[dict[str, Any]]
    lines: list[int]  # the file row of each API row
    headers: dict[str, str]  # field → the header the file used
    problems: list[Problem]


def read(kind: Kind, path: Path) -> Sheet:
    lines = iter(enumerate(_rows_of(path), start=1))
    first = next(lines, None)
    if first is None:
        return Sheet(kind, [], [], {}, [Problem(1, "", None, "The file is empty")])
    _, head = first
    mapping = [kind.column(_text(h)) if h is not None else None for h in head]
    problems: list[Problem] = []
    pending: tuple[int, list[Any]] | None = None
    second = next(lines, None)
    if second is not None:
        names = [kind.column(_text(v)) if v is not None else None for v in second[1]]
        if any(names) and all(n is None or n.name == _text(v) for n, v in zip(names, second[1], strict=False)):
            mapping = names  # the template's second row of field names
        else:
            pending = second
    headers = {c.name: _text(h) for c, h in zip(mapping, head, strict=False) if c is not None}
    unknown = [_text(h) for c, h in zip(mapping, head, strict=False) if c is None and h not in (None, "")]
    for name in unknown:
        problems.append(Problem(1, name, None, "Unknown column: not a field of this kind"))
    for c in kind.columns:
        if c.required and c.name not in headers:
            problems.append(Problem(1, c.header, None, f"Missing required column {c.header} ({c.name})"))
    rows, row_lines = [], []
    body = ([pending] if pending else []) + list(lines)
    for line, values in body:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        row: dict[str, Any] = {}
        refused: set[str] = set()
        for c, value in zip(mapping, values, strict=False):
            if c is None:
                continue
            try:
                converted = convert(c, value)
            except ValueError as exc:
                problems.append(Problem(line, headers.get(c.name, c.header), value, str(exc)))
                refused.add(c.name)
                continue
            if converted is not None:
                row[c.name] = converted
        for c in kind.columns:
            if c.required and c.name in headers and c.name not in row and c.name not in refused:
                problems.append(Problem(line, headers[c.name], None, "Required"))
        rows.append(row)
        row_lines.append(line)
    return Sheet(kind, rows, row_lines, headers, problems)


def by_row(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.row, p.column))


# --- sending ----------------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    checked: int = 0
    imported: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False


def _document(kind: Kind) -> str:
    return (f"mutation QzImport($i: {kind.input_type}!) {{ {kind.mutation}(input: $i) {{ imported unchanged checked "
            "dryRun userErrors { field code message } } }")


def _post(client: httpx.Client, url: str, token: str, kind: Kind, rows: list[dict], dry_run: bool) -> dict:
    response = client.post(url, json={"query": _document(kind), "variables": {"i": {"rows": rows, "dryRun": dry_run}}},
                           headers={"authorization": f"Bearer {token}"})
    body = response.json() if response.headers.get("content-type", "").startswith("application/") else {}
    if body.get("errors") or response.status_code >= 400 or not body.get("data"):
        errors = body.get("errors") or [{"message": f"HTTP {response.status_code}"}]
        raise ImportRefused("; ".join(f"{e.get('message')} ({(e.get('extensions') or {}).get('code', '')})"
                                      for e in errors))
    return body["data"][kind.mutation]


class ImportRefused(Exception):
    """The gateway refused a call as a whole (token, rights, limits): nothing of it was written."""


def _located(sheet: Sheet, start: int, errors: list[dict], rows: list[dict]) -> list[Problem]:
    found = []
    for e in errors:
        path = e.get("field") or []
        if len(path) >= 3 and path[1] == "rows" and str(path[2]).isdigit():
            i = start + int(path[2])
            name = str(path[3]) if len(path) > 3 else ""
            found.append(Problem(sheet.lines[i], sheet.headers.get(name, name), rows[int(path[2])].get(name),
                                 f"{e['message']} ({e['code']})"))
        else:
            found.append(Problem(0, ".".join(map(str, path)), None, f"{e['message']} ({e['code']})"))
    return found


def send(sheet: Sheet, *, url: str, token: str, dry_run: bool, chunk: int = MAX_IMPORT_ROWS,
         progress: Callable[[int], None] = lambda n: None, checked: Callable[[int], None] = lambda n: None,
         client: httpx.Client | None = None) -> Outcome:
    """Check the whole sheet (dry run), then, when nothing was refused and it is not a dry run, write it."""
    outcome = Outcome(problems=list(sheet.problems))
    if any(p.row <= 1 for p in sheet.problems):  # the columns themselves are wrong
        return outcome
    if outcome.problems:  # the service still checks the rows whose cells could all be read
        flawed = {p.row for p in sheet.problems}
        keep = [i for i, line in enumerate(sheet.lines) if line not in flawed]
        sheet = Sheet(sheet.kind, [sheet.rows[i] for i in keep], [sheet.lines[i] for i in keep], sheet.headers, [])
    own = client is None
    client = client or httpx.Client(timeout=600)
    try:
        for write in (False, True):
            if write and (dry_run or outcome.problems):
                break
            for start in range(0, len(sheet.rows), chunk):
                rows = sheet.rows[start:start + chunk]
                result = _post(client, url, token, sheet.kind, rows, dry_run=not write)
                outcome.problems += _located(sheet, start, result["userErrors"], rows)
                if write:
                    if result["userErrors"]:
                        break
                    outcome.imported += result["imported"]
                    outcome.unchanged += result["unchanged"]
                    progress(len(rows))
                else:
                    outcome.checked += result["checked"]
                    outcome.unchanged += result["unchanged"]
                    checked(len(rows))
            if not write and not dry_run:
                outcome.unchanged = 0  # counted again as the chunks are written
        outcome.written = not dry_run and not outcome.problems
        return outcome
    finally:
        if own:
            client.close()


# --- templates --------------------------------------------------------------------------------------------------

def reference_lists() -> dict[str, list[str]]:
    """Codes a template offers in its validation lists: divisions, departments and industry chains."""
    from . import departments, regions

    return {"regionCode": [f"{r.code} {r.name}" for r in regions.all_regions().values()],
            "department": [f"{d.code} {d.name}" for d in departments.all_departments().values()]}


def write_template(kind: Kind, path: Path) -> None:
    """An Excel template: Chinese headers, field names, a list of allowed values for enum and code columns."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = kind.name
    lists = book.create_sheet(LIST_SHEET)
    refs = reference_lists()
    list_col = 0
    for i, c in enumerate(kind.columns, start=1):
        letter = get_column_letter(i)
        sheet.cell(1, i, c.header).font = Font(bold=True, color="C00000" if c.required else "000000")
        sheet.cell(1, i).comment = Comment(c.description[:1000], "qianzhao")
        sheet.cell(2, i, c.name).font = Font(italic=True, color="808080")
        sheet.column_dimensions[letter].width = max(12, min(40, len(c.header) * 2 + 4))
        values = list(c.choices) if c.choices else refs.get("regionCode") if c.name.endswith("regionCode") \
            else refs.get("department") if _is_code(c) else None
        if not values or c.is_list:
            continue
        list_col += 1
        lcol = get_column_letter(list_col)
        lists.cell(1, list_col, c.name)
        for r, v in enumerate(values, start=2):
            lists.cell(r, list_col, v)
        if c.choices or _is_code(c):  # a code column's entry is "<code> <name>"; the reader keeps the code
            rule = DataValidation(type="list", formula1=f"='{LIST_SHEET}'!${lcol}$2:${lcol}${len(values) + 1}",
                                  allow_blank=not c.required, showErrorMessage=bool(c.choices))
            rule.add(f"{letter}3:{letter}10002")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A3"
    book.save(path)
