"""The ``kms`` command: ingest, serve, search, reindex, check, keys, users, config."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kms.core.config import get_settings

if TYPE_CHECKING:
    from kms.core.schemas import FileMeta
    from kms.services.app import Services
    from kms.services.ingest import BatchOutcome

app = typer.Typer(help="KMS — sales knowledge search.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage API keys (for machines).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
users_app = typer.Typer(help="Manage the people who sign in.", no_args_is_help=True)
app.add_typer(users_app, name="users")
console = Console()
err = Console(stderr=True)


def _services() -> Services:
    from kms.services.app import Services

    return Services(get_settings())


@contextmanager
def refusals() -> Iterator[None]:
    """Bad input (a reserved team name, an invalid manifest...) as one line and exit code 2."""
    from pydantic import ValidationError

    from kms.core.errors import KMSError

    try:
        yield
    except KMSError as exc:
        field = (exc.detail or {}).get("field") if isinstance(exc.detail, dict) else None
        where = f" (field {field})" if field else ""
        err.print(f"[red]error[/red] {escape(exc.message)}{where}", highlight=False)
        raise typer.Exit(code=2) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        err.print(f"[red]error[/red] field '{where}': {escape(first['msg'])}", highlight=False)
        raise typer.Exit(code=2) from exc


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.", exists=True)],
    kind: Annotated[str | None, typer.Option(help="Asset kind for documents.")] = None,
    team: Annotated[list[str] | None, typer.Option(help="Team that may see them (repeat).")] = None,
    status: Annotated[str | None, typer.Option(help="draft, approved or retired.")] = None,
    owner: Annotated[str | None, typer.Option(help="Owner of the assets.")] = None,
) -> None:
    """Ingest documents, win/loss notes and problem–solution maps."""
    from kms.core.schemas import FileMeta
    from kms.core.visibility import clean_teams

    with refusals():
        teams = clean_teams(team or [], field="--team") or None
        defaults = FileMeta.model_validate(
            {"kind": kind, "teams": teams, "status": status, "owner": owner}
        )
        services = _services()
        outcome = _ingest_with_progress(services, paths, defaults)
    _print_outcome(outcome)
    services.close()
    if outcome.errors:
        raise typer.Exit(code=1)


def _ingest_with_progress(
    services: Services, paths: list[Path], defaults: FileMeta
) -> BatchOutcome:
    from kms.services.ingest import ingest_paths

    columns = (
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=err) as bar:
        task = bar.add_task("", total=None)

        def progress(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=name)

        return ingest_paths(services, paths, defaults, on_progress=progress)


def _print_outcome(outcome: BatchOutcome) -> None:
    counts: dict[str, int] = {}
    for result in outcome.results:
        counts[result.status] = counts.get(result.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing new"
    console.print(f"job {outcome.job_id}: {summary}; {len(outcome.errors)} error(s)")
    for error in outcome.errors:
        err.print(f"[red]error[/red] {escape(str(error))}", highlight=False)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the API and the pages (builds the demo knowledge base first with KMS_DEMO=1)."""
    import os

    from pydantic import ValidationError

    # the options are settings like any other: the app (and its checks, such as the
    # development key's loopback-only rule) reads them as KMS_HOST / KMS_PORT
    if host:
        os.environ["KMS_HOST"] = host
    if port:
        os.environ["KMS_PORT"] = str(port)
    get_settings.cache_clear()
    try:
        settings = get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            err.print(f"[red]error[/red] {error['msg']}", highlight=False)
        raise typer.Exit(code=2) from None
    import uvicorn

    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,  # the app logs every request as JSON with its request id
    )


@app.command()
def demo() -> None:
    """Load the demo knowledge base into the data directory (idempotent)."""
    from kms.services.demo import demo_sources

    services = _services()
    for paths, meta in demo_sources():
        _print_outcome(_ingest_with_progress(services, paths, meta))
    services.close()


@app.command()
def delete(asset_id: Annotated[int, typer.Argument(help="The asset to delete for good.")]) -> None:
    """Delete an asset, its chunks, graph facts and stored file (retire keeps it instead)."""
    from kms.core.visibility import LOCAL_ADMIN
    from kms.services.removal import delete_asset

    services = _services()
    removed = delete_asset(services, LOCAL_ADMIN, asset_id)
    console.print(f"deleted asset {asset_id} ({len(removed)} chunks)")
    services.close()


@app.command()
def migrate() -> None:
    """Bring the database schema up to date (once per deployment; safe to run twice)."""
    from kms.core.db import Database

    settings = get_settings().model_copy(update={"auto_migrate": True})
    Database(settings).close()
    console.print("database schema is up to date")


