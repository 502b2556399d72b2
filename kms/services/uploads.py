"""Checks on uploaded files before they are queued: type from content, no zip bombs.

``check_files`` decides each file's type from its content (``ingest.filetypes``), not its
name, and refuses zip bombs from the zip central directory alone — nothing is
decompressed: too many entries, too many uncompressed bytes, or an absurd ratio.
:mod:`kms.services.jobs` then queues the batch as an ingest job.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ingest.filetypes import FileKind, detect_type
from ingest.manifest import MANIFEST_NAMES
from kms.core.errors import InputError

MAX_ZIP_ENTRIES = 10_000
UNZIPPED_FACTOR = 20  # total uncompressed bytes allowed, in multiples of the upload limit
MAX_RATIO = 100  # compression ratio that marks a member as a bomb (when over 1 MiB)
RATIO_FLOOR = 1 << 20
OOXML = {FileKind.DOCX, FileKind.PPTX, FileKind.XLSX}

__all__ = ["MANIFEST_NAMES", "UploadBatch", "UploadedFile", "check_files", "check_zip"]


@dataclass
class UploadedFile:
    name: str
    path: Path
    size: int = 0
    kind: str | None = None


@dataclass
class UploadBatch:
    """Uploaded files in a folder of their own, which is removed once they are ingested."""

    files: list[UploadedFile]
    folder: Path

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def check_files(batch: UploadBatch, limit: int) -> None:
    """Type from content and zip-bomb checks for every file; the first problem wins."""
    if not batch.files:
        raise InputError("no file in the upload (multipart field 'files')", {"field": "files"})
    for staged in batch.files:
        if staged.size == 0:
            raise InputError(f"{staged.name}: empty file", {"file": staged.name})
        kind = detect_type(staged.path).kind  # the suffix is a hint for text formats only
        if kind in OOXML:
            check_zip(staged.path, staged.name, limit)
        staged.kind = kind.value


def check_zip(path: Path, name: str, limit: int) -> None:
    """Refuse a zip whose central directory promises too much; reads no member data."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{name}: damaged zip container", {"file": name}) from exc
    detail = {"file": name, "reason": "zip_bomb"}
    if len(members) > MAX_ZIP_ENTRIES:
        raise InputError(f"{name}: too many parts ({len(members)})", detail)
    total = sum(m.file_size for m in members)
    if total > UNZIPPED_FACTOR * limit:
        raise InputError(f"{name}: expands to {total} bytes, too large to parse", detail)
    for m in members:
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(1, m.compress_size):
            raise InputError(f"{name}: part '{m.filename}' is compressed suspiciously well", detail)
