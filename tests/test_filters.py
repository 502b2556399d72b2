"""Filters run inside the engines: a filtered query finds matches that rank far below the
unfiltered top, its ``total`` is exact, and an empty filtered result is no knowledge gap
when the unfiltered search finds something."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from kms.core.models import Asset, Gap, Role
from kms.core.schemas import FileMeta, SearchFilters, SearchRequest
from kms.core.visibility import Caller
from kms.services.app import Services
from kms.services.ingest import ingest_paths
from kms.services.search_page import search
from tests.conftest import demo_settings

pytestmark = [pytest.mark.slow]

REP = Caller(name="rep", role=Role.rep, teams=())
NOTES = 240
QUERY = "renewal notice period for the contract"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("filters")
    notes, drafts = root / "notes", root / "drafts"
    notes.mkdir()
    drafts.mkdir()
    for i in range(NOTES):
        (notes / f"note-{i:03d}.md").write_text(
            f"# Renewal note {i}\n\nThe renewal notice period for the contract of customer {i} "
            f"is {i % 9 + 1} months; renewal notices for the contract go out by mail.\n",
            encoding="utf-8",
        )
    (notes / "battlecard-acme.md").write_text(
        "# Battlecard: Acme gateway\n\nAcme is cheaper per connector but slower to deploy; "
        "win on support response times, field engineers and the migration toolkit. Their "
        "contracts lock customers in for three years.\n",
        encoding="utf-8",
    )
    for i in range(2):
        (drafts / f"draft-{i}.md").write_text(
            f"# Draft {i}\n\nA draft about deployment timelines and onboarding {i}.\n",
            encoding="utf-8",
        )
    svc = Services(demo_settings(root / "data"))
    ingest_paths(svc, [notes], FileMeta(status="approved"))
    ingest_paths(svc, [drafts], FileMeta(status="draft"))
    yield svc
    svc.close()


def titles(services: Services, request: SearchRequest) -> tuple[list[str], int]:
    response = search(services, request, REP)
    with services.db.session() as session:
        names = {a.id: a.title for a in session.exec(select(Asset))}
    return [names[h.asset_id] for h in response.results], response.total


def test_a_filtered_query_finds_a_match_far_below_the_unfiltered_top(services: Services) -> None:
    unfiltered = search(services, SearchRequest(query=QUERY, limit=50, log=False), REP)
    pages = [
        search(services, SearchRequest(query=QUERY, limit=50, offset=o, log=False), REP)
        for o in (50, 100, 150, 200)
    ]
    everywhere = [h.title for r in [unfiltered, *pages] for h in r.results]
    assert "Battlecard: Acme gateway" not in everywhere  # not among the unfiltered candidates
    request = SearchRequest(
        query=QUERY, filters=SearchFilters(kind=["battlecard"]), limit=10, log=False
    )
    found, total = titles(services, request)
    assert found == ["Battlecard: Acme gateway"] and total == 1


def test_filtered_totals_are_exact(services: Services) -> None:
    drafts = SearchRequest(query=QUERY, filters=SearchFilters(status=["draft"]), log=False)
    found, total = titles(services, drafts)
    assert sorted(found) == ["Draft 0", "Draft 1"] and total == 2
    notes = SearchRequest(
        query=QUERY, filters=SearchFilters(kind=["document"], status=["approved"]), log=False
    )
    _, total = titles(services, notes)
    assert total == NOTES


def test_an_empty_filtered_result_is_no_knowledge_gap(services: Services) -> None:
    request = SearchRequest(
        query="onboarding timelines for the migration",
        filters=SearchFilters(kind=["battlecard"], status=["draft"]),
        log=True,
    )
    found, total = titles(services, request)
    assert found == [] and total == 0
    with services.db.session() as session:
        gaps = session.exec(select(Gap)).all()
    assert not [g for g in gaps if (g.query or "").startswith("onboarding timelines")]
