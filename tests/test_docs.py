"""Docs are code: the README's configuration table is the one the code generates."""

from __future__ import annotations

from pathlib import Path

from kms.core.config import Settings
from kms.core.settings_doc import settings_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_configuration_table_matches_settings() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- settings:start -->") + len("<!-- settings:start -->")
    end = text.index("<!-- settings:end -->")
    assert text[start:end].strip() == settings_markdown().strip(), (
        "README configuration table is stale: paste `kms config --markdown` between the markers"
    )


def test_every_setting_has_help_text_and_a_default() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"KMS_{name.upper()} has no help text"
        assert not field.is_required(), f"KMS_{name.upper()} has no default"
