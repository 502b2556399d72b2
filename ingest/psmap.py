"""Problem–solution maps and taxonomies: YAML, JSON or CSV.

A map file holds ``problems`` and/or ``entities`` (a taxonomy of products, competitors,
industries and personas with names in both languages and aliases). Problem schema:

| field | type | required | notes |
|---|---|---|---|
| key | text | | defaults to a slug of name_en; unique per team scope |
| name_en / name_zh | text | one of them | |
| aliases | list | | other names, any language |
| symptoms | list | | what the customer says or sees |
| personas, industries | list of taxonomy keys or names | | |
| stage | text | | where it surfaces: stage key, name or CRM alias |
| discovery_questions | list | | |
| solutions | list of {key, name_en, name_zh, description, products} | | CSV: ``;`` names |
| products | list | | products that solve it (added to every solution) |
| proof | list | | assets that prove it: source paths or titles |

Entity schema: ``type`` (product, competitor, industry, persona, problem, solution), ``key``,
``name_en``, ``name_zh``, ``aliases``, ``description``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from ingest.records import as_list, read_rows, unreadable_records
from ingest.types import ItemError
from kms.core.graph import slug
from kms.core.models import EntityType
from kms.core.stages import SalesProcess
from kms.core.teams import normalise_teams
from kms.core.text.structured import StructureError, load_yaml


class _Named(BaseModel):
    key: str = ""
    name_en: str = ""
    name_zh: str = ""
    aliases: list[str] = Field(default_factory=list)
    description: str = ""

    @model_validator(mode="after")
    def _needs_a_name(self) -> _Named:
        if not (self.name_en or self.name_zh or self.key):
            raise ValueError("needs name_en, name_zh or key")
        self.key = self.key or slug(self.name_en or self.name_zh)
        return self

    @field_validator("aliases", mode="before")
    @classmethod
    def _alias_list(cls, value: Any) -> list[str]:
        return as_list(value)


class EntityEntry(_Named):
    type: EntityType


class SolutionEntry(_Named):
    products: list[str] = Field(default_factory=list)

    @field_validator("products", mode="before")
    @classmethod
    def _products(cls, value: Any) -> list[str]:
        return as_list(value)


class ProblemEntry(_Named):
    symptoms: list[str] = Field(default_factory=list)
    personas: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    stage: str | None = None
    discovery_questions: list[str] = Field(default_factory=list)
    solutions: list[SolutionEntry] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    proof: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)

    @field_validator(
        "symptoms",
        "personas",
        "industries",
        "discovery_questions",
        "products",
        "proof",
        "teams",
        mode="before",
    )
    @classmethod
    def _lists(cls, value: Any) -> list[str]:
        return as_list(value)

    @field_validator("teams")
    @classmethod
    def _team_names(cls, value: list[str]) -> list[str]:
        return normalise_teams(value)

    @field_validator("solutions", mode="before")
    @classmethod
    def _solutions(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [{"name_en": name} for name in as_list(value)]
        return value if value is not None else []


class MapItem(BaseModel):
    """One validated problem or entity with its line and content hash."""

    problem: ProblemEntry | None = None
    entity: EntityEntry | None = None
    line: int
    stage_key: str | None = None
    content_hash: str

    @property
    def title(self) -> str:
        named = self.problem or self.entity
        assert named is not None
        return " / ".join(n for n in [named.name_en, named.name_zh] if n) or named.key

    @property
    def text(self) -> str:
        """Searchable text of a problem entry, in both languages as written."""
        p = self.problem
        if p is None:
            return ""
        parts = [self.title, *p.aliases, p.description]
        parts += [f"Symptom / 症状: {s}" for s in p.symptoms]
        parts += [f"Discovery question / 诊断问题: {q}" for q in p.discovery_questions]
        for sol in p.solutions:
            names = " / ".join(n for n in [sol.name_en, sol.name_zh] if n)
            parts.append(f"Solution / 方案: {names}. {sol.description}".strip())
        return "\n".join(part for part in parts if part)


def looks_like_map(path: Path, text: str) -> bool:
    """A map has 'problems' / 'entities' at its top, or a CSV 'problem' column."""
    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        try:
            data = load_yaml(text)
        except (yaml.YAMLError, StructureError):
            return True  # let the map reader report the error with its line
        return isinstance(data, dict) and bool({"problems", "entities"} & set(data))
    if suffix == ".json":
        head = text.lstrip()[:2000]
        return '"problems"' in head or '"entities"' in head
    if suffix == ".csv":
        header = text.splitlines()[0].lower() if text else ""
        return "name_en" in header and ("symptoms" in header or "solutions" in header)
    return False


def read_map(path: Path, text: str, process: SalesProcess) -> Iterator[MapItem | ItemError]:
    """Entities first (so problems can link to them), then problems; a file that cannot be
    read as a whole is one error."""
    is_csv = path.suffix.lower() == ".csv"
    unreadable = unreadable_records(path, text)
    if unreadable is not None:
        yield unreadable
        return
    if not is_csv:
        for row in read_rows(path, text, "entities"):
            yield row if isinstance(row, ItemError) else _entity(path, row, "entity")
    for row in read_rows(path, text, "problems"):
        yield row if isinstance(row, ItemError) else _problem(path, row, process)


def _entity(path: Path, row: tuple[int, dict[str, Any]], _: str) -> MapItem | ItemError:
    line, data = row
    try:
        entry = EntityEntry.model_validate(data)
    except ValidationError as exc:
        return _error(path, line, exc)
    return MapItem(entity=entry, line=line, content_hash=_hash(entry))


def _problem(
    path: Path, row: tuple[int, dict[str, Any]], process: SalesProcess
) -> MapItem | ItemError:
    line, data = row
    try:
        entry = ProblemEntry.model_validate(data)
    except ValidationError as exc:
        return _error(path, line, exc)
    stage_key = process.resolve(entry.stage)
    if entry.stage and stage_key is None:
        return ItemError(str(path), f"unknown stage '{entry.stage}'", line=line, field="stage")
    return MapItem(problem=entry, line=line, stage_key=stage_key, content_hash=_hash(entry))


def _error(path: Path, line: int, exc: ValidationError) -> ItemError:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or None
    return ItemError(str(path), err["msg"], line=line, field=field)


def _hash(entry: BaseModel) -> str:
    canonical = json.dumps(entry.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
