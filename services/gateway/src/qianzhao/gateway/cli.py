"""`qianzhao gateway` and `qianzhao supergraph`, added to the platform CLI by `register(app)`."""

from __future__ import annotations

from pathlib import Path

import typer


def _parse_urls(pairs: list[str] | None) -> dict[str, str]:
    urls = {}
    for pair in pairs or ():
        name, sep, url = pair.partition("=")
        if not sep or not name or not url:
            raise typer.BadParameter(f"expected NAME=URL, got {pair!r}", param_hint="--subgraph-url")
        urls[name.strip()] = url.strip()
    return urls


def register(app: typer.Typer) -> None:
    from .compose import SUPERGRAPH_PATH

    @app.command()
    def gateway(
        supergraph: Path = typer.Option(SUPERGRAPH_PATH, help="Supergraph SDL (Federation v2) to serve"),
        port: int = typer.Option(4000, help="Port to listen on"),
        host: str = typer.Option("127.0.0.1", help="Interface to listen on"),
        subgraph_url: list[str] = typer.Option(None, "--subgraph-url",
                                               help="NAME=URL, overrides a subgraph's URL from the supergraph"),
        introspection: bool | None = typer.Option(None, "--introspection/--no-introspection",
                                                  help="Answer introspection queries (default: on, except with "
                                                       "QZ_ENVIRONMENT=production)"),
        safelist: Path | None = typer.Option(None, help="JSON safelist of operations; only those run"),
        workers: int = typer.Option(1, help="Worker processes (each one event loop) sharing the port"),
    ) -> None:
        """Serve the federated GraphQL gateway at /graphql."""
        import json
        import os

        import uvicorn
        from qianzhao.common.settings import load_settings

        from .app import create_app
        from .settings import GatewaySettings

        if not supergraph.exists():
            raise typer.BadParameter(f"{supergraph} does not exist; run `qianzhao supergraph`",
                                     param_hint="--supergraph")
        urls = _parse_urls(subgraph_url)
        if workers > 1:  # workers import the app themselves: hand the options over as settings
            os.environ.update({"QZ_GATEWAY_SUPERGRAPH": str(supergraph.resolve()),
                               "QZ_GATEWAY_SUBGRAPH_URLS": json.dumps(urls)})
            if introspection is not None:
                os.environ["QZ_GATEWAY_INTROSPECTION"] = str(introspection).lower()
            if safelist:
                os.environ["QZ_GATEWAY_SAFELIST"] = str(safelist.resolve())
            uvicorn.run("qianzhao.gateway.app:create_app", factory=True, host=host, port=port, workers=workers,
                        log_level="warning", access_log=False)
            return
        settings = load_settings("gateway", lambda: GatewaySettings(
            supergraph=str(supergraph), introspection=introspection, safelist=str(safelist) if safelist else None))
        application = create_app(settings, urls=urls)
        uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False)

    @app.command()
    def supergraph(
        output: Path = typer.Option(SUPERGRAPH_PATH, help="Where to write the supergraph"),
        check: bool = typer.Option(False, help="Only check that the file is up to date"),
    ) -> None:
        """Compose the installed subgraphs with @apollo/composition into supergraph.graphql."""
        from .compose import compose_installed

        result = compose_installed()
        for hint in result.hints:
            typer.echo(f"hint: {hint}", err=True)
        if not result.ok:
            for error in result.errors:
                typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1)
        text = result.supergraph if result.supergraph.endswith("\n") else result.supergraph + "\n"
        if check:
            current = output.read_text(encoding="utf-8") if output.exists() else ""
            if current != text:
                typer.echo(f"{output} is stale; run `qianzhao supergraph`", err=True)
                raise typer.Exit(1)
            typer.echo(f"{output} is up to date")
            return
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")
