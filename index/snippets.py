"""Highlighted snippets: the window of a chunk with the most query terms, HTML-escaped.

Terms are found with the same analyzer as the keyword index (so ``pricing`` lights up
``priced`` and ``定价`` lights up in an unspaced Chinese sentence). The only markup in
the output is ``<mark>…</mark>``; everything else is escaped.
"""

from __future__ import annotations

import html

from index.analyzer import normalise, spans, tokenize

WINDOW = 220


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Character ranges of ``text`` whose tokens are query tokens."""
    wanted = set(tokenize(query))
    if not wanted:
        return []
    # offsets of spans() point into the normalised text, which keeps the original's
    # length in all but rare NFKC cases; fall back to no highlights then.
    if len(normalise(text)) != len(text):
        return []
    ranges = [(s.start, s.end) for s in spans(text) if s.text in wanted]
    return _merge(sorted(ranges))


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def best_window(text: str, ranges: list[tuple[int, int]], width: int = WINDOW) -> tuple[int, int]:
    """The ``width``-character window holding the most highlighted ranges."""
    if len(text) <= width or not ranges:
        return 0, min(len(text), width)
    best_start, best_hits = 0, -1
    for start, _ in ranges:
        window_start = max(0, min(start - width // 4, len(text) - width))
        hits = sum(1 for s, e in ranges if s >= window_start and e <= window_start + width)
        if hits > best_hits:
            best_start, best_hits = window_start, hits
    return best_start, best_start + width


def snippet(text: str, query: str, width: int = WINDOW) -> str:
    """An escaped excerpt of ``text`` with query terms wrapped in ``<mark>``."""
    ranges = highlight_spans(text, query)
    start, end = best_window(text, ranges, width)
    parts: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e in ranges:
        if s < start or e > end:
            continue
        parts.append(html.escape(text[cursor:s]))
        parts.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    parts.append(html.escape(text[cursor:end]))
    parts.append("…" if end < len(text) else "")
    return "".join(parts).replace("\n", " ")
