"""Ask an expert: a rep's question that the knowledge base could not answer becomes a gap
with its stage, the rep's filters and note, for a curator to answer."""

from __future__ import annotations

from sqlmodel import Session, select

from kms.core.errors import InputError
from kms.core.models import Gap
from kms.core.models._types import utcnow
from kms.core.schemas import ExpertAsked, ExpertRequest
from kms.core.visibility import Caller
from kms.services.app import Services
from kms.services.audit import audit
from kms.services.gaps import count_on_merged, query_subject

KIND = "ask_expert"
MAX_NOTES = 50


def ask_expert(services: Services, caller: Caller, request: ExpertRequest) -> ExpertAsked:
    """Record (or count again) the question as an ``ask_expert`` gap; the note is kept."""
    stage = None
    if request.stage:
        stage = services.process.resolve(request.stage)
        if stage is None:
            known = services.process.known_names()
            raise InputError(f"unknown stage '{request.stage}'", {"field": "stage", "known": known})
    query = request.query.strip()
    subject = query_subject(query, caller.teams)
    filters = request.filters.model_dump(exclude_defaults=True, mode="json")
    note = (request.note or "").strip()
    with services.write_lock, services.db.session() as session:
        gap = _existing(session, subject)
        if gap is None:
            gap = Gap(
                kind=KIND,
                title=query[:200],
                query=query,
                subject=subject,
                teams=sorted(caller.teams or []),
                occurrences=0,
            )
        gap.occurrences += 1
        if gap.merged_into is not None:
            count_on_merged(session, gap.merged_into)
        gap.stage_key = stage or gap.stage_key
        gap.context = {**gap.context, **filters}
        if note:
            gap.notes = [*gap.notes, note][-MAX_NOTES:]
        if gap.status == "closed":
            gap.status = "open"
        gap.updated_at = utcnow()
        session.add(gap)
        session.flush()
        audit(session, caller.actor, "gap.ask_expert", f"gap:{gap.id}", query=query)
        session.commit()
        return ExpertAsked(gap_id=gap.id or 0, occurrences=gap.occurrences)


def _existing(session: Session, subject: str) -> Gap | None:
    return session.exec(select(Gap).where(Gap.kind == KIND, Gap.subject == subject)).first()
