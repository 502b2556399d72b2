"""Content gaps: detected from queries, feedback and the graph, or created by hand.

Visibility. A gap carries the teams of whoever raised it: a query gap the teams of the
caller who asked (one gap per query *and* team scope, so a team's questions never show
up for another team), a problem gap the teams of the problem's map entry. A gap with
no teams is public. Admins see every gap.

Detection (``detect_gaps`` in :mod:`kms.services.gapdetect`) is idempotent; search and
answer record zero-result and low-confidence queries as they happen.
"""

from __future__ import annotations

from sqlmodel import Session, col, select, update

from index.analyzer import tokenize
from kms.core.db import insert
from kms.core.errors import InputError, NotFound
from kms.core.models import Asset, Gap
from kms.core.models._types import utcnow
from kms.core.schemas import GapCreate, GapPublic, GapsPublic, GapUpdate, StageInfo
from kms.core.visibility import Caller, clean_teams, visible, visible_asset
from kms.services.app import Services, side_write
from kms.services.audit import audit

MAX_TAG_CHARS = 40
# gaps that are a rep's question (merged across languages by kms.services.gap_merge)
QUESTION_KINDS = ("zero_results", "low_confidence", "negative_feedback", "ask_expert")


def norm_query(query: str) -> str:
    return " ".join(sorted(set(tokenize(query)))) or query.strip().lower()


def query_subject(query: str, teams: list[str] | tuple[str, ...] | None) -> str:
    """One gap per normalised query and team scope."""
    scope = ",".join(sorted(teams or []))
    return f"query:{norm_query(query)}" + (f"@{scope}" if scope else "")


def record_query_gap(
    services: Services, query: str, stage: StageInfo | None, caller: Caller, kind: str
) -> int | None:
    """Count a query that found nothing (or too little) as a gap: one row per kind and
    subject, its count raised atomically (concurrent searches never lose a count). Best
    effort: a search never fails for it; None when it could not be recorded."""
    row = question_gap_row(query, kind, caller, stage.key if stage else None)

    def write(session: Session) -> int:
        gap_id = count_question(session, row)
        session.commit()
        return gap_id

    return side_write(services, "query gap", write)


def question_gap_row(
    query: str, kind: str, caller: Caller, stage_key: str | None
) -> dict[str, object]:
    """A new question gap's columns (its count 1), one per kind and subject."""
    now = utcnow()
    return {
        "kind": kind,
        "title": query.strip()[:200],
        "query": query.strip(),
        "stage_key": stage_key,
        "subject": query_subject(query, caller.teams),
        "teams": sorted(caller.teams or []),
        "occurrences": 1,
        "status": "open",
        "tags": [],
        "created_at": now,
        "updated_at": now,
    }


def count_question(session: Session, row: dict[str, object]) -> int:
    """Insert the question's gap or raise its count by one, in one statement (concurrent
    askers in any process never lose a count or make a second row); also counted on the
    gap it was merged into. Its id."""
    table = Gap.__table__  # type: ignore[attr-defined]
    statement = insert(session, table).values(**row)
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "subject"],
        set_={"occurrences": table.c.occurrences + 1, "updated_at": row["updated_at"]},
    ).returning(table.c.id, table.c.merged_into)
    gap_id, merged_into = session.execute(statement).one()
    if merged_into is not None:
        count_on_merged(session, merged_into)
    return int(gap_id)


def count_on_merged(session: Session, merged_into: int) -> None:
    """A question whose gap was merged into another counts there too (in SQL: concurrent
    askers never lose a count)."""
    table = Gap.__table__  # type: ignore[attr-defined]
    session.execute(
        update(table)
        .where(table.c.id == merged_into)
        .values(occurrences=table.c.occurrences + 1, updated_at=utcnow())
    )


def visible_gaps(session: Session, caller: Caller) -> list[Gap]:
    """Gaps a caller may see, most recently updated first."""
    rows = session.exec(select(Gap).order_by(col(Gap.updated_at).desc())).all()
    return [g for g in rows if visible(caller, g.teams)]


