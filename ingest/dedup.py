"""Near-duplicate chunks: MinHash signatures over character shingles, found with LSH.

Character 5-gram shingles work for Chinese (no word boundaries needed) and for English.
Two chunks whose estimated Jaccard similarity passes the threshold are near-duplicates;
the later one is flagged (``Chunk.duplicate_of``) and not indexed, so a document that
repeats its own body — or a file re-exported under another name — is not searched twice.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
from datasketch import MinHash, MinHashLSH

SHINGLE = 5
NUM_PERM = 64
_SPACE = re.compile(r"\s+")


def shingles(text: str) -> set[bytes]:
    norm = _SPACE.sub(" ", text.lower()).strip()
    if len(norm) <= SHINGLE:
        return {norm.encode()} if norm else set()
    return {norm[i : i + SHINGLE].encode() for i in range(len(norm) - SHINGLE + 1)}


def signature(text: str) -> MinHash:
    sig = MinHash(num_perm=NUM_PERM, seed=7)
    sig.update_batch(list(shingles(text)))
    return sig


class NearDuplicateFinder:
    """An in-memory LSH over chunks seen so far (loaded from the database, then grown)."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._sigs: dict[int, MinHash] = {}

    def __len__(self) -> int:
        return len(self._sigs)

    def add(self, chunk_id: int, text: str, sig: MinHash | None = None) -> None:
        if chunk_id in self._sigs:
            return
        sig = sig or signature(text)
        self._sigs[chunk_id] = sig
        self._lsh.insert(chunk_id, sig)

    def remove(self, chunk_id: int) -> None:
        if chunk_id in self._sigs:
            self._lsh.remove(chunk_id)
            del self._sigs[chunk_id]

    def find(self, text: str, sig: MinHash | None = None) -> int | None:
        """The most similar earlier chunk above the threshold, if any."""
        if len(text.strip()) < 40:  # too short to call a duplicate of anything
            return None
        sig = sig or signature(text)
        best_id, best_sim = None, self.threshold
        for candidate in self._lsh.query(sig):
            sim = float(np.mean(self._sigs[candidate].hashvalues == sig.hashvalues))
            if sim >= best_sim:
                best_id, best_sim = int(candidate), sim
        return best_id


class RepeatTracker:
    """Repetition inside one document: a chunk whose shingles mostly appeared before.

    Containment (not Jaccard) because a repeated body is rarely cut at the same places:
    a chunk of the second copy straddles two chunks of the first. Each shingle remembers
    the first chunk that had it, so a check costs one dict lookup per shingle — linear in
    the document, however many chunks came before (``bench/repeat_check.py``).
    """

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._first: dict[bytes, int] = {}  # shingle → the first chunk that had it

    def find(self, text: str) -> int | None:
        """The earlier chunk holding most of this chunk's shingles, when the shingles seen
        before make up at least ``threshold`` of them."""
        grams = shingles(text)
        if len(text.strip()) < 40 or not grams:
            return None
        owners = Counter(self._first[g] for g in grams if g in self._first)
        if sum(owners.values()) / len(grams) < self.threshold:
            return None
        return max(owners, key=lambda chunk_id: (owners[chunk_id], -chunk_id))

    def add(self, chunk_id: int, text: str) -> None:
        for gram in shingles(text):
            self._first.setdefault(gram, chunk_id)
