"""OCR for PDF pages without a text layer (scans), through Debian's ``tesseract``.

Off by default (``KMS_OCR``): a page takes seconds (``bench/ocr.py`` measures it), so a long
scan can meet the parse limits. When on, every page of a PDF that the layout reader found no
text on is rendered with pdfium (``pypdfium2``) and read by ``tesseract`` in the configured
languages (``KMS_OCR_LANGUAGES``, default Simplified and Traditional Chinese and English).
Tesseract spaces Chinese characters apart; those spaces are removed.

It runs inside the parse's child process (:mod:`ingest.sandbox`) and so under its limits:
``tesseract`` inherits the CPU and memory limits, and dies with the child when the wall-clock
limit kills it (``PR_SET_PDEATHSIG``), so nothing of a killed parse keeps running.
"""

from __future__ import annotations

import ctypes
import io
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

from ingest.pdf_layout import join_lines
from ingest.types import Element

DPI = 200  # tesseract reads 10–12 pt text well from 200 dpi; 300 doubles the time
_PR_SET_PDEATHSIG = 1
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"  # CJK punctuation, ideographs, full width
_CJK_GAP = re.compile(f"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")


def missing(languages: str) -> str | None:
    """Why OCR in ``languages`` (``chi_sim+eng``) cannot run here, or None when it can."""
    binary = shutil.which("tesseract")
    if binary is None:
        return "tesseract is not installed (Debian: apt-get install tesseract-ocr)"
    listed = subprocess.run(
        [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.split()
    absent = [lang for lang in languages.split("+") if lang not in listed]
    if absent:
        packages = " ".join(f"tesseract-ocr-{lang.replace('_', '-')}" for lang in absent)
        return f"tesseract has no {'+'.join(absent)} data (Debian: apt-get install {packages})"
    return None


def ocr_elements(path: Path, pages: list[int], languages: str) -> list[Element]:
    """Paragraphs read by OCR from the 1-based ``pages`` of the PDF at ``path``."""
    import pypdfium2 as pdfium

    out: list[Element] = []
    pdf = pdfium.PdfDocument(path)
    try:
        for number in pages:
            image = pdf[number - 1].render(scale=DPI / 72).to_pil()
            png = io.BytesIO()
            image.save(png, "PNG")
            out.extend(_paragraphs(number, read_image(png.getvalue(), languages)))
    finally:
        pdf.close()
    return out


def read_image(png: bytes, languages: str) -> str:
    """The text ``tesseract`` reads in a PNG image."""
    done = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", languages, "--psm", "3"],
        input=png,
        capture_output=True,
        check=False,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # one core per parse, like the rest
        preexec_fn=_die_with_parent,
    )
    if done.returncode != 0:
        raise RuntimeError(f"tesseract failed: {done.stderr.decode(errors='replace')[:300]}")
    return done.stdout.decode("utf-8", errors="replace")


def _paragraphs(page: int, text: str) -> Iterator[Element]:
    """Blank-line separated blocks as paragraphs, their lines joined."""
    for block in re.split(r"\n\s*\n", text):
        lines = [_CJK_GAP.sub("", line.strip()) for line in block.splitlines() if line.strip()]
        if lines:
            yield Element(join_lines(lines), "NarrativeText", page)


def _die_with_parent() -> None:
    """In tesseract's process: be killed when the parse child that started it dies."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
