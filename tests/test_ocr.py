"""Scanned PDFs (issue 15): with ``KMS_OCR`` on, pages without a text layer are read by
tesseract — Chinese without the spaces tesseract puts between characters, English as
words, each paragraph on its page — and become searchable; off, the error says how to turn
it on; a scan slower than the wall-clock limit leaves no tesseract running."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest
from fixtures_docs import SCANNED_PAGES, write_pdf, write_scanned_pdf

from ingest.documents import parse_document
from kms.core.config import Settings
from kms.core.errors import ParseError

pytestmark = [pytest.mark.xdist_group("parsers")]

OFF = Settings(data_dir=Path("unused"))
ON = OFF.model_copy(update={"ocr": True})


def test_a_scan_is_read_by_ocr_in_both_languages(tmp_path: Path) -> None:
    parsed = parse_document(write_scanned_pdf(tmp_path / "scan.pdf"), ON)
    by_page = {n: " ".join(e.text for e in parsed.elements if e.page == n) for n in (1, 2)}
    assert "折扣超过百分之十五需要区域总监审批" in by_page[1]
    assert "先问清楚与什么方案比较" in by_page[1]
    assert "offering any discount above fifteen percent" in by_page[2]
    assert parsed.meta["pages"] == len(SCANNED_PAGES)


def test_without_ocr_a_scan_is_refused_saying_how_to_read_it(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as caught:
        parse_document(write_scanned_pdf(tmp_path / "scan.pdf"), OFF)
    assert caught.value.detail["reason"] == "empty"
    assert "scan.pdf" in str(caught.value) and "KMS_OCR=true" in str(caught.value)


def test_a_pdf_with_a_text_layer_is_not_sent_to_ocr(tmp_path: Path) -> None:
    """Pages with text keep the layout's text (no OCR of what is already there)."""
    path = write_pdf(tmp_path / "text.pdf")
    assert parse_document(path, ON).elements == parse_document(path, OFF).elements


def test_a_scan_slower_than_the_limit_is_stopped_with_its_tesseract(tmp_path: Path) -> None:
    pages = [SCANNED_PAGES[0]] * 12  # ~5 s a page: far over a 3 s limit
    path = write_scanned_pdf(tmp_path / "long-scan.pdf", pages)
    limited = ON.model_copy(update={"parse_timeout_s": 3.0})
    with pytest.raises(ParseError) as caught:
        parse_document(path, limited)
    assert caught.value.detail["reason"] == "timeout"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _tesseracts():
        time.sleep(0.2)
    assert _tesseracts() == []


def _tesseracts() -> list[int]:
    return [p.pid for p in psutil.process_iter(["name"]) if p.info["name"] == "tesseract"]
