"""Imported once by the parse sandbox's fork server (:mod:`ingest.sandbox`), so that every
parse child starts with the parsers already imported: ``unstructured``'s partitioners (made
safe offline first, :mod:`ingest.offline`), pdfium, pdfminer, pypdf and pikepdf. Importing it has
no other effect."""

from __future__ import annotations

import importlib

from ingest import documents  # noqa: F401  (the parse code itself)
from ingest.offline import prepare_unstructured

PARTITIONERS = ("docx", "pptx", "xlsx", "email", "html", "md", "text")


def warm() -> None:
    prepare_unstructured()
    for name in PARTITIONERS:
        importlib.import_module(f"unstructured.partition.{name}")
    for name in ("pypdfium2", "pdfminer.high_level", "pypdf", "pikepdf"):
        importlib.import_module(name)


warm()
