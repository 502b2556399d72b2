"""``kms backup`` while ``kms ingest`` runs, then ``kms restore`` into a fresh data dir that
passes ``kms check``: real commands, real database, real indexes and models."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EMBED_CACHE, REPO

pytestmark = [pytest.mark.slow]

TOPICS = ["pricing", "renewal", "security review", "onboarding", "discount approval"]


def kms(data_dir: Path, *args: str, wait: bool = True) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "KMS_DATA_DIR": str(data_dir),
        "KMS_EMBED_CACHE_DIR": str(EMBED_CACHE),
        "COLUMNS": "200",
    }
    command = [sys.executable, "-m", "kms.cli", *args]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if wait:
        process.wait(timeout=900)
    return process


def assets_in(data_dir: Path) -> int:
    db = data_dir / "kms.db"
    if not db.exists():
        return 0
    with sqlite3.connect(db, timeout=60) as connection:
        try:
            return int(connection.execute("SELECT count(*) FROM asset").fetchone()[0])
        except sqlite3.OperationalError:  # the schema is not there yet
            return 0


def test_backup_while_ingesting_restores_into_a_fresh_data_dir(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(60):
        topic = TOPICS[i % len(TOPICS)]
        (corpus / f"note-{i:02d}.md").write_text(
            f"# Note {i} on {topic}\n\nField note {i}: what reps learned about {topic} "
            f"in deal {i * 7}, with the objection they met and the answer that worked.\n",
            encoding="utf-8",
        )
    data, copy, restored = tmp_path / "data", tmp_path / "backup", tmp_path / "restored"
    ingest = kms(data, "ingest", str(corpus), wait=False)
    try:
        while assets_in(data) < 3:  # an event: the ingest has committed some files
            assert ingest.poll() is None, ingest.stderr.read() if ingest.stderr else ""
            time.sleep(0.2)
        taken = kms(data, "backup", str(copy))
        assert taken.returncode == 0, taken.stderr.read() if taken.stderr else ""
        assert ingest.poll() is None or assets_in(data) == 60  # it really ran beside it
    finally:
        ingest.wait(timeout=900)
    assert ingest.returncode == 0
    manifest = json.loads((copy / "backup.json").read_text())
    assert manifest["database"] == "sqlite" and 3 <= manifest["assets"] <= 60

    back = kms(restored, "restore", str(copy))
    assert back.returncode == 0, back.stderr.read() if back.stderr else ""
    check = kms(restored, "check")
    out = check.stdout.read() if check.stdout else ""
    assert check.returncode == 0, out
    assert assets_in(restored) == manifest["assets"]

    again = kms(restored, "restore", str(copy))  # never over a knowledge base by accident
    assert again.returncode == 2
    assert "fresh data dir" in (again.stderr.read() if again.stderr else "")
