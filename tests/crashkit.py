"""Helpers for the crash and fault tests: a small bilingual corpus, the real ``kms``
command in a subprocess (optionally armed with a failpoint), and what a data dir holds
(counts, ``kms check``'s report, the top 5 of fixed queries) read in this process."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import EMBED_CACHE, REPO

HEARTBEAT_S = 0.5  # a killed job is silent after 6 beats: 3 s

EN = ["pricing", "renewal", "security review", "onboarding", "discount approval"]
ZH = ["报价", "续约", "安全审查", "客户上线", "折扣审批"]
QUERIES = [
    "how did the rep handle the discount approval objection",
    "security review next step",
    "renewal deal proof point",
    "onboarding pilot for the buyer",
    "pricing objection in deal 70",
    "折扣审批阶段客户关心什么",
    "安全审查的回答",
    "续约预算和时间表",
    "客户上线试点",
    "报价实施风险",
]


def write_corpus(folder: Path, files: int = 24) -> list[Path]:
    """``files`` Markdown notes, alternately English and Chinese, each of 1–2 chunks."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for i in range(files):
        if i % 2:
            topic = ZH[i % 5]
            body = "\n\n".join(
                f"第{j}段：销售团队在{topic}阶段遇到的问题{i}-{j}，客户关心预算、时间表和"
                f"实施风险，我们给出的回答是分阶段交付并提供试点，编号{i * 13 + j}。"
                for j in range(14)
            )
            path = folder / f"zh-{i:02d}.md"
            path.write_text(f"# {topic}经验 {i}\n\n{body}\n", encoding="utf-8")
        else:
            topic = EN[i % 5]
            body = "\n\n".join(
                f"Paragraph {j}: in deal {i * 7 + j} the rep handled {topic} by walking the "
                f"buyer through the objection, the proof point and the next step."
                for j in range(8)
            )
            path = folder / f"en-{i:02d}.md"
            path.write_text(f"# Notes on {topic} {i}\n\n{body}\n", encoding="utf-8")
        out.append(path)
    return out


def kms(
    data_dir: Path,
    *args: str,
    failpoint: str | None = None,
    timeout: float = 900,
    cache_dir: Path = EMBED_CACHE,
) -> subprocess.CompletedProcess[str]:
    """The real ``kms`` command on ``data_dir``; ``failpoint`` arms ``KMS_FAILPOINT``."""
    env = {k: v for k, v in os.environ.items() if k != "KMS_FAILPOINT"}
    env |= {
        "KMS_DATA_DIR": str(data_dir),
        "KMS_EMBED_CACHE_DIR": str(cache_dir),
        "PYTHONPATH": str(REPO),
        "COLUMNS": "200",
        "KMS_JOB_HEARTBEAT_S": str(HEARTBEAT_S),
    }
    if failpoint:
        env["KMS_FAILPOINT"] = failpoint
    command = [sys.executable, "-m", "kms.cli", *args]
    return subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )


@dataclass
class Snapshot:
    """What a data dir holds, keyed by file name and chunk ordinal (ids may differ)."""

    assets: int
    chunks: int
    sources: list[str]
    top5: dict[str, list[tuple[str, int]]]
    check_ok: bool
    check_expected: int
    check_per_index: dict[str, int]
    check_missing: dict[str, list[int]]
    check_extra: dict[str, list[int]]


def chunk_keys(data_dir: Path) -> dict[int, tuple[str, int]]:
    with sqlite3.connect(data_dir / "kms.db", timeout=60) as db:
        rows = db.execute(
            "SELECT chunk.id, asset.source, chunk.ordinal FROM chunk "
            "JOIN asset ON asset.id = chunk.asset_id"
        ).fetchall()
    return {int(i): (Path(source).name, int(ordinal)) for i, source, ordinal in rows}


def job_states(data_dir: Path) -> list[tuple[str, str]]:
    """Each job's status and its errors' messages, oldest first."""
    with sqlite3.connect(data_dir / "kms.db", timeout=60) as db:
        rows = db.execute("SELECT status, errors FROM job ORDER BY id").fetchall()
    return [(status, " ".join(e["message"] for e in json.loads(errors))) for status, errors in rows]


def counts(data_dir: Path) -> tuple[int, int, list[str]]:
    with sqlite3.connect(data_dir / "kms.db", timeout=60) as db:
        assets = int(db.execute("SELECT count(*) FROM asset").fetchone()[0])
        chunks = int(db.execute("SELECT count(*) FROM chunk").fetchone()[0])
        sources = sorted(Path(s).name for (s,) in db.execute("SELECT source FROM asset"))
    return assets, chunks, sources


def snapshot(data_dir: Path) -> Snapshot:
    """Open the data dir's ``cli`` replica in this process (the next start: it repairs
    what it finds, never a reindex), compare it with the database, run the queries."""
    from kms.services.app import Services
    from kms.services.indexing import check
    from tests.conftest import demo_settings

    services = Services(demo_settings(data_dir))
    try:
        report = check(services)
        keys = chunk_keys(data_dir)
        top5 = {q: [keys[hit.id] for hit in services.index.search(q, None, k=5)] for q in QUERIES}
    finally:
        services.close()
    assets, chunks, sources = counts(data_dir)
    return Snapshot(
        assets,
        chunks,
        sources,
        top5,
        report.ok,
        report.expected,
        report.per_index,
        report.missing,
        report.extra,
    )


def ingested_and_checked(root: Path, files: int) -> Path:
    """``files`` notes ingested into ``root/data`` by ``kms ingest``, then ``kms check``,
    whose ``cli`` replica saves its snapshot (and publishes it) on the way out."""
    corpus = write_corpus(root / "corpus", files=files)
    data = root / "data"
    assert kms(data, "ingest", str(corpus[0].parent)).returncode == 0
    assert kms(data, "check").returncode == 0
    return data


def wanted_ids(data_dir: Path) -> set[int]:
    """The chunk ids the database says search should hold (read without any index)."""
    from kms.services.app import Services
    from kms.services.indexing import wanted_chunk_ids
    from tests.conftest import demo_settings

    services = Services(demo_settings(data_dir))
    try:
        with services.db.session() as session:
            return wanted_chunk_ids(session)
    finally:
        services.db.close()


def replica_ids(folder: Path) -> dict[str, set[int]]:
    """The chunk ids each part of a saved replica holds, read straight from its files
    (no follower: nothing is repaired on the way), and whether its state file reads."""
    from index.hybrid import HybridIndex, load_embedders
    from kms.core.config import Settings
    from kms.services.follower import STATE_FILE, FollowerState

    names = Settings().embedders
    index = HybridIndex(folder, names, embedders=load_embedders(names))
    try:
        parts = index.ids_per_index()
    finally:
        index.close()
    assert FollowerState.read(folder / STATE_FILE) is not None, f"{folder}: no state file"
    return parts
