"""The services' shared state, built once per process: settings, database, indexes.

The CLI and the API both construct one ``Services`` and call the same functions with it.
The hybrid index and the embedding models load lazily on first use, so commands that
never search (``kms keys create``) start in a blink.
"""

from __future__ import annotations

import secrets
import threading
from functools import cached_property
from typing import TYPE_CHECKING

from kms.core.config import Settings
from kms.core.db import Database
from kms.core.stage_classifier import StageClassifier
from kms.core.stages import SalesProcess

if TYPE_CHECKING:
    from index.hybrid import HybridIndex


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

    @cached_property
    def widget_secret(self) -> str:
        """What widget tokens are signed with: the setting, or on a demo server (one process,
        its own demo CRM page) a random secret for this run; empty: no widget tokens."""
        if self.settings.widget_secret or not self.settings.demo:
            return self.settings.widget_secret
        return secrets.token_urlsafe(32)

    @property
    def process(self) -> SalesProcess:
        return self.db.process

    @cached_property
    def index(self) -> HybridIndex:
        from index.hybrid import HybridIndex

        return HybridIndex(
            self.settings.index_dir,
            self.settings.embedders,
            ann_threshold=self.settings.ann_threshold,
            keyword_engine=self.settings.keyword_engine,
            cache_dir=self.settings.cache_dir if self.settings.embed_cache else None,
            batch_size=self.settings.embed_batch_size,
            threads=self.settings.embed_threads_for(self.serving),
        )

    def close(self) -> None:
        if "index" in self.__dict__:
            self.index.save()
        self.db.close()
