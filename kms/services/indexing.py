"""Keeping the search indexes equal to the database (the source of truth).

What is indexed: chunks that are not near-duplicates, of assets that are not retired
and not exact duplicates of another asset. ``sync`` adds what the database has and
an index lacks and removes what an index has and the database no longer wants — it
runs after every ingest and at start-up, which is how an interrupted ingest resumes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from index.hybrid import IndexChunk
from kms.core.models import Asset, AssetStatus, Chunk, ChunkStage, Entity
from kms.core.text.language import detect_language, document_language
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


def wanted_chunk_ids(session: Session) -> set[int]:
    rows = session.exec(
        select(Chunk.id)
        .join(Asset, col(Asset.id) == Chunk.asset_id)
        .where(
            col(Chunk.duplicate_of).is_(None),
            col(Asset.duplicate_of).is_(None),
            Asset.status != AssetStatus.retired,
        )
    ).all()
    return {int(r) for r in rows if r is not None}


def index_chunks(services: Services, session: Session, chunk_ids: Sequence[int]) -> int:
    """Embed and index the given chunks (upsert), in batches."""
    done = 0
    for start in range(0, len(chunk_ids), BATCH):
        batch = list(chunk_ids[start : start + BATCH])
        services.index.upsert(build_index_chunks(session, batch))
        done += len(batch)
    return done


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
        title = f"{asset.title} — {chunk.section}" if chunk.section else asset.title
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
                teams=list(asset.teams),
            )
        )
    return out


def _entity_names(session: Session, entity_ids: set[int]) -> dict[int, str]:
    if not entity_ids:
        return {}
    rows = session.exec(select(Entity).where(col(Entity.id).in_(entity_ids))).all()
    return {e.id or 0: " ".join(n for n in [e.name_en, e.name_zh, *e.aliases] if n) for e in rows}


def remove_chunks(services: Services, chunk_ids: Sequence[int]) -> None:
    if chunk_ids:
        services.index.delete(list(chunk_ids))


def sync(services: Services) -> tuple[int, int]:
    """Make every index hold exactly the wanted chunks. Returns (added, removed).

    A chunk missing from any one part (say, the keyword index after switching
    engines) is indexed again; its vectors come from the embedding cache.
    """
    with services.db.session() as session:
        wanted = wanted_chunk_ids(session)
        parts = list(services.index.ids_per_index().values())
        extra = sorted(set().union(*parts) - wanted)
        missing = sorted(wanted - set[int].intersection(*parts))
        remove_chunks(services, extra)
        index_chunks(services, session, missing)
    if extra or missing:
        services.index.save()
    return len(missing), len(extra)


def refresh_assets(services: Services, asset_ids: Iterable[int], save: bool = True) -> None:
    """Re-index the chunks of assets whose metadata changed (teams, status, stages)."""
    with services.db.session() as session:
        ids = list(
            session.exec(select(Chunk.id).where(col(Chunk.asset_id).in_(list(asset_ids)))).all()
        )
        wanted = wanted_chunk_ids(session)
        chunk_ids = [int(i) for i in ids if i is not None]
        remove_chunks(services, [i for i in chunk_ids if i not in wanted])
        index_chunks(services, session, [i for i in chunk_ids if i in wanted])
    if save:
        services.index.save()


def reindex(services: Services) -> int:
    """Rebuild every index from the database (languages re-detected first)."""
    with services.db.session() as session:
        relabel_languages(session)
    services.index.clear()
    with services.db.session() as session:
        count = index_chunks(services, session, sorted(wanted_chunk_ids(session)))
    services.index.save()
    return count


def relabel_languages(session: Session) -> int:
    """Re-detect the language of every chunk and asset from the text stored for it.

    A chunk's language decides which embedders see it, so data ingested under an
    older detector is brought in line by ``kms reindex`` without ingesting again.
    Returns how many rows changed.
    """
    changed = 0
    texts: dict[int, list[str]] = defaultdict(list)
    for chunk in session.exec(select(Chunk).order_by(col(Chunk.asset_id), col(Chunk.ordinal))):
        texts[chunk.asset_id].append(chunk.text)
        language = detect_language(chunk.text)
        if chunk.language != language:
            chunk.language = language
            session.add(chunk)
            changed += 1
    for asset in session.exec(select(Asset).where(col(Asset.id).in_(list(texts)))):
        language = document_language(texts[asset.id or 0])
        if asset.language != language:
            asset.language = language
            session.add(asset)
            changed += 1
    session.commit()
    return changed


def check(services: Services) -> IndexReport:
    """Differences between the database and each index."""
    with services.db.session() as session:
        wanted = wanted_chunk_ids(session)
    per_index = services.index.ids_per_index()
    return IndexReport(
        expected=len(wanted),
        per_index={name: len(ids) for name, ids in per_index.items()},
        missing={name: sorted(wanted - ids)[:50] for name, ids in per_index.items()},
        extra={name: sorted(ids - wanted)[:50] for name, ids in per_index.items()},
    )
