"""libpq's TLS parameters in a database URL (`?sslmode=verify-full&sslrootcert=…`) as asyncpg's `ssl=` argument.

Operators write PostgreSQL URLs as libpq reads them; SQLAlchemy hands the query string to `asyncpg.connect` as
keyword arguments, which has no `sslmode` or `sslrootcert`. So they are taken out of the URL and become one
`ssl` connect argument, with libpq's meaning:

| sslmode | asyncpg gets |
|---|---|
| `disable` | `ssl=False` |
| `allow`, `prefer` | the same word (TLS when the server offers it, no verification) |
| `require` | `"require"` (encrypted, unverified); with `sslrootcert`, as libpq does, `verify-ca` |
| `verify-ca` | an `SSLContext` trusting `sslrootcert` (else the system's CAs), any host name |
| `verify-full` | the same, and the server's name must match the URL's host |

`sslcert`/`sslkey` add a client certificate. An unknown `sslmode` is a ConfigError naming QZ_DATABASE_URL.
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .settings import ConfigError

LIBPQ_TLS = ("sslmode", "sslrootcert", "sslcert", "sslkey")
MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def split_tls(url: str) -> tuple[str, dict[str, Any]]:
    """(`url` without libpq's TLS parameters, the connect arguments asyncpg needs for them: {} or {"ssl": …})."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    tls = {k: v for k, v in query if k in LIBPQ_TLS}
    if not tls:
        return url, {}
    rest = urlencode([(k, v) for k, v in query if k not in LIBPQ_TLS])
    return urlunsplit(parts._replace(query=rest)), {"ssl": asyncpg_ssl(tls)}


def asyncpg_ssl(tls: dict[str, str]) -> bool | str | ssl.SSLContext:
    """asyncpg's `ssl` argument for libpq's `sslmode`, `sslrootcert`, `sslcert` and `sslkey`."""
    mode = tls.get("sslmode") or "prefer"  # libpq's default
    if mode not in MODES:
        raise ConfigError(f"QZ_DATABASE_URL has sslmode={mode}; use one of {', '.join(MODES)}")
    if mode == "require" and tls.get("sslrootcert"):
        mode = "verify-ca"  # libpq: a root certificate given with `require` is used to verify the server
    if mode == "disable":
        return False
    client_cert = tls.get("sslcert")
    if mode in ("allow", "prefer", "require") and not client_cert:
        return mode
    if mode in ("verify-ca", "verify-full"):
        context = ssl.create_default_context(cafile=tls.get("sslrootcert") or None)
        context.check_hostname = mode == "verify-full"
    else:  # encrypted but unverified, with a client certificate
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if client_cert:
        context.load_cert_chain(client_cert, tls.get("sslkey") or None)
    return context
