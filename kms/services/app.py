"""The services' shared state, built once per process: settings, database, models, indexes.

The CLI and the API both construct one ``Services`` and call the same functions with it.
The embedding models and this process's index replica (:mod:`kms.services.follower`)
load lazily on first use, so commands that never search (``kms keys create``, ``kms
ingest``, which only writes the database) never open an index.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import threading
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from kms.core.config import Settings
from kms.core.db import Database
from kms.core.errors import ConfigError
from kms.core.stage_classifier import StageClassifier
from kms.core.stages import SalesProcess

if TYPE_CHECKING:
    from index.embedders import Embedder
    from index.hybrid import HybridIndex
    from kms.services.answerability import Model
    from kms.services.follower import IndexFollower

log = logging.getLogger("kms.services")
T = TypeVar("T")


class Services:
    def __init__(self, settings: Settings, serving: bool = False) -> None:
        """``serving``: built by the API server (embedding models use ``embed_threads_for``)."""
        self.settings = settings
        self.serving = serving
        # bounds the searches running at once (``Settings.search_concurrency``)
        self.search_gate = threading.BoundedSemaphore(settings.search_slots)
        self.db = Database(settings)
        self.classifier = StageClassifier(self.db.process)
        self.write_lock = threading.Lock()
        self.gap_lock = threading.Lock()  # gap detection runs one at a time
        self.job_listeners: list[Callable[[int], None]] = []
        self.on_close: list[Callable[[], None]] = []

    @cached_property
    def widget_secret(self) -> str:
        """What widget tokens are signed with: the setting, or on a demo server (one process,
        its own demo CRM page) a random secret for this run; empty: no widget tokens."""
        if self.settings.widget_secret or not self.settings.demo:
            return self.settings.widget_secret
        return secrets.token_urlsafe(32)

    @cached_property
    def confidence_model(self) -> Model:
        """The answer's confidence model (``kms.services.answerability``)."""
        from kms.services.answerability import load_model

        return load_model()

    def reload_confidence_model(self) -> None:
        self.__dict__.pop("confidence_model", None)

    @property
    def process(self) -> SalesProcess:
        return self.db.process

    @cached_property
    def embedders(self) -> dict[str, Embedder]:
        """The embedding models, behind this data dir's on-disk vector cache."""
        from index.hybrid import load_embedders

        settings = self.settings
        return load_embedders(
            settings.embedders,
            settings.cache_dir if settings.embed_cache else None,
            settings.embed_batch_size,
            settings.embed_threads_for(self.serving),
        )

    @cached_property
    def follower(self) -> IndexFollower:
        """This process's index replica (opened, not yet caught up)."""
        from kms.services.follower import IndexFollower

        if self.settings.replica_id or self.serving:
            return IndexFollower(self, self.settings.replica_id or "server")
        try:
            return IndexFollower(self, "cli")
        except ConfigError:  # another command holds it: use a throw-away replica
            return IndexFollower(self, f"cli-{os.getpid()}", ephemeral=True)

    @property
    def index(self) -> HybridIndex:
        """The search indexes, caught up with the database on first use."""
        follower = self.follower
        if not follower.caught_up:
            follower.catch_up()
        return follower.index

    def changed(self) -> None:
        """This process wrote index changes: apply them here now (read-your-writes); other
        processes pick them up from the change log."""
        if "follower" in self.__dict__:
            self.follower.catch_up()

    def job_queued(self, job_id: int) -> None:
        """A job was queued by this process: wake this process's job runner, if it has one
        (``kms.services.queue.JobRunner``; other workers find it by polling)."""
        for wake in self.job_listeners:
            wake(job_id)

    def close(self) -> None:
        for stop in self.on_close:
            stop()
        if "follower" in self.__dict__:
            self.follower.stop()
        self.db.close()


def scratch_dir(services: Services, prefix: str) -> Path:
    """A new private folder under ``data_dir/work`` for files a job writes and removes
    (each process its own: no two processes ever share one)."""
    folder = services.settings.data_dir / "work"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=folder))


def side_write(services: Services, what: str, write: Callable[[Session], T]) -> T | None:
    """A best-effort write beside a read (the query log, a gap's count) in its own short
    transaction: when the database will not take it within ``SIDE_WRITE_WAIT_S`` (another
    writer holds the lock) it is logged and skipped — a search never fails for it."""
    try:
        with services.db.side_session() as session:
            return write(session)
    except SQLAlchemyError as exc:
        log.warning("%s not recorded: %s", what, type(exc).__name__)
        return None
