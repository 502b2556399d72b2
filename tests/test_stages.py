"""The sales-process file: the default loads, CRM aliases map, bad files name the line."""

from __future__ import annotations

import pytest

from kms.core.config import DEFAULT_SALES_PROCESS
from kms.core.errors import ConfigError
from kms.core.stages import load_sales_process, parse_sales_process

SALESFORCE_DEFAULTS = {
    "Prospecting": "prospecting",
    "Qualification": "qualification",
    "Needs Analysis": "discovery",
    "Value Proposition": "solution_design",
    "Id. Decision Makers": "qualification",
    "Perception Analysis": "solution_design",
    "Proposal/Price Quote": "proposal",
    "Negotiation/Review": "negotiation",
    "Closed Won": "closing",
    "Closed Lost": "closing",
}


def test_default_process_has_eight_ordered_stages() -> None:
    process = load_sales_process(DEFAULT_SALES_PROCESS)
    assert process.keys == [
        "prospecting",
        "qualification",
        "discovery",
        "solution_design",
        "proposal",
        "negotiation",
        "closing",
        "expansion",
    ]
    for stage in process.stages:
        assert stage.names.zh and stage.names.en and stage.exit_criteria and stage.typical_questions


@pytest.mark.parametrize(("crm_name", "key"), SALESFORCE_DEFAULTS.items())
def test_salesforce_default_stage_names_resolve(crm_name: str, key: str) -> None:
    process = load_sales_process(DEFAULT_SALES_PROCESS)
    assert process.resolve(crm_name) == key
    assert process.resolve(f"  {crm_name.upper()} ") == key


def test_chinese_names_and_unknown_names() -> None:
    process = load_sales_process(DEFAULT_SALES_PROCESS)
    assert process.resolve("商务谈判") == "negotiation"
    assert process.resolve("Stage 9") is None
    assert process.next_stage("proposal").key == "negotiation"  # type: ignore[union-attr]
    assert process.next_stage("expansion") is None


GOOD_STAGE = """  - key: first
    names: {zh: 第一, en: First}
    order: 1
    description: d
    typical_questions: [q]
    asset_kinds: [battlecard]
    exit_criteria: [e]
"""


def test_missing_field_is_reported_with_its_line() -> None:
    text = (
        "stages:\n"
        + GOOD_STAGE
        + GOOD_STAGE.replace("first", "second").replace("    exit_criteria: [e]\n", "")
    )
    with pytest.raises(ConfigError) as info:
        parse_sales_process(text, "process.yaml")
    assert "process.yaml: line 9" in info.value.message
    assert "exit_criteria" in info.value.message


def test_bad_yaml_and_duplicates_are_rejected() -> None:
    with pytest.raises(ConfigError, match="line 2"):
        parse_sales_process("stages:\n  - key: [unclosed\n", "p.yaml")
    with pytest.raises(ConfigError, match="duplicate stage key 'first'"):
        parse_sales_process("stages:\n" + GOOD_STAGE + GOOD_STAGE, "p.yaml")
    with pytest.raises(ConfigError, match="'stages' list"):
        parse_sales_process("stage: []", "p.yaml")


SIMPLIFIED_QUERIES = [
    "客户的预算和决策人是谁",
    "怎么做首次接触和陌生拜访",
    "报价单和价格谈判",
    "合同签约前的法务审核",
    "客户续约和扩展销售",
]


@pytest.mark.parametrize("query", SIMPLIFIED_QUERIES)
def test_traditional_queries_infer_the_stage_of_their_simplified_form(query: str) -> None:
    import zhconv

    from kms.core.stage_classifier import StageClassifier

    classifier = StageClassifier(load_sales_process(DEFAULT_SALES_PROCESS))
    expected = classifier.infer(query)
    assert expected[0] is not None  # a query with stage evidence: the check can fail
    for variant in ("zh-hant", "zh-tw", "zh-hk"):
        traditional = zhconv.convert(query, variant)
        assert classifier.infer(traditional) == expected, traditional
