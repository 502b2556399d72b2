"""Gap detection: negative feedback, thin stages, problems with no solution or no proof.

``detect_gaps`` computes the full set of gaps these rules find and makes the table agree:
new ones are opened, changed ones updated, and a structural gap whose condition no longer
holds is closed (tagged ``auto-closed``; it reopens if the condition returns). Running it
twice in a row changes nothing the second time. Gaps a curator closed by hand stay closed.

The report counts only the gaps the asking caller may see (``open_total`` included), so
running detection tells a team nothing about another team's gaps.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from kms.core.db import serialize
from kms.core.leases import take_lease
from kms.core.models import (
    Asset,
    AssetStatus,
    Entity,
    EntityType,
    Feedback,
    Gap,
    QueryLog,
    Role,
)
from kms.core.models._types import utcnow
from kms.core.schemas import GapDetection
from kms.core.teams import covers
from kms.core.visibility import LOCAL_ADMIN, Caller, visible
from kms.services.app import Services
from kms.services.audit import audit
from kms.services.coverage import approved_count_per_stage
from kms.services.gaps import query_subject
from kms.services.graph import edges_from, edges_to

THIN_STAGE_MIN = 3  # approved assets a stage needs to not be "thin"
STRUCTURAL = ("thin_stage", "no_solution", "no_proof")
AUTO_CLOSED = "auto-closed"


@dataclass
class Found:
    title: str
    teams: list[str] = field(default_factory=list)
    occurrences: int = 1
    query: str | None = None
    stage_key: str | None = None


Findings = dict[tuple[str, str], Found]


def negative_feedback(session: Session) -> Findings:
    """One gap per query (and team scope) that got a not-helpful vote; counts the votes."""
    found: Findings = {}
    rows = session.exec(
        select(QueryLog)
        .join(Feedback, col(Feedback.query_id) == QueryLog.id)
        .where(Feedback.helpful == False)  # noqa: E712
    ).all()
    for query in rows:
        key = ("negative_feedback", query_subject(query.query, query.teams))
        stage = query.stage or query.inferred_stage
        held = found.get(key)
        if held is None:
            found[key] = Found(
                query.query.strip()[:200], sorted(query.teams), 1, query.query, stage
            )
        else:
            held.occurrences += 1
    return found


def thin_stages(session: Session, services: Services) -> Findings:
    process = services.process
    counts = approved_count_per_stage(session, process.keys, public_only=True)  # public gaps
    found: Findings = {}
    for key, count in counts.items():
        spec = process.get(key)
        if count < THIN_STAGE_MIN and spec is not None:
            title = f"Thin coverage: {spec.names.en} / {spec.names.zh}"
            found[("thin_stage", f"stage:{key}")] = Found(title, stage_key=key)
    return found


def problem_gaps(session: Session) -> Findings:
    found: Findings = {}
    problems = session.exec(select(Entity).where(Entity.type == EntityType.problem)).all()
    for problem in problems:
        source = session.get(Asset, problem.meta.get("asset_id") or 0)
        if source is not None and source.status == AssetStatus.retired:
            continue
        teams = sorted(source.teams) if source else []
        name = problem.name_en or problem.name_zh or problem.key
        subject = f"entity:{problem.id}"
        pid = problem.id or 0
        stage = next((r.dst_id for r in edges_from(session, "entity", pid, "surfaces_at")), None)
        solutions = [r.dst_id for r in edges_from(session, "entity", pid, "solved_by")]
        if not solutions:
            found[("no_solution", subject)] = Found(
                f"No solution for: {name}", teams, stage_key=stage
            )
        if not any(_has_live_proof(session, target, teams) for target in [str(pid), *solutions]):
            found[("no_proof", subject)] = Found(f"No proof for: {name}", teams, stage_key=stage)
    return found


def _has_live_proof(session: Session, entity_id: str, teams: list[str]) -> bool:
    """Live proof that everyone who sees the gap (``teams``) may see: a document hidden
    from some of them neither closes their gap nor tells them it exists."""
    for rel in edges_to(session, "entity", entity_id, "proves"):
        asset = session.get(Asset, int(rel.src_id))
        if asset is not None and asset.status != AssetStatus.retired and covers(asset.teams, teams):
            return True
    return False


def apply(
    session: Session, kinds: tuple[str, ...], found: Findings, caller: Caller = LOCAL_ADMIN
) -> tuple[GapDetection, GapDetection]:
    """Make the gaps of these kinds agree with the findings. Returns the report of the whole
    run and the report of what ``caller`` may see."""
    whole = GapDetection(opened=0, updated=0, closed=0, open_total=0)
    mine = GapDetection(opened=0, updated=0, closed=0, open_total=0)

    def count(what: str, teams: Sequence[str]) -> None:
        for report in (whole, mine) if visible(caller, teams) else (whole,):
            setattr(report, what, getattr(report, what) + 1)

    serialize(session, "gaps")  # one process at a time makes the gap table agree
    existing = {
        (g.kind, g.subject or ""): g
        for g in session.exec(select(Gap).where(col(Gap.kind).in_(kinds))).all()
    }
    now = utcnow()
    for key, item in found.items():
        gap = existing.get(key)
        if gap is None:
            gap = Gap(kind=key[0], subject=key[1], title=item.title, created_at=now)
            count("opened", item.teams)
        elif _differs(gap, item):
            count("updated", item.teams)
        else:
            continue
        gap.title, gap.teams, gap.occurrences = item.title, item.teams, item.occurrences
        gap.query, gap.stage_key, gap.updated_at = item.query, item.stage_key, now
        if gap.status == "closed" and AUTO_CLOSED in gap.tags:
            gap.status, gap.tags = "open", [t for t in gap.tags if t != AUTO_CLOSED]
        session.add(gap)
    for key, gap in existing.items():
        if key not in found and key[0] in STRUCTURAL and gap.status != "closed":
            gap.status, gap.tags, gap.updated_at = "closed", [*gap.tags, AUTO_CLOSED], now
            session.add(gap)
            count("closed", gap.teams)
    session.flush()
    open_teams = session.exec(
        select(Gap.teams).where(col(Gap.kind).in_(kinds), Gap.status != "closed")
    ).all()
    for teams in open_teams:
        count("open_total", teams)
    return whole, mine


def _differs(gap: Gap, item: Found) -> bool:
    reopen = gap.status == "closed" and AUTO_CLOSED in gap.tags
    current = (gap.title, sorted(gap.teams), gap.occurrences, gap.query, gap.stage_key)
    wanted = (item.title, sorted(item.teams), item.occurrences, item.query, item.stage_key)
    return reopen or current != wanted


def detect_gaps(services: Services, caller: Caller = LOCAL_ADMIN) -> GapDetection:
    """Run every detection rule; idempotent (and one run at a time in the cluster). The report
    counts the gaps ``caller`` may see; the audit log records the whole run."""
    with services.gap_lock, services.db.write_session() as session:
        serialize(session, "gaps")  # and one process in the cluster (SQLite: the write lock)
        found: Findings = {}
        found.update(negative_feedback(session))
        found.update(thin_stages(session, services))
        found.update(problem_gaps(session))
        whole, mine = apply(session, ("negative_feedback", *STRUCTURAL), found, caller)
        if whole.opened or whole.updated or whole.closed:
            audit(session, caller.actor, "gaps.detect", "gaps", **whole.model_dump())
        session.commit()
        return mine


log = logging.getLogger("kms.gaps")

GAP_LEASE = "gap-detection"
SCHEDULED = Caller(name="scheduled", role=Role.admin, teams=None)


def scheduled_gap_detection(services: Services, holder: str) -> GapDetection | None:
    """The scheduled run: once per ``gap_detect_every_s`` in the deployment, by whichever
    process (``holder``) takes the database lease first; None when another one holds it."""
    every = services.settings.gap_detect_every_s
    with services.db.session() as session:
        if not take_lease(session, GAP_LEASE, holder, every):
            return None
    return detect_gaps(services, SCHEDULED)


def detect_gaps_on_schedule(services: Services, holder: str, stopping: threading.Event) -> None:
    """Scheduled gap detection until ``stopping`` is set: tried now and every
    ``gap_detect_every_s``; it runs in one process per interval (a database lease). Runs in
    ``kms worker`` processes, or in the server when it runs jobs itself."""
    while True:
        try:
            report = scheduled_gap_detection(services, holder)
            if report is None:
                log.info("gap detection: another process holds this interval's run")
            else:
                log.info("gap detection: %s", report.model_dump())
        except Exception:  # a maintenance job: log it, never take the process down
            log.exception("scheduled gap detection failed")
        if stopping.wait(services.settings.gap_detect_every_s):
            return


def sync_feedback_gaps(session: Session, query: QueryLog) -> int | None:
    """After a not-helpful vote: bring the negative-feedback gaps up to date; the vote's gap."""
    apply(session, ("negative_feedback",), negative_feedback(session))  # reports unused
    subject = query_subject(query.query, query.teams)
    gap = session.exec(
        select(Gap).where(Gap.kind == "negative_feedback", Gap.subject == subject)
    ).first()
    return gap.id if gap else None
