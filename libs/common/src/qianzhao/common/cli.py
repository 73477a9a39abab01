"""The `qianzhao` command: up, token, migrate, nats-config, asyncapi (and gateway, supergraph when installed)."""

from __future__ import annotations

import typer

from . import regions
from .auth import Principal, Role, issue_token, principal_from_claims
from .errors import ApiError
from .settings import ConfigError, PlatformSettings

app = typer.Typer(help="Qianzhao (黔招) platform command line.", no_args_is_help=True, add_completion=False)


def make_token(role: Role, region: str, department: str | None, credit_code: str | None, ttl: int,
               subject: str | None = None, settings: PlatformSettings | None = None) -> str:
    """A dev token for `qianzhao token` and `qianzhao up` (and the gateway's GraphiQL), signed with `settings`."""
    if regions.get(region) is None:
        raise typer.BadParameter(f"unknown region code {region}", param_hint="--region")
    principal = Principal(subject=subject or f"dev-{role.value.lower()}-{region}", role=role, region_code=region,
                          department=department, credit_code=credit_code)
    settings = settings or PlatformSettings()
    try:  # print only tokens the platform accepts
        principal_from_claims(principal.claims())
    except ApiError as exc:
        hint = {Role.ENTERPRISE: "--credit-code", Role.DEPARTMENT: "--department"}.get(role, "--region")
        raise typer.BadParameter(exc.message, param_hint=hint) from None
    if ttl > settings.jwt_max_lifetime_minutes:
        raise typer.BadParameter(f"at most {settings.jwt_max_lifetime_minutes} minutes (QZ_JWT_MAX_LIFETIME_MINUTES)",
                                 param_hint="--ttl")
    return issue_token(settings, principal, ttl)


@app.command()
def up() -> None:
    """Start PostgreSQL, NATS, migrations and every service; Ctrl-C stops them all."""
    from .supervisor import run_up

    raise typer.Exit(run_up(make_token(Role.PROVINCE, regions.PROVINCE_CODE, None, None, 720)))


@app.command()
def token(
    role: Role = typer.Option(..., help="PROVINCE, PREFECTURE, COUNTY, DEPARTMENT, ENTERPRISE or SERVICE"),
    region: str = typer.Option(regions.PROVINCE_CODE, help="6-digit division code of the principal"),
    department: str | None = typer.Option(None, help="Department registry code, e.g. natural_resources (DEPARTMENT role)"),
    credit_code: str | None = typer.Option(None, "--credit-code", help="Unified social credit code (ENTERPRISE)"),
    ttl: int = typer.Option(720, help="Minutes until the token expires"),
    subject: str | None = typer.Option(None, help="Subject (user id) in the token"),
) -> None:
    """Print a signed dev JWT (HS256, dev secret or QZ_JWT_SECRET)."""
    typer.echo(make_token(role, region, department, credit_code, ttl, subject))


@app.command()
def migrate(
    service: list[str] = typer.Option(None, help="Only these services (default: all installed)"),
) -> None:
    """Apply every service's Alembic migrations to its configured database (QZ_<SERVICE>_DATABASE_URL)."""
    import os

    from .migrations import upgrade
    from .registry import installed_services

    for definition in installed_services():
        if service and definition.name not in service:
            continue
        url = os.environ.get(f"QZ_{definition.name.upper()}_DATABASE_URL") or PlatformSettings().database_url
        typer.echo(f"migrating {definition.name} …")
        upgrade(definition.migrations, url)
    typer.echo("done.")