@app.command()
def reindex() -> None:
    """Rebuild the indexes from the database: re-detect languages, store any missing
    vectors, and rebuild every index replica not in use (running ones follow the log)."""
    from kms.services.indexing import reindex as rebuild

    services = _services()
    with console.status("rebuilding indexes"):
        count = rebuild(services)
    console.print(f"indexed {count} chunks")
    services.close()


@app.command()
def check() -> None:
    """Report any difference between the database and each index (exit 1 if any)."""
    from kms.services.indexing import check as compare

    services = _services()
    report = compare(services)
    services.close()
    table = Table("part", "chunks", "missing", "extra", "first differing ids")
    for name, count in report.per_index.items():
        missing, extra = report.missing[name], report.extra[name]
        first = ", ".join(str(i) for i in (missing + extra)[:8])
        table.add_row(name, str(count), str(len(missing)), str(len(extra)), first)
    console.print(f"database: {report.expected} indexable chunks")
    console.print(table)
    if not report.ok:
        console.print("[red]the indexes differ from the database; run `kms reindex`[/red]")
        raise typer.Exit(code=1)
    console.print("[green]every part matches the database[/green]")


@app.command()
def backup(
    dest: Annotated[Path, typer.Argument(help="A new (or empty) folder for the backup.")],
) -> None:
    """Copy the database, the indexes and the stored files while KMS keeps running."""
    from kms.services.backup import backup as take

    with refusals():
        report = take(get_settings(), dest)
    counts = report.manifest
    console.print(f"backed up {counts['assets']} assets, {counts['chunks']} chunks to {dest}")


@app.command()
def restore(
    src: Annotated[Path, typer.Argument(help="A folder written by `kms backup`.", exists=True)],
    force: Annotated[bool, typer.Option(help="Replace a data dir that holds data.")] = False,
) -> None:
    """Bring a backup back into the data dir, then bring the indexes in line with it."""
    from kms.services.backup import restore as bring_back

    with refusals():
        manifest = bring_back(get_settings(), src, force=force)
    services = _services()
    indexed = len(services.index.ids())  # this replica, rebuilt from the restored database
    services.close()
    console.print(
        f"restored {manifest['assets']} assets, {manifest['chunks']} chunks "
        f"(index: {indexed} chunks); `kms check` compares them"
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to search for, in Chinese or English.")],
    stage: Annotated[str | None, typer.Option(help="Stage key, name or CRM alias.")] = None,
    team: Annotated[
        list[str] | None, typer.Option(help="Search as a member of these teams.")
    ] = None,
    limit: Annotated[int, typer.Option(help="Documents on the page (at most 50).")] = 10,
    offset: Annotated[int, typer.Option(help="Documents to skip (page through results).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search: documents with their best passage, its snippet and the `why` of each."""
    from kms.core.models import Role
    from kms.core.visibility import Caller
    from kms.services.search import SearchRequest
    from kms.services.search import search as run_search

    services = _services()
    caller = Caller(name="cli", role=Role.admin, teams=tuple(team) if team else None)
    try:
        with refusals():
            request = SearchRequest(query=query, stage=stage, limit=limit, offset=offset)
            response = run_search(services, request, caller)
    finally:
        services.close()
    if as_json:
        console.print_json(response.model_dump_json())
        return
    stage_note = response.stage or "none"
    shown = f"{offset + 1}–{offset + len(response.results)} of " if response.results else ""
    console.print(f"{shown}[bold]{response.total}[/bold] documents · stage: {stage_note}")
    for i, hit in enumerate(response.results, start=offset + 1):
        console.print(f"[bold]{i}. {hit.title}[/bold] ({hit.kind}, {hit.language})")
        if hit.also_in:
            console.print(f"   [dim]this passage is also in {hit.also_in} other documents[/dim]")
        console.print(
            "   " + hit.snippet.replace("<mark>", "[reverse]").replace("</mark>", "[/reverse]")
        )
        why = ", ".join(f"{w.signal} {w.value:+.2f}" for w in hit.why)
        console.print(f"   [dim]why: {why}[/dim]")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="rep, curator or admin.")],
    team: Annotated[list[str] | None, typer.Option(help="Team of the key (repeat).")] = None,
    name: Annotated[str, typer.Option(help="A label for the key.")] = "",
    user: Annotated[
        str | None,
        typer.Option(help="A person the key acts for (their teams, at most their role)."),
    ] = None,
) -> None:
    """Create an API key and print it once."""
    from kms.services.keys import create_key

    services = _services()
    with refusals():
        key, row = create_key(services, role, team or [], name=name, user=user)
    owner = f"user {user}" if user else f"teams: {', '.join(row.teams) or 'all public'}"
    console.print(f"key {row.id} ({row.role}, {owner}):")
    print(key)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("password (10+ characters)", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str, typer.Option(help="rep, curator or admin.")],
    team: Annotated[list[str] | None, typer.Option(help="Team (repeat).")] = None,
    display_name: Annotated[str, typer.Option(help="The name shown in the pages.")] = "",
    sso_only: Annotated[bool, typer.Option(help="No password: single sign-on only.")] = False,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from standard input (else: asked for).")
    ] = False,
) -> None:
    """Add a person who signs in (with a password, asked for twice, unless --sso-only)."""
    from kms.core.schemas import UserCreate
    from kms.services.users import add_user

    password = None if sso_only else _password(password_stdin)
    services = _services()
    with refusals():
        new = UserCreate.model_validate(
            dict(
                name=name, role=role, teams=team or [], password=password, display_name=display_name
            )
        )
        user = add_user(services, new)
    console.print(
        f"user {user.id}: {user.name} ({user.role}, teams: {', '.join(user.teams) or '-'})"
    )


