"""Near-duplicates are grouped, never erased: a clause two policies share is found under both,
the group is shown as "also in N other documents", and the first page is diversified."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from index.ranking import Ranked
from kms.core.models import Asset, Chunk, Role
from kms.core.schemas import FileMeta, SearchRequest
from kms.core.visibility import Caller
from kms.services.app import Services
from kms.services.indexing import check
from kms.services.ingest import ingest_paths
from kms.services.passage_groups import diversify
from kms.services.search_page import search
from tests.conftest import demo_settings

pytestmark = [pytest.mark.slow]

REP = Caller(name="rep", role=Role.rep, teams=())
SHARED = (
    "Hospital cash benefit. While the insured person is admitted to a hospital as an "
    "in-patient for more than forty-eight consecutive hours, the insurer pays the daily "
    "hospital cash amount shown in the schedule for each full day of confinement, up to "
    "ninety days for any one period of disability, provided the confinement is medically "
    "necessary and certified by the attending physician."
)


def policy(holder: str, premium: str) -> str:
    return (
        f"# Policy for {holder}\n\n"
        f"## Schedule\n\nPolicyholder: {holder}. Annual premium: {premium}. "
        f"The policy is issued to {holder} and renews every year on the first of April.\n\n"
        f"## Benefits\n\n{SHARED}\n\n"
        f"## Exclusions\n\nNothing is paid for treatment that {holder} received abroad "
        f"without prior written approval of the insurer.\n"
    )


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("dups")
    files = {
        "policy-alder.md": policy("Alder Logistics", "USD 1,200"),
        "policy-birch.md": policy("Birch Textiles", "USD 2,450"),
        "pricing.md": "# Price list\n\nThe gateway costs USD 90 per connector per month.\n",
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    svc = Services(demo_settings(root / "data"))
    ingest_paths(svc, [root / name for name in files], FileMeta(status="approved"))
    yield svc
    svc.close()


def test_both_documents_sharing_a_clause_are_found(services: Services) -> None:
    request = SearchRequest(query="daily hospital cash for in-patient confinement", log=False)
    response = search(services, request, REP)
    with services.db.session() as session:
        titles = {a.id: a.title for a in session.exec(select(Asset))}
    found = [titles[h.asset_id] for h in response.results]
    assert "Policy for Alder Logistics" in found
    assert "Policy for Birch Textiles" in found
    by_title = {titles[h.asset_id]: h for h in response.results}
    alder, birch = by_title["Policy for Alder Logistics"], by_title["Policy for Birch Textiles"]
    assert alder.also_in == 1 and alder.also_in_assets == [birch.asset_id]
    assert birch.also_in == 1 and birch.also_in_assets == [alder.asset_id]


def test_the_shared_clause_is_grouped_and_every_chunk_indexed(services: Services) -> None:
    with services.db.session() as session:
        chunks = session.exec(select(Chunk)).all()
        grouped = [c for c in chunks if c.duplicate_of is not None]
        assert len(grouped) == 1 and "Hospital cash benefit" in grouped[0].text
        head = session.get(Chunk, grouped[0].duplicate_of)
        assert head is not None and head.asset_id != grouped[0].asset_id
    report = check(services)
    assert report.ok and report.expected == len(chunks)


def test_a_question_about_one_policy_names_it_first(services: Services) -> None:
    request = SearchRequest(query="Birch Textiles annual premium", log=False)
    response = search(services, request, REP)
    assert response.results[0].title == "Policy for Birch Textiles"
    assert response.total == len({h.asset_id for h in response.results})


def test_diversify_moves_a_repeated_passage_below_the_first_page_others() -> None:
    ranked = [
        Ranked(chunk_id=c, asset_id=a, score=1.0, why=[]) for c, a in enumerate([10, 11, 12, 13])
    ]
    groups = {0: 0, 1: 0, 2: 2, 3: 3}  # chunks 0 and 1 are one clause in two documents
    assert [r.asset_id for r in diversify(ranked, groups, page=3)] == [10, 12, 13, 11]
    assert [r.asset_id for r in diversify(ranked, groups, page=2)] == [10, 12, 11, 13]
    alone = [ranked[0], ranked[1]]
    assert [r.asset_id for r in diversify(alone, groups, page=10)] == [10, 11]
