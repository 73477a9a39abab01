"""Automatic persisted queries (APQ) and the safelist: operations known by their SHA-256 hash."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from pathlib import Path


class PersistedQueryError(Exception):
    def __init__(self, message: str, code: str, status: int = 200):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class PersistedQueries:
    """APQ store (bounded) plus an optional safelist: with a safelist, only listed operations run."""

    def __init__(self, enabled: bool = True, safelist: dict[str, str] | None = None, size: int = 10_000):
        self.enabled = enabled
        self.safelist = safelist
        self.size = size
        self._store: OrderedDict[str, str] = OrderedDict()

    @classmethod
    def load_safelist(cls, path: Path) -> dict[str, str]:
        """A JSON object {sha256: query} or a list of queries (hashes computed)."""
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        if isinstance(raw, list):
            return {sha256(q): q for q in raw}
        return {str(k): str(v) for k, v in raw.items()}

    def resolve(self, query: str | None, extensions: dict | None) -> str:
        """The query text to run, or PersistedQueryError."""
        pq = (extensions or {}).get("persistedQuery") if isinstance(extensions, dict) else None
        if pq is not None:
            if not self.enabled and self.safelist is None:
                raise PersistedQueryError("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED")
            if not isinstance(pq, dict) or pq.get("version") != 1 or not isinstance(pq.get("sha256Hash"), str):
                raise PersistedQueryError("Unsupported persisted query version", "BAD_REQUEST", 400)
            digest = pq["sha256Hash"]
            if query is None:
                found = (self.safelist or {}).get(digest) or self._store.get(digest)
                if found is None:
                    raise PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
                query = found
            elif sha256(query) != digest:
                raise PersistedQueryError("provided sha does not match query", "BAD_REQUEST", 400)
            elif self.enabled and self.safelist is None:
                self._store[digest] = query
                if len(self._store) > self.size:
                    self._store.popitem(last=False)
        if query is None:
            raise PersistedQueryError("GraphQL operations must contain a non-empty `query` or a `persistedQuery` "
                                      "extension.", "BAD_REQUEST", 400)
        if self.safelist is not None and sha256(query) not in self.safelist:
            raise PersistedQueryError("This operation is not on the safelist (PersistedQueryNotInList)",
                                      "PERSISTED_QUERY_NOT_IN_LIST", 400)
        return query
