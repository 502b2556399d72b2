"""Writing assets and chunks to the knowledge graph, idempotently.

Identity is the asset's ``source`` *and* its team ``scope`` (``find_target``): a name that
exists only in teams the writer cannot see is a new, separate asset — never an update,
never a hint. Same identity and same content hash: nothing changes. Same identity, new
content: the old chunks are replaced and the asset keeps its id and everything a curator
set. New asset whose content another asset already has: stored as an exact duplicate of it
(not indexed: the file is stored once, every source names it), but only when everyone who
may see the new one may see the other. Within and across assets, near-duplicate chunks are
*grouped, never erased*: ``Chunk.duplicate_of`` names the first chunk of the group (under
the same visibility rule) and every chunk is indexed, so a clause shared by many documents
is found under each of them; search uses the groups at display time.

The writer is a :class:`Caller`: the CLI (no team limit) or the key that uploaded. A
team-bound writer writes only into scopes that include one of its teams (or public ones).
Only an unrestricted writer (an admin, the CLI) moves an asset to other teams, by stating
them for a name that exists under one scope only.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from ingest.dedup import NearDuplicateFinder, RepeatTracker, signature
from ingest.drafts import AssetDraft, UpsertResult
from kms.core.db import serialize
from kms.core.errors import InputError
from kms.core.graph import linker
from kms.core.linking import EntityLinker
from kms.core.models import Asset, AssetStatus, Chunk, ChunkStage, Relation, StageOrigin
from kms.core.models._types import utcnow
from kms.core.stage_classifier import StageClassifier
from kms.core.teams import covers, scope_of
from kms.core.text.language import detect_language
from kms.core.visibility import Caller, covering, visible, writable_by


class ChunkEnricher:
    """Per-chunk enrichment that needs the current taxonomy and the chunks seen so far."""

    def __init__(
        self,
        session: Session,
        classifier: StageClassifier,
        dedup: NearDuplicateFinder,
    ) -> None:
        self.session = session
        self.classifier = classifier
        self.dedup = dedup
        self._linkers: dict[str, EntityLinker] = {}

    def linker(self, teams: list[str]) -> EntityLinker:
        """Entity names an asset of ``teams`` may be linked to: only entities that everyone
        who sees the asset may see (their names go into its keyword field). One per team
        scope for the life of the enricher (a file), as the taxonomy was read before."""
        scope = scope_of(teams)
        if scope not in self._linkers:
            self._linkers[scope] = linker(self.session, covering(teams))
        return self._linkers[scope]


def find_target(
    session: Session, source: str, teams: list[str] | None, writer: Caller
) -> Asset | None:
    """The stored asset that a new version of ``source`` (stating ``teams``, or None to keep
    them) replaces, or None for a new asset. Only assets the writer may see are candidates."""
    rows = session.exec(select(Asset).where(Asset.source == source)).all()
    if teams is not None:
        same = next((a for a in rows if a.scope == scope_of(teams)), None)
        if same is not None or writer.teams is not None:
            return same
        return rows[0] if len(rows) == 1 else None  # an admin moves the only one
    if writer.teams is None:
        candidates = rows
    else:  # the writer's own teams first, then public
        candidates = [a for a in rows if a.teams and visible(writer, a.teams)]
    if len(candidates) == 1:
        return candidates[0]
    public = next((a for a in rows if not a.teams), None)
    if len(candidates) > 1 and (writer.teams is not None or public is None):
        scopes = "; ".join(sorted(a.scope or "everyone" for a in candidates))
        raise InputError(
            f"'{source}' exists for several team sets ({scopes}): say which with teams",
            {"field": "teams"},
        )
    return public


def upsert_asset(
    session: Session,
    draft: AssetDraft,
    enricher: ChunkEnricher,
    review_days: int,
    writer: Caller,
) -> UpsertResult:
    problem = writable_by(writer, draft.teams or [])
    if problem:
        raise InputError(problem, {"field": "teams"})
    # two writers of one source take turns (the second then finds the first's asset),
    # instead of both inserting it and one failing on the unique source index
    serialize(session, f"asset:{draft.source}")
    existing = find_target(session, draft.source, draft.teams, writer)
    if existing is not None and existing.content_hash == draft.content_hash:
        changed = apply_stated_meta(
            existing, draft.status, draft.owner, draft.teams, draft.review_by, writer.name
        )
        session.add(existing)
        return UpsertResult(existing.id or 0, "unchanged", meta_changed=changed)
    removed: list[int] = []
    if existing is None:
        asset = Asset(
            kind=draft.kind,
            source_type=draft.source_type,
            title=draft.title,
            source=draft.source,
            content_hash=draft.content_hash,
            language=draft.language,
            status=AssetStatus.draft,  # the stated status is applied below (who approved it)
            owner=draft.owner,
            teams=draft.teams or [],
            review_by=draft.review_by or (utcnow().date() + timedelta(days=review_days)),
        )
        status = "added"
    else:
        asset = existing
        removed = _drop_chunks(session, asset.id or 0)
        for chunk_id in removed:
            enricher.dedup.remove(chunk_id)
        status = "updated"
    asset.kind, asset.title, asset.language = draft.kind, draft.title, draft.language
    asset.content_hash, asset.mime = draft.content_hash, draft.mime
    asset.stored_file = draft.stored_file or asset.stored_file
    # a curator's stage tags (set through the API) outlive a change of content, unless
    # the source states its own
    curated = draft.curated_stages or list(asset.meta.get("curated_stages", []))
    draft = replace(draft, curated_stages=curated)
    asset.meta = {**asset.meta, **draft.meta, "curated_stages": curated}
    asset.updated_at = utcnow()
    apply_stated_meta(asset, draft.status, draft.owner, draft.teams, draft.review_by, writer.name)
    twin = _exact_twin(session, draft, asset.id, asset.teams)
    asset.duplicate_of = twin
    session.add(asset)
    session.flush()
    added = _write_chunks(session, asset, draft, enricher, exact_duplicate=twin is not None)
    if asset.status == AssetStatus.retired:
        added = []  # stored, never searchable
    result_status = "duplicate" if twin is not None and status == "added" else status
    return UpsertResult(asset.id or 0, result_status, removed, added)


def apply_stated_meta(
    asset: Asset,
    status: AssetStatus | None,
    owner: str | None,
    teams: list[str] | None,
    review_by: date | None,
    writer: str,
) -> bool:
    """Metadata the source states explicitly (a manifest, a note's teams) wins; a stated
    approval is recorded as the ``writer``'s.

    Returns whether anything search depends on (status, teams) changed."""
    before = (asset.status, list(asset.teams))
    if status is not None:
        asset.set_status(status, writer)
    if owner is not None:
        asset.owner = owner
    if teams is not None:
        asset.teams = list(teams)
    if review_by is not None:
        asset.review_by = review_by
    return before != (asset.status, list(asset.teams))


def _exact_twin(
    session: Session, draft: AssetDraft, own_id: int | None, teams: list[str]
) -> int | None:
    """An earlier asset with the same content that everyone who may see this one may see."""
    query = select(Asset.id, Asset.teams).where(
        Asset.content_hash == draft.content_hash,
        Asset.duplicate_of.is_(None),  # type: ignore[union-attr]
        Asset.status != AssetStatus.retired,
    )
    if own_id is not None:
        query = query.where(Asset.id != own_id)
    for twin_id, twin_teams in session.exec(query.order_by(Asset.id)):  # type: ignore[arg-type]
        if covers(twin_teams, teams):
            return twin_id
    return None


def _covering_chunk(session: Session, chunk_id: int | None, teams: list[str]) -> int | None:
    """``chunk_id`` if everyone who may see an asset of ``teams`` may see that chunk."""
    if chunk_id is None:
        return None
    owner = session.exec(
        select(Asset.teams).join(Chunk, col(Chunk.asset_id) == Asset.id).where(Chunk.id == chunk_id)
    ).first()
    return chunk_id if owner is not None and covers(owner, teams) else None


def _drop_chunks(session: Session, asset_id: int) -> list[int]:
    ids = [i for i in session.exec(select(Chunk.id).where(Chunk.asset_id == asset_id)) if i]
    if ids:
        session.execute(delete(ChunkStage).where(col(ChunkStage.chunk_id).in_(ids)))
        session.execute(delete(Chunk).where(col(Chunk.asset_id) == asset_id))
    session.execute(
        delete(Relation).where(
            col(Relation.src_type) == "asset",
            col(Relation.src_id) == str(asset_id),
            col(Relation.type) == "mentions",
        )
    )
    return ids


def _write_chunks(
    session: Session,
    asset: Asset,
    draft: AssetDraft,
    enricher: ChunkEnricher,
    *,
    exact_duplicate: bool,
) -> list[int]:
    """Store the chunks with language, entities, stages and near-duplicate groups.

    Returns the ids of the chunks that should be indexed: all of them, unless the whole
    asset is an exact duplicate of another.
    """
    mentions: dict[int, int] = {}
    indexable: list[int] = []
    fallback = _asset_stage(draft, enricher.classifier)
    repeats = RepeatTracker(enricher.dedup.threshold)
    linker_ = enricher.linker(asset.teams)
    for draft_chunk in draft.chunks:
        sig = signature(draft_chunk.text)
        twin = None
        if not exact_duplicate:
            twin = repeats.find(draft_chunk.text) or _covering_chunk(
                session, enricher.dedup.find(draft_chunk.text, sig), asset.teams
            )
        entities = linker_.link(f"{draft_chunk.section or ''}\n{draft_chunk.text}")
        chunk = Chunk(
            asset_id=asset.id or 0,
            ordinal=draft_chunk.ordinal,
            text=draft_chunk.text,
            section=draft_chunk.section,
            page=draft_chunk.page,
            language=detect_language(draft_chunk.text),
            content_hash=hashlib.sha256(draft_chunk.text.encode()).hexdigest(),
            duplicate_of=twin,
            entity_ids=sorted(entities),
        )
        session.add(chunk)
        session.flush()
        chunk_id = chunk.id or 0
        for entity_id, count in entities.items():
            mentions[entity_id] = mentions.get(entity_id, 0) + count
        _write_stages(session, chunk_id, draft_chunk.text, draft, enricher.classifier, fallback)
        if exact_duplicate:
            continue
        indexable.append(chunk_id)
        if twin is None:  # the first of its group: later near-duplicates point at it
            repeats.add(chunk_id, draft_chunk.text)
            enricher.dedup.add(chunk_id, draft_chunk.text, sig)
    for entity_id, count in mentions.items():
        session.add(
            Relation(
                src_type="asset",
                src_id=str(asset.id),
                type="mentions",
                dst_type="entity",
                dst_id=str(entity_id),
                weight=float(count),
                evidence_asset_id=asset.id,
            )
        )
    return indexable


def _asset_stage(draft: AssetDraft, classifier: StageClassifier) -> str | None:
    """The stage of the asset as a whole: the fallback for a chunk with no evidence."""
    body = "\n".join(c.text for c in draft.chunks)[:20_000]
    ranked = classifier.classify(f"{draft.title}\n{body}", draft.kind)
    if ranked:
        return ranked[0].stage_key
    return classifier.process.stages[0].key if classifier.process.stages else None


def _write_stages(
    session: Session,
    chunk_id: int,
    text: str,
    draft: AssetDraft,
    classifier: StageClassifier,
    fallback: str | None,
) -> None:
    """Curated tags beat the source's own stage, which beats the classifier.

    Every chunk gets at least one stage: with no evidence of its own it takes the
    asset's stage at a low score.
    """
    stages: dict[str, ChunkStage] = {}
    for scored in classifier.chunk_stages(f"{draft.title}\n{text}", draft.kind):
        stages[scored.stage_key] = ChunkStage(
            chunk_id=chunk_id,
            stage_key=scored.stage_key,
            score=round(scored.score, 3),
            origin=StageOrigin.inferred,
        )
    if draft.source_stage:
        stages[draft.source_stage] = ChunkStage(
            chunk_id=chunk_id, stage_key=draft.source_stage, score=1.0, origin=StageOrigin.source
        )
    if not stages and fallback:
        stages[fallback] = ChunkStage(
            chunk_id=chunk_id, stage_key=fallback, score=0.2, origin=StageOrigin.inferred
        )
    for key in draft.curated_stages:
        stages[key] = ChunkStage(
            chunk_id=chunk_id, stage_key=key, score=1.0, origin=StageOrigin.curated
        )
    for row in stages.values():
        session.add(row)
