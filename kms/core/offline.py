"""Offline and private before any third-party library loads: no telemetry, no model hub.

Importing this module sets the environment variables that ``unstructured``,
``huggingface_hub``, ``transformers`` and friends read (``DO_NOT_TRACK``,
``HF_HUB_OFFLINE``, ...). A customer's documents are not ours to announce, and model
weights come from pip packages, never from a hub at run time. Every module that loads such
a library imports this first (``import kms.core.offline``); importing :mod:`kms` does too.
"""

from __future__ import annotations

import os

OFFLINE_ENV = {
    "DO_NOT_TRACK": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
    "SCARF_NO_ANALYTICS": "true",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # no "Loading weights" bar on every CLI start
}


def apply() -> None:
    """Set the variables (idempotent; call again if something may have unset them)."""
    os.environ.update(OFFLINE_ENV)


apply()
