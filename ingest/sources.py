"""Turning files into drafts: which pipeline a file takes, and what it produces.

Documents go through unstructured; CSV / JSON / JSONL / YAML files are win/loss notes
or problem–solution maps, recognised by their fields (not their names).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.drafts import AssetDraft
from ingest.kinds import infer_kind
from ingest.psmap import MapItem, looks_like_map, read_map
from ingest.records import read_rows
from ingest.types import ChunkDraft, ItemError
from ingest.winloss import WinLossNote, looks_like_winloss, read_winloss
from kms.core.config import Settings
from kms.core.errors import InputError, TooLarge
from kms.core.schemas import FileMeta
from kms.core.stages import SalesProcess
from kms.core.text.language import detect_language, document_language

RECORD_SUFFIXES = {".csv", ".json", ".jsonl", ".yaml", ".yml"}


@dataclass
class SourceFile:
    path: Path
    meta: FileMeta
    kind: str = "document"  # document, winloss or psmap
    text: str | None = None  # decoded text of a record file


def classify(source: SourceFile, settings: Settings) -> SourceFile:
    """Decide the pipeline; record files are read once here and kept."""
    size = source.path.stat().st_size
    if size > settings.upload_max_bytes:
        raise TooLarge(
            f"{source.path}: {size} bytes is over the limit of {settings.upload_max_bytes}",
            {"file": str(source.path), "bytes": size},
        )
    if source.path.suffix.lower() not in RECORD_SUFFIXES:
        return source
    try:
        text = source.path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source.path}: not UTF-8 text ({exc.reason})") from exc
    if not text.strip():
        raise InputError(f"{source.path}: the file is empty")
    source.text = text
    if looks_like_map(source.path, text):
        source.kind = "psmap"
        return source
    first: tuple[int, dict[str, object]] | None = None
    unreadable: ItemError | None = None  # the file as a whole could not be read
    for row in read_rows(source.path, text, "notes"):
        if isinstance(row, tuple):
            first = row
            break
        unreadable = unreadable or row
    if first is not None and looks_like_winloss(first[1]):
        source.kind = "winloss"
        return source
    if first is None and unreadable is not None:
        raise InputError(f"{source.path}: {unreadable.message}", {"line": unreadable.line})
    raise InputError(
        f"{source.path}: records are neither win/loss notes (need deal_id and outcome) "
        "nor a problem–solution map (need 'problems' or 'entities')"
    )


def document_draft(source: SourceFile, settings: Settings) -> AssetDraft:
    from ingest.chunking import chunk_document
    from ingest.documents import parse_document

    doc = parse_document(source.path, settings)
    chunks = chunk_document(doc, settings.chunk_chars, settings.chunk_overlap_chars)
    if not chunks:
        raise InputError(f"{source.path}: no text found in the document")
    digest = file_digest(source.path)
    stored = _store_copy(source.path, digest, settings)
    meta = source.meta
    return AssetDraft(
        source=str(source.path.resolve()),
        source_type="document",
        kind=meta.kind or infer_kind(source.path.name, doc.title),
        title=doc.title,
        content_hash=digest,
        language=document_language(c.text for c in chunks),
        chunks=chunks,
        mime=doc.mime,
        stored_file=stored,
        status=meta.status,
        owner=meta.owner,
        teams=meta.teams,
        review_by=meta.review_by,
        curated_stages=list(meta.stages),
        meta={"file_name": source.path.name, **doc.meta},
    )


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes: the content hash of a document asset."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _store_copy(path: Path, digest: str, settings: Settings) -> str:
    """Keep the original so it can be downloaded later; content-addressed."""
    target = settings.files_dir / digest[:2] / f"{digest}{path.suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".tmp")
        try:
            shutil.copyfile(path, tmp)
            tmp.replace(target)
        except OSError as exc:  # a full disk: no partial copy left behind, the copy named
            tmp.unlink(missing_ok=True)
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
    return str(target.relative_to(settings.data_dir))


def note_drafts(
    source: SourceFile, process: SalesProcess
) -> Iterator[tuple[WinLossNote, AssetDraft] | ItemError]:
    assert source.text is not None
    for item in read_winloss(source.path, source.text, process):
        if isinstance(item, ItemError):
            yield item
            continue
        text = item.text
        draft = AssetDraft(
            source=f"deal:{item.record.deal_id}",
            source_type="winloss",
            kind="winloss_note",
            title=item.title,
            content_hash=item.content_hash,
            language=detect_language(text),
            chunks=[ChunkDraft(ordinal=0, text=text, section="Win/loss note")],
            status=source.meta.status,
            owner=source.meta.owner,
            teams=item.record.teams or source.meta.teams,
            source_stage=item.stage_key,
            meta={"file_name": source.path.name, "line": item.line},
            outcome=item.record,
        )
        yield item, draft


def map_items(source: SourceFile, process: SalesProcess) -> Iterator[MapItem | ItemError]:
    assert source.text is not None
    yield from read_map(source.path, source.text, process)


def problem_draft(item: MapItem, source: SourceFile) -> AssetDraft:
    assert item.problem is not None
    text = item.text
    return AssetDraft(
        source=f"problem:{item.problem.key}",
        source_type="psmap",
        kind="problem",
        title=item.title,
        content_hash=item.content_hash,
        language=detect_language(text),
        chunks=[ChunkDraft(ordinal=0, text=text, section="Problem → solution")],
        status=source.meta.status,
        owner=source.meta.owner,
        teams=item.problem.teams or source.meta.teams,
        source_stage=item.stage_key,
        meta={
            "file_name": source.path.name,
            "line": item.line,
            "discovery_questions": item.problem.discovery_questions,
            "symptoms": item.problem.symptoms,
        },
        problem=item.problem,
    )
