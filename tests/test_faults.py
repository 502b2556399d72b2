"""Faults: truncated or garbage index files are named and rebuilt — by ``kms reindex``
(which never reads them) and when a replica opens (the server's start) — and a full disk
mid-ingest fails the files it hits with an error naming them, keeps the database and the
indexes equal, and a resume heals it. Real commands, server, models and file systems."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.api.apiserver import START_TIMEOUT_S, free_port
from tests.conftest import EMBED_CACHE, REPO, demo_settings
from tests.crashkit import ingested_and_checked, kms, replica_ids, wanted_ids, write_corpus

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def garble(path: Path) -> None:
    path.write_bytes(b"\x00garbage{not json")


def tantivy_file(suffix: str) -> Callable[[Path], Path]:
    return lambda folder: next((folder / "keyword-tantivy").glob(f"*.{suffix}"))


# (what is broken, which file, how): the name must appear in the replica's repair message
CORRUPTIONS: list[tuple[str, Callable[[Path], Path], Callable[[Path], None]]] = [
    ("vectors-minilm.npz", lambda f: f / "vectors-minilm.npz", truncate),
    ("vectors-use.npz", lambda f: f / "vectors-use.npz", garble),
    ("meta.json", lambda f: f / "meta.json", garble),
    ("chunks.json", lambda f: f / "chunks.json", truncate),
    ("keyword-tantivy", tantivy_file("store"), truncate),
    ("keyword-tantivy", tantivy_file("term"), garble),
    ("keyword-tantivy", lambda f: f / "keyword-tantivy" / "meta.json", garble),
    ("follower.json", lambda f: f / "follower.json", truncate),
]
IDS = ["npz-truncated", "npz-garbage", "meta-garbage", "chunks-truncated", "store-truncated"]
IDS += ["term-garbage", "tantivy-meta-garbage", "state-truncated"]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight files ingested and the ``cli`` replica saved by ``kms check``."""
    return ingested_and_checked(tmp_path_factory.mktemp("faults"), files=8)


def equal_to_database(folder: Path, data: Path) -> None:
    wanted = wanted_ids(data)
    assert wanted
    for part, ids in replica_ids(folder).items():
        assert ids == wanted, (
            f"{part}: missing {sorted(wanted - ids)}, extra {sorted(ids - wanted)}"
        )


@pytest.mark.parametrize(("named", "locate", "corrupt"), CORRUPTIONS, ids=IDS)
def test_a_replica_names_and_rebuilds_a_corrupt_file_when_it_opens(
    named: str,
    locate: Callable[[Path], Path],
    corrupt: Callable[[Path], None],
    ingested: Path,
    tmp_path: Path,
) -> None:
    """The path every start takes (the server's, ``kms search``'s, ``kms check``'s)."""
    from kms.services.app import Services
    from kms.services.indexing import check

    data = tmp_path / "data"
    shutil.copytree(ingested, data)
    folder = data / "index" / "cli"
    corrupt(locate(folder))
    services = Services(demo_settings(data))
    try:
        report = check(services)
        reason = services.follower.rebuilt
    finally:
        services.close()
    assert report.ok, (report.missing, report.extra)
    expected = "no readable state file" if named == "follower.json" else str(folder / named)
    assert expected in reason
    equal_to_database(folder, data)


def test_kms_reindex_rebuilds_corrupt_replicas_without_reading_them(
    ingested: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(ingested, data)
    folder = data / "index" / "cli"
    for _, locate, corrupt in CORRUPTIONS:
        corrupt(locate(folder))
    rebuilt = kms(data, "reindex")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"indexed {len(wanted_ids(data))} chunks" in rebuilt.stdout
    equal_to_database(folder, data)  # on disk, before anything else opens it
    checked = kms(data, "check")
    assert checked.returncode == 0 and "every part matches the database" in checked.stdout


def serve(data: Path, failpoint: str | None = None) -> tuple[subprocess.Popen[bytes], str, Path]:
    """``kms serve`` on a free port, polled until ``/ready``; its log file."""
    port = free_port()
    log = data.parent / f"server-{port}.log"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(data.parent),
        "PYTHONPATH": str(REPO),
        "HF_HUB_OFFLINE": "1",
        "KMS_DATA_DIR": str(data),
        "KMS_EMBED_CACHE_DIR": str(EMBED_CACHE),
        "KMS_INDEX_POLL_S": "0.5",
    } | ({"KMS_FAILPOINT": failpoint} if failpoint else {})
    command = [sys.executable, "-m", "kms.cli", "serve", "--host", "127.0.0.1"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)], cwd=REPO, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            if httpx.get(f"{url}/ready", timeout=5).status_code == 200:
                return process, url, log
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    stop(process)
    raise AssertionError(f"not ready: {log.read_text(errors='replace')[-3000:]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=120)


def test_a_server_start_rebuilds_its_corrupt_replica(ingested: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ingested, data)
    process, _, _ = serve(data)
    stop(process)
    folder = data / "index" / "server"
    truncate(folder / "vectors-minilm.npz")
    truncate(tantivy_file("store")(folder))
    garble(folder / "chunks.json")

    process, url, log = serve(data)
    try:
        health = httpx.get(f"{url}/health", timeout=30).json()
        assert health["index"]["pending"] == 0
    finally:
        stop(process)
    text = log.read_text(errors="replace")
    assert f"{folder}/" in text and "rebuilding it" in text
    equal_to_database(folder, data)


def test_a_server_killed_while_applying_an_ingest_recovers_at_the_next_start(
    ingested: Path, tmp_path: Path
) -> None:
    """``kms ingest`` writes while the server follows the log: the server is SIGKILLed
    with the changes half applied to its replica; the next start makes it equal."""
    data = tmp_path / "data"
    shutil.copytree(ingested, data)
    process, _, _ = serve(data)  # the server's replica, built and saved
    stop(process)
    process, _, log = serve(data, failpoint="index-apply")
    try:
        more = write_corpus(tmp_path / "more", files=12)[8:]  # four files it has not seen
        assert kms(data, "ingest", *map(str, more)).returncode == 0
        process.wait(timeout=300)  # it applies them on its next poll, and dies there
    finally:
        if process.poll() is None:
            stop(process)
    assert process.returncode == -signal.SIGKILL
    assert "failpoint index-apply: SIGKILL" in log.read_text(errors="replace")

    process, url, _ = serve(data)
    try:
        assert httpx.get(f"{url}/health", timeout=30).json()["index"]["pending"] == 0
    finally:
        stop(process)
    equal_to_database(data / "index" / "server", data)
