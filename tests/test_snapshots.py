"""Published index snapshots: a new replica starts from a peer's copy and the change log,
not by reading every chunk again. Real CLI, models, SQLite, tantivy and faiss files.

The ``cli`` replica of ``kms check`` publishes its snapshot when it stops; a replica with
an empty folder then starts from it and indexes only what changed since. A published
snapshot that cannot be opened, or that another build made (other models), is passed
over; ``kms reindex`` removes them all.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlmodel import col, select

from kms.core.config import Settings
from kms.core.models import IndexChange
from kms.services import snapshots
from kms.services.app import Services
from kms.services.indexing import wanted_chunk_ids
from tests.conftest import EMBED_CACHE
from tests.crashkit import ingested_and_checked, kms, write_corpus

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("snapshots")]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six files ingested; ``kms check``'s replica published its snapshot on the way out."""
    return ingested_and_checked(tmp_path_factory.mktemp("snapshots"), files=6)


def settings(data: Path, replica: str) -> Settings:
    return Settings(data_dir=data, embed_cache_dir=EMBED_CACHE, replica_id=replica)


def copy_data(published: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(published, data)
    return data


def changed_since(services: Services, seq: int) -> set[int]:
    with services.db.session() as session:
        rows = session.exec(select(IndexChange.chunk_id).where(col(IndexChange.seq) > seq))
        return {int(r) for r in rows}


def test_a_new_replica_starts_from_the_published_snapshot_and_the_log(
    published: Path, tmp_path: Path
) -> None:
    data = copy_data(published, tmp_path)
    (made,) = snapshots.published(settings(data, "x").snapshot_root, built(data))
    applied = int(made.name.split("-")[0])
    # a change after the snapshot: one more file, ingested by another command
    extra = write_corpus(tmp_path / "more", files=7)[-1]
    assert kms(data, "ingest", str(extra)).returncode == 0
    services = Services(settings(data, "fresh"))
    try:
        follower = services.follower
        assert follower.started_from == f"published snapshot {made.name}"
        follower.catch_up()
        with services.db.session() as session:
            wanted = wanted_chunk_ids(session)
        added = changed_since(services, applied)
        assert added and added < wanted
        # only the chunks changed after the snapshot were read and indexed
        assert follower.indexed == len(added) and follower.encoded == 0
        for part, ids in follower.index.ids_per_index().items():
            assert ids == wanted, part
    finally:
        services.close()


def built(data: Path) -> dict[str, object]:
    services = Services(settings(data, "probe"))
    try:
        cache_ids = {name: e.cache_id for name, e in services.embedders.items()}
        return snapshots.built_with(services.settings.keyword_engine, cache_ids)
    finally:
        services.close()


def test_an_unreadable_or_foreign_snapshot_is_passed_over(published: Path, tmp_path: Path) -> None:
    data = copy_data(published, tmp_path)
    root = settings(data, "x").snapshot_root
    (good,) = snapshots.published(root, built(data))
    # a newer snapshot whose vectors are garbage (a new file: the good one shares inodes)
    broken = root / f"{int(good.name.split('-')[0]) + 1:012d}-broken"
    shutil.copytree(good, broken)
    (broken / "vectors-minilm.npz").unlink()
    (broken / "vectors-minilm.npz").write_bytes(b"\x00garbage")
    # and the newest of all, from other models: never even opened
    foreign = root / f"{int(good.name.split('-')[0]) + 2:012d}-foreign"
    shutil.copytree(good, foreign)
    description = json.loads((foreign / snapshots.DESCRIPTION).read_text())
    description["embedders"] = {"minilm": "another-model"}
    (foreign / snapshots.DESCRIPTION).write_text(json.dumps(description))
    assert snapshots.published(root, built(data))[:2] == [broken, good]
    services = Services(settings(data, "fresh"))
    try:
        follower = services.follower
        assert follower.started_from == f"published snapshot {good.name}"
        follower.catch_up()
        assert follower.indexed == 0
    finally:
        services.close()


def test_publishing_links_the_files_and_keeps_the_newest(tmp_path: Path) -> None:
    folder = tmp_path / "replica"
    (folder / "keyword-tantivy").mkdir(parents=True)
    (folder / "keyword-tantivy" / "seg.store").write_bytes(b"segment")
    (folder / "owner.lock").write_text("")
    (folder / "vectors-minilm.npz").write_bytes(b"vectors")
    root = tmp_path / "snapshots"
    build = snapshots.built_with("tantivy", {"minilm": "minilm"})
    paths = [snapshots.publish(folder, root, seq, "r", build) for seq in (5, 9, 7, 11)]
    assert snapshots.publish(folder, root, 11, "r", build) is None  # already there
    kept = snapshots.published(root, build)
    assert [p.name for p in kept] == ["000000000011-r", "000000000009-r", "000000000007-r"]
    assert paths[0] is not None and not paths[0].exists()
    newest = kept[0]
    assert not (newest / "owner.lock").exists()
    store = newest / "keyword-tantivy" / "seg.store"
    assert store.stat().st_ino == (folder / "keyword-tantivy" / "seg.store").stat().st_ino
    # the replica replaces a file the way every index file is written: a new inode
    (folder / "vectors-minilm.npz").unlink()
    (folder / "vectors-minilm.npz").write_bytes(b"newer vectors")
    assert (newest / "vectors-minilm.npz").read_bytes() == b"vectors"
    assert snapshots.published(root, snapshots.built_with("whoosh", {"minilm": "minilm"})) == []


def test_kms_reindex_removes_published_snapshots(published: Path, tmp_path: Path) -> None:
    data = copy_data(published, tmp_path)
    root = settings(data, "x").snapshot_root
    assert snapshots.published(root, built(data))
    assert kms(data, "reindex").returncode == 0
    # reindex's own replica published its fresh build as it stopped; nothing older is left
    (fresh,) = list(root.iterdir())
    assert fresh.name.endswith("-cli")
