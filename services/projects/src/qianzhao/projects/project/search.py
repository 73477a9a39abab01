"""Index-backed Chinese substring search over name and summary (DESIGN §5).

Terms of 3+ characters use the pg_trgm GIN index (`search_text LIKE '%term%'`); 2-character terms
such as 茶叶 — which trigrams cannot serve — use the character-bigram array (`search_bigrams @> '{茶叶}'`,
GIN); a single character falls back to LIKE. Whitespace separates terms, all of which must match.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, true

from .models import Project


def like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def term_clause(term: str) -> ColumnElement[bool]:
    term = term.lower()
    if len(term) == 2:
        return Project.search_bigrams.contains([term])  # binds as text[]: served by the GIN index
    return Project.search_text.like(like_pattern(term))


def keyword_clause(keyword: str | None) -> ColumnElement[bool]:
    terms = [t for t in (keyword or "").split() if t]
    if not terms:
        return true()
    return and_(*[term_clause(t) for t in terms])
