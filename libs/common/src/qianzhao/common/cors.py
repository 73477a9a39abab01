"""CORS for browser consoles served from another origin (QZ_CORS_ORIGINS): the gateway and every subgraph answer
preflights and label responses alike, with Starlette's CORSMiddleware; no origin listed, no CORS headers."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware

# what a console sends: a bearer token (not cookies), JSON, and trace context
ALLOW_HEADERS = ["authorization", "content-type", "accept", "traceparent", "tracestate"]
EXPOSE_HEADERS = ["retry-after", "www-authenticate"]  # a console can tell rate limiting from a bad token


def allow_origins(app: Starlette, origins: list[str]) -> None:
    """Answer CORS for exactly `origins` (e.g. `https://console.example.gov.cn`); nothing when the list is empty."""
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                           allow_headers=ALLOW_HEADERS, expose_headers=EXPOSE_HEADERS, allow_credentials=False,
                           max_age=600)