def gap_public(session: Session, gap: Gap, caller: Caller) -> GapPublic:
    closing = gap.closing_asset_id
    if closing is not None:
        asset = session.get(Asset, closing)
        if asset is None or not caller.can_see(asset.teams):
            closing = None
    return GapPublic(
        id=gap.id or 0,
        kind=gap.kind,
        title=gap.title,
        query=gap.query,
        stage=gap.stage_key,
        subject=gap.subject,
        teams=list(gap.teams),
        occurrences=gap.occurrences,
        status=gap.status,
        tags=list(gap.tags),
        owner=gap.owner,
        closing_asset_id=closing,
        merged_into=gap.merged_into,
        context=dict(gap.context),
        notes=list(gap.notes),
        created_at=gap.created_at,
        updated_at=gap.updated_at,
    )


def list_gaps(
    services: Services,
    caller: Caller,
    *,
    status: str | None = None,
    kind: str | None = None,
    tag: str | None = None,
    owner: str | None = None,
    stage: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> GapsPublic:
    stage_key = services.process.resolve(stage) if stage else None
    with services.db.session() as session:
        rows = [
            g
            for g in visible_gaps(session, caller)
            if (g.status == status if status else g.status != "merged")
            and (not kind or g.kind == kind)
            and (not tag or tag in g.tags)
            and (not owner or g.owner == owner)
            and (not stage or g.stage_key == stage_key)
        ]
        page = rows[offset : offset + limit]
        return GapsPublic(data=[gap_public(session, g, caller) for g in page], count=len(rows))


def get_gap(services: Services, caller: Caller, gap_id: int) -> GapPublic:
    with services.db.session() as session:
        return gap_public(session, visible_gap(session, caller, gap_id), caller)


def create_gap(services: Services, caller: Caller, new: GapCreate) -> GapPublic:
    teams = clean_teams(new.teams if new.teams is not None else list(caller.teams or []), caller)
    stage = None
    if new.stage:
        stage = services.process.resolve(new.stage)
        if stage is None:
            known = services.process.known_names()
            raise InputError(f"unknown stage '{new.stage}'", {"field": "stage", "known": known})
    with services.db.session() as session:
        gap = Gap(
            kind="manual",
            title=new.title.strip(),
            query=new.query,
            stage_key=stage,
            teams=teams,
            tags=_tags(new.tags),
            owner=new.owner,
        )
        session.add(gap)
        session.flush()
        audit(session, caller.actor, "gap.create", f"gap:{gap.id}", title=gap.title)
        session.commit()
        return gap_public(session, gap, caller)


def update_gap(services: Services, caller: Caller, gap_id: int, change: GapUpdate) -> GapPublic:
    fields = change.model_fields_set
    with services.db.write_session() as session:  # the row locked: a merge cannot interleave
        gap = visible_gap(session, caller, gap_id, lock=True)
        detail: dict[str, object] = {}
        if "closing_asset_id" in fields:
            if change.closing_asset_id is not None:
                visible_asset(session, caller, change.closing_asset_id)
                if change.status is None:
                    gap.status = "closed"
            gap.closing_asset_id = change.closing_asset_id
            detail["closing_asset_id"] = change.closing_asset_id
        if change.status is not None:
            gap.status = change.status
            gap.merged_into = None  # a merged gap given a status stands alone again
        if "tags" in fields:
            gap.tags = _tags(change.tags or [])
            detail["tags"] = gap.tags
        if "owner" in fields:
            gap.owner = change.owner or None
            detail["owner"] = gap.owner
        detail["status"] = gap.status
        gap.updated_at = utcnow()
        session.add(gap)
        audit(session, caller.actor, "gap.update", f"gap:{gap_id}", **detail)
        session.commit()
        return gap_public(session, gap, caller)


def visible_gap(session: Session, caller: Caller, gap_id: int, lock: bool = False) -> Gap:
    """The gap, if the caller may see it (``lock``: its row locked for this transaction)."""
    gap = session.get(Gap, gap_id, with_for_update=lock)
    if gap is None or not visible(caller, gap.teams):
        raise NotFound(f"no gap {gap_id}", {"gap_id": gap_id})
    return gap


def _tags(tags: list[str]) -> list[str]:
    clean = sorted({t.strip().lower() for t in tags if t.strip()})
    if any(len(t) > MAX_TAG_CHARS for t in clean):
        raise InputError(f"a tag is longer than {MAX_TAG_CHARS} characters", {"field": "tags"})
    return clean
