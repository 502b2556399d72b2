"""The ingest batch: files in, assets and graph facts stored, per-item errors recorded.

One file is one transaction: a file that fails leaves nothing half-written, and the
files before it stay stored. A bad row of a notes file is reported with its line and
the good rows are stored. The transaction that stores a file also stores its chunks'
vectors, logs the chunks whose indexed form changed (``kms.core.changelog``: every
search process applies the log to its own indexes) and counts the file in the job, so
a job re-run after a crash skips exactly the files that were committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from ingest.ahead import ParseAhead
from ingest.dedup import NearDuplicateFinder
from ingest.drafts import AssetDraft, ChunkVectors, Embed, UpsertResult
from ingest.graph_store import resolve_proofs, upsert_entity, write_outcome, write_problem
from ingest.manifest import find_manifest, is_manifest
from ingest.sources import (
    SourceFile,
    classify,
    document_draft,
    file_digest,
    map_items,
    note_drafts,
    problem_draft,
)
from ingest.store import ChunkEnricher, apply_stated_meta, find_target, upsert_asset
from ingest.types import ItemError, failure_message
from ingest.winloss import WinLossNote
from kms.core.blobs import put_blob
from kms.core.changelog import log_changes
from kms.core.config import Settings
from kms.core.errors import InputError, KMSError
from kms.core.failpoints import failpoint
from kms.core.models import Asset, Chunk, Job
from kms.core.models._types import utcnow
from kms.core.schemas import FileMeta
from kms.core.stage_classifier import StageClassifier
from kms.core.stages import SalesProcess
from kms.core.teams import scope_of
from kms.core.vectors import store_vectors
from kms.core.visibility import LOCAL_ADMIN, Caller, writable_by

log = logging.getLogger("kms.ingest")
OnProgress = Callable[[str, int, int], None]
PIPELINE_ORDER = {"psmap": 0, "document": 1, "winloss": 2}


@dataclass
class BatchOutcome:
    job_id: int
    results: list[UpsertResult] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)


def discover(
    paths: Iterable[Path], defaults: FileMeta, identity: Callable[[Path], str] | None = None
) -> list[SourceFile]:
    """Files under the given paths, each with its manifest metadata over the defaults;
    ``identity`` names each file's asset (default: its resolved path)."""
    found: list[SourceFile] = []
    for path in paths:
        if path.is_dir():
            manifest = find_manifest(path)
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if _hidden(file.relative_to(path)) or is_manifest(file):
                    continue
                meta = manifest.for_file(file).over(defaults) if manifest else defaults
                found.append(SourceFile(file, meta, identity=identity(file) if identity else None))
        else:
            manifest = find_manifest(path.parent)
            meta = manifest.for_file(path).over(defaults) if manifest else defaults
            found.append(SourceFile(path, meta, identity=identity(path) if identity else None))
    return found


def commit_file(session: Session) -> None:
    """Commit one file's transaction (the ``db-commit`` crash point is just before it)."""
    failpoint("db-commit")
    session.commit()


def _hidden(rel: Path) -> bool:
    return any(part.startswith((".", "_")) or part == "README.md" for part in rel.parts)


