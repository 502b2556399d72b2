"""The ``kms`` command: ingest, serve, worker, cluster, search, reindex, check, keys, users,
config. Account commands live in :mod:`kms.cli.accounts`; shared helpers in
:mod:`kms.cli.common`."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kms.cli.accounts import keys_app, users_app, widget_token
from kms.cli.common import console, database_writes, err, refusals
from kms.cli.common import services_from_env as _services
from kms.core.config import get_settings

if TYPE_CHECKING:
    from kms.core.schemas import FileMeta
    from kms.services.app import Services
    from kms.services.ingest import BatchOutcome

app = typer.Typer(help="KMS — sales knowledge search.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(users_app, name="users")


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

    with refusals(), database_writes():
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
def cluster(
    replicas: Annotated[int, typer.Option(min=1, help="API replicas behind the proxy.")] = 2,
    workers: Annotated[int, typer.Option(min=0, help="Ingest workers (`kms worker`).")] = 2,
    port: Annotated[int, typer.Option(help="Port the load balancer (HAProxy) listens on.")] = 8080,
    root: Annotated[Path, typer.Option(help="Folder for the database and every process.")] = Path(
        "data/cluster"
    ),
    demo: Annotated[bool, typer.Option(help="Load the demo knowledge base once.")] = True,
) -> None:
    """A deployment on this machine: PostgreSQL, workers, API replicas and HAProxy in front
    (Ctrl-C stops it all)."""
    from kms.cluster.launch import ClusterSpec, run

    with refusals():
        run(ClusterSpec(root, replicas=replicas, workers=workers, port=port, demo=demo))


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
def worker(
    poll: Annotated[float, typer.Option(help="Seconds between looks for queued jobs.")] = 1.0,
) -> None:
    """Run queued jobs (uploads, `kms reindex --queue`) and the scheduled gap detection
    until stopped (SIGTERM or Ctrl-C). Run as many as you like,
    on any machine that reaches the database: each job runs once; a killed worker's job is
    resumed by another. PostgreSQL: procrastinate's worker; SQLite: the job table, polled."""
    import logging
    import signal
    import threading

    from kms.services.gapdetect import detect_gaps_on_schedule
    from kms.services.heartbeat import worker_name
    from kms.services.pgqueue import run_worker, uses_procrastinate
    from kms.services.queue import JobRunner

    # a long-running process: its jobs' failures and the gap detections go to its log
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    services = _services()
    stopping = threading.Event()
    services.on_close.append(stopping.set)
    threading.Thread(  # once per interval in the whole deployment: a database lease
        target=detect_gaps_on_schedule,
        args=(services, worker_name(), stopping),
        name="gap-schedule",
        daemon=True,
    ).start()
    if uses_procrastinate(services):  # PostgreSQL: procrastinate's worker
        console.print("worker: procrastinate on PostgreSQL")
        try:
            run_worker(services)
        finally:
            services.close()
        return
    runner = JobRunner(services, poll_s=poll)
    signal.signal(signal.SIGTERM, lambda *_: runner.stop())
    console.print(f"worker {runner.worker} waiting for jobs")
    try:
        runner.run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        services.close()


@app.command()
def reindex(
    queue: Annotated[
        bool,
        typer.Option(
            "--queue", help="Queue the database side for a worker (`kms worker`) and return."
        ),
    ] = False,
) -> None:
    """Rebuild the indexes from the database: re-detect languages, store any missing
    vectors, and rebuild every index replica not in use (running ones follow the log)."""
    from kms.services.indexing import reindex as rebuild

    services = _services()
    if queue:
        from kms.services.queue import queue_job

        job_id = queue_job(services, "reindex", created_by="cli")
        console.print(f"queued reindex job {job_id}: a worker (or the server) runs it")
        services.close()
        return
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
    from kms.services.search_page import search as run_search

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
        console.print(f"[bold]{i}. {escape(hit.title)}[/bold] ({hit.kind}, {hit.language})")
        if hit.also_in:
            console.print(f"   [dim]this passage is also in {hit.also_in} other documents[/dim]")
        console.print("   " + terminal_snippet(hit.snippet))
        why = ", ".join(f"{w.signal} {w.value:+.2f}" for w in hit.why)
        console.print(f"   [dim]why: {why}[/dim]")


def terminal_snippet(snippet: str) -> str:
    """A snippet's HTML (escaped text, ``<mark>`` around the matches) as terminal markup:
    the document's own text shown as written (``"``, not ``&quot;``; ``[x]`` not markup)."""
    out = []
    for part in re.split(r"(</?mark>)", snippet):
        if part in ("<mark>", "</mark>"):
            out.append("[reverse]" if part == "<mark>" else "[/reverse]")
        else:
            out.append(escape(html.unescape(part)))
    return "".join(out)


app.command("widget-token")(widget_token)


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
