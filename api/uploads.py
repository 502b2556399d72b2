"""Upload staging: each file of a multipart upload written to disk with limits as it streams.

``UploadStager`` writes each file part to a staging folder as it arrives, counting bytes;
the first byte over ``settings.upload_max_bytes`` aborts the upload (``TooLarge``) and
removes what was written. At most ``MAX_FILES`` files, small form fields only. The staged
files then go to :func:`kms.services.uploads.check_files` (type from content, zip bombs) and
:func:`kms.services.jobs.start_ingest` as an :class:`kms.services.uploads.UploadBatch`.
"""

from __future__ import annotations

import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from kms.core.config import Settings
from kms.core.errors import InputError, TooLarge
from kms.services.uploads import MANIFEST_NAMES, UploadBatch, UploadedFile

MAX_FILES = 20
MAX_FIELDS = 20
MAX_FIELD_BYTES = 4096
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
class UploadStager:
    """Receives the parts of one multipart upload and writes files with limits."""

    settings: Settings
    root: Path = field(init=False)
    files: list[UploadedFile] = field(default_factory=list)
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
        staged = UploadedFile(name, folder / name)
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

    def batch(self) -> UploadBatch:
        """The staged files, handed over to the services (which remove the folder when done)."""
        return UploadBatch(files=list(self.files), folder=self.root)
