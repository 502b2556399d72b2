"""Ask an expert: a rep's question that the knowledge base could not answer becomes a gap
with its stage, the rep's filters and note, for a curator to answer."""

from __future__ import annotations

from kms.core.errors import InputError
from kms.core.models import Gap
from kms.core.schemas import ExpertAsked, ExpertRequest
from kms.core.visibility import Caller
from kms.services.app import Services
from kms.services.audit import audit
from kms.services.gaps import count_question, question_gap_row

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
    filters = request.filters.model_dump(exclude_defaults=True, mode="json")
    note = (request.note or "").strip()
    with services.db.write_session() as session:
        # the count in one statement, then the rest with the row locked: replicas asking
        # at once never lose a count, a note or a second row
        gap_id = count_question(session, question_gap_row(query, KIND, caller, stage))
        gap = session.get(Gap, gap_id, with_for_update=True, populate_existing=True)
        assert gap is not None  # just written in this transaction
        gap.stage_key = stage or gap.stage_key
        gap.context = {**gap.context, **filters}
        if note:
            gap.notes = [*gap.notes, note][-MAX_NOTES:]
        if gap.status == "closed":
            gap.status = "open"
        session.add(gap)
        audit(session, caller.actor, "gap.ask_expert", f"gap:{gap_id}", query=query)
        session.commit()
        return ExpertAsked(gap_id=gap_id, occurrences=gap.occurrences)
