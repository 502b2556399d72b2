"""Every UI string the pages use exists in web/static/strings.js in both languages.

Static keys are read from the pages (data-i18n*, t("...")); keys built at run time
(kind.*, status.*, gapkind.*...) are listed in DYNAMIC. No browser needed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from kms.core.schemas import ReasonPart

WEB = Path(__file__).resolve().parents[2] / "web"
ENTRY = re.compile(r'^\s*"([\w.]+)":\s*\{\s*en:\s*"(.*?)",\s*zh:\s*"(.*?)"', re.M | re.S)
USED = [
    re.compile(r'data-i18n(?:-placeholder|-title|-aria-label)?="([\w.]+)"'),
    re.compile(r'"data-i18n(?:-placeholder|-title|-aria-label)?":\s*"([\w.]+)"'),
    re.compile(r'\bt\(\s*"([\w.]+)"'),
    re.compile(r"\bt\(\s*([a-z]\w*Key)\b"),  # variables: checked through their literal values
    re.compile(r'(?:labelKey|titleKey|anyKey|placeholderKey|Key)\b[^"\n]*"([a-z_]+\.[\w.]+)"'),
]
DYNAMIC = {
    "kind": [
        "battlecard",
        "case_study",
        "discovery_guide",
        "objection_handling",
        "pricing",
        "product_sheet",
        "proposal_template",
        "article",
        "document",
        "winloss_note",
        "problem",
    ],
    "status": ["draft", "approved", "retired"],
    "role": ["rep", "curator", "admin"],
    "language": ["zh", "en", "mixed"],
    "gapkind": [
        "zero_results",
        "low_confidence",
        "negative_feedback",
        "thin_stage",
        "no_solution",
        "no_proof",
        "manual",
        "ask_expert",
    ],
    "gapstatus": ["open", "in_progress", "closed"],
    "origin": ["curated", "source", "inferred"],
    "entity": ["product", "competitor", "industry", "persona", "problem", "solution"],
    "dup": ["duplicate_of", "duplicated_by", "near_duplicate"],
    "outcome": ["won", "lost", "no_decision"],
    "job": ["queued", "running", "done", "failed", "added", "updated", "unchanged"],
    "why": [
        "bm25",
        "minilm",
        "use",
        "graph",
        "stage",
        "approved",
        "draft",
        "pinned",
        "stale",
        "won_deals",
        "feedback",
    ],
    "filters": ["competitor", "industry", "segment", "region", "stage", "product"],
    # every code /v1/recommend may send, plus the won-deal variants the widget words
    "reason": [
        *get_args(ReasonPart.model_fields["code"].annotation),
        "won_deals_vs",
        "won_deals_in",
        "won_deals_vs_in",
    ],
}


def dictionary() -> dict[str, tuple[str, str]]:
    text = (WEB / "static" / "strings.js").read_text(encoding="utf-8")
    return {m[1]: (m[2], m[3]) for m in ENTRY.finditer(text)}


def used_keys() -> set[str]:
    namespaces = {k.split(".")[0] for k in dictionary()} | {p.split(".")[0] for p in DYNAMIC}
    alternatives = "|".join(sorted(namespaces))
    literal = re.compile(r'"((?:' + alternatives + r')\.[a-z_][\w.]*)"')
    keys: set[str] = set()
    for path in [*WEB.glob("*.html"), *WEB.glob("static/**/*.js")]:
        if path.name == "strings.js":
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in [*USED, literal]:
            keys |= {k for k in pattern.findall(text) if "." in k}
    keys |= {f"{prefix}.{name}" for prefix, names in DYNAMIC.items() for name in names}
    return keys


def test_every_used_key_has_both_languages() -> None:
    strings = dictionary()
    missing = sorted(used_keys() - set(strings))
    assert not missing, f"missing from web/static/strings.js: {missing}"
    empty = sorted(k for k, (en, zh) in strings.items() if not en.strip() or not zh.strip())
    assert not empty, f"a language is empty for: {empty}"


def test_no_duplicate_keys() -> None:
    text = (WEB / "static" / "strings.js").read_text(encoding="utf-8")
    keys = [m[1] for m in ENTRY.finditer(text)]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