@app.command("nats-config")
def nats_config(
    password: list[str] = typer.Option(None, help="USER=PASSWORD for one user (repeatable)"),
    passwords_file: str | None = typer.Option(None, help="A JSON object of user → password (as `qianzhao up` "
                                                         "keeps in .data/nats-passwords.json)"),
    out: str | None = typer.Option(None, help="Write the block to this file (default: print it)"),
) -> None:
    """Print the nats-server `authorization` block: the users `projects`, `grievances`, `coordination`,
    `subscriber` and `admin` with their permissions. A user whose password is not given gets
    `$QZ_NATS_PASSWORD_<USER>`, which nats-server reads from its environment."""
    from pathlib import Path

    import orjson

    from . import nats_auth

    users = nats_auth.installed_users()
    given: dict[str, str] = orjson.loads(Path(passwords_file).read_bytes()) if passwords_file else {}
    for pair in password or ():
        name, sep, value = pair.partition("=")
        if not sep or not value:
            raise typer.BadParameter(f"expected USER=PASSWORD, got {name!r}=…", param_hint="--password")
        given[name] = value
    unknown = set(given) - {u.name for u in users}
    if unknown:
        raise typer.BadParameter(f"no such NATS user: {', '.join(sorted(unknown))}", param_hint="--password")
    text = nats_auth.server_config(users, given)
    if out:
        target = Path(out)
        target.touch(mode=0o600)
        target.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {target}", err=True)
    else:
        typer.echo(text, nl=False)


EVENT_DOCS = "docs/events"


def event_documents() -> dict[str, str]:
    """File name → AsyncAPI 3.0 JSON for each installed service's events (generated from their pydantic models)."""
    import orjson

    from .asyncapi import document
    from .registry import installed_services

    docs = {}
    for d in installed_services():
        doc = document(d.events, title=f"{d.title} — events", service=d.name, graphql_schema=d.schema()._schema)
        docs[f"{d.name}.asyncapi.json"] = orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"
    return docs


@app.command()
def asyncapi(out: str = typer.Option(EVENT_DOCS, help="Folder to write <service>.asyncapi.json into")) -> None:
    """Write the AsyncAPI 3.0 documents subscribers read (one per service)."""
    from pathlib import Path

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in event_documents().items():
        (folder / name).write_text(text, encoding="utf-8")
        typer.echo(f"wrote {folder / name}")


DEFAULT_GATEWAY = "http://127.0.0.1:4000/graphql"


@app.command("import")
def import_(
    kind: str = typer.Argument(..., help="What the file holds (`qianzhao import kinds` lists them), or `template`"),
    file: str | None = typer.Argument(None, help="The .xlsx or .csv file; after `template`, the kind"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check every row and report every problem; write nothing"),
    gateway: str = typer.Option(DEFAULT_GATEWAY, envvar="QZ_GATEWAY_URL", help="The gateway's GraphQL URL"),
    token: str | None = typer.Option(None, envvar="QZ_TOKEN", help="Your bearer token (jurisdiction applies)"),
    out: str | None = typer.Option(None, help="Where `template` writes the workbook (default <kind>.xlsx)"),
) -> None:
    """Import the bureau's records from Excel or CSV through the gateway, all or nothing, idempotent by externalRef:
    `qianzhao import projects 项目库.xlsx [--dry-run]`; `qianzhao import template projects` writes the template."""
    from pathlib import Path

    from rich.console import Console
    from rich.progress import Progress

    from . import import_files

    kinds = import_files.installed_kinds()
    if kind == "kinds":
        for name, k in kinds.items():
            typer.echo(f"{name}\t{k.mutation}\t{len(k.columns)} columns")
        return
    if kind == "template":
        chosen = kinds.get(file or "")
        if chosen is None:
            raise typer.BadParameter(f"one of: {', '.join(kinds)}", param_hint="KIND")
        target = Path(out or f"{chosen.name}.xlsx")
        import_files.write_template(chosen, target)
        typer.echo(f"wrote {target}")
        return
    chosen = kinds.get(kind)
    if chosen is None:
        raise typer.BadParameter(f"one of: {', '.join(kinds)}, template", param_hint="KIND")
    if file is None or not Path(file).is_file():
        raise typer.BadParameter("the file to import", param_hint="FILE")
    if not token:
        raise typer.BadParameter("a bearer token (or QZ_TOKEN)", param_hint="--token")
    sheet = import_files.read(chosen, Path(file))
    console = Console(stderr=True)
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"{chosen.name}: {len(sheet.rows)} rows", total=len(sheet.rows) * (1 if dry_run else 2))
            outcome = import_files.send(sheet, url=gateway, token=token, dry_run=dry_run,
                                        progress=lambda n: progress.advance(task, n or 0),
                                        checked=lambda n: progress.advance(task, n))
    except import_files.ImportRefused as exc:
        console.print(f"[red]refused, nothing written:[/red] {exc}")
        raise typer.Exit(1) from None
    for p in import_files.by_row(outcome.problems):
        typer.echo(f"row {p.row}\t{p.column}\t{'' if p.value is None else p.value}\t{p.message}")
    if outcome.problems:
        console.print(f"[red]{len(outcome.problems)} problems; nothing written[/red]" if not outcome.written
                      else f"[red]{len(outcome.problems)} problems[/red]")
        raise typer.Exit(1)
    if dry_run:
        console.print(f"dry run: {outcome.checked} rows checked, no problems ({outcome.unchanged} imported before); "
                      "nothing written")
    else:
        console.print(f"imported {outcome.imported} rows; {outcome.unchanged} imported before, left unchanged")


