"""What the search indexes should hold, and checking and rebuilding them.

What is indexed: every chunk (near-duplicates too: they are grouped, not erased) of
assets that are not retired and not exact duplicates of another asset. Nothing here
writes an index directly: a change to the database logs the chunks it touched
(``kms.core.changelog``), and each process's replica applies the log
(:mod:`kms.services.follower`).
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from filelock import FileLock, Timeout
from sqlmodel import Session, col, select

from index.embedders import passage_text
from index.hybrid import IndexChunk, chunk_language, understands
from kms.core.changelog import log_changes
from kms.core.models import Asset, AssetStatus, Chunk, ChunkStage, Entity
from kms.core.schemas import IndexCheck, IndexPart
from kms.core.teams import draft_tokens
from kms.core.text.language import detect_language, document_language
from kms.services import snapshots
from kms.services.vectors import chunk_title, load_vectors, store_encoded

if TYPE_CHECKING:
    from kms.services.app import Services

BATCH = 256


@dataclass
class IndexReport:
    expected: int
    per_index: dict[str, int]
    missing: dict[str, list[int]]
    extra: dict[str, list[int]]

    @property
    def ok(self) -> bool:
        return not any(self.missing.values()) and not any(self.extra.values())


def wanted_chunk_ids(session: Session, among: Sequence[int] | None = None) -> set[int]:
    """The chunks search should hold (of ``among``, when given)."""
    query = (
        select(Chunk.id)
        .join(Asset, col(Asset.id) == Chunk.asset_id)
        .where(
            col(Asset.duplicate_of).is_(None),
            Asset.status != AssetStatus.retired,
        )
    )
    if among is None:
        return {int(r) for r in session.exec(query).all() if r is not None}
    out: set[int] = set()
    for start in range(0, len(among), 900):
        batch = list(among[start : start + 900])
        out |= {int(r) for r in session.exec(query.where(col(Chunk.id).in_(batch))) if r}
    return out


def build_index_chunks(session: Session, chunk_ids: Iterable[int]) -> list[IndexChunk]:
    ids = list(chunk_ids)
    if not ids:
        return []
    chunks = session.exec(select(Chunk).where(col(Chunk.id).in_(ids))).all()
    asset_ids = {c.asset_id for c in chunks}
    assets = {a.id: a for a in session.exec(select(Asset).where(col(Asset.id).in_(asset_ids)))}
    stages: dict[int, list[str]] = {}
    for row in session.exec(select(ChunkStage).where(col(ChunkStage.chunk_id).in_(ids))):
        stages.setdefault(row.chunk_id, []).append(row.stage_key)
    entity_ids = {e for c in chunks for e in c.entity_ids}
    names = _entity_names(session, entity_ids)
    out: list[IndexChunk] = []
    for chunk in chunks:
        asset = assets[chunk.asset_id]
        title = chunk_title(asset.title, chunk.section)
        out.append(
            IndexChunk(
                chunk_id=chunk.id or 0,
                asset_id=chunk.asset_id,
                title=title,
                text=chunk.text,
                entities=" ".join(names.get(e, "") for e in chunk.entity_ids),
                kind=asset.kind,
                language=chunk.language,
                stages=stages.get(chunk.id or 0, []),
                teams=_visibility_tokens(asset),
            )
        )
    return out


def _visibility_tokens(asset: Asset) -> list[str]:
    """Its teams; a draft's marked as a draft's, so only readers who want drafts find it."""
    return draft_tokens(asset.teams) if asset.status == AssetStatus.draft else list(asset.teams)


def _entity_names(session: Session, entity_ids: set[int]) -> dict[int, str]:
    if not entity_ids:
        return {}
    rows = session.exec(select(Entity).where(col(Entity.id).in_(entity_ids))).all()
    return {e.id or 0: " ".join(n for n in [e.name_en, e.name_zh, *e.aliases] if n) for e in rows}


def asset_chunk_ids(session: Session, asset_ids: Iterable[int]) -> list[int]:
    ids = session.exec(select(Chunk.id).where(col(Chunk.asset_id).in_(list(asset_ids)))).all()
    return [int(i) for i in ids if i is not None]


def log_asset_changes(session: Session, asset_ids: Iterable[int]) -> int:
    """Log every chunk of these assets as changed (their teams, status or stages did)."""
    return log_changes(session, asset_chunk_ids(session, asset_ids))


def reindex(services: Services) -> int:
    """Rebuild from the database: :func:`refresh_stored`, then every replica folder not in
    use by a running process wiped (each rebuilds from the database when it next opens; the
    old files are never read) and this process's replica built. Returns the chunks it
    holds."""
    refresh_stored(services)
    wipe_idle_replicas(services.settings.index_dir)
    services.changed()
    return len(services.index.ids())


def refresh_stored(services: Services) -> tuple[int, int]:
    """The database side of a rebuild, which any worker can run: languages re-detected
    (relabelled chunks logged as changes, so every replica re-indexes them), vectors stored
    for every chunk that lacks one for the current models, and every published snapshot
    removed (new replicas then build from the database). Returns (relabelled, stored)."""
    with services.db.write_session() as session:
        relabelled = relabel_languages(session)
        session.commit()
    stored = store_missing_vectors(services)
    snapshots.wipe(services.settings.snapshot_root)
    return relabelled, stored


def store_missing_vectors(services: Services, batch: int = 256) -> int:
    """Encode and store the vectors that wanted chunks lack (data from before vectors were
    stored, or a model added since). Returns how many were stored."""
    embedders = services.embedders
    stored = 0
    with services.db.session() as session:
        wanted = sorted(wanted_chunk_ids(session))
    for start in range(0, len(wanted), batch):
        ids = wanted[start : start + batch]
        with services.db.session() as session:
            chunks = build_index_chunks(session, ids)
            have = load_vectors(session, embedders, ids)
        todo: dict[str, dict[int, np.ndarray]] = {}
        for name, embedder in embedders.items():
            need = [
                c
                for c in chunks
                if understands(embedder, chunk_language(c)) and c.chunk_id not in have[name]
            ]
            if need:
                matrix = embedder.encode([passage_text(c.title, c.text) for c in need])
                todo[name] = {c.chunk_id: matrix[i] for i, c in enumerate(need)}
        if todo:
            with services.db.write_session() as session:
                store_encoded(session, embedders, todo)
                session.commit()
            stored += sum(len(v) for v in todo.values())
    return stored


def wipe_idle_replicas(index_dir: Path) -> list[str]:
    """Empty every replica folder that no running process holds; returns their names."""
    wiped: list[str] = []
    if not index_dir.is_dir():
        return wiped
    for folder in sorted(p for p in index_dir.iterdir() if p.is_dir()):
        lock = FileLock(str(folder / "owner.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue
        try:
            for child in folder.iterdir():
                if child.name == "owner.lock":
                    continue
                shutil.rmtree(child) if child.is_dir() else child.unlink()
            wiped.append(folder.name)
        finally:
            lock.release()
    return wiped


def relabel_languages(session: Session) -> int:
    """Re-detect the language of every chunk and asset from the text stored for it.

    A chunk's language decides which embedders see it, so data ingested under an
    older detector is brought in line by ``kms reindex`` without ingesting again.
    Relabelled chunks are logged as index changes. Returns how many rows changed.
    """
    changed = 0
    texts: dict[int, list[str]] = defaultdict(list)
    relabelled: list[int] = []
    for chunk in session.exec(select(Chunk).order_by(col(Chunk.asset_id), col(Chunk.ordinal))):
        texts[chunk.asset_id].append(chunk.text)
        language = detect_language(chunk.text)
        if chunk.language != language:
            chunk.language = language
            session.add(chunk)
            relabelled.append(chunk.id or 0)
            changed += 1
    for asset in session.exec(select(Asset).where(col(Asset.id).in_(list(texts)))):
        language = document_language(texts[asset.id or 0])
        if asset.language != language:
            asset.language = language
            session.add(asset)
            changed += 1
    log_changes(session, relabelled)
    return changed


def check(services: Services) -> IndexReport:
    """Differences between the database and this process's replica (caught up first),
    and wanted chunks whose stored vectors are missing — every id, exact counts."""
    services.changed()
    index = services.index
    with services.db.session() as session:
        wanted = wanted_chunk_ids(session)
        ordered = sorted(wanted)
        chunks = build_index_chunks(session, ordered)
        stored = load_vectors(session, services.embedders, ordered)
    per_index = index.ids_per_index()
    for name, embedder in services.embedders.items():
        skipped = {c.chunk_id for c in chunks if not understands(embedder, chunk_language(c))}
        per_index[f"stored {name} vectors"] = set(stored[name]) | skipped
    return IndexReport(
        expected=len(wanted),
        per_index={name: len(ids & wanted) for name, ids in per_index.items()},
        missing={name: sorted(wanted - ids) for name, ids in per_index.items()},
        extra={name: sorted(ids - wanted) for name, ids in per_index.items()},
    )


def check_public(services: Services) -> IndexCheck:
    """:func:`check` for this process's replica, as the API shows it."""
    report = check(services)
    parts = [
        IndexPart(
            name=name,
            chunks=count,
            missing=len(report.missing[name]),
            extra=len(report.extra[name]),
            first_ids=(report.missing[name] + report.extra[name])[:20],
        )
        for name, count in report.per_index.items()
    ]
    replica = services.follower.replica
    return IndexCheck(replica=replica, ok=report.ok, expected=report.expected, parts=parts)
