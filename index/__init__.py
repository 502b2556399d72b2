"""Retrieval: keyword and vector indexes, embedders, fusion — all keyed by chunk id.

Modules, one idea each (import the one you need; nothing heavy loads here):

- ``language``   — ``detect_language(text)``: ``zh`` / ``en`` / ``mixed``
- ``analyzer``   — ``tokenize(text)`` and the same tokens as a whoosh analyzer
- ``keyword``    — ``KeywordIndex``: whoosh BM25F, visibility filtered inside whoosh
- ``whoosh_fixes`` — two whoosh hazards neutralised (global-RNG names, shared scratch)
- ``embedders``  — the ``Embedder`` protocol, MiniLM, USE, ``load_embedder(name)``
- ``embed_cache``— ``CachedEmbedder``: vectors cached on disk by content hash
- ``vector``     — ``VectorIndex``: faiss exact / HNSW, visibility filtered inside faiss
- ``visibility`` — ``VisibilityMap``: chunk → teams, allowed ids per team set
- ``fusion``     — pure fusion functions over ``(id, score)`` lists
- ``policy``     — the default retrieval: sources and weights per query language
- ``hybrid``     — ``HybridIndex``: all of the above, the product's default retrieval
"""
