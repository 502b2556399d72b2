"""Assets: list, read, curate, retire, download the source file."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import CallerDep, CuratorDep, ServicesDep, WidgetCallerDep
from api.errors import error_responses
from api.routers.params import Id, Limit, Offset, Text
from kms.core.schemas import AssetDetail, AssetsPublic, AssetUpdate
from kms.services import curate, removal

router = APIRouter(prefix="/v1/assets", tags=["assets"], responses=error_responses(401, 429))


@router.get("", responses=error_responses(422))
def list_assets(
    services: ServicesDep,
    caller: CallerDep,
    kind: Text = None,
    status: Annotated[Literal["draft", "approved", "retired"] | None, Query()] = None,
    language: Text = None,
    stage: Text = None,
    owner: Text = None,
    team: Text = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in the title")] = None,
    stale: bool | None = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> AssetsPublic:
    """Assets the caller may see, filtered, a page at a time: `{data, count}`."""
    return curate.list_assets(
        services,
        caller,
        kind=kind,
        status=status,
        language=language,
        stage=stage,
        owner=owner,
        team=team,
        q=q,
        stale=stale,
        offset=offset,
        limit=limit,
    )


@router.get("/{asset_id}", responses=error_responses(404))
def get_asset(asset_id: Id, services: ServicesDep, caller: WidgetCallerDep) -> AssetDetail:
    """One asset with its chunks, stage affinities, entities, duplicates and pins."""
    return curate.get_asset(services, caller, asset_id)


@router.patch("/{asset_id}", responses=error_responses(403, 404, 422))
def update_asset(
    asset_id: Id, body: AssetUpdate, services: ServicesDep, caller: CuratorDep
) -> AssetDetail:
    """Change status, curated stage tags, owner, review-by date, teams or pinned queries."""
    return curate.update_asset(services, caller, asset_id, body)


@router.post("/{asset_id}/retire", responses=error_responses(403, 404))
def retire_asset(asset_id: Id, services: ServicesDep, caller: CuratorDep) -> AssetDetail:
    """Retire an asset: it leaves search at once."""
    return curate.retire_asset(services, caller, asset_id)


@router.delete("/{asset_id}", status_code=204, responses=error_responses(403, 404))
def delete_asset(asset_id: Id, services: ServicesDep, caller: CuratorDep) -> Response:
    """Delete an asset for good (rows, index entries, stored file); retire to keep it."""
    removal.delete_asset(services, caller, asset_id)
    return Response(status_code=204)


@router.get(
    "/{asset_id}/file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, **error_responses(404)},
)
def download(asset_id: Id, services: ServicesDep, caller: WidgetCallerDep) -> Response:
    """The original file, as an attachment."""
    data, name, media_type = curate.asset_file(services, caller, asset_id)
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(name),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )


def content_disposition(name: str) -> str:
    """An attachment header for ``name`` (RFC 6266: a UTF-8 name, e.g. Chinese, is encoded)."""
    quoted = quote(name)
    if quoted != name:
        return f"attachment; filename*=utf-8''{quoted}"
    return f'attachment; filename="{name}"'
