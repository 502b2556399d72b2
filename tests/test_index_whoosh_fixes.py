"""The two whoosh hazards that index.whoosh_fixes neutralises stay neutralised."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap

from whoosh.codec.base import Segment

from index.keyword import KeywordDoc
from index.keyword_whoosh import WhooshKeywordIndex


def test_segment_names_do_not_follow_the_global_rng() -> None:
    random.seed(7)
    first = Segment._random_id()
    random.seed(7)
    assert Segment._random_id() != first


def test_reseeding_between_commits_does_not_corrupt_an_index() -> None:
    index = WhooshKeywordIndex(None)
    for i in range(5):
        random.seed(0)  # what hypothesis does before every example
        index.upsert([KeywordDoc(i, f"pricing note {i}")])
    assert index.ids() == {0, 1, 2, 3, 4}
    assert len(index.search("pricing", 10)) == 5


def test_in_memory_indexes_in_two_processes_do_not_share_scratch_files() -> None:
    script = textwrap.dedent(
        """
        from index.keyword import KeywordDoc
        from index.keyword_whoosh import WhooshKeywordIndex
        index = WhooshKeywordIndex(None)
        for i in range(40):
            index.upsert([KeywordDoc(j, "discount policy " * 50) for j in range(i, i + 20)])
        assert len(index) == 59, len(index)
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
