"""VisibilityMap: who may see which chunk, default deny, cache invalidation."""

from __future__ import annotations

import numpy as np

from index.visibility import VisibilityMap


def make() -> VisibilityMap:
    vis = VisibilityMap()
    vis.update({1: [], 2: ["red"], 3: ["blue"], 4: ["red", "blue"]})
    return vis


def test_allowed_ids_per_team_set() -> None:
    vis = make()
    assert vis.allowed_ids([]).tolist() == [1]
    assert vis.allowed_ids(["red"]).tolist() == [1, 2, 4]
    assert vis.allowed_ids(["blue", "red"]).tolist() == [1, 2, 3, 4]
    assert vis.allowed_ids(["green"]).tolist() == [1]
    assert vis.allowed_ids(["red"]).dtype == np.int64


def test_unknown_chunks_are_denied() -> None:
    vis = make()
    assert 99 not in vis.allowed_ids(["red"]).tolist()
    assert not vis.can_see(["red"], 99)
    assert vis.can_see(None, 99)  # unrestricted callers (admin, CLI) see everything
    assert vis.teams_of(99) is None


def test_cache_is_invalidated_on_change() -> None:
    vis = make()
    first = vis.allowed_ids(["red"])
    assert vis.allowed_ids(["red"]) is first  # cached
    vis.set(3, ["red"])
    assert vis.allowed_ids(["red"]).tolist() == [1, 2, 3, 4]
    vis.set(2, ["blue"])  # moved away from red
    assert vis.allowed_ids(["red"]).tolist() == [1, 3, 4]
    vis.remove([1, 4])
    assert vis.allowed_ids(["red"]).tolist() == [3]
    assert len(vis) == 2


def test_round_trip_through_a_dict() -> None:
    vis = make()
    again = VisibilityMap.from_dict(vis.to_dict())
    assert again.to_dict() == vis.to_dict()
    assert again.allowed_ids(["blue"]).tolist() == [1, 3, 4]
