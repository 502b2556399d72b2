"""The sales process: load and validate the stages YAML, map CRM stage names to stages.

Stages are configuration, not code. An invalid file is rejected with the line and the
reason (``ConfigError``), so a sales-ops engineer can fix it without reading Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from kms.core.errors import ConfigError
from kms.core.text.structured import StructureError, compose_yaml, load_yaml, yaml_problem


class StageNames(BaseModel):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class StageSpec(BaseModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    names: StageNames
    order: int
    description: str = Field(min_length=1)
    typical_questions: list[str] = Field(min_length=1)
    asset_kinds: list[str] = Field(min_length=1)
    exit_criteria: list[str] = Field(min_length=1)
    crm_aliases: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)

    @field_validator("crm_aliases", "keywords", "typical_questions", "asset_kinds", "exit_criteria")
    @classmethod
    def _strings(cls, value: list[Any]) -> list[str]:
        return [str(v) for v in value]


@dataclass(frozen=True)
class SalesProcess:
    stages: tuple[StageSpec, ...]

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.stages]

    def get(self, key: str) -> StageSpec | None:
        return next((s for s in self.stages if s.key == key), None)

    def resolve(self, name: str | None) -> str | None:
        """Map a stage key, an English/Chinese name or a CRM alias to a stage key.

        Matching ignores case and surrounding spaces. Returns ``None`` when unknown.
        """
        if not name:
            return None
        wanted = _norm(name)
        for stage in self.stages:
            names = [stage.key, stage.names.en, stage.names.zh, *stage.crm_aliases]
            if wanted in {_norm(n) for n in names}:
                return stage.key
        return None

    def known_names(self) -> list[str]:
        out: list[str] = []
        for stage in self.stages:
            out += [stage.key, stage.names.en, stage.names.zh, *stage.crm_aliases]
        return list(dict.fromkeys(out))

    def next_stage(self, key: str) -> StageSpec | None:
        ordered = sorted(self.stages, key=lambda s: s.order)
        keys = [s.key for s in ordered]
        if key not in keys or keys.index(key) + 1 >= len(ordered):
            return None
        return ordered[keys.index(key) + 1]


def _norm(text: str) -> str:
    return " ".join(text.strip().lower().split())


def _line_index(text: str) -> dict[str, int]:
    """Line number of each stage entry (by index) from the YAML node tree."""
    lines: dict[str, int] = {}
    root = compose_yaml(text)
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if key_node.value == "stages" and isinstance(value_node, yaml.SequenceNode):
                for i, item in enumerate(value_node.value):
                    lines[str(i)] = item.start_mark.line + 1
                    if isinstance(item, yaml.MappingNode):
                        for k, v in item.value:
                            lines[f"{i}.{k.value}"] = v.start_mark.line + 1
    return lines


def parse_sales_process(text: str, source: str = "<sales process>") -> SalesProcess:
    try:
        data = load_yaml(text)
        lines = _line_index(text)
    except (yaml.YAMLError, StructureError) as exc:
        message, line = yaml_problem(exc)
        raise ConfigError(f"{source}: line {line}: {message}", {"line": line}) from exc
    if not isinstance(data, dict) or not isinstance(data.get("stages"), list):
        raise ConfigError(f"{source}: line 1: expected a mapping with a 'stages' list")
    stages: list[StageSpec] = []
    for i, raw in enumerate(data["stages"]):
        try:
            stages.append(StageSpec.model_validate(raw))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"])
            line = lines.get(f"{i}.{err['loc'][0]}", lines.get(str(i))) if err["loc"] else None
            raise ConfigError(
                f"{source}: line {line}: stage {i + 1} field '{field}': {err['msg']}",
                {"line": line, "field": field},
            ) from exc
    _check_unique(stages, lines, source)
    return SalesProcess(tuple(sorted(stages, key=lambda s: s.order)))


def _check_unique(stages: list[StageSpec], lines: dict[str, int], source: str) -> None:
    if not stages:
        raise ConfigError(f"{source}: line 1: the 'stages' list is empty")
    seen_keys: dict[str, int] = {}
    seen_aliases: dict[str, str] = {}
    for i, stage in enumerate(stages):
        if stage.key in seen_keys:
            line = lines.get(f"{i}.key")
            raise ConfigError(f"{source}: line {line}: duplicate stage key '{stage.key}'")
        seen_keys[stage.key] = i
        for alias in [stage.names.en, stage.names.zh, *stage.crm_aliases]:
            owner = seen_aliases.get(_norm(alias))
            if owner and owner != stage.key:
                line = lines.get(f"{i}.crm_aliases")
                raise ConfigError(
                    f"{source}: line {line}: CRM alias '{alias}' maps to both "
                    f"'{owner}' and '{stage.key}'"
                )
            seen_aliases[_norm(alias)] = stage.key


def load_sales_process(path: Path) -> SalesProcess:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the sales process file: {exc}") from exc
    return parse_sales_process(text, str(path))
