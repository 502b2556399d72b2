"""Win/loss evidence: a stage filter keeps the deals that *reached* the stage (a won deal
passed every stage), counted in SQL over real ingested notes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.winloss import furthest_stage
from kms.core.config import DEFAULT_SALES_PROCESS, Settings
from kms.core.models import AssetStatus, Role
from kms.core.schemas import FileMeta
from kms.core.stages import load_sales_process
from kms.core.visibility import Caller
from kms.services.app import Services
from kms.services.ingest import ingest_paths
from kms.services.winloss import summarise

# not imported from conftest: with tests/api collected too, `conftest` is that one
EMBED_CACHE = Path(__file__).resolve().parents[1] / ".cache" / "test-embeddings"

PROCESS = load_sales_process(DEFAULT_SALES_PROCESS)
REP = Caller(name="rep", role=Role.rep, teams=())

# Four deals won against DataForge — two of them noted at the stage they were in when won —
# two lost at Negotiation, one lost at Proposal, one without a decision at Qualification.
NOTES = """deal_id,account,industry,competitors,outcome,stage,amount,close_date,products,reasons,notes
W-1,Acme,Manufacturing,DataForge,won,Closed Won,100000,2024-03-01,lumaflow,time to value,Won.
W-2,Bolt,Manufacturing,DataForge,won,Negotiation/Review,100000,2024-06-01,lumaflow,time to value,Won.
W-3,Cask,Manufacturing,DataForge,won,成交,100000,2025-02-01,lumaflow,references,Won.
W-4,Dyne,Manufacturing,DataForge,won,Proposal/Price Quote,100000,2025-05-01,lumaflow,references,Won.
L-1,Echo,Manufacturing,DataForge,lost,Negotiation/Review,100000,2025-06-01,lumaflow,price,Lost.
L-2,Fern,Manufacturing,DataForge,lost,Negotiation/Review,100000,2025-07-01,lumaflow,price,Lost.
L-3,Gale,Manufacturing,DataForge,lost,Proposal/Price Quote,100000,2025-08-01,lumaflow,price,Lost.
N-1,Hart,Retail,DataForge,no_decision,Qualification,100000,2025-09-01,lumaflow,budget frozen,Paused.
"""


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("winloss")
    notes = root / "deals.csv"
    notes.write_text(NOTES, encoding="utf-8")
    built = Services(Settings(data_dir=root / "data", embed_cache_dir=EMBED_CACHE))
    ingest_paths(built, [notes], FileMeta(status=AssetStatus.approved), created_by="tests")
    yield built
    built.close()


def test_a_won_deal_reached_the_stage_a_win_is_recorded_at() -> None:
    assert furthest_stage(PROCESS, "won", "negotiation") == "closing"
    assert furthest_stage(PROCESS, "won", None) == "closing"
    assert furthest_stage(PROCESS, "won", "expansion") == "expansion"
    assert furthest_stage(PROCESS, "lost", "negotiation") == "negotiation"


def test_stage_filter_keeps_deals_that_reached_it(services: Services) -> None:
    with services.db.session() as session:
        negotiation = summarise(session, REP, competitor="dataforge", stage="negotiation")
        proposal = summarise(session, REP, competitor="dataforge", stage="proposal")
        closing = summarise(session, REP, competitor="dataforge", stage="closing")
    # all four wins passed Negotiation; of the losses, the two that got there
    assert (negotiation.deals, negotiation.won, negotiation.lost) == (6, 4, 2)
    assert negotiation.win_rate == pytest.approx(4 / 6, abs=0.001)
    assert (proposal.deals, proposal.won, proposal.lost) == (7, 4, 3)
    assert (closing.deals, closing.won, closing.lost) == (4, 4, 0)
    assert negotiation.shown and negotiation.first_year == 2024 and negotiation.last_year == 2025
    assert [r.reason for r in negotiation.top_reasons_lost] == ["price"]


def test_panel_hidden_without_context_or_with_few_deals(services: Services) -> None:
    with services.db.session() as session:
        everything = summarise(session, REP)
        stage_only = summarise(session, REP, stage="negotiation")
        retail = summarise(session, REP, competitor="dataforge", industry="retail")
        both = summarise(session, REP, competitor="dataforge", industry="manufacturing")
    assert everything.deals == 8 and not everything.shown  # no deal context
    assert stage_only.deals == 6 and not stage_only.shown  # a stage is not a deal context
    assert retail.deals == 1 and not retail.shown  # fewer than 5 deals
    assert both.deals == 7 and both.shown
