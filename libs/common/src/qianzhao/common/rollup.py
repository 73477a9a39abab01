"""Region roll-up for statistics: the prefecture and county a record's region code lies in, as SQL expressions.

GB/T 2260 codes nest by prefix: a county `520102` lies in the prefecture `520100`; a prefecture-level record has no
county and a province-level record neither. Grouping by these keys makes a prefecture's row equal the sum of its
counties' rows plus its own prefecture-level records.
"""

from __future__ import annotations

from sqlalchemy import case, func, literal

from .regions import PROVINCE_CODE


def prefecture_key(column):
    """The prefecture code of `column` (null for the province)."""
    return case((column == PROVINCE_CODE, None), else_=func.substr(column, 1, 4).op("||")(literal("00")))


def county_key(column):
    """`column` when it names a county (its last two digits are not 00), else null."""
    return case((func.substr(column, 5, 2) == "00", None), else_=column)
