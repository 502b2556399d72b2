"""The one tokenizer: Chinese (simplified and traditional), English, mixed text, codes."""

from __future__ import annotations

import pytest

from index.analyzer import KmsAnalyzer, tokenize
from kms.core.text.language import detect_language, has_cjk


def test_simplified_chinese_is_segmented_into_words() -> None:
    tokens = tokenize("销售团队需要了解客户的预算")
    assert {"销售", "团队", "客户", "预算"} <= set(tokens)


def test_traditional_chinese_gives_the_same_tokens_as_simplified() -> None:
    assert tokenize("銷售團隊需要了解客戶的預算") == tokenize("销售团队需要了解客户的预算")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pricing", ["price"]),
        ("Prices", ["price"]),
        ("discounts discounted", ["discount", "discount"]),
        ("Running renders", ["run", "render"]),
    ],
)
def test_english_is_lower_cased_and_stemmed(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_english_stopwords_and_punctuation_are_dropped() -> None:
    assert tokenize("The price of the product, and not the discount!") == [
        "price",
        "product",
        "discount",
    ]


def test_mixed_text_gets_both_tokenizers() -> None:
    tokens = tokenize("LF-200的pricing和折扣政策")
    assert {"lf-200", "price", "折扣", "政策"} <= set(tokens)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Error ERR-LF-4012 occurs on start", "err-lf-4012"),
        ("出现错误ERR-LF-4012时重启", "err-lf-4012"),
        ("the LF-200 gateway", "lf-200"),
        ("full width ＬＦ－２００", "lf-200"),
        ("firmware v2.1.3", "v2.1.3"),
    ],
)
def test_product_codes_are_kept_whole_and_in_parts(text: str, code: str) -> None:
    tokens = tokenize(text)
    assert code in tokens
    assert set(code.replace(".", "-").split("-")) - {"v2", "1", "3"} <= set(tokens) | {"v2"}


def test_digits_survive_single_letters_do_not() -> None:
    assert tokenize("type 2 diabetes x") == ["type", "2", "diabet"]


def test_only_punctuation_gives_no_tokens() -> None:
    assert tokenize("，。！？ -- ... ///") == []


def test_whoosh_analyzer_yields_the_same_tokens_with_offsets() -> None:
    text = "銷售 pricing for LF-200，客户成功"
    tokens = [t.copy() for t in KmsAnalyzer()(text, positions=True, chars=True)]
    assert [t.text for t in tokens] == tokenize(text)
    assert [t.pos for t in tokens] == list(range(len(tokens)))
    assert text[tokens[0].startchar : tokens[0].endchar] == "銷售"
    lf = next(t for t in tokens if t.text == "lf-200")
    assert text[lf.startchar : lf.endchar] == "LF-200"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("如何向客户介绍我们的价格策略", "zh"),
        ("LF-200产品的价格是多少", "zh"),
        ("How do I present our pricing to a customer?", "en"),
        ("LF-200 ERR-4012", "en"),
        ("", "en"),
        ("我们的 pricing strategy 怎么讲", "mixed"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_a_chinese_win_loss_note_with_english_names_is_mixed() -> None:
    """The case the two former detectors disagreed on: ingest and retrieval now agree."""
    note = "客户 Jiangnan Auto Parts 选择了 DataForge，因为 DataForge offered a lower price。"
    assert detect_language(note) == "mixed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("价格", True), ("價格", True), ("𠀀", True), ("LF-200 pricing", False), ("", False)],
)
def test_has_cjk(text: str, expected: bool) -> None:
    assert has_cjk(text) is expected