@users_app.command("list")
def users_list() -> None:
    """Everyone who can sign in, with role, teams and last sign-in."""
    from kms.services.users import list_users

    table = Table("id", "name", "role", "teams", "active", "sign-in", "last sign-in")
    for u in list_users(_services()).data:
        how = "sso" if u.sso else "password" if u.has_password else "-"
        last = u.last_signin_at.isoformat(timespec="minutes") if u.last_signin_at else "-"
        table.add_row(str(u.id), u.name, u.role, ",".join(u.teams), str(u.active), how, last)
    console.print(table)


@users_app.command("set")
def users_set(
    name: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[str | None, typer.Option(help="rep, curator or admin.")] = None,
    team: Annotated[list[str] | None, typer.Option(help="Teams, replacing all (repeat).")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive", help="Deactivate.")] = None,
    password: Annotated[bool, typer.Option(help="Set a new password (asked for).")] = False,
    password_stdin: Annotated[bool, typer.Option(help="Read it from standard input.")] = False,
) -> None:
    """Change a person's role, teams, password, or deactivate them (signed out at once)."""
    from kms.core.schemas import UserUpdate
    from kms.services.users import update_user, user_id_by_name

    new_password = _password(password_stdin) if password or password_stdin else None
    with refusals():
        change = UserUpdate.model_validate(
            dict(role=role, teams=team, active=active, password=new_password)
        )
    services = _services()
    with refusals():
        user_id = user_id_by_name(services, name)
        user = update_user(services, user_id, change, actor="cli")
    console.print(f"user {user.id}: {user.name} ({user.role}, active: {user.active})")


@users_app.command("unlock")
def users_unlock(name: Annotated[str, typer.Argument(help="Sign-in name.")]) -> None:
    """Lift a lockout after repeated wrong passwords."""
    from kms.services.signin import unlock

    found = unlock(_services(), name, actor="cli")
    console.print(f"{name}: {'unlocked' if found else 'was not locked'}")


@app.command("widget-token")
def widget_token(
    user: Annotated[str, typer.Option(help="The person's sign-in name.")],
    opportunity: Annotated[str, typer.Option(help="The CRM's opportunity id.")],
    stage: Annotated[str, typer.Option(help="The opportunity's stage, as the CRM names it.")],
    team: Annotated[list[str] | None, typer.Option(help="Team (repeat).")] = None,
    industry: Annotated[str | None, typer.Option()] = None,
    competitor: Annotated[list[str] | None, typer.Option(help="(repeat)")] = None,
    product: Annotated[list[str] | None, typer.Option(help="(repeat)")] = None,
    minutes: Annotated[float, typer.Option(help="Lifetime.")] = 5,
) -> None:
    """Sign a CRM widget token with KMS_WIDGET_SECRET (to try an integration by hand)."""
    from kms.core.schemas import Opportunity
    from kms.services.widget_tokens import mint

    with refusals():
        opp = Opportunity.model_validate(
            dict(
                opportunity_id=opportunity,
                stage=stage,
                industry=industry,
                competitors=competitor or [],
                products=product or [],
            )
        )
    services = _services()
    with refusals():
        token = mint(services, user, team or [], opp, minutes=minutes)
    print(token)


@app.command("config")
def show_config(
    markdown: Annotated[bool, typer.Option(help="Print the README's configuration table.")] = False,
) -> None:
    """Show the settings (or the Markdown table of every setting)."""
    from kms.core.settings_doc import settings_markdown

    if markdown:
        print(settings_markdown())
        return
    console.print_json(json.dumps(get_settings().model_dump(mode="json")))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
