"""Eight writers at once, on SQLite and on a real PostgreSQL: the same file ingested by
eight processes' worth of services ends as one asset, the same entity upserted eight times
is one row, 8 × 25 gap counts from eight threads add up to one row counting 200, and eight
replicas asking an expert at once lose no count or note."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from ingest.graph_store import upsert_entity
from ingest.psmap import EntityEntry
from kms.core.config import Settings
from kms.core.models import Asset, Chunk, Entity, EntityType, Gap, Role
from kms.core.schemas import ExpertRequest
from kms.core.visibility import Caller
from kms.services.app import Services
from kms.services.expert import MAX_NOTES, ask_expert
from kms.services.gaps import record_query_gap
from kms.services.ingest import ingest_paths

EMBED_CACHE = Path(__file__).resolve().parents[1] / ".cache" / "test-embeddings"

WRITERS = 8
pytestmark = pytest.mark.slow


def settings(data_dir: Path, url: str) -> Settings:
    return Settings(data_dir=data_dir, database_url=url, embed_cache_dir=EMBED_CACHE)


def at_once(work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` for i in 0..7 on eight threads released together."""
    start = threading.Barrier(WRITERS)

    def run(i: int) -> object:
        start.wait()
        return work(i)

    with ThreadPoolExecutor(WRITERS) as pool:
        return list(pool.map(run, range(WRITERS)))


def test_eight_writers_ingesting_one_file_make_one_asset(tmp_path: Path, engine_url: str) -> None:
    doc = tmp_path / "pricing-objections.md"
    doc.write_text(
        "# Handling price objections\n\nWhen the customer says the price is too high, "
        "show the payback period.\n\n## 价格异议\n\n客户说价格太高时，先算回本周期。\n",
        encoding="utf-8",
    )
    first = Services(settings(tmp_path / "data", engine_url))
    # eight writers, each with its own services (its own write lock and engines, as eight
    # processes would have) and the one set of loaded models
    writers = [first] + [Services(first.settings) for _ in range(WRITERS - 1)]
    for services in writers[1:]:
        services.__dict__["embedders"] = first.embedders
    outcomes = at_once(lambda i: ingest_paths(writers[i], [doc], created_by=f"writer-{i}"))
    assert all(not outcome.errors for outcome in outcomes), [o.errors for o in outcomes]  # type: ignore[attr-defined]
    with first.db.session() as session:
        assets = session.exec(select(Asset).where(Asset.source == str(doc))).all()
        assert len(assets) == 1
        ordinals = session.exec(select(Chunk.ordinal).where(Chunk.asset_id == assets[0].id)).all()
    assert sorted(ordinals) == list(range(len(ordinals))) and ordinals
    for services in writers:
        services.close()


def test_eight_writers_upserting_one_entity_make_one_row(tmp_path: Path, engine_url: str) -> None:
    services = Services(settings(tmp_path, engine_url))
    entry = EntityEntry(
        key="dataforge", type=EntityType.competitor, name_en="DataForge", aliases=["DF"]
    )

    def upsert(i: int) -> int:
        with Session(services.db.write_engine, expire_on_commit=False) as session:
            named = entry.model_copy(update={"aliases": [f"alias-{i}"]})
            row = upsert_entity(session, named, EntityType.competitor, "")
            session.commit()
            return row.id or 0

    ids = at_once(upsert)
    with services.db.session() as session:
        rows = session.exec(select(Entity).where(Entity.key == "dataforge")).all()
    assert len(rows) == 1 and set(ids) == {rows[0].id}
    assert rows[0].name_en == "DataForge"
    services.close()


def test_eight_threads_counting_one_gap_make_one_row(tmp_path: Path, engine_url: str) -> None:
    services = Services(settings(tmp_path, engine_url))
    rep = Caller(name="rep", role=Role.rep, teams=("sales-emea",))

    def count(_: int) -> list[int | None]:
        return [
            record_query_gap(services, "没有结果的问题", None, rep, "zero_results")
            for _ in range(25)
        ]

    ids = {gap_id for batch in at_once(count) for gap_id in batch}  # type: ignore[attr-defined]
    with services.db.session() as session:
        rows = session.exec(select(Gap).where(col(Gap.kind) == "zero_results")).all()
        total = session.exec(select(func.count()).select_from(Gap)).one()
    assert total == 1 and len(rows) == 1
    assert rows[0].occurrences == WRITERS * 25
    assert ids == {rows[0].id}
    services.close()


def test_eight_replicas_asking_an_expert_at_once_lose_no_count_or_note(
    tmp_path: Path, engine_url: str
) -> None:
    """Eight services (eight processes' worth: each its own engines and write lock) ask an
    expert the same question ten times each, with a note: one gap, counting 80, all 80 notes
    kept (up to the limit of 50, the latest)."""
    first = Services(settings(tmp_path, engine_url))
    replicas = [first] + [Services(first.settings) for _ in range(WRITERS - 1)]
    rep = Caller(name="rep", role=Role.rep, teams=("sales-emea",))

    def ask(i: int) -> list[int]:
        return [
            ask_expert(
                replicas[i],
                rep,
                ExpertRequest(query="Who resells in Chile? 智利的代理商是谁？", note=f"{i}-{n}"),
            ).gap_id
            for n in range(10)
        ]

    ids = {gap_id for batch in at_once(ask) for gap_id in batch}  # type: ignore[attr-defined]
    with first.db.session() as session:
        rows = session.exec(select(Gap).where(col(Gap.kind) == "ask_expert")).all()
    assert len(rows) == 1 and ids == {rows[0].id}
    assert rows[0].occurrences == WRITERS * 10
    assert len(rows[0].notes) == MAX_NOTES and len(set(rows[0].notes)) == MAX_NOTES
    for services in replicas:
        services.close()
