"""Drafts are hidden from reps inside retrieval (issue 10): a draft chunk carries draft
visibility tokens, so neither engine returns it to a rep who did not ask for drafts —
before top-k, as for another team's chunks — while curators see drafts, a rep who asks
gets the drafts of their own teams and public ones, and approving a draft shows it to
every rep (and taking it back hides it again), through the change log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from kms.core.models import Asset, AssetStatus, Chunk, Role
from kms.core.schemas import AssetUpdate, FileMeta, SearchFilters, SearchRequest
from kms.core.text.language import detect_language
from kms.core.visibility import Caller, drafts_wanted, index_teams
from kms.services.app import Services
from kms.services.curate import update_asset
from kms.services.ingest import ingest_paths
from kms.services.search_page import search
from tests.conftest import demo_settings

pytestmark = [pytest.mark.slow]

REP = Caller(name="rep", role=Role.rep, teams=())
EAST_REP = Caller(name="east-rep", role=Role.rep, teams=("east",))
CURATOR = Caller(name="curator", role=Role.curator, teams=())
QUERY = "deployment timeline for the onboarding plan"
PUBLIC_DRAFTS = 30
ASKED = SearchFilters(status=["approved", "draft"])


@pytest.fixture(scope="module", params=["tantivy", "whoosh"])
def services(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    root = tmp_path_factory.mktemp(f"drafts-{request.param}")
    approved, drafts, east = root / "approved", root / "drafts", root / "east"
    for folder in (approved, drafts, east):
        folder.mkdir()
    (approved / "handbook.md").write_text(
        "# Onboarding handbook\n\nEvery onboarding plan has a deployment timeline agreed at "
        "kick-off; the customer success manager owns it.\n",
        encoding="utf-8",
    )
    for i in range(PUBLIC_DRAFTS):  # drafts that match the question better than the handbook
        (drafts / f"draft-{i:02d}.md").write_text(
            f"# Deployment timeline draft {i}\n\nThe deployment timeline for the onboarding "
            f"plan of customer {i}: onboarding plan week {i % 7 + 1}, deployment timeline "
            "review, onboarding plan sign-off.\n",
            encoding="utf-8",
        )
    (east / "east-draft.md").write_text(
        "# East deployment timeline draft\n\nThe east team's deployment timeline for the "
        "onboarding plan, not yet reviewed.\n",
        encoding="utf-8",
    )
    settings = demo_settings(root / "data").model_copy(update={"keyword_engine": request.param})
    svc = Services(settings)
    ingest_paths(svc, [approved], FileMeta(status="approved"))
    ingest_paths(svc, [drafts], FileMeta(status="draft"))
    ingest_paths(svc, [east], FileMeta(status="draft", teams=["east"]))
    yield svc
    svc.close()


def titles(services: Services, caller: Caller, filters: SearchFilters | None = None) -> list[str]:
    request = SearchRequest(query=QUERY, filters=filters or SearchFilters(), limit=50, log=False)
    response = search(services, request, caller)
    assert response.total == len(response.results)  # the whole result list fits the page
    return [h.title for h in response.results]


def draft_chunks(services: Services) -> dict[int, str]:
    """Chunk id → the title of its draft asset."""
    with services.db.session() as session:
        rows = session.exec(
            select(Chunk.id, Asset.title)
            .join(Asset, Asset.id == Chunk.asset_id)  # type: ignore[arg-type]
            .where(Asset.status == AssetStatus.draft)
        ).all()
    return {int(c or 0): t for c, t in rows}


def test_neither_engine_returns_a_draft_to_a_rep_who_did_not_ask(services: Services) -> None:
    drafts = draft_chunks(services)
    assert len(drafts) == PUBLIC_DRAFTS + 1
    language = detect_language(QUERY)

    def found(caller: Caller, wanted: bool) -> set[str]:
        lists = services.index.candidates(QUERY, index_teams(caller, wanted), language, 100)
        assert set(lists) >= {"bm25", "use"}
        return {drafts[c] for hits in lists.values() for c, _ in hits if c in drafts}

    assert found(REP, False) == set() and found(EAST_REP, False) == set()
    public = {t for t in drafts.values() if not t.startswith("East")}
    assert found(REP, True) == public  # not the east team's draft
    assert found(EAST_REP, True) == set(drafts.values())


def test_reps_get_approved_knowledge_and_drafts_only_when_they_ask(services: Services) -> None:
    assert titles(services, REP) == ["Onboarding handbook"]
    assert titles(services, EAST_REP) == ["Onboarding handbook"]
    asked = titles(services, REP, ASKED)
    assert "Onboarding handbook" in asked and len(asked) == 1 + PUBLIC_DRAFTS
    assert len(titles(services, EAST_REP, ASKED)) == 2 + PUBLIC_DRAFTS
    only = titles(services, REP, SearchFilters(status=["draft"]))
    assert len(only) == PUBLIC_DRAFTS and "Onboarding handbook" not in only
    assert titles(services, REP, SearchFilters(status=["approved"])) == ["Onboarding handbook"]


def test_curators_see_drafts_unless_they_ask_for_approved_only(services: Services) -> None:
    assert drafts_wanted(CURATOR, []) and not drafts_wanted(REP, [])
    assert len(titles(services, CURATOR)) == 1 + PUBLIC_DRAFTS
    approved_only = titles(services, CURATOR, SearchFilters(status=["approved"]))
    assert approved_only == ["Onboarding handbook"]


def test_an_approved_draft_reaches_reps_and_taken_back_it_is_hidden_again(
    services: Services,
) -> None:
    with services.db.session() as session:
        asset = session.exec(
            select(Asset).where(Asset.title == "Deployment timeline draft 7")
        ).one()
    asset_id = asset.id or 0
    approve = AssetUpdate(status="approved")
    update_asset(services, CURATOR, asset_id, approve)
    try:
        shown = titles(services, REP)
        assert "Deployment timeline draft 7" in shown and len(shown) == 2
    finally:
        update_asset(services, CURATOR, asset_id, AssetUpdate(status="draft"))
    assert titles(services, REP) == ["Onboarding handbook"]
