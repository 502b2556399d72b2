"""The kind of a document (battlecard, case study, ...) when no manifest says it."""

from __future__ import annotations

import re

KIND_HINTS: list[tuple[str, str]] = [
    ("battlecard", r"battle ?card|竞争对手|竞品|对比卡|vs\.? "),
    ("case_study", r"case[- ]?study|customer story|案例|客户故事"),
    ("discovery_guide", r"discovery|需求诊断|诊断问题|提问指南"),
    ("objection_handling", r"objection|异议"),
    ("pricing", r"pricing|price list|\broi\b|报价|价格|定价|投资回报"),
    ("proposal_template", r"proposal|方案模板|建议书"),
    ("product_sheet", r"product sheet|datasheet|data sheet|产品手册|产品介绍|产品说明"),
    ("playbook", r"playbook|打法|手册"),
    ("email_template", r"email sequence|e-mail template|邮件模板"),
]


def infer_kind(name: str, title: str) -> str:
    """First kind whose hint appears in the file name or title; ``document`` otherwise."""
    haystack = f"{name} {title}".lower()
    for kind, pattern in KIND_HINTS:
        if re.search(pattern, haystack):
            return kind
    return "document"
