"""Bounded input: YAML aliases refused (the alias bomb), nesting capped with file and line,
request lists de-duplicated and capped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlmodel import select

from ingest.manifest import load_manifest
from ingest.pipeline import Ingestor, discover
from kms.core.config import Settings
from kms.core.db import Database
from kms.core.errors import ConfigError
from kms.core.models import Asset, Chunk, Job
from kms.core.schemas import FileMeta, Opportunity, SearchRequest
from kms.core.text.structured import MAX_DEPTH, StructureError, load_json, load_yaml


def alias_bomb() -> str:
    """375 bytes of YAML that expand tenfold per level (a "billion laughs")."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    lines.append("problems:\n  - {key: bomb, name_en: Bomb, symptoms: *h}")
    return "\n".join(lines) + "\n"


@pytest.fixture()
def database(tmp_path: Path) -> Database:
    return Database(Settings(data_dir=tmp_path / "data"))


def ingest(database: Database, path: Path) -> Job:
    ingestor = Ingestor(database.engine, database.settings, database.process)
    with database.session() as session:
        job = Job()
        session.add(job)
        session.commit()
    ingestor.run(discover([path], FileMeta()), job.id or 0)
    with database.session() as session:
        stored = session.get(Job, job.id)
        assert stored is not None
        return stored


def test_the_alias_bomb_is_refused_with_its_line(database: Database, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb(), encoding="utf-8")
    assert len(bomb.read_bytes()) < 400
    job = ingest(database, bomb)
    assert (job.status, job.added, job.failed) == ("done", 0, 1)
    error = job.errors[0]
    assert Path(error["item"]).name == "bomb.yaml" and error["line"] == 2
    assert "aliases" in error["message"]
    with database.session() as session:
        assert session.exec(select(Asset)).all() == []
        assert max((len(c.text) for c in session.exec(select(Chunk))), default=0) == 0


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("deep.json", '{"notes": [\n' + "[" * 5000 + "]" * 5000 + "\n]}", 2),
        (
            "deep.jsonl",
            '{"deal_id": "D-1", "outcome": "won"}\n\n' + '{"x": ' * 3000 + "1" + "}" * 3000,
            3,
        ),
        (
            "deep.yaml",
            "problems:\n  - key: deep\n    symptoms: " + "[" * 3000 + "]" * 3000 + "\n",
            3,
        ),
    ],
)
def test_deep_nesting_is_refused_with_file_and_line(
    database: Database, tmp_path: Path, name: str, text: str, line: int
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    job = ingest(database, path)
    assert job.status == "done" and job.failed >= 1
    error = next(e for e in job.errors if "nested deeper" in e["message"])
    assert Path(error["item"]).name == name and error["line"] == line
    assert all("RecursionError" not in e["message"] for e in job.errors)


def test_structured_loaders_accept_ordinary_records_and_refuse_the_rest() -> None:
    assert load_yaml("a: [1, {b: 2}]\nc: &x 3\n") == {"a": [1, {"b": 2}], "c": 3}
    assert load_json('{"a": [1, {"b": "[[[["}]}') == {"a": [1, {"b": "[[[["}]}
    with pytest.raises(StructureError, match="aliases") as caught:
        load_yaml("a: &x 1\nb: *x\n")
    assert caught.value.line == 2
    load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    with pytest.raises(StructureError):
        load_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))


def test_a_manifest_with_aliases_names_its_file_and_line(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("defaults: &d {status: approved}\nfiles:\n  a.md: *d\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"manifest\.yaml: line 3: YAML aliases"):
        load_manifest(manifest)


def test_request_lists_are_deduplicated_then_capped() -> None:
    repeated = Opportunity.model_validate(
        {"stage": "negotiation", "competitors": ["DataForge"] * 1000}
    )
    assert repeated.competitors == ["DataForge"]
    spelled = Opportunity(stage="negotiation", competitors=[" DataForge", "dataforge", "Rival"])
    assert spelled.competitors == ["DataForge", "Rival"]
    with pytest.raises(ValidationError) as caught:
        Opportunity.model_validate(
            {"stage": "negotiation", "competitors": [f"rival-{i}" for i in range(1000)]}
        )
    assert caught.value.errors()[0]["loc"] == ("competitors",)
    with pytest.raises(ValidationError):
        SearchRequest.model_validate(
            {"query": "x", "filters": {"kind": [str(i) for i in range(21)]}}
        )
    with pytest.raises(ValidationError):
        Opportunity.model_validate({"stage": "negotiation", "products": ["x" * 201]})
    assert json.loads(repeated.model_dump_json())["competitors"] == ["DataForge"]
