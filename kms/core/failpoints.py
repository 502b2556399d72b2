"""Named crash points for the crash tests: ``KMS_FAILPOINT=<name>`` (or ``<name>@<n>``, the
n-th time the point is reached) makes the process SIGKILL itself there — no cleanup, no
``finally``, no flush, exactly like ``kill -9`` or a power cut at that moment.

The points (see :data:`POINTS`) sit where a crash is most likely to tear state apart. When
the variable is unset, ``failpoint`` is one comparison with a module constant.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

ENV = "KMS_FAILPOINT"
POINTS = {
    "models-load": "the embedding models are loading (one loaded, the next not yet)",
    "parse": "a document is being parsed (the file read, its elements not yet converted)",
    "embed": "a file's chunks are being embedded (one model done, the next not yet)",
    "db-commit": "a file's transaction holds all its rows, just before it commits",
    "index-apply": "a replica has applied changes in memory, not yet saved",
    "index-save": "a replica is saving (index files written, its follower state not yet)",
    "done": "the batch is done and recorded, the process about to exit",
}


def _armed(value: str | None) -> tuple[str, int] | None:
    if not value:
        return None
    name, _, nth = value.partition("@")
    if name not in POINTS:
        raise SystemExit(f"{ENV}={value}: unknown point (known: {', '.join(sorted(POINTS))})")
    return name, int(nth or 1)


_ARMED = _armed(os.environ.get(ENV))
_hits: dict[str, int] = {}
_lock = threading.Lock()


def failpoint(name: str) -> None:
    """SIGKILL this process if ``KMS_FAILPOINT`` names this point (and this is the n-th hit)."""
    if _ARMED is None or _ARMED[0] != name:
        return
    with _lock:
        _hits[name] = _hits.get(name, 0) + 1
        if _hits[name] < _ARMED[1]:
            return
    sys.stderr.write(f"failpoint {name}: SIGKILL\n")
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)
