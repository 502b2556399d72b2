"""The one-line reasons of CRM recommendations, from the ``why`` of each result."""

from __future__ import annotations

import pytest

from kms.core.config import DEFAULT_SALES_PROCESS
from kms.core.stages import load_sales_process
from kms.services.recommend import ReasonContext, reason_line, reason_parts

NEGOTIATION = load_sales_process(DEFAULT_SALES_PROCESS).get("negotiation")


@pytest.mark.parametrize(
    ("kind", "why", "expected"),
    [
        (
            "battlecard",
            [("bm25", 0.9), ("stage", 0.3), ("won_deals", 0.05)],
            "Battlecard for Negotiation (商务谈判) · matches the opportunity · "
            "on what won deals against DataForge in Manufacturing involved",
        ),
        (
            "case_study",
            [("stage", 0.2), ("use", 0.4)],
            "Tagged for Negotiation (商务谈判) · matches the opportunity",
        ),
        (
            "pricing",
            [("minilm", 0.5), ("pinned", 10.0)],
            "Pricing, useful at Negotiation · pinned by a curator · matches the opportunity",
        ),
        (
            "article",
            [("bm25", 0.7), ("use", 0.6), ("stale", -0.05)],
            "Matches the opportunity · review overdue",
        ),
        ("article", [("draft", -0.05)], "Relevant to this opportunity"),
    ],
)
def test_reason_line(kind: str, why: list[tuple[str, float]], expected: str) -> None:
    assert NEGOTIATION is not None
    ctx = ReasonContext(NEGOTIATION, kind, "DataForge", "Manufacturing")
    assert reason_line(why, ctx) == expected


def test_reason_parts_carry_what_a_client_needs_to_word_them() -> None:
    assert NEGOTIATION is not None
    ctx = ReasonContext(NEGOTIATION, "battlecard", "DataForge", None)
    parts = reason_parts([("bm25", 0.9), ("stage", 0.3), ("won_deals", 0.05)], ctx)
    assert [p.model_dump(exclude_none=True) for p in parts] == [
        {"code": "kind_for_stage", "kind": "battlecard", "stage": "negotiation"},
        {"code": "matches"},
        {"code": "won_deals", "competitor": "DataForge"},
    ]
    article = ReasonContext(NEGOTIATION, "article")
    assert [p.code for p in reason_parts([("draft", -0.05)], article)] == ["relevant"]
