"""A full disk: an ingest fails the files it cannot write with an error naming each, the
database and the indexes stay equal, a resume heals it; the embedding cache only misses.
Real ``kms`` commands on a small tmpfs the test mounts (root only: skipped, with the
reason, where mounting is not permitted)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from tests.crashkit import counts, kms, snapshot, write_corpus

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs, unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


@contextmanager
def read_only_view(disk: Path, mount: Path) -> Iterator[Path]:
    """The disk's files through a read-only bind mount (a remount of the disk itself waits
    for every writer to let go), unmounted afterwards."""
    mount.mkdir()
    subprocess.run(["mount", "--bind", str(disk), str(mount)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], check=True)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` to the last byte, then free ``leave`` bytes; returns the filler."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def test_a_full_disk_fails_files_by_name_and_a_resume_heals(
    small_disk: Path, tmp_path: Path
) -> None:
    corpus = write_corpus(tmp_path / "corpus", files=10)
    folder = str(corpus[0].parent)
    data, cache = small_disk / "data", small_disk / "cache"
    assert kms(data, "ingest", *map(str, corpus[:2]), cache_dir=cache).returncode == 0

    filler = fill(small_disk, leave=200 * 1024)
    full = kms(data, "ingest", folder, cache_dir=cache)
    assert full.returncode == 1, full.stderr
    assert "Traceback" not in full.stderr
    errors = [line for line in full.stderr.splitlines() if line.startswith("error ")]
    assert errors, full.stderr
    assert all(any(f"{p}:" in line for p in corpus) for line in errors if "job" not in line)
    assert any("disk is full" in e or "No space left on device" in e for e in errors)

    filler.unlink()
    consistent = kms(data, "check")  # what was committed is whole, and indexed
    assert consistent.returncode == 0, consistent.stdout
    resumed = kms(data, "ingest", folder, cache_dir=cache)
    assert resumed.returncode == 0, resumed.stderr

    clean = tmp_path / "clean"
    assert kms(clean, "ingest", folder).returncode == 0
    after, expected = snapshot(data), snapshot(clean)
    assert after.check_ok, (after.check_missing, after.check_extra)
    assert (after.assets, after.chunks, after.sources) == (
        expected.assets,
        expected.chunks,
        expected.sources,
    )
    assert after.top5 == expected.top5


def test_the_embedding_cache_on_a_full_disk_only_misses(small_disk: Path) -> None:
    from index.embed_cache import CachedEmbedder
    from index.embedders import load_embedder

    model = load_embedder("minilm")
    texts = [f"renewal note {i}: the buyer asked about price protection" for i in range(300)]
    expected = model.encode(texts)
    cache = CachedEmbedder(model, small_disk / "embeddings.sqlite")
    fill(small_disk, leave=0)
    assert np.allclose(cache.encode(texts), expected, atol=1e-5)  # its writes failed
    assert np.allclose(cache.encode(texts[:10]), expected[:10], atol=1e-5)
    cache.close()


def test_an_unreadable_embedding_cache_file_is_encoded_around(tmp_path: Path) -> None:
    from index.embed_cache import CachedEmbedder
    from index.embedders import load_embedder

    model = load_embedder("minilm")
    path = tmp_path / "embeddings.sqlite"
    path.write_bytes(b"not a database " * 100)
    texts = ["续约时客户关心价格保护", "security review next step"]
    cache = CachedEmbedder(model, path)
    assert np.allclose(cache.encode(texts), model.encode(texts), atol=1e-5)
    assert cache.misses == 2
    cache.close()


def test_a_read_only_disk_is_refused_clearly_and_nothing_is_lost(
    small_disk: Path, tmp_path: Path
) -> None:
    """The data dir's file system turns read-only (a failing disk remounted by the kernel):
    an ingest says so in words and exits non-zero; once writable again, what was stored is
    whole and a resume completes it."""
    corpus = write_corpus(tmp_path / "corpus", files=6)
    folder = str(corpus[0].parent)
    data, cache = small_disk / "data", small_disk / "cache"
    assert kms(data, "ingest", *map(str, corpus[:2]), cache_dir=cache).returncode == 0
    before = counts(data)

    with read_only_view(small_disk, tmp_path / "read-only") as view:  # the same files
        refused = kms(view / "data", "ingest", folder, cache_dir=view / "cache")
    assert refused.returncode != 0, refused.stderr
    assert "Traceback" not in refused.stderr, refused.stderr
    assert "read-only" in refused.stderr.lower(), refused.stderr

    kept = snapshot(data)
    assert kept.check_ok and (kept.assets, kept.chunks) == before[:2]
    assert kms(data, "ingest", folder, cache_dir=cache).returncode == 0
    clean = tmp_path / "clean"
    assert kms(clean, "ingest", folder).returncode == 0
    after, expected = snapshot(data), snapshot(clean)
    assert after.check_ok and (after.assets, after.chunks) == (expected.assets, expected.chunks)
