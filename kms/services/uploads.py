"""Uploads for ingest: staged with limits while they stream, checked, ingested in the background.

1. ``UploadStager`` writes each file part to a staging folder as it arrives, counting
   bytes; the first byte over ``settings.upload_max_bytes`` aborts the upload (``TooLarge``)
   and removes what was written. At most ``MAX_FILES`` files, small form fields only.
2. ``check_staged`` decides each file's type from its content (``ingest.filetypes``), not
   its name, and refuses zip bombs from the zip central directory alone — nothing is
   decompressed: too many entries, too many uncompressed bytes, or an absurd ratio.
3. :mod:`kms.services.jobs` queues the checked upload as an ingest job.
"""

from __future__ import annotations

import re
import shutil
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ingest.filetypes import FileKind, detect_type
from ingest.manifest import MANIFEST_NAMES
from kms.core.config import Settings
from kms.core.errors import InputError, TooLarge

MAX_FILES = 20
MAX_FIELDS = 20
MAX_FIELD_BYTES = 4096
MAX_ZIP_ENTRIES = 10_000
UNZIPPED_FACTOR = 20  # total uncompressed bytes allowed, in multiples of the upload limit
MAX_RATIO = 100  # compression ratio that marks a member as a bomb (when over 1 MiB)
RATIO_FLOOR = 1 << 20
OOXML = {FileKind.DOCX, FileKind.PPTX, FileKind.XLSX}
_UNSAFE = re.compile(r"[^\w.\- ()\u4e00-\u9fff]+")


def safe_name(raw: str) -> str:
    """A file name with no directory part and no surprising characters."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    if len(name) > 150:
        stem, dot, suffix = name.rpartition(".")
        name = (
            (stem[: 140 - len(suffix)] + dot + suffix) if dot and len(suffix) <= 10 else name[:150]
        )
    if not name:
        name = "upload"
    if name.lower() in MANIFEST_NAMES:
        name = f"uploaded-{name}"
    return name


@dataclass
class StagedFile:
    name: str
    path: Path
    size: int = 0
    kind: str | None = None


@dataclass
class UploadStager:
    """Receives the parts of one multipart upload and writes files with limits."""

    settings: Settings
    root: Path = field(init=False)
    files: list[StagedFile] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    _handle: BinaryIO | None = None
    _field_count: int = 0

    def __post_init__(self) -> None:
        self.root = self.settings.data_dir / "uploads" / ".staging" / uuid.uuid4().hex
        self.root.mkdir(parents=True)

    @property
    def in_file(self) -> bool:
        """A file part was begun and not ended."""
        return self._handle is not None

    @property
    def limit(self) -> int:
        return self.settings.upload_max_bytes

    def begin_file(self, filename: str) -> None:
        if len(self.files) >= MAX_FILES:
            raise InputError(f"at most {MAX_FILES} files per upload", {"field": "files"})
        name = safe_name(filename)
        taken = {f.name for f in self.files}
        base, n = name, 2
        while name in taken:
            stem, dot, suffix = base.rpartition(".")
            name = f"{stem}-{n}.{suffix}" if dot else f"{base}-{n}"
            n += 1
        folder = self.root / str(len(self.files))
        folder.mkdir()
        staged = StagedFile(name, folder / name)
        self.files.append(staged)
        self._handle = staged.path.open("wb")

    def write(self, data: bytes) -> None:
        current = self.files[-1]
        current.size += len(data)
        if current.size > self.limit:
            raise TooLarge(
                f"{current.name}: over the {self.limit}-byte upload limit",
                {"file": current.name, "limit": self.limit},
            )
        assert self._handle is not None
        self._handle.write(data)

    def end_file(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def add_field(self, name: str, value: bytes) -> None:
        self._field_count += 1
        if self._field_count > MAX_FIELDS or len(value) > MAX_FIELD_BYTES:
            raise InputError("too many or too large form fields", {"field": name})
        self.fields.setdefault(name, []).append(value.decode("utf-8", errors="replace"))

    def discard(self) -> None:
        self.end_file()
        shutil.rmtree(self.root, ignore_errors=True)


def check_staged(stager: UploadStager) -> None:
    """Type from content and zip-bomb checks for every staged file; the first problem wins."""
    if not stager.files:
        raise InputError("no file in the upload (multipart field 'files')", {"field": "files"})
    for staged in stager.files:
        if staged.size == 0:
            raise InputError(f"{staged.name}: empty file", {"file": staged.name})
        kind = detect_type(staged.path).kind  # the suffix is a hint for text formats only
        if kind in OOXML:
            check_zip(staged.path, staged.name, stager.limit)
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