class Ingestor:
    """Runs a batch for one ``writer``: the CLI (no team limit) or the key that uploaded.

    ``engine`` should take SQLite's write lock when a transaction begins
    (``Database.write_engine``); ``embed`` computes the vectors of a draft's chunks (the
    services pass the models; None stores no vectors)."""

    def __init__(
        self,
        engine: object,
        settings: Settings,
        process: SalesProcess,
        writer: Caller = LOCAL_ADMIN,
        embed: Embed | None = None,
        reader: object | None = None,
    ) -> None:
        """``reader``: an engine for reads that need no write lock (default ``engine``)."""
        self.engine = engine
        self.reader = reader or engine
        self.settings = settings
        self.process = process
        self.writer = writer
        self.embed = embed
        self.classifier = StageClassifier(process)
        self._dedup: NearDuplicateFinder | None = None
        self._ahead: ParseAhead | None = None  # set while a batch runs

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)  # type: ignore[arg-type]

    def read_session(self) -> Session:
        return Session(self.reader, expire_on_commit=False)  # type: ignore[arg-type]

    def run(
        self,
        sources: list[SourceFile],
        job_id: int,
        on_progress: OnProgress | None = None,
    ) -> BatchOutcome:
        """Ingest ``sources``; files the job already recorded as done (a retried job) are
        skipped, so a job that is run again after a crash finishes exactly once."""
        outcome = BatchOutcome(job_id)
        finished = self._finished_items(job_id)
        todo = [s for s in sources if item_key(s) not in finished]
        staged = self._classify_all(todo, outcome)
        self._update_job(job_id, status="running", total=len(sources))
        done = len(sources) - len(staged)
        documents = [s for s in staged if s.kind == "document"]
        following = dict(zip(map(id, documents), documents[1:], strict=False))
        with ParseAhead(self._parse, self._stored_bytes) as self._ahead:
            for source in staged:
                if on_progress:
                    on_progress(source.path.name, done, len(sources))
                done += 1
                if source.kind == "document":
                    self._ahead.start(source)  # (started already, unless it is the first)
                if id(source) in following:  # parsed while this one is embedded and stored
                    self._ahead.start(following[id(source)])
                results, errors = self._ingest_file(source, job_id, done)
                outcome.results += results
                outcome.errors += errors
        self._ahead = None
        if on_progress:
            on_progress("", done, len(sources))
        try:
            with self.session() as session:
                resolve_proofs(session)
                session.commit()
            self._update_job(job_id, status="done", finished=True)
        except SQLAlchemyError as exc:  # every file's own outcome stands; the job says so
            outcome.errors.append(ItemError.failed(f"job {job_id}", exc))
        failpoint("done")
        return outcome

    def _classify_all(self, sources: list[SourceFile], outcome: BatchOutcome) -> list[SourceFile]:
        staged: list[SourceFile] = []
        for source in sources:
            try:
                staged.append(classify(source, self.settings))
            except (KMSError, OSError) as exc:
                message = (
                    exc.message if isinstance(exc, KMSError) else f"cannot read: {exc.strerror}"
                )
                detail = exc.detail if isinstance(exc, KMSError) else None
                line = detail.get("line") if isinstance(detail, dict) else None
                error = ItemError(str(source.path), _unprefixed(message, str(source.path)), line)
                outcome.errors.append(error)
                self._record_failure(outcome.job_id, source, error, None)
        return sorted(staged, key=lambda s: PIPELINE_ORDER[s.kind])

    def _ingest_file(
        self, source: SourceFile, job_id: int, done: int
    ) -> tuple[list[UpsertResult], list[ItemError]]:
        """One file, one transaction: its assets, chunks, vectors, index changes and the
        job's progress commit together (or not at all: the error is then recorded). All
        reading and computing happens before the transaction takes the write lock."""
        try:
            self._dedup_finder()
            if source.kind == "psmap":
                results, errors = self._ingest_map(source, job_id, done)
            elif source.kind == "winloss":
                results, errors = self._ingest_notes(source, job_id, done)
            else:
                results, errors = self._ingest_document(source, job_id, done)
            return results, errors
        except KMSError as exc:
            error = ItemError(str(source.path), _unprefixed(exc.message, source.path.name))
        except Exception as exc:  # one bad file (or a full disk) never stops a batch
            error = ItemError.failed(str(source.path), exc)
        self._forget_pending()
        self._record_failure(job_id, source, error, done)
        return [], [error]

    def _record_failure(
        self, job_id: int, source: SourceFile, error: ItemError, done: int | None
    ) -> None:
        """Count a failed file in the job, if the database takes the write (on a full disk
        it may not: the error is still the batch's, and a resume retries the file)."""
        try:
            with self.session() as session:
                self._record(session, job_id, source, [], [error], done)
                session.commit()
        except SQLAlchemyError as exc:
            reason = failure_message(exc)
            log.warning("job %s: failure of %s not recorded: %s", job_id, source.path, reason)

    def _ingest_document(
        self, source: SourceFile, job_id: int, done: int
    ) -> tuple[list[UpsertResult], list[ItemError]]:
        unchanged = self._unchanged(source, job_id, done)
        if unchanged is not None:
            return [unchanged], []
        draft = self._ahead.draft(source) if self._ahead else self._parse(source)
        vectors = {draft.source: self.embed(draft)} if self.embed else {}
        with self.session() as session:
            result = upsert_asset(
                session, draft, self._enricher(session), self._review_days, self.writer
            )
            if result.status != "unchanged":
                put_blob(session, source.path.read_bytes(), draft.content_hash)
            self._write_changes(session, [(draft, result)], vectors)
            self._record(session, job_id, source, [result], [], done)
            commit_file(session)
        return [result], []

    def _ingest_notes(
        self, source: SourceFile, job_id: int, done: int
    ) -> tuple[list[UpsertResult], list[ItemError]]:
        notes: list[tuple[WinLossNote, AssetDraft]] = []
        errors: list[ItemError] = []
        for item in note_drafts(source, self.process):
            if isinstance(item, ItemError):
                errors.append(item)
            else:
                notes.append(item)
        vectors = self._vectors([draft for _, draft in notes])
        results: list[UpsertResult] = []
        with self.session() as session:
            enricher = self._enricher(session)
            written: list[tuple[AssetDraft, UpsertResult]] = []
            for note, draft in notes:
                refused = self._refused(source, note.line, draft.teams)
                if refused:
                    errors.append(refused)
                    continue
                try:
                    result = upsert_asset(session, draft, enricher, self._review_days, self.writer)
                except InputError as exc:  # refused before anything of this note is written
                    errors.append(ItemError(str(source.path), exc.message, note.line, "teams"))
                    continue
                if result.status != "unchanged":
                    asset = session.get(Asset, result.asset_id)
                    assert asset is not None
                    write_outcome(session, note.record, note.stage_key, asset, note.furthest_stage)
                results.append(result)
                written.append((draft, result))
            self._write_changes(session, written, vectors)
            self._record(session, job_id, source, results, errors, done)
            commit_file(session)
        return results, errors

    def _ingest_map(
        self, source: SourceFile, job_id: int, done: int
    ) -> tuple[list[UpsertResult], list[ItemError]]:
        items = list(map_items(source, self.process))
        errors = [item for item in items if isinstance(item, ItemError)]
        problems = [
            (item, problem_draft(item, source))
            for item in items
            if not isinstance(item, ItemError) and item.problem is not None
        ]
        vectors = self._vectors([draft for _, draft in problems])
        results: list[UpsertResult] = []
        with self.session() as session:
            scope = scope_of(source.meta.teams or [])  # a map's taxonomy is its teams'
            for item in items:  # the taxonomy first, so problems link to it
                if not isinstance(item, ItemError) and item.entity is not None:
                    upsert_entity(session, item.entity, item.entity.type, scope)
            enricher = self._enricher(session)
            written: list[tuple[AssetDraft, UpsertResult]] = []
            for item, draft in problems:
                assert item.problem is not None
                refused = self._refused(source, item.line, draft.teams)
                if refused:
                    errors.append(refused)
                    continue
                try:
                    result = upsert_asset(session, draft, enricher, self._review_days, self.writer)
                except InputError as exc:  # refused before anything of this entry is written
                    errors.append(ItemError(str(source.path), exc.message, item.line, "teams"))
                    continue
                asset = session.get(Asset, result.asset_id)
                assert asset is not None
                write_problem(session, item.problem, item.stage_key, asset)
                results.append(result)
                written.append((draft, result))
            self._write_changes(session, written, vectors)
            self._record(session, job_id, source, results, errors, done)
            commit_file(session)
        return results, errors

    def _vectors(self, drafts: list[AssetDraft]) -> dict[str, ChunkVectors]:
        """Vectors for the drafts whose content is new or changed (by source)."""
        if self.embed is None or not drafts:
            return {}
        with self.read_session() as session:
            stored = set(
                session.exec(
                    select(Asset.source, Asset.content_hash).where(
                        col(Asset.source).in_([d.source for d in drafts])
                    )
                ).all()
            )
        return {d.source: self.embed(d) for d in drafts if (d.source, d.content_hash) not in stored}

    def _write_changes(
        self,
        session: Session,
        written: list[tuple[AssetDraft, UpsertResult]],
        vectors: dict[str, ChunkVectors],
    ) -> None:
        """The new chunks' vectors, and the index changes of everything written."""
        changed: list[int] = []
        for draft, result in written:
            if result.status == "unchanged" and not result.meta_changed:
                continue
            chunks = dict(
                session.exec(
                    select(Chunk.ordinal, Chunk.id).where(Chunk.asset_id == result.asset_id)
                ).all()
            )
            by_ordinal = vectors.get(draft.source, {})
            store_vectors(
                session,
                (
                    (chunk_id or 0, model, blob)
                    for ordinal, chunk_id in chunks.items()
                    for model, blob in by_ordinal.get(ordinal, {}).items()
                ),
            )
            changed += result.removed_chunk_ids
            changed += [c for c in chunks.values() if c is not None]
        log_changes(session, changed)

    def _parse(self, source: SourceFile) -> AssetDraft:
        return document_draft(source, self.settings)

    def _stored_bytes(self, source: SourceFile) -> bool:
        """Are the file's bytes the stored asset's (its parse will be skipped)? A read only:
        ``_unchanged`` decides, with its errors; here any doubt means 'parse it'."""
        try:
            digest = file_digest(source.path)
            with self.read_session() as session:
                asset = find_target(session, source.key, source.meta.teams, self.writer)
                return asset is not None and asset.content_hash == digest
        except (KMSError, OSError, SQLAlchemyError):
            return False

    def _unchanged(self, source: SourceFile, job_id: int, done: int) -> UpsertResult | None:
        """The stored asset when the file's bytes are the ones already ingested (no parse)."""
        digest = file_digest(source.path)
        with self.session() as session:
            asset = find_target(session, source.key, source.meta.teams, self.writer)
            if asset is None or asset.content_hash != digest:
                return None
            meta = source.meta
            changed = apply_stated_meta(
                asset, meta.status, meta.owner, meta.teams, meta.review_by, self.writer.name
            )
            session.add(asset)
            result = UpsertResult(asset.id or 0, "unchanged", meta_changed=changed)
            if changed:
                ids = session.exec(select(Chunk.id).where(Chunk.asset_id == asset.id)).all()
                log_changes(session, [i for i in ids if i is not None])
            self._record(session, job_id, source, [result], [], done)
            session.commit()
            return result

    @property
    def _review_days(self) -> int:
        return self.settings.stale_after_days

    def _enricher(self, session: Session) -> ChunkEnricher:
        return ChunkEnricher(session, self.classifier, self._dedup_finder())

    def _refused(self, source: SourceFile, line: int, teams: list[str] | None) -> ItemError | None:
        """A record whose teams the writer may not write into (none of its own teams)."""
        problem = writable_by(self.writer, teams or [])
        if problem is None:
            return None
        return ItemError(str(source.path), problem, line=line, field="teams")

    def _dedup_finder(self) -> NearDuplicateFinder:
        """Loaded once per batch, in a read transaction of its own: never while a file's
        write transaction holds the lock."""
        if self._dedup is None:
            finder = NearDuplicateFinder(self.settings.near_duplicate_threshold)
            with self.read_session() as session:
                rows = session.exec(
                    select(Chunk.id, Chunk.text).where(Chunk.duplicate_of.is_(None))  # type: ignore[union-attr]
                ).all()
            for chunk_id, text in rows:
                finder.add(chunk_id or 0, text)
            self._dedup = finder
        return self._dedup

    def _forget_pending(self) -> None:
        """A file's transaction rolled back: the near-duplicate finder may hold chunks it
        added for that file, so it is rebuilt from the database before the next file."""
        self._dedup = None

    def forget_chunks(self, chunk_ids: Iterable[int]) -> None:
        if self._dedup is not None:
            for chunk_id in chunk_ids:
                self._dedup.remove(chunk_id)

    def _finished_items(self, job_id: int) -> dict[str, str]:
        with self.read_session() as session:
            job = session.get(Job, job_id)
            return dict(job.items) if job is not None else {}

    def _record(
        self,
        session: Session,
        job_id: int,
        source: SourceFile,
        results: list[UpsertResult],
        errors: list[ItemError],
        done: int | None,
    ) -> None:
        """The job's progress, in the transaction of the file it counts."""
        job = session.get(Job, job_id)
        if job is None:
            return
        for r in results:
            if r.status == "added" or r.status == "duplicate":
                job.added += 1
            elif r.status == "updated":
                job.updated += 1
            else:
                job.unchanged += 1
        job.failed += len(errors)
        job.errors = [*job.errors, *[e.as_dict() for e in errors]]
        job.items = {**job.items, item_key(source): "failed" if errors and not results else "done"}
        if done is not None:
            job.done = done
        session.add(job)

    def _update_job(
        self,
        job_id: int,
        status: str,
        total: int | None = None,
        finished: bool = False,
    ) -> None:
        with self.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                return
            job.status = status
            if total is not None:
                job.total = total
            if finished:
                job.finished_at = utcnow()
            session.add(job)
            session.commit()


def item_key(source: SourceFile) -> str:
    """How a job names a file it has finished (its asset source key)."""
    return source.key


def _unprefixed(message: str, name: str) -> str:
    """The message without a leading ``name: `` (the item error names the file already)."""
    prefix = f"{name}: "
    return message[len(prefix) :] if message.startswith(prefix) else message
