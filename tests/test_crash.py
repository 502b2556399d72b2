"""kill -9 of ``kms ingest`` (and of the process applying the change log to its index
replica) at each failpoint, then a resume: the database, the keyword index and every
vector index hold the same chunk ids, and the result equals a clean run — same asset and
chunk counts, same top 5 for fixed English and Chinese queries — with no ``kms reindex``.

Each case starts from the same data dir, which already holds a third of the corpus and a
saved replica, so a crash tears an index that has history, not an empty one.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kms.services.heartbeat import STALE_BEATS
from tests.crashkit import HEARTBEAT_S, Snapshot, job_states, kms, snapshot, write_corpus

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("crash")]

# (failpoint, the command that reaches it); ``@n``: the n-th time the point is reached
CASES = [
    ("models-load", "ingest"),  # the first model loaded, the second not yet
    ("parse@5", "ingest"),  # the 5th new file mid-parse
    ("embed@7", "ingest"),  # between two models' encodes of a file
    ("db-commit@6", "ingest"),  # the 6th new file's rows written, not committed
    ("done", "ingest"),  # every file committed, the job done, the process not yet gone
    ("index-apply", "search"),  # a replica applied the log in memory, not saved
    ("index-save", "search"),  # vectors saved, chunks.json/meta/follower.json not yet
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_corpus(tmp_path_factory.mktemp("crash") / "corpus")


@pytest.fixture(scope="module")
def clean(corpus: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """One uninterrupted ingest of the whole corpus into its own data dir."""
    data = tmp_path_factory.mktemp("clean") / "data"
    done = kms(data, "ingest", str(corpus[0].parent))
    assert done.returncode == 0, done.stderr
    return snapshot(data)


@pytest.fixture(scope="module")
def base(corpus: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A third of the corpus ingested and the ``cli`` replica saved (by ``kms check``)."""
    data = tmp_path_factory.mktemp("base") / "data"
    done = kms(data, "ingest", *map(str, corpus[:8]))
    assert done.returncode == 0, done.stderr
    checked = kms(data, "check")
    assert checked.returncode == 0, checked.stdout
    return data


def killed(done: subprocess.CompletedProcess[str], point: str) -> None:
    """The command died of SIGKILL at the failpoint (not of anything else)."""
    assert done.returncode == -signal.SIGKILL, f"not killed at {point}: {done.stderr}"
    assert f"failpoint {point.split('@')[0]}: SIGKILL" in done.stderr


# ids without "@": the loadgroup hook in conftest.py reads "@" as a group already set
@pytest.mark.parametrize(("point", "command"), CASES, ids=[c[0].replace("@", "#") for c in CASES])
def test_kill_at_a_point_then_resume_equals_a_clean_run(
    point: str, command: str, corpus: list[Path], clean: Snapshot, base: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(base, data)
    folder = str(corpus[0].parent)
    if command == "ingest":
        killed(kms(data, "ingest", folder, failpoint=point), point)
        time.sleep(HEARTBEAT_S * STALE_BEATS + 0.5)  # the killed job's heartbeat is now silent
    else:
        assert kms(data, "ingest", folder).returncode == 0
        killed(kms(data, "search", "pricing", failpoint=point), point)
    resumed = kms(data, "ingest", folder)
    assert resumed.returncode == 0, resumed.stderr

    after = snapshot(data)
    assert after.check_ok, (after.check_missing, after.check_extra)
    assert after.check_per_index == clean.check_per_index
    assert (after.assets, after.chunks, after.sources) == (
        clean.assets,
        clean.chunks,
        clean.sources,
    )
    assert after.top5 == clean.top5
    # no job reads "running" forever: the killed one failed, saying why and how to resume
    states = job_states(data)
    assert all(status in ("done", "failed") for status, _ in states), states
    if point.startswith(("parse", "embed", "db-commit")):
        assert any("stopped before it ended" in errors for _, errors in states), states
