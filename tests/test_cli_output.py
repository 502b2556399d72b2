"""What ``kms search`` prints: a document's own text as written, matches highlighted."""

from __future__ import annotations

from rich.console import Console

from index.snippets import snippet as make_snippet
from kms.cli import terminal_snippet


def rendered(markup: str) -> str:
    console = Console(width=200, color_system=None, record=True)
    console.print(markup, highlight=False)
    return console.export_text().strip()


def test_a_snippet_prints_its_text_as_written_with_the_match_marked() -> None:
    text = 'The customer said "10% off & we sign today" [/x] — 客户说"价格太高"'
    snippet = make_snippet(text, "customer sign 价格")
    assert "&quot;" in snippet and "<mark>" in snippet  # the web's form of it
    markup = terminal_snippet(snippet)
    assert "[reverse]" in markup
    shown = rendered(markup)
    assert '"10% off & we sign today" [/x]' in shown
    assert '客户说"价格太高"' in shown
    assert "&quot;" not in shown and "<mark>" not in shown
