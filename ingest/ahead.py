"""Parse the next document while the current one is embedded and stored.

A document's parse runs in its own child process (:mod:`ingest.sandbox`), so it can use
the second core while this process encodes and writes the file before it. ``ParseAhead``
keeps at most one parse running ahead of the batch, on one thread. A file whose bytes are
already stored is not parsed ahead (the batch's unchanged-file check skips its parse), and
what a parse raises is raised when the batch reaches that file, so errors, their order and
the one-transaction-per-file rule are the same as without it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from ingest.drafts import AssetDraft
from ingest.sources import SourceFile


class ParseAhead:
    """``parse(source)`` for the file after the current one, on a worker thread;
    ``known(source)`` says its bytes are already stored (no parse ahead)."""

    def __init__(
        self,
        parse: Callable[[SourceFile], AssetDraft],
        known: Callable[[SourceFile], bool],
    ) -> None:
        self._parse = parse
        self._known = known
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="kms-parse-ahead")
        self._running: dict[int, Future[AssetDraft | None]] = {}

    def start(self, source: SourceFile) -> None:
        """Begin parsing ``source`` (once), unless its bytes are already stored."""
        if id(source) not in self._running:
            self._running[id(source)] = self._pool.submit(self._ahead, source)

    def draft(self, source: SourceFile) -> AssetDraft:
        """``source``'s draft: the parse started ahead, or a parse now."""
        running = self._running.pop(id(source), None)
        ahead = running.result() if running is not None else None
        return ahead if ahead is not None else self._parse(source)

    def _ahead(self, source: SourceFile) -> AssetDraft | None:
        return None if self._known(source) else self._parse(source)

    def __enter__(self) -> ParseAhead:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._running.clear()
