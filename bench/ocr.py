"""OCR of scanned PDFs (``KMS_OCR``): how fast, and how much of the text it gets right.

Renders pages of public text (cmrc2018 paragraphs in Simplified Chinese, their Traditional
form through zhconv, and scifact abstracts in English, from ``../shared/eval``) as 200-dpi
A4 scans with no text layer, parses them through the product (``parse_document`` with
``ocr`` on, in its sandbox, one core), and prints seconds per page and the share of each
page's characters (spaces and punctuation ignored) that OCR recovered in order (longest
common subsequence over the page). Writes ``bench/results/ocr.json``.

    .venv/bin/python bench/ocr.py [--pages 6]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from fixtures_docs import write_scanned_pdf  # noqa: E402

from bench.common import load_set  # noqa: E402
from ingest.documents import parse_document  # noqa: E402
from kms.core.config import Settings  # noqa: E402

RESULTS = REPO / "bench" / "results" / "ocr.json"
LINE_CHARS = {"zh-hans": 36, "zh-hant": 36, "en": 70}
PAGE_LINES = 24


def pages_of(language: str, count: int) -> list[list[str]]:
    """``count`` pages of public text in ``language``, wrapped as a page would be."""
    import zhconv

    source = load_set("scifact" if language == "en" else "cmrc2018-retrieval")
    text = " ".join(source.doc_text(i) for i in range(200))
    if language == "zh-hant":
        text = zhconv.convert(text, "zh-hant")
    lines = textwrap.wrap(text, LINE_CHARS[language])
    return [lines[i * PAGE_LINES : (i + 1) * PAGE_LINES] for i in range(count)]


def recovered(expected: str, got: str) -> float:
    """Share of ``expected``'s characters found in order in ``got`` (LCS / len)."""
    a, b = _letters(expected), _letters(got)
    if not a:
        return 1.0
    previous = [0] * (len(b) + 1)
    for ca in a:
        row = [0]
        for j, cb in enumerate(b, 1):
            row.append(previous[j - 1] + 1 if ca == cb else max(previous[j], row[j - 1]))
        previous = row
    return previous[-1] / len(a)


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def measure(language: str, count: int, folder: Path, settings: Settings) -> dict[str, Any]:
    pages = pages_of(language, count)
    path = write_scanned_pdf(folder / f"scan-{language}.pdf", pages)
    started = time.perf_counter()
    parsed = parse_document(path, settings)
    seconds = time.perf_counter() - started
    shares = [
        recovered("".join(lines), "".join(e.text for e in parsed.elements if e.page == number))
        for number, lines in enumerate(pages, 1)
    ]
    return {
        "pages": count,
        "seconds_per_page": round(seconds / count, 2),
        "characters_recovered": {
            "median": round(statistics.median(shares), 3),
            "min": round(min(shares), 3),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=6, help="pages per language")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", ocr=True, parse_timeout_s=3600)
        settings = settings.model_copy(update={"parse_cpu_s": 3600.0})
        results: dict[str, Any] = {
            "setup": {
                "scan": "200-dpi A4 greyscale, Noto Sans CJK 34 px (~12 pt), 24 lines a page",
                "ocr": f"tesseract, languages {settings.ocr_languages}, one thread",
            },
            "languages": {
                lang: measure(lang, args.pages, Path(tmp), settings)
                for lang in ("zh-hans", "zh-hant", "en")
            },
        }
    for lang, figures in results["languages"].items():
        print(lang, json.dumps(figures))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
