"""Durable files: written to a temp name, fsynced, renamed over the old one, folder fsynced.

A crash at any moment leaves either the previous file or the new one, never a torn mix.
The temp name carries the process id, so two processes never write the same temp file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

T = TypeVar("T")


class CorruptIndexFile(ValueError):
    """An index file (or folder) that cannot be read, named with what was wrong."""

    def __init__(self, path: Path, cause: BaseException) -> None:
        super().__init__(f"{path} is unreadable ({type(cause).__name__}: {cause})")
        self.path = path


def read_named(path: Path, read: Callable[[], T]) -> T:
    """``read()``, with any failure re-raised as ``CorruptIndexFile`` naming ``path``."""
    try:
        return read()
    except CorruptIndexFile:
        raise
    except Exception as exc:
        raise CorruptIndexFile(path, exc) from exc


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Write ``path`` atomically: ``write`` fills a temp file, which then replaces it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))
