"""Win/loss notes: CSV, JSON or JSONL records of closed deals.

Schema (one record per deal; see demo/winloss/README.md for the documented version):

| field | type | required | notes |
|---|---|---|---|
| deal_id | text | yes | unique per team scope; the same id in the same teams replaces the note |
| account | text | | |
| industry, segment, region | text | | industry is linked to the taxonomy |
| competitors | list (CSV: ``;``-separated) | | linked to the taxonomy |
| outcome | won / lost / no_decision | yes | also accepts Closed Won, Closed Lost, 赢单, 丢单 |
| stage | text | | stage reached or lost at: a stage key, name or CRM alias |
| amount | number | | currency in ``currency`` (default USD) |
| close_date | YYYY-MM-DD | | |
| products, problems, reasons | list | | products/problems linked to the taxonomy |
| notes | text | | the rep's free text; indexed for search |
| teams | list | | teams that may see the note; empty = everyone; the writer's own or none |
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from ingest.records import as_list, read_rows
from ingest.types import ItemError
from kms.core.stages import SalesProcess
from kms.core.teams import normalise_teams

OUTCOMES = {
    "won": "won",
    "win": "won",
    "closed won": "won",
    "赢单": "won",
    "成交": "won",
    "lost": "lost",
    "loss": "lost",
    "closed lost": "lost",
    "丢单": "lost",
    "输单": "lost",
    "no_decision": "no_decision",
    "no decision": "no_decision",
    "no-decision": "no_decision",
    "无决策": "no_decision",
    "搁置": "no_decision",
}
WINLOSS_KEYS = {"deal_id", "outcome"}


class WinLossRecord(BaseModel):
    deal_id: str = Field(min_length=1)
    account: str = ""
    industry: str = ""
    segment: str = ""
    region: str = ""
    competitors: list[str] = Field(default_factory=list)
    outcome: str
    stage: str | None = None
    amount: float | None = None
    currency: str = "USD"
    close_date: date | None = None
    products: list[str] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    notes: str = ""
    teams: list[str] = Field(default_factory=list)

    @field_validator("competitors", "products", "problems", "reasons", "teams", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> list[str]:
        return as_list(value)

    @field_validator("teams")
    @classmethod
    def _team_names(cls, value: list[str]) -> list[str]:
        return normalise_teams(value)

    @field_validator("outcome", mode="before")
    @classmethod
    def _outcome(cls, value: Any) -> str:
        key = str(value or "").strip().lower()
        if key not in OUTCOMES:
            raise ValueError(f"'{value}' is not one of won, lost, no_decision")
        return OUTCOMES[key]

    @field_validator("amount", "close_date", "stage", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(",", "").replace("$", "").strip() or None
        return value


class WinLossNote(BaseModel):
    """A validated note with its resolved stage and its place in the file."""

    record: WinLossRecord
    line: int
    stage_key: str | None
    furthest_stage: str | None
    content_hash: str

    @property
    def title(self) -> str:
        r = self.record
        against = f" vs {', '.join(r.competitors)}" if r.competitors else ""
        return f"{r.outcome.replace('_', ' ').title()}: {r.account or r.deal_id}{against}"

    @property
    def text(self) -> str:
        """The searchable text of the note: its facts, then the rep's words."""
        r = self.record
        facts = [
            f"Deal {r.deal_id} — {r.account}",
            f"Outcome: {r.outcome}",
            f"Industry: {r.industry}" if r.industry else "",
            f"Competitors: {', '.join(r.competitors)}" if r.competitors else "",
            f"Stage: {r.stage}" if r.stage else "",
            f"Products: {', '.join(r.products)}" if r.products else "",
            f"Reasons: {'; '.join(r.reasons)}" if r.reasons else "",
        ]
        return "\n".join([f for f in facts if f] + ([r.notes] if r.notes else []))


def looks_like_winloss(first_row: dict[str, Any]) -> bool:
    return {k.strip().lower() for k in first_row} >= WINLOSS_KEYS


def read_winloss(path: Path, text: str, process: SalesProcess) -> Iterator[WinLossNote | ItemError]:
    """Validated notes of one file; each bad row becomes an ItemError naming line and field."""
    for row in read_rows(path, text, "notes"):
        if isinstance(row, ItemError):
            yield row
            continue
        line, data = row
        yield _validate(path, line, data, process)


def _validate(
    path: Path, line: int, data: dict[str, Any], process: SalesProcess
) -> WinLossNote | ItemError:
    data = {k.strip().lower(): v for k, v in data.items()}
    try:
        record = WinLossRecord.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        return ItemError(str(path), err["msg"], line=line, field=field)
    stage_key = process.resolve(record.stage)
    if record.stage and stage_key is None:
        return ItemError(
            str(path),
            f"unknown stage '{record.stage}' (known: {', '.join(process.keys)} or a CRM alias)",
            line=line,
            field="stage",
        )
    canonical = json.dumps(record.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    furthest = furthest_stage(process, record.outcome, stage_key)
    return WinLossNote(
        record=record, line=line, stage_key=stage_key, furthest_stage=furthest, content_hash=digest
    )


WON_ALIAS = "Closed Won"


def furthest_stage(process: SalesProcess, outcome: str, stage_key: str | None) -> str | None:
    """The furthest stage a deal reached: a won deal went through every stage up to the one a
    win is recorded at (the process's "Closed Won"), even when its note names an earlier one."""
    if outcome != "won":
        return stage_key
    won_at = process.resolve(WON_ALIAS)
    order = {s.key: s.order for s in process.stages}
    if won_at is None or (stage_key and order.get(stage_key, 0) > order.get(won_at, 0)):
        return stage_key
    return won_at
