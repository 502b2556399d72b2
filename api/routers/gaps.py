"""Content gaps: list, create, tag, assign, set status, link the closing asset or answer it
in words; detect."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.deps import CuratorDep, ServicesDep
from api.errors import error_responses
from api.routers.params import Id, Limit, Offset, Text
from kms.core.schemas import (
    GapAnswer,
    GapCreate,
    GapDetection,
    GapMerge,
    GapPublic,
    GapsPublic,
    GapUpdate,
    SimilarGap,
)
from kms.services import gaps
from kms.services.gap_answers import answer_gap
from kms.services.gap_merge import merge_gap, similar_gaps
from kms.services.gapdetect import detect_gaps

router = APIRouter(prefix="/v1/gaps", tags=["gaps"], responses=error_responses(401, 403, 429))


@router.get("")
def list_gaps(
    services: ServicesDep,
    caller: CuratorDep,
    status: Annotated[Literal["open", "in_progress", "closed", "merged"] | None, Query()] = None,
    kind: Text = None,
    tag: Text = None,
    owner: Text = None,
    stage: Text = None,
    offset: Offset = 0,
    limit: Limit = 20,
) -> GapsPublic:
    """Gaps the caller's teams may see, most recently updated first (merged ones only when
    asked for with ``status=merged``)."""
    return gaps.list_gaps(
        services,
        caller,
        status=status,
        kind=kind,
        tag=tag,
        owner=owner,
        stage=stage,
        offset=offset,
        limit=limit,
    )


@router.post("", status_code=201, responses=error_responses(422))
def create_gap(body: GapCreate, services: ServicesDep, caller: CuratorDep) -> GapPublic:
    """Record a gap by hand."""
    return gaps.create_gap(services, caller, body)


@router.post("/detect")
def detect(services: ServicesDep, caller: CuratorDep) -> GapDetection:
    """Run gap detection now (it also runs at start-up and after every upload)."""
    return detect_gaps(services, caller)


@router.get("/{gap_id}", responses=error_responses(404))
def get_gap(gap_id: Id, services: ServicesDep, caller: CuratorDep) -> GapPublic:
    return gaps.get_gap(services, caller, gap_id)


@router.patch("/{gap_id}", responses=error_responses(404, 422))
def update_gap(gap_id: Id, body: GapUpdate, services: ServicesDep, caller: CuratorDep) -> GapPublic:
    """Tag, assign an owner, set the status, or link the asset that closes the gap."""
    return gaps.update_gap(services, caller, gap_id, body)


@router.post("/{gap_id}/answer", responses=error_responses(404, 422))
def answer(gap_id: Id, body: GapAnswer, services: ServicesDep, caller: CuratorDep) -> GapPublic:
    """Answer the gap in words: the text becomes an approved article (titled with the
    question, visible to the gap's teams) that closes the gap."""
    return answer_gap(services, caller, gap_id, body)


@router.get("/{gap_id}/similar", responses=error_responses(404, 422))
def similar(gap_id: Id, services: ServicesDep, caller: CuratorDep) -> list[SimilarGap]:
    """Open question gaps of the same teams that may ask the same thing, in either language,
    nearest first: candidates for a merge."""
    return similar_gaps(services, caller, gap_id)


@router.post("/{gap_id}/merge", responses=error_responses(404, 422))
def merge(gap_id: Id, body: GapMerge, services: ServicesDep, caller: CuratorDep) -> GapPublic:
    """Merge this question gap into ``into`` (the same question): the count adds up, later
    askers count there, and everyone who asked either is told when it is answered."""
    return merge_gap(services, caller, gap_id, body.into)
