"""Curation: list, read, change and retire assets; download their source files.

Visibility is checked once here (``visible_asset``): an asset the caller's teams may not
see is "not found", never "forbidden", so its existence does not leak. Retired assets are
visible to curators and admins only. Every change is audited, and a change that affects
search (status, stage tags, teams) re-indexes the asset's chunks.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from kms.core.blobs import blob_digest, read_blob
from kms.core.errors import Forbidden, InputError, NotFound
from kms.core.models import Asset, AssetStatus, Chunk, ChunkStage, Pin, StageOrigin
from kms.core.models._types import utcnow
from kms.core.schemas import AssetDetail, AssetsPublic, AssetUpdate
from kms.core.teams import scope_of
from kms.core.visibility import Caller, clean_teams, may_see, team_change_error, visible_asset
from kms.services.app import Services
from kms.services.assetviews import asset_detail, asset_public
from kms.services.audit import audit
from kms.services.indexing import log_asset_changes

SEARCH_FIELDS = {"status", "stages", "teams"}
MAX_PIN_CHARS = 200


def list_assets(
    services: Services,
    caller: Caller,
    *,
    kind: str | None = None,
    status: str | None = None,
    language: str | None = None,
    stage: str | None = None,
    owner: str | None = None,
    team: str | None = None,
    q: str | None = None,
    stale: bool | None = None,
    offset: int = 0,
    limit: int = 20,
) -> AssetsPublic:
    _check_page(services, limit)
    query = select(Asset).order_by(col(Asset.id))
    if kind:
        query = query.where(Asset.kind == kind)
    if status:
        query = query.where(Asset.status == status)
    if language:
        query = query.where(Asset.language == language)
    if owner:
        query = query.where(Asset.owner == owner)
    if q:
        query = query.where(col(Asset.title).icontains(q))
    if stage:
        key = _stage_key(services, stage)
        staged = select(Chunk.asset_id).join(ChunkStage, col(ChunkStage.chunk_id) == Chunk.id)
        query = query.where(col(Asset.id).in_(staged.where(ChunkStage.stage_key == key)))
    today = utcnow().date()
    with services.db.session() as session:
        rows = [a for a in session.exec(query).all() if may_see(a, caller)]
    if team:
        rows = [a for a in rows if team in a.teams]
    if stale is not None:
        rows = [a for a in rows if _is_stale(a, today) == stale]
    page = rows[offset : offset + limit]
    return AssetsPublic(data=[asset_public(a, today) for a in page], count=len(rows))


def get_asset(services: Services, caller: Caller, asset_id: int) -> AssetDetail:
    with services.db.session() as session:
        asset = visible_asset(session, caller, asset_id)
        return asset_detail(session, asset, lambda a: may_see(a, caller))


def update_asset(
    services: Services, caller: Caller, asset_id: int, change: AssetUpdate
) -> AssetDetail:
    fields = {f for f in change.model_fields_set if f != "status" or change.status is not None}
    with services.db.write_session() as session:
        asset = visible_asset(session, caller, asset_id, for_update=True)
        detail: dict[str, Any] = {}
        if "status" in fields and change.status is not None:
            asset.set_status(AssetStatus(change.status), caller.name)
            detail["status"] = change.status
        if "owner" in fields:
            asset.owner = change.owner or None
            detail["owner"] = asset.owner
        if "review_by" in fields:
            asset.review_by = change.review_by
            detail["review_by"] = change.review_by.isoformat() if change.review_by else None
        if "teams" in fields:
            asset.teams = _new_teams(session, asset, clean_teams(change.teams or []), caller)
            detail["teams"] = asset.teams
        if "stages" in fields:
            keys = [_stage_key(services, s) for s in change.stages or []]
            _set_curated_stages(session, asset, list(dict.fromkeys(keys)))
            detail["stages"] = asset.meta["curated_stages"]
        if "pins" in fields:
            detail["pins"] = _set_pins(session, asset, change.pins or [], caller.actor)
        asset.updated_at = utcnow()
        session.add(asset)
        audit(session, caller.actor, "asset.update", f"asset:{asset_id}", **detail)
        if fields & SEARCH_FIELDS:
            log_asset_changes(session, [asset_id])
        session.commit()
    services.changed()
    return get_asset(services, caller, asset_id)


def _new_teams(session: Session, asset: Asset, teams: list[str], caller: Caller) -> list[str]:
    """The asset's new teams, if ``caller`` may move it there (``team_change_error``) and no
    other asset of the same name lives there already (one the caller may see: the new
    teams are the caller's own or public)."""
    refused = team_change_error(caller, asset.teams, teams)
    if refused:
        raise Forbidden(refused, {"field": "teams"})
    taken = session.exec(
        select(Asset.id).where(
            Asset.source == asset.source, Asset.scope == scope_of(teams), Asset.id != asset.id
        )
    ).first()
    if taken is not None:
        raise InputError(
            f"asset {taken} of the same name is already shared with those teams",
            {"field": "teams", "asset_id": taken},
        )
    return teams


def retire_asset(services: Services, caller: Caller, asset_id: int) -> AssetDetail:
    return update_asset(services, caller, asset_id, AssetUpdate(status="retired"))


def asset_file(services: Services, caller: Caller, asset_id: int) -> tuple[bytes, str, str]:
    """The stored source file of an asset: (bytes, download name, media type)."""
    with services.db.session() as session:
        asset = visible_asset(session, caller, asset_id)
        digest = blob_digest(asset.stored_file)
        data = read_blob(session, digest) if digest else _legacy_file(services, asset)
    if data is None:
        raise NotFound(f"asset {asset_id} has no stored file", {"asset_id": asset_id})
    suffix = Path(str(asset.meta.get("file_name") or "")).suffix
    name = str(asset.meta.get("file_name") or f"asset-{asset_id}{suffix}")
    return data, name, asset.mime or "application/octet-stream"


def _legacy_file(services: Services, asset: Asset) -> bytes | None:
    """A file stored under the data dir before files moved into the database."""
    root = services.settings.data_dir.resolve()
    path = (root / asset.stored_file).resolve() if asset.stored_file else None
    if path is None or not path.is_relative_to(root) or not path.is_file():
        return None
    return path.read_bytes()


def _check_page(services: Services, limit: int) -> None:
    if limit > services.settings.page_size_max:
        raise InputError(
            f"limit must be at most {services.settings.page_size_max}", {"field": "limit"}
        )


def _stage_key(services: Services, name: str) -> str:
    key = services.process.resolve(name)
    if key is None:
        raise InputError(
            f"unknown stage '{name}'", {"field": "stage", "known": services.process.known_names()}
        )
    return key


def _is_stale(asset: Asset, today: date) -> bool:
    return asset.review_by is not None and asset.review_by < today


def _set_curated_stages(session: Session, asset: Asset, keys: list[str]) -> None:
    """Replace the curated stage tags of every chunk of the asset."""
    chunk_ids = [
        c for c in session.exec(select(Chunk.id).where(Chunk.asset_id == asset.id)).all() if c
    ]
    rows = session.exec(select(ChunkStage).where(col(ChunkStage.chunk_id).in_(chunk_ids))).all()
    existing = {(r.chunk_id, r.stage_key): r for r in rows}
    for row in rows:
        if row.origin == StageOrigin.curated and row.stage_key not in keys:
            session.delete(row)
    for chunk_id in chunk_ids:
        for key in keys:
            row = existing.get((chunk_id, key)) or ChunkStage(chunk_id=chunk_id, stage_key=key)
            row.score, row.origin = 1.0, StageOrigin.curated
            session.add(row)
    asset.meta = {**asset.meta, "curated_stages": keys}


def _set_pins(session: Session, asset: Asset, pins: list[str], actor: str) -> list[str]:
    wanted = list(dict.fromkeys(p.strip() for p in pins if p.strip()))
    if any(len(p) > MAX_PIN_CHARS for p in wanted):
        raise InputError(f"a pinned query is longer than {MAX_PIN_CHARS} characters")
    for pin in session.exec(select(Pin).where(Pin.asset_id == asset.id)).all():
        if pin.query in wanted:
            wanted.remove(pin.query)
            continue
        session.delete(pin)
    for query in wanted:
        session.add(Pin(asset_id=asset.id or 0, query=query, created_by=actor))
    session.flush()
    return [p.query for p in session.exec(select(Pin).where(Pin.asset_id == asset.id)).all()]
