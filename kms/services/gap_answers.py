"""A curator answers a gap in the console: the short answer becomes an approved, searchable
asset (an article titled with the question, approved by that curator, visible to the
gap's teams) and closes the gap, so the reps who asked are told on their next visit.

The answer goes through the ordinary ingest (chunks, stages, embeddings, change log), named
``gap-answer:<gap id>``: answering the same gap again updates that asset.
"""

from __future__ import annotations

import shutil

from kms.core.errors import InputError
from kms.core.models import AssetStatus
from kms.core.schemas import FileMeta, GapAnswer, GapPublic, GapUpdate
from kms.core.visibility import Caller
from kms.services.app import Services, scratch_dir
from kms.services.gaps import get_gap, update_gap
from kms.services.ingest import ingest_paths


def answer_gap(services: Services, caller: Caller, gap_id: int, body: GapAnswer) -> GapPublic:
    gap = get_gap(services, caller, gap_id)
    question = (gap.query or gap.title).strip()
    meta = FileMeta(
        kind="article",
        status=AssetStatus.approved,
        owner=caller.name,
        teams=list(gap.teams) or None,
        stages=[gap.stage] if gap.stage else [],
    )
    work = scratch_dir(services, f"gap-{gap_id}-")
    try:
        path = work / f"gap-{gap_id}-answer.md"
        path.write_text(f"# {question}\n\n{body.text.strip()}\n", encoding="utf-8")
        outcome = ingest_paths(
            services,
            [path],
            meta,
            created_by=caller.actor,
            writer=caller,
            identity=lambda _: f"gap-answer:{gap_id}",
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if outcome.errors or not outcome.results:
        reason = outcome.errors[0].message if outcome.errors else "nothing was stored"
        raise InputError(f"the answer could not be stored: {reason}", {"field": "text"})
    asset_id = outcome.results[0].asset_id
    return update_gap(
        services, caller, gap_id, GapUpdate(status="closed", closing_asset_id=asset_id)
    )
