"""Embeddings: computed once, by the process that ingests a chunk, and stored per model.

Search replicas read vectors from the database (``ChunkVector``) and never encode a
passage; only the process that writes a chunk — an ingest worker, the CLI, the server's
in-process worker — runs the models, through the on-disk cache of its own data dir.

What a chunk's vector is computed from (``passage_text``: the asset title and section,
then the text) and which models embed which languages (``understands``) are the index's
rules; this module only applies them and moves the bytes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
from sqlmodel import Session

from index.embedders import Embedder, passage_text
from index.hybrid import understands
from ingest.drafts import AssetDraft, ChunkVectors
from kms.core.failpoints import failpoint
from kms.core.text.language import detect_language
from kms.core.vectors import store_vectors, stored_vectors

Vectors = dict[str, dict[int, np.ndarray]]  # embedder name → chunk id → unit vector


def chunk_title(asset_title: str, section: str | None) -> str:
    """The title a chunk is indexed and embedded with."""
    return f"{asset_title} — {section}" if section else asset_title


def embed_draft(embedders: Mapping[str, Embedder], draft: AssetDraft) -> ChunkVectors:
    """Vectors for every chunk of a draft: chunk ordinal → model cache id → float32 bytes."""
    out: ChunkVectors = defaultdict(dict)
    texts = [passage_text(chunk_title(draft.title, c.section), c.text) for c in draft.chunks]
    langs = [detect_language(c.text) for c in draft.chunks]
    for embedder in embedders.values():
        take = [i for i, lang in enumerate(langs) if understands(embedder, lang)]
        if not take:
            continue
        matrix = embedder.encode([texts[i] for i in take])
        for row, i in enumerate(take):
            out[draft.chunks[i].ordinal][embedder.cache_id] = _as_bytes(matrix[row])
        failpoint("embed")
    return dict(out)


def store_encoded(
    session: Session,
    embedders: Mapping[str, Embedder],
    encoded: Mapping[str, Mapping[int, np.ndarray]],
) -> None:
    """Store vectors a process had to encode itself (for chunks stored without them)."""
    store_vectors(
        session,
        (
            (chunk_id, embedders[name].cache_id, _as_bytes(vector))
            for name, by_chunk in encoded.items()
            for chunk_id, vector in by_chunk.items()
        ),
    )


def load_vectors(
    session: Session, embedders: Mapping[str, Embedder], chunk_ids: Sequence[int]
) -> Vectors:
    """The stored vectors of ``chunk_ids`` for each embedder (by its cache id)."""
    names = {e.cache_id: (name, e.dim) for name, e in embedders.items()}
    out: Vectors = {name: {} for name in embedders}
    for chunk_id, model, blob in stored_vectors(session, chunk_ids, list(names)):
        name, dim = names[model]
        vector = np.frombuffer(blob, dtype=np.float32)
        if vector.shape[0] == dim:
            out[name][chunk_id] = vector
    return out


def _as_bytes(vector: np.ndarray) -> bytes:
    return np.ascontiguousarray(vector, dtype=np.float32).tobytes()