demo_app = typer.Typer(help="Synthetic demonstration data (演示数据).", no_args_is_help=True)
app.add_typer(demo_app, name="demo")


@demo_app.command("load")
def demo_load(
    gateway: str = typer.Option(DEFAULT_GATEWAY, envvar="QZ_GATEWAY_URL", help="The gateway's GraphQL URL"),
    token: str | None = typer.Option(None, envvar="QZ_TOKEN", help="A PROVINCE token (default: a dev token)"),
) -> None:
    """Load the demonstration data set through the import path (every record flagged demo); its statistics equal
    the figures of the bureau's 2023 reply. Loading it again changes nothing."""
    from . import demo
    from .import_files import ImportRefused

    try:
        demo.load(gateway, token or make_token(Role.PROVINCE, regions.PROVINCE_CODE, None, None, 120),
                  report=typer.echo)
    except (demo.DemoError, ImportRefused) as exc:
        typer.echo(f"demo data not loaded: {exc}", err=True)
        raise typer.Exit(1) from None


events_app = typer.Typer(help="Read and rewind the platform's event streams (NATS JetStream).", no_args_is_help=True)
app.add_typer(events_app, name="events")


def _when(text: str | None):
    from datetime import UTC, datetime

    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO time such as 2026-12-01T08:00:00+08:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@events_app.command("tail")
def events_tail(
    type_: str | None = typer.Option(None, "--type", help="Only event types matching this glob, e.g. '*.grievances.*'"),
    region: str | None = typer.Option(None, help="Only events of this division or beneath it"),
    since: str | None = typer.Option(None, help="Start at this time (ISO 8601; default: the streams' beginning)"),
    seq: int | None = typer.Option(None, help="Start at this stream sequence instead"),
    follow: bool = typer.Option(False, "--follow", "-f", help="Keep printing new events until interrupted"),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line (the CloudEvent plus stream, seq)"),
) -> None:
    """Print the platform's events, oldest first per stream (as the read-only subscriber user)."""
    import asyncio

    from .event_tools import Selection, tail
    from .settings import load_settings

    if region is not None and regions.get(region) is None:
        raise typer.BadParameter(f"unknown region code {region}", param_hint="--region")
    selection = Selection(types=type_, region=region, since=_when(since), seq=seq)
    try:
        asyncio.run(tail(load_settings("events tail", PlatformSettings), selection, as_json=as_json, follow=follow, write=typer.echo))
    except KeyboardInterrupt:
        pass


@events_app.command("replay")
def events_replay(
    consumer: str = typer.Option(..., help="Durable consumer to rewind, e.g. coordination-projects"),
    since: str = typer.Option(..., help="Deliver again everything from this time on (ISO 8601)"),
) -> None:
    """Rewind a durable consumer to a point in time (as the admin user); its service skips what it already handled."""
    import asyncio

    from .event_tools import replay
    from .settings import load_settings

    try:
        result = asyncio.run(replay(load_settings("events replay", PlatformSettings), consumer, _when(since)))
    except LookupError as exc:
        raise typer.BadParameter(str(exc), param_hint="--consumer") from None
    typer.echo(f"{result['consumer']} on {result['stream']}: {result['pending']} events to deliver again since "
               f"{result['since']}")


