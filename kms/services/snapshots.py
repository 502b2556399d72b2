"""Published index snapshots: how a new replica starts without rebuilding its indexes.

A replica's own folder is private (:mod:`kms.services.follower`). A caught-up replica
also *publishes* its saved snapshot to the snapshot directory (``KMS_SNAPSHOT_DIR``,
shared by every replica of a cluster) every ``KMS_SNAPSHOT_EVERY_S`` and when it stops.
A replica that starts with an empty folder copies the newest compatible published
snapshot and follows the change log from the sequence it reflects, instead of reading
and re-tokenising every chunk (the database stays the truth: the follower reconciles the
copy's chunk ids with it before serving).

Layout: ``<snapshot dir>/<applied sequence, 12 digits>-<replica>/`` holding the index
files, ``follower.json`` and ``snapshot.json`` (what built it: format, keyword engine,
embedders). A snapshot is assembled under a hidden temp name and renamed when complete,
so a reader never sees a partial one. Files are hard-linked when the directory is on the
same file system as the replica and copied otherwise: index files are never changed in
place (each is written whole and renamed; tantivy's segments are immutable), so a link
keeps the published bytes whatever the replica writes next. The newest ``KEEP`` are kept.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FORMAT = 1
KEEP = 3  # published snapshots kept (a reader copying an older one can fall back)
DESCRIPTION = "snapshot.json"
_SKIP = ("owner.lock", "*.lock", ".*.tmp", DESCRIPTION)


def built_with(keyword_engine: str, cache_ids: Mapping[str, str]) -> dict[str, Any]:
    """What a snapshot must have been built with to be usable here."""
    return {"format": FORMAT, "keyword_engine": keyword_engine, "embedders": dict(cache_ids)}


def _link_or_copy(src: str, dst: str) -> str:
    try:
        os.link(src, dst)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(src, dst)
    return dst


def _copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(
        src,
        dst,
        ignore=shutil.ignore_patterns(*_SKIP),
        copy_function=_link_or_copy,
        dirs_exist_ok=True,
    )


def publish(
    folder: Path, root: Path, applied: int, replica: str, built: Mapping[str, Any]
) -> Path | None:
    """Publish ``folder`` (a saved, quiescent replica snapshot reflecting the change log up
    to ``applied``) under ``root``; returns its path, or None when it already exists."""
    final = root / f"{applied:012d}-{replica}"
    if final.exists():
        return None
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{replica}-{uuid.uuid4().hex}"
    try:
        _copy_tree(folder, tmp)
        (tmp / DESCRIPTION).write_text(json.dumps({**built, "applied": applied}))
        os.rename(tmp, final)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if final.exists():  # published by an earlier run of this replica at the same point
            return None
        raise
    prune(root)
    return final


def published(root: Path, built: Mapping[str, Any]) -> list[Path]:
    """Complete snapshots under ``root`` built like ``built``, newest first."""
    if not root.is_dir():
        return []
    found: list[tuple[int, float, Path]] = []
    for path in root.iterdir():
        if path.name.startswith("."):
            continue
        try:
            description = json.loads((path / DESCRIPTION).read_text())
            applied = int(description.pop("applied"))
            mtime = path.stat().st_mtime
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if description == dict(built):
            found.append((applied, mtime, path))
    return [path for _, _, path in sorted(found, key=lambda f: (f[0], f[1]), reverse=True)]


def copy_into(snapshot: Path, folder: Path) -> None:
    """Copy a published snapshot's files into a replica's (empty) folder."""
    _copy_tree(snapshot, folder)


def prune(root: Path, keep: int = KEEP) -> None:
    """Remove all but the newest ``keep`` complete snapshots (any build), and temp folders
    a killed publisher left (older than an hour)."""
    if not root.is_dir():
        return
    complete: list[tuple[str, Path]] = []
    for path in root.iterdir():
        if path.name.startswith(".tmp-"):
            if _age_s(path) > 3600:
                shutil.rmtree(path, ignore_errors=True)
        elif path.is_dir():
            complete.append((path.name, path))
    for _, path in sorted(complete, reverse=True)[keep:]:
        shutil.rmtree(path, ignore_errors=True)


def wipe(root: Path) -> int:
    """Remove every published snapshot (``kms reindex``: index files are not trusted)."""
    if not root.is_dir():
        return 0
    paths = [p for p in root.iterdir() if p.is_dir()]
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
    return len(paths)


def _age_s(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0
