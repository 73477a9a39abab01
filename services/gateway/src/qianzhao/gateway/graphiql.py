"""GraphiQL served by the gateway alone (an intranet has no CDN): the page at /graphql for browsers, and its
bundle (graphiql/, built from the npm lockfile on first need) under /graphiql/assets/."""

from __future__ import annotations

import logging
import re

import orjson
from qianzhao.common.settings import DEV_JWT_SECRET
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from .node import ensure_graphiql_bundle
from .settings import GatewaySettings

log = logging.getLogger("qianzhao.gateway")
ASSETS = "/graphiql/assets"
_ASSET_NAME = re.compile(r"[\w.-]+\.(js|css)")
# everything from the gateway itself; Monaco sets inline styles; fonts are inlined as data: URLs
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; "
       "img-src 'self' data:; connect-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")
DEFAULT_QUERY = "# 黔招 GraphQL: Ctrl-Enter runs the operation\n{\n  me { role subject }\n  projects(first: 5) {\n" \
                "    totalCount\n    nodes { number name status }\n  }\n}\n"
PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>黔招 GraphiQL</title>
<link rel="stylesheet" href="graphiql/assets/graphiql.css">
<script id="qz-graphiql-config" type="application/json">{config}</script>
<script type="module" src="graphiql/assets/graphiql.js"></script>
</head>
<body><div id="graphiql">GraphiQL is loading…</div></body>
</html>
"""


def wants_page(request: Request) -> bool:
    """A browser's plain GET of the endpoint (no operation in the query string, HTML accepted)."""
    params = request.query_params
    return request.method == "GET" and "query" not in params and "extensions" not in params and \
        "text/html" in (request.headers.get("accept") or "")


def dev_headers(settings: GatewaySettings) -> dict[str, str]:
    """The token `qianzhao up` prints, where anyone could sign it anyway: outside production, with the shipped
    dev secret and no JWKS. Anywhere else the user pastes their own."""
    if settings.is_production or settings.jwt_jwks_url or \
            settings.jwt_secret.get_secret_value() != DEV_JWT_SECRET:
        return {}
    from qianzhao.common import regions
    from qianzhao.common.auth import Role
    from qianzhao.common.cli import make_token

    ttl = min(720, settings.jwt_max_lifetime_minutes)
    return {"Authorization": "Bearer " + make_token(Role.PROVINCE, regions.PROVINCE_CODE, None, None, ttl,
                                                      settings=settings)}


def page(settings: GatewaySettings) -> Response:
    """The HTML page: its own assets and endpoint by relative URL (works behind a path prefix), nothing else."""
    config = orjson.dumps({"endpoint": "graphql", "headers": dev_headers(settings), "query": DEFAULT_QUERY})
    html = PAGE.replace("{config}", config.decode().replace("<", "\\u003c"))
    return HTMLResponse(html, headers={"content-security-policy": CSP, "cache-control": "no-store",
                                       "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"})


async def asset(request: Request) -> Response:
    """A file of the bundle; the first request after a fresh clone (or a lockfile change) waits for the build."""
    name = request.path_params["name"]
    if not _ASSET_NAME.fullmatch(name):
        return PlainTextResponse("Not Found", 404)
    try:
        folder = await run_in_threadpool(ensure_graphiql_bundle)
    except Exception as exc:  # no node, no npm registry: say so instead of a blank page
        log.error("GraphiQL bundle unavailable: %s", exc)
        return PlainTextResponse(f"GraphiQL could not be built: {exc}", 503)
    path = folder / name
    if not path.is_file():
        return PlainTextResponse("Not Found", 404)
    return FileResponse(path, headers={"cache-control": "no-cache", "x-content-type-options": "nosniff"})
