"""Parse ahead (ingest/ahead.py): the next document is parsed while the current one is
embedded and stored, on real files through the real parse sandbox; its draft is the one a
parse would give, its error is raised when the batch reaches it, a stored file is not
parsed ahead, and a batch through the pipeline keeps its order and its per-file errors."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from fixtures_docs import build_bad_inputs, build_documents

from ingest.ahead import ParseAhead
from ingest.drafts import AssetDraft
from ingest.sources import SourceFile, document_draft
from kms.core.config import Settings
from kms.core.errors import ParseError
from kms.core.schemas import FileMeta

pytestmark = pytest.mark.xdist_group("documents")

SETTINGS = Settings()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("ahead")
    good = build_documents(root / "good")
    return {**good, **build_bad_inputs(root / "bad", good)}


class Recorder:
    """The real draft builder, recording which files it parsed and on which thread."""

    def __init__(self) -> None:
        self.parsed: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def __call__(self, source: SourceFile) -> AssetDraft:
        draft = document_draft(source, SETTINGS)
        with self.lock:
            self.parsed.append((source.path.name, threading.current_thread().name))
        return draft

    def names(self) -> list[str]:
        with self.lock:
            return [name for name, _ in self.parsed]


def wait_for(condition: object, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_the_next_file_is_parsed_before_it_is_asked_for(files: dict[str, Path]) -> None:
    first, second = SourceFile(files["pdf"], FileMeta()), SourceFile(files["docx"], FileMeta())
    recorder = Recorder()
    with ParseAhead(recorder, known=lambda source: False) as ahead:
        ahead.start(first)
        ahead.start(second)
        got = ahead.draft(first)
        # the second file's parse runs on its own while the caller works on the first
        assert wait_for(lambda: len(recorder.names()) == 2), recorder.parsed
        assert recorder.names() == ["guide.pdf", second.path.name]
        again = ahead.draft(second)
    assert [c.text for c in got.chunks] == [c.text for c in document_draft(first, SETTINGS).chunks]
    assert again.content_hash == document_draft(second, SETTINGS).content_hash
    assert len(recorder.parsed) == 2  # each file parsed once
    assert all(thread.startswith("kms-parse-ahead") for _, thread in recorder.parsed)


def test_a_bad_file_raises_its_own_error_when_reached(files: dict[str, Path]) -> None:
    bad, good = SourceFile(files["garbage_pdf"], FileMeta()), SourceFile(files["md"], FileMeta())
    with ParseAhead(Recorder(), known=lambda source: False) as ahead:
        ahead.start(bad)
        ahead.start(good)
        with pytest.raises(ParseError, match=r"^garbage\.pdf: "):
            ahead.draft(bad)
        assert ahead.draft(good).chunks


def test_a_file_already_stored_is_not_parsed_ahead(files: dict[str, Path]) -> None:
    stored = SourceFile(files["txt"], FileMeta())
    recorder = Recorder()
    with ParseAhead(recorder, known=lambda source: source is stored) as ahead:
        ahead.start(stored)
        time.sleep(0.5)
        assert recorder.parsed == []
        assert ahead.draft(stored).chunks  # asked for anyway: parsed then, on this thread
    assert recorder.parsed == [(stored.path.name, threading.current_thread().name)]
