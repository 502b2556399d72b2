"""KMS — a sales knowledge search engine aligned with the stages of the sales process.

The layers, bottom up (``make check`` enforces the direction with import-linter):

    kms.core        settings, tables, schemas, errors, the sales process, text rules,
                    visibility, read-only graph queries — imports nothing of ours
    ingest, index   parsing and enrichment / keyword and vector retrieval — core only
    kms.services    what the API and the CLI do, composed from core + ingest + index
    api, kms.cli    HTTP and the command line — services and core

Importing the package makes the process offline and private (:mod:`kms.core.offline`).
"""

import kms.core.offline  # noqa: F401  (no telemetry, no model hub, before anything loads)

__version__ = "0.1.0"
