"""Leak probes: team B learns nothing about team A's hidden knowledge through any indirect
signal — the entity list, graph bonuses, won-deal evidence, gap detection counts, exact
and near duplicates, and the keyword statistics.

Team A's map (hidden) names a competitor with a secret alias and a problem whose alias
only it knows, with a public case study as proof; team A's deals were won against a
competitor with the public product. Each probe asks as team B and as team A (positive
control: the signal is there to be leaked).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlmodel import col, select

from index.keyword import KeywordDoc
from index.keyword_engines import open_keyword_index
from kms.core.models import Asset, Chunk, Gap, Role
from kms.core.schemas import FileMeta, SearchRequest
from kms.core.visibility import LOCAL_ADMIN, Caller
from kms.services.app import Services
from kms.services.gapdetect import STRUCTURAL, detect_gaps
from kms.services.gaps import visible_gaps
from kms.services.graphviews import list_entities
from kms.services.ingest import ingest_paths
from kms.services.search import retrieve
from tests.conftest import demo_settings

pytestmark = [pytest.mark.slow]

A = Caller(name="a", role=Role.curator, teams=("team-a",))
B = Caller(name="b", role=Role.curator, teams=("team-b",))

PUBLIC_MAP = """entities:
  - {type: product, key: kestrel, name_en: Kestrel gateway, aliases: [Kestrel]}
"""
CASE = """# Kestrel rollout at Harbour Freight

Harbour Freight replaced its dispatch boards with the Kestrel gateway. Dispatch
delays fell by half and the Kestrel rollout paid back within a year.
"""
HIDDEN_MAP = """entities:
  - {type: competitor, key: zephyrix, name_en: Zephyrix, aliases: [ZPX-secret]}
problems:
  - key: glowworm
    name_en: Dispatch blackout
    aliases: [glowworm failure]
    solutions: [{key: night-dispatch, name_en: Night dispatch}]
    proof: [kestrel-case.md]
  - {key: lantern-leak, name_en: Lantern leak}
"""
HIDDEN_DEALS = [
    {"deal_id": f"A-{i}", "outcome": "won", "competitors": ["Rivalco"], "products": ["Kestrel"]}
    for i in range(3)
]
SECRET = "Zorblax quantum routing for the Harbour night shift: a team A secret.\n" * 3


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("leaks")
    files = {
        "public-map.yaml": PUBLIC_MAP,
        "kestrel-case.md": CASE,
        "a-map.yaml": HIDDEN_MAP,
        "a-deals.jsonl": "\n".join(json.dumps(d) for d in HIDDEN_DEALS),
        "a-secret.md": f"# Night routing\n\n{SECRET}",
        "b-secret.md": f"# Night routing\n\n{SECRET}",
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    svc = Services(demo_settings(root / "data"))
    public = FileMeta(status="approved")
    hidden = FileMeta(status="approved", teams=["team-a"])
    ingest_paths(svc, [root / "public-map.yaml", root / "kestrel-case.md"], public)
    ingest_paths(svc, [root / "a-map.yaml", root / "a-deals.jsonl", root / "a-secret.md"], hidden)
    mine = FileMeta(status="approved", teams=["team-b"])
    ingest_paths(svc, [root / "b-secret.md"], mine, writer=B)
    yield svc
    svc.close()


def why(services: Services, caller: Caller, query: str, **context: str) -> dict[str, float]:
    """The signals that placed the public case study for ``query``."""
    with services.db.session() as session:
        result = retrieve(
            services, session, SearchRequest(query=query, log=False), caller, **context
        )
        case = session.exec(select(Asset.id).where(col(Asset.source).endswith("kestrel-case.md")))
        case_id = case.one()
    hit = next(r for r in result.ranked if r.asset_id == case_id)
    return dict(hit.why)


def test_entities_of_a_hidden_map_are_not_listed(services: Services) -> None:
    assert list_entities(services, B, q="zephyrix").count == 0
    assert "ZPX-secret" not in list_entities(services, B, limit=200).model_dump_json()
    assert list_entities(services, A, q="zephyrix").count == 1


def test_a_hidden_problems_alias_gives_no_graph_bonus(services: Services) -> None:
    assert "graph" in why(services, A, "glowworm failure Kestrel")
    assert "graph" not in why(services, B, "glowworm failure Kestrel")


def test_won_deal_evidence_counts_only_visible_deals(services: Services) -> None:
    assert why(services, A, "Kestrel rollout", competitor="rivalco").get("won_deals", 0) > 0
    assert "won_deals" not in why(services, B, "Kestrel rollout", competitor="rivalco")


def test_gap_detection_counts_only_visible_gaps(services: Services) -> None:
    everything = detect_gaps(services, LOCAL_ADMIN)
    mine = detect_gaps(services, B)
    with services.db.session() as session:
        seen = [
            g
            for g in visible_gaps(session, B)
            if g.kind in ("negative_feedback", *STRUCTURAL) and g.status != "closed"
        ]
        hidden = session.exec(select(Gap).where(Gap.subject.is_not(None))).all()  # type: ignore[union-attr]
    assert mine.open_total == len(seen)
    assert any(g.teams == ["team-a"] for g in hidden)  # A's problem has gaps B must not count
    assert everything.open_total > mine.open_total


def test_content_another_team_holds_is_not_a_duplicate(services: Services) -> None:
    """B's copy of A's hidden text is B's own searchable asset, not 'a duplicate of ...'."""
    with services.db.session() as session:
        b_asset = session.exec(select(Asset).where(col(Asset.source).endswith("b-secret.md"))).one()
        chunks = session.exec(select(Chunk).where(Chunk.asset_id == b_asset.id)).all()
    assert b_asset.duplicate_of is None
    assert chunks and all(c.duplicate_of is None for c in chunks)
    found = services.index.search("Zorblax quantum routing", teams=B.teams, k=5)
    assert {c.id for c in chunks} & {f.id for f in found}


@pytest.mark.parametrize("engine", ["tantivy", "whoosh"])
def test_keyword_statistics_do_not_reveal_hidden_words(engine: str) -> None:
    """Two worlds that differ only in the word team A's hidden chunk holds (same length):
    team B's scores are the same in both."""
    public = [
        KeywordDoc(1, "zorblax pricing for the harbour fleet"),
        KeywordDoc(2, "pricing guide for dispatch boards and the fleet"),
    ]

    def scores(hidden_word: str) -> list[tuple[int, float]]:
        index = open_keyword_index(None, engine)
        hidden = KeywordDoc(3, f"{hidden_word} {hidden_word} night plan", teams=("team-a",))
        index.upsert([*public, hidden])
        return index.search("zorblax pricing", 10, teams=["team-b"])

    with_word, without = scores("zorblax"), scores("quokkas")
    assert [c for c, _ in with_word] == [c for c, _ in without] == [1, 2]
    assert [round(s, 6) for _, s in with_word] == [round(s, 6) for _, s in without]
