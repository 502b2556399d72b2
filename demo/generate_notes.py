# ruff: noqa: E501  (note templates and anchor notes are long prose lines on purpose)
"""Generate the demo win/loss notes: demo/winloss/notes-2025.jsonl and demo/winloss/notes-2024.csv.

The generator is seeded (``random.Random(42)``), so every run writes the same files. Outcomes
are deliberately uneven so a win/loss summary has something to say:

* OpenPipe / in-house builds: we win most of the time;
* DataForge: about even overall, better when plant (OT) data is in scope, worse in SMB;
* Qiantang Cloud: we lose most retail deals, on price and cloud bundles;
* Northwind Analytics: strong in financial services (data residency, lineage), weak in retail.

Every record follows the schema in demo/winloss/README.md. Industries, products and problems use
keys from demo/taxonomy.yaml and demo/problem_map.yaml; the stage column mixes stage keys,
Salesforce-style CRM names and Chinese CRM names on purpose. A handful of fixed "anchor" deals
are the customers of the case studies in demo/docs/.

Usage:  .venv/bin/python demo/generate_notes.py [--stats]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from note_anchors import ANCHORS_2024, ANCHORS_2025
from note_vocab import (
    ACCOUNTS,
    AMOUNT_RANGE,
    APAC_ACCOUNTS,
    CHAMPIONS,
    COMMON_LOST,
    COMP_EN,
    COMP_ZH,
    COMPETITOR_PROBLEM,
    COMPETITOR_WEIGHTS,
    EDGE_INDUSTRIES,
    EMEA_ACCOUNTS,
    FX,
    INDUSTRY_NAMES,
    INDUSTRY_WEIGHTS,
    INDUSTRY_ZH,
    LESSONS,
    LOST_REASONS,
    LOST_STAGE_BY_REASON,
    LOST_TIP_EN,
    LOST_TIP_ZH,
    MARKETS,
    ND_TIP_EN,
    ND_TIP_ZH,
    NO_DECISION_REASONS,
    REFERENCES,
    SALES_PROCESS_PROBLEMS,
    SECOND_COMPETITOR,
    SEGMENTS,
    STAGE_NAMES,
    SURNAMES,
    SURNAMES_ZH,
    WON_COMP_EN,
    WON_COMP_ZH,
    WON_TIPS,
)

HERE = Path(__file__).resolve().parent
OUT = HERE / "winloss"
FIELDS = [
    "deal_id", "account", "industry", "segment", "region", "competitors", "outcome", "stage",
    "amount", "currency", "close_date", "products", "problems", "reasons", "notes",
]  # fmt: skip

# --------------------------------------------------------------------------- generation


def weighted(rng: random.Random, pairs: Any) -> Any:
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


# Outcome mix per (competitor, situation): (won, lost, no_decision) out of 20. Each new deal gets
# the outcome that is furthest below its target share in that situation (ties broken by the seeded
# RNG), so small samples still show the intended pattern instead of the noise of independent draws.
OUTCOME_DECKS: dict[tuple[str, str], tuple[int, int, int]] = {
    ("openpipe", "any"): (15, 2, 3),
    ("dataforge", "edge"): (15, 4, 1),
    ("dataforge", "smb"): (5, 12, 3),
    ("dataforge", "any"): (8, 10, 2),
    ("qiantang-cloud", "retail"): (4, 15, 1),
    ("qiantang-cloud", "any"): (10, 8, 2),
    ("northwind", "financial-services"): (14, 4, 2),
    ("northwind", "retail"): (5, 13, 2),
    ("northwind", "any"): (10, 8, 2),
    ("", "any"): (10, 4, 6),
}


def situation(comp: str, industry: str, segment: str, products: list[str]) -> tuple[str, str]:
    if comp == "dataforge":
        if segment == "smb":
            return comp, "smb"
        return comp, "edge" if "lumaedge" in products else "any"
    if (comp, industry) in OUTCOME_DECKS:
        return comp, industry
    return comp, "any"


def won_tips(
    comp: str, industry: str, region: str, products: list[str]
) -> list[tuple[str, str, str, list[str]]]:
    """The winning-moment templates whose condition fits the deal."""
    china = region not in {"APAC", "EMEA"}
    fits = {
        "any": True,
        "edge": "lumaedge" in products,
        "retail": industry == "retail",
        "china": china,
        "regulated-china": china and industry in {"financial-services", "healthcare"},
    }
    options = [t for t in WON_TIPS[comp] if fits[t[0]]]
    return options or [t for t in WON_TIPS[comp] if t[0] == "any"]


def lower_first(text: str) -> str:
    """Lower-case a title for use mid-sentence, keeping acronyms such as BI or OT."""
    first_word = text.split(" ", 1)[0]
    if any(ch.isupper() for ch in first_word[1:]):
        return text
    return text[:1].lower() + text[1:]


class Generator:
    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        problems = yaml.safe_load((HERE / "problem_map.yaml").read_text(encoding="utf-8"))[
            "problems"
        ]
        self.problems = {p["key"]: p for p in problems}
        # customer pains (not sales-process or post-sale problems) drive new-business deals
        self.problems_by_industry: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for problem in problems:
            # sales-process problems are not a deal's pain; problems without proof stay visible gaps
            if (
                problem["key"] in SALES_PROCESS_PROBLEMS
                or not problem["solutions"]
                or not problem["proof"]
            ):
                continue
            for industry in problem["industries"]:
                self.problems_by_industry[industry].append(problem)
        self.used_ids: set[str] = set()
        self.decks: dict[tuple[str, str], Counter[str]] = {}

    def deal_outcome(self, key: tuple[str, str]) -> str:
        counts = self.decks.setdefault(key, Counter())
        targets = dict(zip(("won", "lost", "no_decision"), OUTCOME_DECKS[key], strict=True))
        n = sum(counts.values()) + 1
        order = list(targets)
        self.rng.shuffle(order)
        outcome = max(order, key=lambda o: targets[o] / 20 * n - counts[o])
        counts[outcome] += 1
        return outcome

    def deal_id(self, year: int) -> str:
        while True:
            candidate = f"D-{year}-{self.rng.randint(100, 9999):04d}"
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def close_date(self, year: int) -> date:
        month = self.rng.choices(range(1, 13), weights=[5, 4, 9, 5, 5, 10, 5, 4, 9, 6, 6, 12])[0]
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        # quarter-end months close late in the month
        low = 15 if month in (3, 6, 9, 12) else 1
        return start + timedelta(days=self.rng.randint(low - 1, (end - start).days))

    def record(self, year: int) -> dict[str, Any]:
        rng = self.rng
        industry = weighted(rng, INDUSTRY_WEIGHTS)
        market = weighted(rng, MARKETS)
        segment = weighted(rng, SEGMENTS)
        if market == "EMEA":
            account_en, account_zh = rng.choice(EMEA_ACCOUNTS[industry])
            region, currency = "EMEA", "EUR"
        elif market == "APAC":
            account_en, account_zh = rng.choice(APAC_ACCOUNTS[industry])
            region, currency = "APAC", "USD"
        else:
            account_en, account_zh, region = rng.choice(ACCOUNTS[industry])
            currency = "CNY"
        comp = weighted(rng, COMPETITOR_WEIGHTS[industry])
        if region == "EMEA" and comp == "qiantang-cloud":
            comp = "northwind"  # Qiantang Cloud does not sell in EMEA
        competitors = [comp] if comp else []
        if comp and rng.random() < 0.15:
            extra = next(c for c in SECOND_COMPETITOR[industry] if c != comp)
            if not (region == "EMEA" and extra == "qiantang-cloud"):
                competitors.append(extra)

        pool = self.problems_by_industry[industry]
        chosen = rng.sample(pool, k=rng.choice([1, 1, 2, 2]))
        problems = [p["key"] for p in chosen]
        if comp and rng.random() < 0.4:
            problems.append(COMPETITOR_PROBLEM[comp])
        products: list[str] = []
        for p in chosen:
            for s in p["solutions"]:
                for prod in s["products"]:
                    if prod not in products:
                        products.append(prod)
        if industry not in EDGE_INDUSTRIES:
            products = [x for x in products if x != "lumaedge"]
        products = products[: rng.choice([1, 2, 2, 3])] or ["lumaflow"]

        outcome = self.deal_outcome(situation(comp, industry, segment, products))

        tip: tuple[str, str, str, list[str]] | None = None
        if outcome == "won":
            tip = rng.choice(won_tips(comp, industry, region, products))
            reasons = list(tip[3])
            stage_key = "closing"
        elif outcome == "lost":
            options = LOST_REASONS[comp] + COMMON_LOST if rng.random() < 0.3 else LOST_REASONS[comp]
            first = rng.choice(options)
            reasons = [first]
            if first != "price" and rng.random() < 0.35:
                reasons.append("price")
            if "price" in reasons and comp and COMPETITOR_PROBLEM[comp] not in problems:
                problems.append(COMPETITOR_PROBLEM[comp])
            stage_key = rng.choice(LOST_STAGE_BY_REASON[first])
        else:
            reasons = [rng.choice(NO_DECISION_REASONS)]
            stage_key = rng.choice(
                ["discovery", "solution_design", "proposal", "proposal", "qualification"]
            )
        stage = rng.choice(STAGE_NAMES[stage_key])

        low, high = AMOUNT_RANGE[segment]
        amount_cny = round(rng.uniform(low, high), -3)
        amount = round(amount_cny * FX[currency], -2)
        industry_field = industry
        roll = rng.random()
        if roll < 0.1:
            industry_field = INDUSTRY_NAMES[industry][0]
        elif roll < 0.2:
            industry_field = INDUSTRY_NAMES[industry][1]

        zh = region not in {"EMEA", "APAC"} and rng.random() < 0.55
        comp_field = [
            COMP_ZH[c].split(" ")[0] if zh and rng.random() < 0.25 else COMP_EN[c]
            for c in competitors
        ]
        personas = chosen[0]["personas"]
        title_en, title_zh, _ = rng.choice([c for c in CHAMPIONS if c[2] in personas] or CHAMPIONS)
        surname = rng.choice(SURNAMES)
        notes = self.note(zh, outcome, comp, reasons, account_en if not zh else account_zh, industry,
                          segment, chosen, title_en, title_zh, surname, tip)  # fmt: skip
        return {
            "deal_id": self.deal_id(year),
            "account": account_en,
            "industry": industry_field,
            "segment": segment,
            "region": region,
            "competitors": comp_field,
            "outcome": outcome,
            "stage": stage,
            "amount": int(amount),
            "currency": currency,
            "close_date": self.close_date(year).isoformat(),
            "products": products,
            "problems": problems,
            "reasons": reasons,
            "notes": notes,
        }

    def slots(self) -> dict[str, Any]:
        r = self.rng
        return {
            "pct": r.choice([25, 30, 32, 35, 38, 40]), "days": r.choice([180, 240, 300, 420]),
            "commit": r.choice([3, 5, 8, 12]), "n": r.choice([3, 4, 5, 6, 12]),
            "poc": r.choice([14, 21, 30]), "tco": r.choice([15, 18, 21, 24]),
            "gain": r.choice([19, 23, 27, 31]), "fields": r.choice([380, 612, 450]),
            "users": r.choice([800, 1500, 2400]), "payback": r.choice([8, 10, 11, 14]),
            "gap": r.choice([12, 18, 25, 30]),
        }  # fmt: skip

    def note(self, zh: bool, outcome: str, comp: str, reasons: list[str], account: str, industry: str,
             segment: str, problems: list[dict[str, Any]], title_en: str, title_zh: str, surname: str,
             tip_spec: tuple[str, str, str, list[str]] | None) -> str:  # fmt: skip
        rng = self.rng
        ref_en, ref_zh = REFERENCES[industry]
        lessons = [
            (en, zh_) for allowed, en, zh_ in LESSONS if allowed is None or industry in allowed
        ]
        for _ in range(50):
            s = {**self.slots(), "ref_en": ref_en, "ref_zh": ref_zh}
            problem = problems[0]
            if zh:
                name = SURNAMES_ZH[surname] + rng.choice(["总", "经理", "老师"])
                opening = rng.choice(
                    [
                        f"{account}({INDUSTRY_ZH[industry]})这次要解决的问题是:{problem['name_zh']}。",
                        f"{account}的{title_zh}{name}是我们的内部支持者,最关心{problem['name_zh']}。",
                        f"客户{account}在需求诊断中明确了痛点:{problem['name_zh']}。",
                    ]
                )
                champion = f"内部支持者是{title_zh}{name}。" if "支持者" not in opening else ""
                comp_line = rng.choice(WON_COMP_ZH[comp]).format(**s)
                if outcome == "won":
                    assert tip_spec is not None
                    tip = tip_spec[2].format(**s)
                elif outcome == "lost":
                    tip = LOST_TIP_ZH[reasons[0]].format(**s)
                else:
                    tip = ND_TIP_ZH[reasons[0]]
                parts = [opening, champion, comp_line, tip, rng.choice(lessons)[1]]
                text = "".join(p for p in parts if p)
                if 80 <= len(text) <= 260:
                    return text
            else:
                opening = rng.choice(
                    [
                        f"{account} ({segment}) came to us with one problem: {lower_first(problem['name_en'])}.",
                        f"At {account} the {title_en}, {surname}, was our champion; the problem they owned: {lower_first(problem['name_en'])}.",
                        f"Discovery at {account} surfaced one clear pain: {lower_first(problem['name_en'])} ({lower_first(rng.choice([x for x in problem['symptoms'] if x.isascii()] or [problem['name_en']]))}).",
                    ]
                )
                champion = f"Champion: {surname}, {title_en}." if "champion" not in opening else ""
                comp_line = rng.choice(WON_COMP_EN[comp]).format(**s)
                if outcome == "won":
                    assert tip_spec is not None
                    tip = tip_spec[1].format(**s)
                elif outcome == "lost":
                    tip = LOST_TIP_EN[reasons[0]].format(**s)
                else:
                    tip = ND_TIP_EN[reasons[0]]
                parts = [opening, champion, comp_line, tip, rng.choice(lessons)[0]]
                text = " ".join(p for p in parts if p)
                if 40 <= len(text.split()) <= 120:
                    return text
        raise RuntimeError("could not compose a note of the right length")


# --------------------------------------------------------------------------- anchor deals


def generate(
    n_2025: int = 116, n_2024: int = 34
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    gen = Generator(42)
    for anchor in ANCHORS_2024 + ANCHORS_2025:
        gen.used_ids.add(str(anchor["deal_id"]))
    notes_2025 = [gen.record(2025) for _ in range(n_2025)] + ANCHORS_2025
    notes_2024 = [gen.record(2024) for _ in range(n_2024)] + ANCHORS_2024
    for notes in (notes_2025, notes_2024):
        notes.sort(key=lambda r: (r["close_date"], r["deal_id"]))
    return notes_2025, notes_2024


def write(notes_2025: list[dict[str, Any]], notes_2024: list[dict[str, Any]]) -> None:
    OUT.mkdir(exist_ok=True)
    with (OUT / "notes-2025.jsonl").open("w", encoding="utf-8") as fh:
        for r in notes_2025:
            fh.write(json.dumps({k: r[k] for k in FIELDS}, ensure_ascii=False) + "\n")
    with (OUT / "notes-2024.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        for r in notes_2024:
            row = {k: ";".join(v) if isinstance(v, list) else v for k, v in r.items()}
            writer.writerow(row)


def stats(notes: list[dict[str, Any]]) -> None:
    by_comp: dict[str, Counter[str]] = defaultdict(Counter)
    norm = {
        **{v: k for k, v in COMP_EN.items()},
        **{v.split(" ")[0]: k for k, v in COMP_ZH.items()},
    }
    for r in notes:
        industry = r["industry"]
        for key, (en, zh) in INDUSTRY_NAMES.items():
            if industry in (en, zh):
                industry = key
        for c in r["competitors"] or ["(none)"]:
            c = norm.get(c, c)
            by_comp[c][r["outcome"]] += 1
            by_comp[f"{c} / {industry}"][r["outcome"]] += 1
            by_comp[f"{c} / {r['segment']}"][r["outcome"]] += 1
            if "lumaedge" in r["products"]:
                by_comp[f"{c} / with lumaedge"][r["outcome"]] += 1
    for key in sorted(by_comp):
        c = by_comp[key]
        total = sum(c.values())
        print(f"{key:45s} n={total:3d} won={c['won']:3d} lost={c['lost']:3d} nd={c['no_decision']:3d}"
              f" win%={100 * c['won'] / total:5.1f}")  # fmt: skip
    lost = [r for r in notes if r["outcome"] == "lost"]
    print(
        "lost with price among reasons:",
        sum("price" in r["reasons"] for r in lost),
        "of",
        len(lost),
    )
    print("outcomes:", Counter(r["outcome"] for r in notes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--stats", action="store_true", help="print win/loss figures per competitor"
    )
    args = parser.parse_args()
    notes_2025, notes_2024 = generate()
    write(notes_2025, notes_2024)
    print(
        f"wrote {len(notes_2025)} notes to winloss/notes-2025.jsonl, {len(notes_2024)} to winloss/notes-2024.csv"
    )
    if args.stats:
        print("--- FY2025")
        stats(notes_2025)
        print("--- FY2024")
        stats(notes_2024)


if __name__ == "__main__":
    main()
