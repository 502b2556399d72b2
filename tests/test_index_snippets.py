"""Snippets: the window with the query's terms, highlighted with the index's analyzer."""

from __future__ import annotations

import re

from index.snippets import WINDOW, snippet

MARK = re.compile(r"<mark>(.*?)</mark>")
FILLER_EN = "The quarterly review covered onboarding, training and support hours. " * 12
FILLER_ZH = "季度复盘涵盖了上线、培训和支持工时等常规事项。" * 40


def marks(text: str) -> list[str]:
    return MARK.findall(text)


def test_stemmed_terms_are_highlighted() -> None:
    out = snippet("Our priced bundles beat list pricing.", "pricing")
    assert marks(out) == ["priced", "pricing"]


def test_chinese_terms_are_found_in_unspaced_text() -> None:
    out = snippet("客户认为我们的报价太高，需要重新定价。", "定价 报价")
    assert set(marks(out)) == {"报价", "定价"}


def test_traditional_query_highlights_simplified_text() -> None:
    assert marks(snippet("我们的价格低于竞争对手百分之十五。", "價格")) == ["价格"]


def test_the_window_moves_to_the_terms_deep_in_a_long_text() -> None:
    for filler, tail, query, term in [
        (
            FILLER_EN,
            "Finally, the ERR-LF-4012 licence error was fixed.",
            "ERR-LF-4012",
            "ERR-LF-4012",
        ),
        (FILLER_ZH, "最后，竞品数铸在签约前大幅降价。", "数铸 降价", "降价"),
    ]:
        text = filler + tail
        assert len(text) > 3 * WINDOW
        out = snippet(text, query)
        assert out.startswith("…")
        assert term in marks(out)
        assert len(out.replace("<mark>", "").replace("</mark>", "")) <= WINDOW + 2


def test_the_densest_window_wins() -> None:
    text = FILLER_EN + "discount " + FILLER_EN + "discount renewal discount renewal." + FILLER_EN
    out = snippet(text, "discount renewal")
    assert len(marks(out)) == 4


def test_no_match_gives_the_start_of_the_text() -> None:
    text = FILLER_EN
    out = snippet(text, "zebra")
    assert marks(out) == []
    assert out.startswith(text[:50])


def test_markup_in_the_text_is_escaped_and_only_marks_remain() -> None:
    out = snippet('<script>alert("x")</script> pricing & <b>terms</b>', "pricing terms")
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out and "&amp;" in out
    assert marks(out) == ["pricing", "terms"]
    assert re.sub(r"</?mark>", "", out).count("<") == 0
