"""Hypothesis strategies shared by the visibility property tests."""

from __future__ import annotations

from hypothesis import strategies as st

TEAMS = ["red", "blue", "green"]


def team_docs(
    words: list[str], max_docs: int
) -> st.SearchStrategy[list[tuple[list[str], list[str]]]]:
    """Documents as (words, teams); no teams means public."""
    return st.lists(
        st.tuples(
            st.lists(st.sampled_from(words), min_size=1, max_size=4),
            st.lists(st.sampled_from(TEAMS), max_size=2, unique=True),
        ),
        min_size=1,
        max_size=max_docs,
    )


def caller_teams() -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(TEAMS), max_size=2, unique=True)


def query_words(words: list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(words), min_size=1, max_size=3)
