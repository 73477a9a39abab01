"""Index-backed Chinese substring search over name and summary (DESIGN §5).

Terms of 3+ characters use the pg_trgm GIN index (`search_text LIKE '%term%'`); 1- and 2-character
terms such as 茶 or 茶叶 — which trigrams cannot serve — use the array of single characters and character
bigrams (`search_grams @> '{茶叶}'`, GIN), which is exact for them. Whitespace separates terms, all of
which must match.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, true

from .models import Project


def like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def term_clause(term: str) -> ColumnElement[bool]:
    term = term.lower()
    if len(term) <= 2:
        return Project.search_grams.contains([term])  # binds as text[]: served by the GIN index
    return Project.search_text.like(like_pattern(term))


def search_clause(text: str | None) -> ColumnElement[bool]:
    terms = [t for t in (text or "").split() if t]
    if not terms:
        return true()
    return and_(*[term_clause(t) for t in terms])
