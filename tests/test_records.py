"""Win/loss notes and problem–solution maps: schema, aliases, and bad rows by line."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.psmap import MapItem, looks_like_map, read_map
from ingest.types import ItemError
from ingest.winloss import WinLossNote, read_winloss
from kms.core.config import DEFAULT_SALES_PROCESS
from kms.core.stages import load_sales_process

PROCESS = load_sales_process(DEFAULT_SALES_PROCESS)

CSV = """deal_id,account,industry,competitors,outcome,stage,amount,close_date,products,reasons,notes
D-1,Acme,Manufacturing,DataForge;OpenPipe,Closed Won,Negotiation/Review,"120,000",2025-03-01,lumaflow,price;speed,Champion was the CIO.
D-2,Beta,Retail,Qiantang Cloud,maybe,Proposal/Price Quote,5000,2025-04-01,,,
D-3,Gamma,Retail,,lost,Stage 9,5000,2025-04-01,,,
D-4,Delta,Retail,,丢单,需求分析,not-a-number,2025-04-01,,,
D-5,Epsilon,Energy,,no decision,,,,,,客户项目搁置。
"""


def _notes(tmp_path: Path, name: str, text: str) -> list[WinLossNote | ItemError]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return list(read_winloss(path, text, PROCESS))


def test_csv_notes_parse_with_crm_stage_names_and_lists(tmp_path: Path) -> None:
    items = _notes(tmp_path, "notes.csv", CSV)
    good = [i for i in items if isinstance(i, WinLossNote)]
    assert [n.record.deal_id for n in good] == ["D-1", "D-5"]
    first = good[0]
    assert first.record.outcome == "won"
    assert first.stage_key == "negotiation"
    assert first.record.competitors == ["DataForge", "OpenPipe"]
    assert first.record.amount == 120000
    assert first.record.reasons == ["price", "speed"]
    assert good[1].record.outcome == "no_decision" and good[1].stage_key is None


def test_bad_note_rows_name_line_and_field(tmp_path: Path) -> None:
    errors = [i for i in _notes(tmp_path, "notes.csv", CSV) if isinstance(i, ItemError)]
    assert [(e.line, e.field) for e in errors] == [(3, "outcome"), (4, "stage"), (5, "amount")]
    assert all(e.item.endswith("notes.csv") for e in errors)
    assert "Stage 9" in errors[1].message


def test_jsonl_notes_with_a_broken_line(tmp_path: Path) -> None:
    lines = [
        json.dumps({"deal_id": "J-1", "outcome": "won", "stage": "proposal", "notes": "赢单"}),
        "{not json",
        json.dumps({"deal_id": "", "outcome": "lost"}),
        json.dumps({"deal_id": "J-4", "outcome": "lost", "competitors": ["DataForge"]}),
    ]
    items = _notes(tmp_path, "notes.jsonl", "\n".join(lines))
    assert [type(i).__name__ for i in items] == [
        "WinLossNote",
        "ItemError",
        "ItemError",
        "WinLossNote",
    ]
    assert items[1].line == 2 and items[2].line == 3  # type: ignore[union-attr]
    assert items[2].field == "deal_id"  # type: ignore[union-attr]


def test_json_list_of_notes(tmp_path: Path) -> None:
    data = [{"deal_id": "A", "outcome": "won"}, {"deal_id": "B", "outcome": "?"}]
    items = _notes(tmp_path, "notes.json", json.dumps(data, indent=2))
    assert isinstance(items[0], WinLossNote)
    assert isinstance(items[1], ItemError) and items[1].line == 6


MAP_YAML = """entities:
  - {type: product, key: lumaflow, name_en: LumaFlow, name_zh: 灵犀流, aliases: [LF-200]}
problems:
  - key: data-silos
    name_en: Data trapped in silos
    name_zh: 数据孤岛
    symptoms: [Reports take days]
    personas: [cio]
    industries: [manufacturing]
    stage: Needs Analysis
    discovery_questions: ["How many systems hold production data?"]
    solutions:
      - {key: unified-ingest, name_en: Unified ingestion, products: [lumaflow]}
    proof: [docs/case.md]
  - key: no-name
    stage: discovery
    solutions: 3
  - name_zh: 报价太慢
    stage: Stage 9
"""


def test_problem_map_yaml(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(MAP_YAML, encoding="utf-8")
    assert looks_like_map(path, MAP_YAML)
    items = list(read_map(path, MAP_YAML, PROCESS))
    good = [i for i in items if isinstance(i, MapItem)]
    errors = [i for i in items if isinstance(i, ItemError)]
    assert good[0].entity is not None and good[0].entity.aliases == ["LF-200"]
    problem = good[1]
    assert problem.problem is not None and problem.stage_key == "discovery"
    assert problem.problem.solutions[0].products == ["lumaflow"]
    assert "数据孤岛" in problem.text and "How many systems" in problem.text
    assert [(e.line, e.field) for e in errors] == [(15, "solutions"), (18, "stage")]


def test_problem_map_csv(tmp_path: Path) -> None:
    text = (
        "key,name_en,name_zh,symptoms,stage,solutions,products,proof\n"
        "slow-quotes,Quotes take weeks,报价太慢,Lost deals;Angry buyers,proposal,"
        "CPQ rollout;Price book,lumaflow,docs/pricing.md\n"
    )
    path = tmp_path / "map.csv"
    path.write_text(text, encoding="utf-8")
    assert looks_like_map(path, text)
    (item,) = list(read_map(path, text, PROCESS))
    assert isinstance(item, MapItem) and item.problem is not None
    assert [s.name_en for s in item.problem.solutions] == ["CPQ rollout", "Price book"]
    assert item.line == 2
