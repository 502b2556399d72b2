"""Scheduled gap detection runs once per interval in the whole deployment: two processes
asking at the same moment (SQLite and PostgreSQL), one runs it and the other is told a
lease holds it — and asking again within the interval runs nothing."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

from sqlmodel import col, func, select

from kms.core.config import Settings
from kms.core.models import AuditLog
from kms.services.app import Services
from kms.services.gapdetect import scheduled_gap_detection


def settings(data_dir: Path, url: str) -> Settings:
    return Settings(data_dir=data_dir, database_url=url, gap_detect_every_s=600)


def detect_in_a_process(data_dir: Path, url: str, holder: str, barrier: Barrier) -> bool:
    services = Services(settings(data_dir, url))
    barrier.wait()
    ran = scheduled_gap_detection(services, holder) is not None
    services.close()
    return ran


def test_two_processes_run_scheduled_detection_once(tmp_path: Path, engine_url: str) -> None:
    Services(settings(tmp_path, engine_url)).close()  # the schema, before the race
    context = multiprocessing.get_context("spawn")
    barrier = context.Manager().Barrier(2)
    with context.Pool(2) as pool:
        ran = pool.starmap(
            detect_in_a_process,
            [(tmp_path, engine_url, f"process-{i}", barrier) for i in range(2)],
        )
    assert sorted(ran) == [False, True]
    services = Services(settings(tmp_path, engine_url))
    assert scheduled_gap_detection(services, "a-third-process") is None
    with services.db.session() as session:
        runs = session.exec(select(func.count()).where(col(AuditLog.action) == "gaps.detect")).one()
    assert runs == 1  # the one run opened the thin-stage gaps; nothing else ran
    services.close()