webhooks_app = typer.Typer(help="Deliver events to registered HTTPS endpoints (signed, retried, dead-lettered).",
                            no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")
WEBHOOKS_FILE = typer.Option(None, "--config", help="Endpoints file (JSON; default: $QZ_WEBHOOKS_FILE)")


def _webhook_config(config: str | None):
    import os

    from .settings import ConfigError, load_settings
    from .webhooks import WebhookConfig

    settings = load_settings("webhooks", PlatformSettings)
    path = config or os.environ.get("QZ_WEBHOOKS_FILE")
    if not path:
        raise typer.BadParameter("give --config or set QZ_WEBHOOKS_FILE", param_hint="--config")
    try:
        return settings, WebhookConfig.load(path, production=settings.is_production)
    except (OSError, ValueError, ConfigError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--config") from None


@webhooks_app.command("check")
def webhooks_check(config: str | None = WEBHOOKS_FILE) -> None:
    """Validate the endpoints file: names, https URLs, regions, globs, bounds, and that every secret is set."""
    _, loaded = _webhook_config(config)
    for e in loaded.endpoints:
        typer.echo(f"{e.name}: {e.url} · {', '.join(e.types)} · region {e.region} · up to {e.max_attempts} attempts")


@webhooks_app.command("run")
def webhooks_run(config: str | None = WEBHOOKS_FILE) -> None:
    """Deliver until interrupted (as the `webhooks` NATS user: QZ_NATS_USER/QZ_NATS_PASSWORD, or `qianzhao up`'s)."""
    import asyncio

    from .event_tools import connect_kwargs
    from .nats_auth import WEBHOOKS
    from .webhooks import Bridge

    settings, loaded = _webhook_config(config)
    bridge = Bridge(loaded, nats_url=settings.nats_url, connect=connect_kwargs(settings, WEBHOOKS))
    try:
        asyncio.run(bridge.run())
    except KeyboardInterrupt:
        pass


ops_app = typer.Typer(help="The operator's view of a deployed platform (Kubernetes API).", no_args_is_help=True)
app.add_typer(ops_app, name="ops")
CONTEXT = typer.Option(None, "--context", help="kubeconfig context (default: the current one)")
NAMESPACE = typer.Option("qianzhao", "--namespace", "-n", help="Namespace of the platform")
KUBECONFIG = typer.Option(None, "--kubeconfig", help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")


@ops_app.command("status")
def ops_status(context: str | None = CONTEXT, namespace: str = NAMESPACE, kubeconfig: str | None = KUBECONFIG,
               as_json: bool = typer.Option(False, "--json", help="JSON for scripts")) -> None:
    """Rollouts, restarts and images; each service's readiness and outbox lag; NATS streams and consumers."""
    from rich.console import Console
    from rich.table import Table

    from . import ops

    found = ops.status(ops.api(context, kubeconfig), namespace)
    if as_json:
        typer.echo(found.to_json())
        return
    console = Console()
    table = Table("kind", "name", "ready", "updated", "restarts", "images", title=f"workloads in {namespace}")
    for w in found.workloads:
        table.add_row(w.kind, w.name, f"{w.ready}/{w.desired}", str(w.updated), str(w.restarts), ", ".join(w.images))
    console.print(table)
    table = Table("service", "readiness", title="services")
    for name, ready in found.readiness.items():
        table.add_row(name, ready if isinstance(ready, str) else str(ready.get("checks", ready)))
    console.print(table)
    table = Table("stream", "replicas", "messages", "bytes", title="JetStream")
    for s in found.streams:
        table.add_row(s["name"], str(s["replicas"]), str(s["messages"]), str(s["bytes"]))
    console.print(table)
    table = Table("consumer", "stream", "pending", "redelivered")
    for c in found.consumers:
        table.add_row(c["name"], c["stream"], str(c["pending"]), str(c["redelivered"]))
    console.print(table)


@ops_app.command("doctor")
def ops_doctor(context: str | None = CONTEXT, namespace: str = NAMESPACE, kubeconfig: str | None = KUBECONFIG,
               as_json: bool = typer.Option(False, "--json", help="JSON for scripts"),
               replicas: int = typer.Option(3, help="The stream replicas the platform is configured for")) -> None:
    """The status as checks, each passed or failed with its fix; exits 1 when any failed."""
    import json
    from dataclasses import asdict

    from rich.console import Console
    from rich.table import Table

    from . import ops

    findings = ops.doctor(ops.status(ops.api(context, kubeconfig), namespace), stream_replicas=replicas)
    if as_json:
        typer.echo(json.dumps([asdict(f) for f in findings], ensure_ascii=False, indent=2))
    else:
        table = Table("", "check", "detail", "fix", title=f"qianzhao doctor: {namespace}")
        for f in findings:
            table.add_row("[green]✓[/]" if f.ok else "[red]✗[/]", f.check, f.detail, f.fix)
        Console().print(table)
    if not all(f.ok for f in findings):
        raise typer.Exit(1)


@ops_app.command("migrate")
def ops_migrate(context: str | None = CONTEXT, namespace: str = NAMESPACE, kubeconfig: str | None = KUBECONFIG,
                image: str | None = typer.Option(None, help="Image to migrate to (default: the one the services run)"),
                timeout: float = typer.Option(600, help="Seconds to wait for the Job"),
                as_json: bool = typer.Option(False, "--json", help="JSON for scripts")) -> None:
    """Run the migration Job for the image and wait (before rolling out a new image, pass --image)."""
    import json

    from . import ops

    result = ops.migrate(ops.api(context, kubeconfig), namespace, image=image, timeout=timeout)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        typer.echo(f"{result['job']} ({result['image']}): {result['outcome']}")
        if result.get("log"):
            typer.echo(result["log"])
    if result["outcome"] != "succeeded":
        raise typer.Exit(1)


dead_app = typer.Typer(help="Events consumers gave up on (stream QZ_DEADLETTER), as the NATS admin user.",
                       no_args_is_help=True)
ops_app.add_typer(dead_app, name="dead-letters")
NATS_URL = typer.Option(None, "--nats-url", help="NATS to reach (default: QZ_NATS_URL), e.g. through a port-forward")


async def _with_admin_nats(nats_url: str | None, work):
    import nats

    from .event_tools import connect_kwargs
    from .nats_auth import ADMIN
    from .settings import load_settings

    settings = load_settings("ops dead-letters", PlatformSettings)
    nc = await nats.connect(nats_url or settings.nats_url, **connect_kwargs(settings, ADMIN))
    try:
        return await work(nc.jetstream())
    finally:
        await nc.close()


@dead_app.command("list")
def dead_letters_list(consumer: str | None = typer.Option(None, help="Only this consumer's, e.g. "
                                                                     "coordination-projects or webhooks.city"),
                      nats_url: str | None = NATS_URL,
                      as_json: bool = typer.Option(False, "--json", help="JSON for scripts")) -> None:
    """Every dead letter waiting: sequence, consumer, event type and id, deliveries and the last error."""
    import asyncio
    import json

    from rich.console import Console
    from rich.table import Table

    from . import ops

    found = asyncio.run(_with_admin_nats(nats_url, lambda js: ops.dead_letters(js, consumer)))
    if as_json:
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    table = Table("seq", "consumer", "type", "id", "time", "deliveries", "error", title="dead letters")
    for d in found:
        table.add_row(str(d["seq"]), d["consumer"], d["type"] or "?", d["id"] or "?", d["time"] or "",
                      str(d["deliveries"]), d["error"] or "")
    Console().print(table)


@dead_app.command("replay")
def dead_letters_replay(seq: int = typer.Argument(..., help="The dead letter's sequence (from `list`)"),
                        nats_url: str | None = NATS_URL) -> None:
    """Publish the event again on its original subject (its consumer retries it), then delete the dead letter."""
    import asyncio

    from . import ops

    try:
        done = asyncio.run(_with_admin_nats(nats_url, lambda js: ops.replay_dead_letter(js, seq)))
    except LookupError as exc:
        raise typer.BadParameter(str(exc), param_hint="SEQ") from None
    typer.echo(f"dead letter {done['seq']} (event {done['id']}) replayed on {done['subject']} as "
               f"{done['stream']} #{done['new_seq']}")


def main() -> None:
    try:
        from qianzhao.gateway.cli import register  # the gateway adds its own commands when installed
    except ImportError:
        pass
    else:
        register(app)
    try:
        app()
    except ConfigError as exc:
        raise SystemExit(f"qianzhao refuses to start: {exc}") from None


if __name__ == "__main__":
    main()
