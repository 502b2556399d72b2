"""Make ``unstructured`` safe to run with no network, before its first partition.

``unstructured`` 0.27.35 reaches out in two ways that KMS must never allow
(see ``shared/DEPENDENCIES.md``, traps 1 and 2):

* telemetry: ``import unstructured`` runs ``nvidia-smi`` and pings the vendor, and every
  ``partition_*`` call reports too. Both read ``DO_NOT_TRACK`` *at call time*, so it is set
  here (:mod:`kms.core.offline` sets it as well) and must stay set for the life of the process;
* the spaCy model: ``unstructured.nlp.tokenize._load_spacy_model`` downloads and installs
  ``en_core_web_sm`` on first use. It is replaced with a loader that returns
  ``spacy.blank("en")`` plus a rule-based ``sentencizer`` — no model files, no download.
  The cost is that paragraphs come out as ``UncategorizedText`` instead of ``NarrativeText``;
  titles, list items and tables are unaffected, and KMS treats all body text alike.

:func:`prepare_unstructured` is idempotent and cheap after the first call; every parser calls
it before it imports a ``unstructured.partition`` module.
"""

from __future__ import annotations

import threading
from typing import Any

from kms.core import offline  # sets DO_NOT_TRACK and friends before unstructured is imported

_lock = threading.Lock()
_prepared = False


def blank_spacy_pipeline() -> Any:
    """A spaCy English pipeline that needs no model files: tokenizer + sentencizer."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def _patch_spacy_loader() -> None:
    from unstructured.nlp import tokenize

    if getattr(tokenize._load_spacy_model, "_kms_offline", False):
        return
    loader: Any = blank_spacy_pipeline
    loader._kms_offline = True
    tokenize._load_spacy_model = loader
    # A model loaded before the patch (only possible if en_core_web_sm was installed) stays in
    # the cache; a failed load is not cached, so nothing else needs resetting.


def prepare_unstructured() -> None:
    """Set the telemetry opt-outs and replace the spaCy model loader. Safe to call often."""
    global _prepared
    offline.apply()  # read at call time: keep them set for the life of the process
    if _prepared:
        return
    with _lock:
        if _prepared:
            return
        _patch_spacy_loader()
        _prepared = True
