"""Retrieval: keyword and vector indexes, embedders, fusion — all keyed by chunk id.

Modules, one idea each (import the one you need; nothing heavy loads here):

- ``language``   — the one language detector: ``detect_language(text)`` (``zh`` / ``en`` /
  ``mixed``) and ``has_cjk``, for ingest, retrieval and the benchmarks
- ``analyzer``   — ``tokenize(text)`` and the same tokens as a whoosh analyzer
- ``keyword``    — the ``KeywordIndex`` protocol (BM25 over title, body, entities)
- ``keyword_tantivy`` — its default engine: tantivy, visibility filtered inside it
- ``keyword_whoosh`` — the pure-Python engine: whoosh BM25F, filtered inside whoosh
- ``whoosh_fixes`` — two whoosh hazards neutralised (global-RNG names, shared scratch)
- ``embedders``  — the ``Embedder`` protocol, MiniLM, USE, ``load_embedder(name)``
- ``embed_cache``— ``CachedEmbedder``: vectors cached on disk by content hash
- ``vector``     — ``VectorIndex``: faiss exact / HNSW, visibility filtered inside faiss
- ``visibility`` — ``VisibilityMap``: chunk → teams, allowed ids per team set
- ``fusion``     — pure fusion functions over ``(id, score)`` lists
- ``policy``     — the default retrieval: sources and weights per query language
- ``hybrid``     — ``HybridIndex``: all of the above, the product's default retrieval
"""
