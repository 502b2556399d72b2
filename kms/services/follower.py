"""This process's own copy of the search indexes, kept equal to the database.

Every process that searches (an API replica, ``kms search``, ``kms check``) owns one
replica folder, ``<index dir>/<replica id>/``, locked for the life of the process: no
process ever writes another's index files. The folder holds a snapshot of the indexes
and, in ``follower.json``, the last change-log sequence it reflects.

Starting: load the snapshot (a missing or corrupt one is rebuilt from the database and
named in the log), reconcile its chunk ids with the database (a safety net: whatever a
crash left behind is fixed here), then apply the change log past the snapshot's
sequence. After that a background thread applies new changes as they commit — it wakes
on PostgreSQL's NOTIFY, and polls every ``KMS_INDEX_POLL_S`` in any case.

Applying a change reads the chunk's current state (and its stored vectors) and makes the
index agree, so applying twice, late or out of order is harmless. Sequence numbers may
commit out of order on PostgreSQL (two writers; the later number first): the follower
keeps a watermark below which everything is applied, applies what it sees above it, and
waits ``GAP_WAIT_S`` for a missing number before treating it as a rolled-back
transaction. A replica that fell behind the log's retention rebuilds from the database.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout
from sqlalchemy import func
from sqlmodel import col, select

from index.files import atomic_write_text
from index.hybrid import HybridIndex
from kms.core.changelog import CHANNEL, changed_after, changes_after, last_seq
from kms.core.errors import ConfigError
from kms.core.failpoints import failpoint
from kms.core.models import IndexChange
from kms.core.models._types import utcnow
from kms.services import snapshots
from kms.services.indexing import build_index_chunks, wanted_chunk_ids
from kms.services.vectors import load_vectors, store_encoded

if TYPE_CHECKING:
    from kms.services.app import Services

log = logging.getLogger("kms.index")

STATE_FILE = "follower.json"
BATCH = 1000  # changes applied per step
GAP_WAIT_S = 30.0  # a missing sequence number this old was a rolled-back transaction
SAVE_EVERY_S = 30.0  # snapshot at most this often while changes keep coming
SAVE_EVERY_CHANGES = 5000


@dataclass
class FollowerState:
    """What the snapshot reflects: every change up to ``applied``, plus ``above``."""

    applied: int = 0
    above: set[int] = field(default_factory=set)

    def to_json(self) -> str:
        return json.dumps({"applied": self.applied, "above": sorted(self.above)})

    @classmethod
    def read(cls, path: Path) -> FollowerState | None:
        try:
            data = json.loads(path.read_text())
            return cls(int(data["applied"]), {int(s) for s in data.get("above", [])})
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("index: %s is unreadable (%s): rebuilding from the database", path, exc)
            return None


class IndexFollower:
    def __init__(self, services: Services, replica: str, ephemeral: bool = False) -> None:
        """``ephemeral``: a throw-away replica (its folder is removed when it stops)."""
        self.services = services
        self.replica = replica
        self.ephemeral = ephemeral
        self.folder = services.settings.index_dir / replica
        self.folder.mkdir(parents=True, exist_ok=True)
        self._owner = FileLock(str(self.folder / "owner.lock"))
        try:
            self._owner.acquire(timeout=0)
        except Timeout as exc:
            raise ConfigError(
                f"another process is using the index replica '{replica}' in "
                f"{services.settings.index_dir}: give this one its own KMS_REPLICA_ID",
                {"replica": replica},
            ) from exc
        self._apply_lock = threading.RLock()
        self._gaps: dict[int, float] = {}  # missing sequence → when first seen
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._unsaved = 0
        self._saved_at = time.monotonic()
        self.caught_up = False
        # since this process started: chunks indexed, and of those the vectors it had to
        # encode because none was stored (0 on a cluster: replicas never re-encode)
        self.indexed = 0
        self.encoded = 0
        self.rebuilt = ""  # why the snapshot was rebuilt at start, if it was
        self.started_from = ""  # its own snapshot, a published one, or the database
        self._published_at = float("-inf")
        self.index, self.state = self._open()

    # -- opening -----------------------------------------------------------------------

    def _open(self) -> tuple[HybridIndex, FollowerState]:
        """This replica's own snapshot; else (none, or unreadable) the newest published one;
        else an empty index that catching up fills from the database."""
        if not self._empty():
            state = FollowerState.read(self.folder / STATE_FILE)
            if state is None:
                self.rebuilt = "no readable state file"
            else:
                try:
                    index = self._hybrid()
                    self.started_from = "its own snapshot"
                    return index, state
                except Exception as exc:  # a truncated or garbage file: named, then rebuilt
                    self.rebuilt = f"{type(exc).__name__}: {exc}"
            log.warning("index replica %s: %s; rebuilding it", self.folder, self.rebuilt)
            self._wipe()
        seeded = self._seed()
        if seeded is not None:
            return seeded
        self.started_from = "the database"
        return self._hybrid(), FollowerState()

    def _hybrid(self) -> HybridIndex:
        settings = self.services.settings
        return HybridIndex(
            self.folder,
            settings.embedders,
            ann_threshold=settings.ann_threshold,
            keyword_engine=settings.keyword_engine,
            embedders=self.services.embedders,
        )

    def _empty(self) -> bool:
        return all(child.name == "owner.lock" for child in self.folder.iterdir())

    def _built_with(self) -> dict[str, object]:
        settings = self.services.settings
        cache_ids = {name: e.cache_id for name, e in self.services.embedders.items()}
        return snapshots.built_with(settings.keyword_engine, cache_ids)

    def _seed(self) -> tuple[HybridIndex, FollowerState] | None:
        """Start from the newest published snapshot that opens (None: there is none)."""
        root = self.services.settings.snapshot_root
        for snapshot in snapshots.published(root, self._built_with()):
            try:
                snapshots.copy_into(snapshot, self.folder)
                state = FollowerState.read(self.folder / STATE_FILE)
                if state is None:
                    raise ValueError(f"{STATE_FILE} is missing")
                index = self._hybrid()
            except Exception as exc:  # pruned while copying, or unreadable: try the next
                log.warning("index replica %s: %s is unusable: %s", self.replica, snapshot, exc)
                self._wipe()
                continue
            self.started_from = f"published snapshot {snapshot.name}"
            log.info("index replica %s starts from published snapshot %s", self.replica, snapshot)
            return index, state
        return None

    def _wipe(self) -> None:
        for child in self.folder.iterdir():
            if child.name == "owner.lock":
                continue
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()

    # -- following ---------------------------------------------------------------------

    def catch_up(self) -> int:
        """Apply everything committed so far; returns how many changes were applied."""
        with self._apply_lock:
            if not self.caught_up:
                self._reconcile()
            applied = 0
            while True:
                step = self._step()
                applied += step
                if step < BATCH:
                    break
            self.caught_up = True
            self._maybe_save()
            return applied

    def _reconcile(self) -> None:
        """Make the chunk ids equal to the database's (and start over if the snapshot is
        older than what the change log still holds)."""
        with self.services.db.session() as session:
            first = session.exec(select(func.min(IndexChange.seq))).one()
            if first is not None and self.state.applied < int(first) - 1:
                log.info("index replica %s is older than the change log: rebuilding", self.replica)
                self.index.clear()
                self.state = FollowerState()
            top = last_seq(session)
            wanted = wanted_chunk_ids(session)
            state = self.state
            fresh = not state.applied and not state.above
            # chunks changed past the snapshot: applying the log indexes them next
            coming = set() if fresh else changed_after(session, state.applied, state.above)
        parts = list(self.index.ids_per_index().values())
        extra = sorted(set().union(*parts) - wanted)
        missing = sorted(wanted - set[int].intersection(*parts) - coming)
        if extra:
            self.index.delete(extra)
        self._index(missing)
        if fresh:
            self.state = FollowerState(applied=top)  # a fresh build reflects the log up to here
        self._unsaved += len(extra) + len(missing)

    def _step(self) -> int:
        with self.services.db.session() as session:
            rows = changes_after(session, self.state.applied, BATCH)
        fresh = [(seq, chunk) for seq, chunk, _ in rows if seq not in self.state.above]
        if fresh:
            self._apply(sorted({chunk for _, chunk in fresh}))
            self.state.above.update(seq for seq, _ in fresh)
            self._unsaved += len(fresh)
        self._advance([seq for seq, _, _ in rows])
        return len(rows)

    def _advance(self, seen: Sequence[int]) -> None:
        """Move the watermark over applied numbers and over gaps old enough to be
        rolled-back transactions."""
        now = time.monotonic()
        state = self.state
        while True:
            nxt = state.applied + 1
            if nxt in state.above:
                state.above.discard(nxt)
                state.applied = nxt
                self._gaps.pop(nxt, None)
                continue
            if not state.above:
                break
            since = self._gaps.setdefault(nxt, now)
            if now - since < GAP_WAIT_S:
                break
            log.info("index: change %s never committed; skipping it", nxt)
            state.applied = nxt
            self._gaps.pop(nxt, None)

    def _apply(self, chunk_ids: list[int]) -> None:
        with self.services.db.session() as session:
            wanted = wanted_chunk_ids(session, chunk_ids)
        drop = [c for c in chunk_ids if c not in wanted]
        if drop:
            self.index.delete(drop)
        self._index([c for c in chunk_ids if c in wanted])

    def _index(self, chunk_ids: Sequence[int]) -> None:
        """Index chunks from their stored rows and vectors; a chunk stored without a
        vector (data from before vectors were stored) is encoded once and its vector kept."""
        embedders = self.services.embedders
        for start in range(0, len(chunk_ids), BATCH):
            batch = list(chunk_ids[start : start + BATCH])
            with self.services.db.session() as session:
                chunks = build_index_chunks(session, batch)
                given = load_vectors(session, embedders, batch)
            encoded = self.index.upsert(chunks, given)
            self.indexed += len(batch)
            self.encoded += sum(len(vectors) for vectors in encoded.values())
            failpoint("index-apply")
            if any(encoded.values()):
                with self.services.db.write_session() as session:
                    store_encoded(session, embedders, encoded)
                    session.commit()

    # -- the background thread -----------------------------------------------------------

    def start(self) -> None:
        """Catch up now, then follow the log in a background thread."""
        self.catch_up()
        self._thread = threading.Thread(
            target=self._loop, name=f"index-{self.replica}", daemon=True
        )
        self._thread.start()
        if self.services.db.postgres:
            threading.Thread(target=self._listen, name="index-listen", daemon=True).start()

    def _loop(self) -> None:
        interval = self.services.settings.index_poll_s
        while not self._stop.is_set():
            self._wake.wait(interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.catch_up()
            except Exception:  # the database may be briefly away: log, retry next tick
                log.exception("index replica %s: applying changes failed", self.replica)

    def _listen(self) -> None:
        """Wake the loop when a writer commits (PostgreSQL NOTIFY)."""
        import psycopg

        url = self.services.db.engine.url.set(drivername="postgresql")
        while not self._stop.is_set():
            try:
                dsn = url.render_as_string(hide_password=False)
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self._wake.set()
            except Exception:
                log.warning("index: LISTEN connection lost; polling until it is back")
                self._stop.wait(2.0)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        with self._apply_lock:
            if not self.ephemeral:
                self.save()
                self.publish(force=True)
            self.index.close()
        self._owner.release()
        if self.ephemeral:
            shutil.rmtree(self.folder, ignore_errors=True)

    # -- snapshots and status ------------------------------------------------------------

    def _maybe_save(self) -> None:
        if not self._unsaved:
            return
        due = time.monotonic() - self._saved_at >= SAVE_EVERY_S
        if due or self._unsaved >= SAVE_EVERY_CHANGES or not self._thread:
            self.save()

    def save(self) -> None:
        """Write the snapshot: indexes first, then the sequence they reflect (so a crash
        between the two leaves a state that is older than the indexes — safe to replay)."""
        with self._apply_lock:
            self.index.save()
            atomic_write_text(self.folder / STATE_FILE, self.state.to_json())
            self._unsaved = 0
            self._saved_at = time.monotonic()
            self.publish()

    def publish(self, force: bool = False) -> None:
        """Publish the saved snapshot for new replicas, every ``KMS_SNAPSHOT_EVERY_S`` (or
        now, with ``force``) while caught up. A failure is logged: serving goes on."""
        every = self.services.settings.snapshot_every_s
        if self.ephemeral or not every or not self.caught_up or self._unsaved:
            return
        if not force and time.monotonic() - self._published_at < every:
            return
        with self._apply_lock:
            try:
                path = snapshots.publish(
                    self.folder,
                    self.services.settings.snapshot_root,
                    self.state.applied,
                    self.replica,
                    self._built_with(),
                )
            except OSError as exc:
                log.warning("index replica %s: publishing a snapshot failed: %s", self.replica, exc)
                return
            self._published_at = time.monotonic()
            if path is not None:
                log.info("index replica %s published %s", self.replica, path.name)

    def lag(self) -> dict[str, float | int]:
        """How far behind the database this replica is."""
        with self.services.db.session() as session:
            top = last_seq(session)
            oldest = session.exec(
                select(func.min(IndexChange.at)).where(col(IndexChange.seq) > self.state.applied)
            ).one()
        pending = max(0, top - self.state.applied - len(self.state.above))
        seconds = 0.0
        if pending and oldest is not None:
            at = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
            seconds = max(0.0, (utcnow() - at).total_seconds())
        return {"applied": self.state.applied, "last": top, "pending": pending, "seconds": seconds}

    def work(self) -> dict[str, int | str]:
        """What this replica started from, and since this process started: chunks indexed
        and vectors it had to encode."""
        return {
            "started_from": self.started_from,
            "indexed_chunks": self.indexed,
            "encoded_vectors": self.encoded,
        }
