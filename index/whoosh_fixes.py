"""Two whoosh-reloaded 2.7.5 hazards, neutralised on import (``index.keyword`` imports this).

1. **Names from the global RNG.** whoosh names segments, compound temp files and
   scratch folders with ``random.choice``. Anything that reseeds the global
   ``random`` (hypothesis does, per example; so may a library) makes a new segment
   reuse an existing segment's name and corrupts the index. Names come from
   ``os.urandom`` here instead.
2. **Shared scratch space for in-memory indexes.** ``RamStorage.temp_storage``
   puts a writer's scratch files in ``/tmp/<indexname>.tmp``, shared by every
   process; one writer's clean-up deletes another's files mid-write (seen with two
   pytest workers). ``PrivateRamStorage`` gives each index its own scratch folder.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import weakref

import whoosh.codec.base
import whoosh.filedb.compound
import whoosh.filedb.filestore
import whoosh.util
from whoosh.filedb.filestore import FileStorage, RamStorage

_RNG = random.SystemRandom()
_IDCHARS = whoosh.util.IDCHARS


def random_name(size: int = 28) -> str:
    """A whoosh file / segment name from the OS's entropy, not the global RNG."""
    return "".join(_RNG.choice(_IDCHARS) for _ in range(size))


for _module in (whoosh.util, whoosh.codec.base, whoosh.filedb.compound, whoosh.filedb.filestore):
    _module.random_name = random_name


class PrivateRamStorage(RamStorage):
    """``RamStorage`` whose writers use a scratch folder of their own (removed with it)."""

    def __init__(self) -> None:
        super().__init__()
        self._scratch = tempfile.mkdtemp(prefix="kms-whoosh-")
        weakref.finalize(self, shutil.rmtree, self._scratch, True)

    def temp_storage(self, name: str | None = None) -> FileStorage:
        path = os.path.join(self._scratch, name or f"{random_name()}.tmp")
        return FileStorage(path).create()
