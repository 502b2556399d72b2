"""Chunking: headings start chunks, long sections split at sentence ends with overlap."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from fixtures_docs import long_markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunking import chunk_document
from ingest.documents import parse_document
from ingest.types import ChunkDraft, Element, ParsedDocument
from kms.core.config import Settings

EN = "Our list price is 100 USD per seat per year. "
ZH = "我们的标价是每个席位每年一百美元。"


def doc(*elements: Element) -> ParsedDocument:
    return ParsedDocument(title="t", elements=list(elements), mime="text/plain")


def title(text: str, level: int | None = None, page: int | None = None) -> Element:
    return Element(text, "Title", page, heading_level=level)


def text(value: str, page: int | None = None, category: str = "NarrativeText") -> Element:
    return Element(value, category, page)


def check_invariants(chunks: list[ChunkDraft], chunk_chars: int) -> None:
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert chunk.text.strip() == chunk.text and chunk.text
        assert len(chunk.text) <= chunk_chars


def test_each_heading_starts_a_chunk_with_its_path() -> None:
    chunks = chunk_document(
        doc(
            text("Preamble before any heading."),
            title("Pricing", 1, page=1),
            text("Intro to pricing.", page=1),
            title("Discounts", 2, page=2),
            text("Volume discounts.", page=2),
            title("Partners", 3, page=2),
            text("Partner discounts.", page=3),
            title("Rebates", 2, page=3),
            text("Rebates paid yearly.", page=3),
            title("Competitors", 1, page=4),
            text("Acme is cheaper.", page=4),
        ),
        800,
        120,
    )
    assert [(c.section, c.page) for c in chunks] == [
        (None, None),
        ("Pricing", 1),
        ("Pricing > Discounts", 2),
        ("Pricing > Discounts > Partners", 2),
        ("Pricing > Rebates", 3),
        ("Competitors", 4),
    ]
    assert chunks[2].text == "Discounts\nVolume discounts."
    check_invariants(chunks, 800)


def test_headings_without_level_are_siblings() -> None:
    chunks = chunk_document(doc(title("A"), text("a."), title("B"), text("b.")), 800, 0)
    assert [c.section for c in chunks] == ["A", "B"]


def test_bare_parent_heading_lives_on_in_its_childrens_path() -> None:
    chunks = chunk_document(
        doc(title("定价", 1), title("折扣", 2), text(ZH), title("谢谢 Thank you", 1)), 800, 0
    )
    assert [c.section for c in chunks] == ["定价 > 折扣", "谢谢 Thank you"]
    assert chunks[-1].text == "谢谢 Thank you"  # a heading with no children still counts


def test_long_english_section_splits_at_sentences_with_overlap() -> None:
    sentences = [f"Sentence number {i} explains one pricing rule. " for i in range(40)]
    chunks = chunk_document(doc(title("Pricing", 1), text("".join(sentences))), 400, 100)
    check_invariants(chunks, 400)
    assert len(chunks) > 4 and {c.section for c in chunks} == {"Pricing"}
    for previous, current in itertools.pairwise(chunks):
        assert previous.text.endswith(".")
        overlap = shared_prefix_suffix(previous.text, current.text)
        assert 0 < len(overlap) <= 100
        assert overlap.startswith("Sentence number")  # whole sentences, not fragments


def test_chinese_sentences_split_at_chinese_punctuation() -> None:
    endings = "。？！；"
    clauses = [f"第{i}句说明价格{endings[i % 4]}" for i in range(48)]
    chunks = chunk_document(doc(title("定价", 1), text("".join(clauses))), 60, 20)
    check_invariants(chunks, 60)
    assert len(chunks) > 5
    for previous, current in itertools.pairwise(chunks):
        assert previous.text[-1] in "。？！；"
        overlap = shared_prefix_suffix(previous.text, current.text)
        assert overlap and overlap[-1] in "。？！；" and len(overlap) <= 20


def test_a_cjk_character_counts_as_one() -> None:
    paragraph = "价" * 99 + "。"
    chunks = chunk_document(doc(text(paragraph)), 100, 10)
    assert [c.text for c in chunks] == [paragraph]


def test_tables_stay_whole_when_they_fit() -> None:
    table = "\n".join(f"Plan {i} | {i * 10} USD" for i in range(8))  # ~150 characters
    small = doc(title("Prices"), text(EN * 2), text(table, category="Table"))
    assert [c.text for c in chunk_document(small, 300, 60)] == [
        f"Prices\n{EN * 2}".strip() + "\n" + table
    ]
    large = doc(title("Prices"), text(EN * 5), text(table, category="Table"), text(EN * 6))
    chunks = chunk_document(large, 300, 60)
    check_invariants(chunks, 300)
    assert chunks[1].text.startswith(table)  # a new chunk, without overlap before the table
    assert [c.ordinal for c in chunks if "Plan 0" in c.text] == [1]  # never repeated as overlap


def test_large_tables_split_between_rows() -> None:
    rows = [f"Plan {i} | {i * 10} USD | 方案{i}" for i in range(60)]
    chunks = chunk_document(doc(text("\n".join(rows), category="Table")), 200, 50)
    check_invariants(chunks, 200)
    assert len(chunks) > 3
    lines = [line for c in chunks for line in c.text.splitlines()]
    assert lines == rows  # every row whole, in order, and no row repeated as overlap


def test_a_sentence_longer_than_a_chunk_is_cut() -> None:
    chunks = chunk_document(doc(text("无标点的长句" * 50)), 64, 16)
    check_invariants(chunks, 64)
    assert "".join(c.text for c in chunks).count("无标点的长句") >= 50


def test_tiny_sibling_sections_merge_under_their_parent() -> None:
    faq = [title("FAQ 常见问题", 1), text("Questions reps ask.")]
    for i in range(3):
        faq += [title(f"Q{i}?", 2, page=i + 1), text(f"Answer {i}. 答案{i}。", page=i + 1)]
    faq += [title("Top A", 1), text("Tiny."), title("Top B", 1), text("Tiny too.")]
    chunks = chunk_document(doc(*faq), 800, 100)
    assert [(c.section, c.page) for c in chunks] == [
        ("FAQ 常见问题", None),  # a parent's own text is never merged with its children
        ("FAQ 常见问题", 1),  # the three tiny questions, under their shared parent
        ("Top A", None),  # top-level sections never merge
        ("Top B", None),
    ]
    assert (
        chunks[1].text == "Q0?\nAnswer 0. 答案0。\nQ1?\nAnswer 1. 答案1。\nQ2?\nAnswer 2. 答案2。"
    )


def test_chunking_is_deterministic_and_validates_sizes() -> None:
    document = doc(title("A", 1), text((EN + ZH) * 30))
    assert chunk_document(document, 200, 40) == chunk_document(document, 200, 40)
    with pytest.raises(ValueError):
        chunk_document(document, 100, 100)
    with pytest.raises(ValueError):
        chunk_document(document, 0, 0)


@pytest.mark.xdist_group("documents")  # shares the worker that already imported unstructured
def test_real_markdown_long_section_is_split_with_overlap(tmp_path: Path) -> None:
    path = tmp_path / "onboarding.md"
    path.write_text(long_markdown(), encoding="utf-8")
    parsed = parse_document(path, Settings())
    chunks = chunk_document(parsed, 800, 120)
    check_invariants(chunks, 800)
    onboarding = [c for c in chunks if c.section == "Onboarding 上线"]
    assert len(onboarding) >= 5
    assert chunks[-1].section == "Support 支持" and chunks[-1].text.startswith("Support 支持")
    for previous, current in itertools.pairwise(onboarding):
        assert 0 < len(shared_prefix_suffix(previous.text, current.text)) <= 120


def shared_prefix_suffix(previous: str, current: str) -> str:
    """The longest tail of ``previous`` that ``current`` starts with (the overlap)."""
    for size in range(min(len(previous), len(current)), 0, -1):
        if current.startswith(previous[-size:]):
            return previous[-size:]
    return ""


WORDS = st.sampled_from(["price", "discount", "Acme", "定价", "折扣", "竞争", "ROI", "100"])
SENTENCE = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(WORDS, min_size=1, max_size=12),
    st.sampled_from([". ", "? ", "。", "！", "；", " "]),
)
BLOCK = st.one_of(
    st.builds(lambda s: text("".join(s).strip()), st.lists(SENTENCE, min_size=1, max_size=30)),
    st.builds(lambda rows: text("\n".join(rows), category="Table"), st.lists(SENTENCE, min_size=1)),
)
SECTION = st.tuples(st.integers(1, 3), WORDS, st.lists(BLOCK, min_size=1, max_size=4))


@settings(max_examples=150, deadline=None)
@given(st.lists(SECTION, min_size=1, max_size=6), st.integers(40, 400), st.data())
def test_no_text_is_lost_and_every_chunk_fits(
    sections: list[tuple[int, str, list[Element]]], chunk_chars: int, data: st.DataObject
) -> None:
    elements = [e for level, name, blocks in sections for e in (title(name, level), *blocks)]
    elements = [e for e in elements if e.text.strip()]
    chunks = chunk_document(doc(*elements), chunk_chars, 0)
    check_invariants(chunks, chunk_chars)
    squash = re.compile(r"\s+")
    assert squash.sub("", "".join(c.text for c in chunks)) == squash.sub(
        "", "".join(e.text for e in elements)
    )
    overlap = data.draw(st.integers(0, chunk_chars // 2))
    check_invariants(chunk_document(doc(*elements), chunk_chars, overlap), chunk_chars)
