"""Who may see which chunk: chunk id → teams (no teams = public).

``allowed_ids(teams)`` is the sorted array of chunk ids a caller in ``teams``
may see — computed once per team set and cached until the map changes — and is
passed into both retrieval halves so filtering happens before top-k. Default
deny: a chunk the map does not know is visible to no restricted caller.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Iterable, Mapping, Sequence

import numpy as np


class VisibilityMap:
    def __init__(self) -> None:
        self._teams: dict[int, frozenset[str]] = {}
        self._public: set[int] = set()
        self._by_team: dict[str, set[int]] = {}
        self._cache: dict[frozenset[str], np.ndarray] = {}
        self._lock = threading.Lock()

    def set(self, chunk_id: int, teams: Iterable[str]) -> None:
        """Record that ``chunk_id`` is visible to ``teams`` (empty: to everyone)."""
        team_set = frozenset(t for t in teams if t)
        with self._lock:
            self._forget(chunk_id)
            self._teams[chunk_id] = team_set
            if not team_set:
                self._public.add(chunk_id)
            for team in team_set:
                self._by_team.setdefault(team, set()).add(chunk_id)
            self._cache.clear()

    def update(self, mapping: Mapping[int, Iterable[str]]) -> None:
        for chunk_id, teams in mapping.items():
            self.set(chunk_id, teams)

    def remove(self, chunk_ids: Iterable[int]) -> None:
        with self._lock:
            for chunk_id in chunk_ids:
                self._forget(chunk_id)
            self._cache.clear()

    def _forget(self, chunk_id: int) -> None:
        old = self._teams.pop(chunk_id, None)
        if old is None:
            return
        self._public.discard(chunk_id)
        for team in old:
            members = self._by_team.get(team)
            if members is not None:
                members.discard(chunk_id)
                if not members:
                    del self._by_team[team]

    def teams_of(self, chunk_id: int) -> frozenset[str] | None:
        """The teams of a known chunk (empty = public); None for an unknown one."""
        return self._teams.get(chunk_id)

    def can_see(self, teams: Sequence[str] | None, chunk_id: int) -> bool:
        if teams is None:
            return True
        known = self._teams.get(chunk_id)
        return known is not None and (not known or not known.isdisjoint(teams))

    def allowed_ids(self, teams: Sequence[str]) -> np.ndarray:
        """Sorted int64 ids of the chunks that are public or shared with any of ``teams``."""
        key = frozenset(teams)
        with self._lock:
            cached = self._cache.get(key)
            if cached is None:
                visible = set(self._public)
                for team in key:
                    visible |= self._by_team.get(team, set())
                cached = np.array(sorted(visible), dtype=np.int64)
                cached.setflags(write=False)
                self._cache[key] = cached
            return cached

    def to_dict(self) -> dict[str, list[str]]:
        """A JSON-ready copy (chunk id as a string → sorted teams)."""
        with self._lock:
            return {str(cid): sorted(teams) for cid, teams in self._teams.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Sequence[str]]) -> VisibilityMap:
        vis = cls()
        for chunk_id, teams in data.items():
            vis.set(int(chunk_id), teams)
        return vis

    def ids(self) -> builtins.set[int]:
        return builtins.set(self._teams)

    def __len__(self) -> int:
        return len(self._teams)

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._teams
