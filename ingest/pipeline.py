"""The ingest batch: files in, assets and graph facts stored, per-item errors recorded.

One file is one transaction: a file that fails leaves nothing half-written, and the
files before it stay stored. A bad row of a notes file is reported with its line and
the good rows are stored. After each committed file ``on_commit`` receives what changed
so the caller can update the search indexes; the job row records progress and errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from ingest.dedup import NearDuplicateFinder
from ingest.drafts import UpsertResult
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
from ingest.types import ItemError
from kms.core.config import Settings
from kms.core.errors import InputError, KMSError
from kms.core.models import Asset, Chunk, Job
from kms.core.models._types import utcnow
from kms.core.schemas import FileMeta
from kms.core.stage_classifier import StageClassifier
from kms.core.stages import SalesProcess
from kms.core.teams import scope_of
from kms.core.visibility import LOCAL_ADMIN, Caller, writable_by

OnCommit = Callable[[list[UpsertResult]], None]
OnProgress = Callable[[str, int, int], None]
PIPELINE_ORDER = {"psmap": 0, "document": 1, "winloss": 2}


@dataclass
class BatchOutcome:
    job_id: int
    results: list[UpsertResult] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)


def discover(paths: Iterable[Path], defaults: FileMeta) -> list[SourceFile]:
    """Files under the given paths, each with its manifest metadata over the defaults."""
    found: list[SourceFile] = []
    for path in paths:
        if path.is_dir():
            manifest = find_manifest(path)
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if _hidden(file.relative_to(path)) or is_manifest(file):
                    continue
                meta = manifest.for_file(file).over(defaults) if manifest else defaults
                found.append(SourceFile(file, meta))
        else:
            manifest = find_manifest(path.parent)
            meta = manifest.for_file(path).over(defaults) if manifest else defaults
            found.append(SourceFile(path, meta))
    return found


def _hidden(rel: Path) -> bool:
    return any(part.startswith((".", "_")) or part == "README.md" for part in rel.parts)


class Ingestor:
    """Runs a batch for one ``writer``: the CLI (no team limit) or the key that uploaded."""

    def __init__(
        self,
        engine: object,
        settings: Settings,
        process: SalesProcess,
        writer: Caller = LOCAL_ADMIN,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.process = process
        self.writer = writer
        self.classifier = StageClassifier(process)
        self._dedup: NearDuplicateFinder | None = None

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)  # type: ignore[arg-type]

    def run(
        self,
        sources: list[SourceFile],
        job_id: int,
        on_commit: OnCommit | None = None,
        on_progress: OnProgress | None = None,
    ) -> BatchOutcome:
        outcome = BatchOutcome(job_id)
        staged = self._classify_all(sources, outcome)
        self._update_job(job_id, status="running", total=len(sources))
        done = len(sources) - len(staged)
        for source in staged:
            if on_progress:
                on_progress(source.path.name, done, len(sources))
            results, errors = self._ingest_file(source)
            outcome.results += results
            outcome.errors += errors
            if on_commit and results:
                on_commit(results)
            done += 1
            self._record(job_id, results, errors, done)
        with self.session() as session:
            resolve_proofs(session)
            session.commit()
        if on_progress:
            on_progress("", done, len(sources))
        self._update_job(job_id, status="done", finished=True)
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
                self._record(outcome.job_id, [], [error], None)
        return sorted(staged, key=lambda s: PIPELINE_ORDER[s.kind])

    def _ingest_file(self, source: SourceFile) -> tuple[list[UpsertResult], list[ItemError]]:
        try:
            if source.kind == "psmap":
                return self._ingest_map(source)
            if source.kind == "winloss":
                return self._ingest_notes(source)
            return self._ingest_document(source)
        except KMSError as exc:
            return [], [ItemError(str(source.path), _unprefixed(exc.message, source.path.name))]
        except Exception as exc:  # one bad file never stops a batch
            return [], [ItemError(str(source.path), f"{type(exc).__name__}: {exc}")]

    def _ingest_document(self, source: SourceFile) -> tuple[list[UpsertResult], list[ItemError]]:
        unchanged = self._unchanged(source)
        if unchanged is not None:
            return [unchanged], []
        draft = document_draft(source, self.settings)
        with self.session() as session:
            result = upsert_asset(
                session, draft, self._enricher(session), self._review_days, self.writer
            )
            session.commit()
        return [result], []

    def _ingest_notes(self, source: SourceFile) -> tuple[list[UpsertResult], list[ItemError]]:
        results: list[UpsertResult] = []
        errors: list[ItemError] = []
        with self.session() as session:
            enricher = self._enricher(session)
            for item in note_drafts(source, self.process):
                if isinstance(item, ItemError):
                    errors.append(item)
                    continue
                note, draft = item
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
                    write_outcome(session, note.record, note.stage_key, asset)
                results.append(result)
            session.commit()
        return results, errors

    def _ingest_map(self, source: SourceFile) -> tuple[list[UpsertResult], list[ItemError]]:
        results: list[UpsertResult] = []
        errors: list[ItemError] = []
        with self.session() as session:
            items = list(map_items(source, self.process))
            scope = scope_of(source.meta.teams or [])  # a map's taxonomy is its teams'
            for item in items:  # the taxonomy first, so problems link to it
                if not isinstance(item, ItemError) and item.entity is not None:
                    upsert_entity(session, item.entity, item.entity.type, scope)
            enricher = self._enricher(session)
            for item in items:
                if isinstance(item, ItemError):
                    errors.append(item)
                    continue
                if item.problem is None:
                    continue
                draft = problem_draft(item, source)
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
            session.commit()
        return results, errors

    def _unchanged(self, source: SourceFile) -> UpsertResult | None:
        """The stored asset when the file's bytes are the ones already ingested (no parse)."""
        digest = file_digest(source.path)
        with self.session() as session:
            asset = find_target(session, str(source.path.resolve()), source.meta.teams, self.writer)
            if asset is None or asset.content_hash != digest:
                return None
            meta = source.meta
            changed = apply_stated_meta(asset, meta.status, meta.owner, meta.teams, meta.review_by)
            session.add(asset)
            session.commit()
            return UpsertResult(asset.id or 0, "unchanged", meta_changed=changed)

    @property
    def _review_days(self) -> int:
        return self.settings.stale_after_days

    def _enricher(self, session: Session) -> ChunkEnricher:
        return ChunkEnricher(session, self.classifier, self._dedup_finder(session))

    def _refused(self, source: SourceFile, line: int, teams: list[str] | None) -> ItemError | None:
        """A record whose teams the writer may not write into (none of its own teams)."""
        problem = writable_by(self.writer, teams or [])
        if problem is None:
            return None
        return ItemError(str(source.path), problem, line=line, field="teams")

    def _dedup_finder(self, session: Session) -> NearDuplicateFinder:
        if self._dedup is None:
            finder = NearDuplicateFinder(self.settings.near_duplicate_threshold)
            rows = session.exec(
                select(Chunk.id, Chunk.text).where(Chunk.duplicate_of.is_(None))  # type: ignore[union-attr]
            ).all()
            for chunk_id, text in rows:
                finder.add(chunk_id or 0, text)
            self._dedup = finder
        return self._dedup

    def forget_chunks(self, chunk_ids: Iterable[int]) -> None:
        if self._dedup is not None:
            for chunk_id in chunk_ids:
                self._dedup.remove(chunk_id)

    def _record(
        self, job_id: int, results: list[UpsertResult], errors: list[ItemError], done: int | None
    ) -> None:
        with self.session() as session:
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
            if done is not None:
                job.done = done
            session.add(job)
            session.commit()

    def _update_job(
        self, job_id: int, status: str, total: int | None = None, finished: bool = False
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


def _unprefixed(message: str, name: str) -> str:
    """The message without a leading ``name: `` (the item error names the file already)."""
    prefix = f"{name}: "
    return message[len(prefix) :] if message.startswith(prefix) else message
