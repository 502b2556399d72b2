"""Typed entities, typed edges, stages and win/loss outcomes."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel, UniqueConstraint

from kms.core.models._types import json_field


class EntityType(StrEnum):
    problem = "problem"
    solution = "solution"
    product = "product"
    competitor = "competitor"
    industry = "industry"
    persona = "persona"


class Stage(SQLModel, table=True):
    """A stage of the sales process, synchronised from the sales-process YAML."""

    key: str = Field(primary_key=True)
    name_zh: str
    name_en: str
    order: int
    description: str = ""
    typical_questions: list[str] = json_field()
    asset_kinds: list[str] = json_field()
    exit_criteria: list[str] = json_field()
    crm_aliases: list[str] = json_field()
    keywords: list[str] = json_field()


class Entity(SQLModel, table=True):
    """A typed node. Its ``scope`` (team key, empty = public) is that of the source that
    introduced it: a team's taxonomy entries, problems and solutions are its own."""

    __table_args__ = (UniqueConstraint("type", "key", "scope", name="uq_entity_type_key_scope"),)

    id: int | None = Field(default=None, primary_key=True)
    type: EntityType = Field(index=True)
    key: str = Field(index=True, description="Normalised name, unique within type and scope")
    scope: str = Field(default="", index=True, description="Teams that may see it, as one key")
    name_en: str = ""
    name_zh: str = ""
    aliases: list[str] = json_field()
    description: str = ""
    meta: dict[str, Any] = json_field(default_factory=dict)


class Relation(SQLModel, table=True):
    """A typed edge between two nodes. Nodes are ``entity``, ``asset``, ``stage`` or ``outcome``.

    Edge types: solved_by (problem→solution), delivered_by (solution→product),
    surfaces_at (problem→stage), felt_by (problem→persona), found_in (problem→industry),
    proves (asset→solution/problem), mentions (asset→entity), seen_in (competitor→outcome),
    involves (outcome→product/problem/industry), at_stage (outcome→stage).
    """

    __table_args__ = (UniqueConstraint("src_type", "src_id", "type", "dst_type", "dst_id"),)

    id: int | None = Field(default=None, primary_key=True)
    src_type: str = Field(index=True)
    src_id: str = Field(index=True)
    type: str = Field(index=True)
    dst_type: str = Field(index=True)
    dst_id: str = Field(index=True)
    weight: float = 1.0
    evidence_asset_id: int | None = Field(default=None, foreign_key="asset.id", index=True)


class Outcome(SQLModel, table=True):
    """The structured record of one closed deal (from a win/loss note): one per note asset,
    so a deal id reused by another team is another outcome."""

    id: int | None = Field(default=None, primary_key=True)
    asset_id: int = Field(foreign_key="asset.id", index=True, unique=True)
    deal_id: str = Field(index=True)
    account: str = ""
    industry: str = Field(default="", index=True)
    segment: str = ""
    region: str = ""
    competitors: list[str] = json_field()
    products: list[str] = json_field()
    problems: list[str] = json_field()
    outcome: str = Field(index=True, description="won, lost or no_decision")
    stage_key: str | None = Field(default=None, index=True)
    furthest_stage: str | None = Field(
        default=None,
        index=True,
        description="The furthest stage the deal reached: a won deal passed every stage up to "
        "the one its win is recorded at (closing); others ended where they stopped",
    )
    amount: float | None = None
    currency: str = "USD"
    close_date: date | None = None
    reasons: list[str] = json_field()
    notes: str = ""
