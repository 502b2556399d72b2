"""The in-document repeat check (``ingest.dedup.RepeatTracker``) on one single-line text of
1, 2, 4 and 8 MB, and the slope of its time against size on a log-log scale (1.0: linear).

    .venv/bin/python bench/repeat_check.py [--sizes 1,2,4,8] [--budget-s 300]

Two texts per size: ``distinct`` (seeded pseudo-random English and Chinese words: no chunk
repeats another) and ``repeated`` (one 64 KB block written again and again: every chunk
after the first copy repeats one before it — the case issue 12 found taking 28+ minutes
at 10 MB). The text is chunked as ingest chunks a single-line document (800 characters,
120 of overlap), then each chunk is checked and added in order, as ``ingest.store`` does.
A run slower than ``--budget-s`` stops there and is reported as such. Writes
``bench/results/repeat_check.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.chunking import chunk_document
from ingest.dedup import RepeatTracker
from ingest.types import Element, ParsedDocument

RESULTS = Path(__file__).resolve().parent / "results" / "repeat_check.json"
MB = 1 << 20
LATIN = "abcdefghijklmnopqrstuvwxyz"
HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]  # common CJK ideographs


def distinct_text(size: int, seed: int = 7) -> str:
    """Random English-like words and Chinese runs: no chunk repeats another."""
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size:
        letters = HAN if rng.random() < 0.3 else LATIN
        word = "".join(rng.choice(letters) for _ in range(rng.randint(2, 8)))
        parts.append(word)
        total += len(word) + 1
    return " ".join(parts)[:size]


def repeated_text(size: int) -> str:
    block = distinct_text(64 * 1024, seed=11)
    return (block * (size // len(block) + 1))[:size]


def run(text: str, budget_s: float) -> dict[str, float | int | bool]:
    doc = ParsedDocument(title="bench", elements=[Element(text)], mime="text/plain")
    started = time.perf_counter()
    chunks = chunk_document(doc, 800, 120)
    chunked = time.perf_counter() - started
    tracker = RepeatTracker(0.8)
    repeats, done, finished = 0, 0, True
    started = time.perf_counter()
    for i, chunk in enumerate(chunks):
        if tracker.find(chunk.text) is not None:
            repeats += 1
        tracker.add(i, chunk.text)
        done += 1
        if time.perf_counter() - started > budget_s:
            finished = False
            break
    checked = time.perf_counter() - started
    return {
        "chunks": len(chunks),
        "checked": done,
        "repeats": repeats,
        "chunking_s": round(chunked, 3),
        "repeat_check_s": round(checked, 3),
        "finished": finished,
    }


def slope(sizes: list[int], seconds: list[float]) -> float | None:
    """Least-squares slope of log(time) on log(size)."""
    if len(sizes) < 2:
        return None
    xs, ys = [math.log(s) for s in sizes], [math.log(max(t, 1e-6)) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,2,4,8", help="sizes in MB, comma-separated")
    parser.add_argument("--budget-s", type=float, default=300.0, help="stop a run after this")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    report: dict[str, object] = {"sizes_mb": sizes}
    for name, make in (("distinct", distinct_text), ("repeated", repeated_text)):
        rows = []
        for size in sizes:
            row = {"mb": size} | run(make(size * MB), args.budget_s)
            rows.append(row)
            print(f"{name:9} {size} MB: {row}", flush=True)
        whole = [r for r in rows if r["finished"]]
        fit = slope([int(r["mb"]) for r in whole], [float(r["repeat_check_s"]) for r in whole])
        report[name] = {"runs": rows, "slope": None if fit is None else round(fit, 2)}
        print(f"{name:9} slope (log time / log size): {report[name]['slope']}", flush=True)  # type: ignore[index]
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
