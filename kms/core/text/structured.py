"""YAML and JSON from files we do not trust, bounded: no alias expansion, no deep nesting.

- YAML aliases (``*name``) are refused where they appear: 375 bytes of nested aliases
  expand to megabytes (the "billion laughs"), and records never need them.
- Nesting deeper than ``MAX_DEPTH`` (lists and mappings inside each other) is refused
  with the line where it goes too deep, before a recursive parser could exhaust the
  stack — JSON is scanned in one linear pass first, YAML is counted while composing.

Both raise :class:`StructureError` (a ``ValueError`` with the 1-based ``line``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

MAX_DEPTH = 32  # records, maps and manifests need 5 or 6
_JSON_SKIP = re.compile(r'"(?:[^"\\\n]|\\.)*"|[\[\]{}\n]')


class StructureError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.message = message
        self.line = line


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and counts nesting while it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent):
            raise StructureError(f"YAML aliases (*{event.anchor}) are not accepted", line)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise StructureError(f"nested deeper than {MAX_DEPTH} levels", line)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose_yaml(text: str) -> yaml.Node | None:
    """The node tree of one YAML document (lines for error messages)."""
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def load_yaml_nodes(text: str) -> tuple[Any, yaml.Node | None]:
    """The value of one YAML document and its node tree, composed once."""
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
        return value, node
    finally:
        loader.dispose()


def load_yaml(text: str) -> Any:
    return load_yaml_nodes(text)[0]


def check_json_depth(text: str, first_line: int = 1) -> None:
    """Refuse JSON nested deeper than ``MAX_DEPTH`` (one linear pass; strings skipped)."""
    depth, line = 0, first_line
    for match in _JSON_SKIP.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise StructureError(f"nested deeper than {MAX_DEPTH} levels", line)
        elif token in "]}":
            depth -= 1


def load_json(text: str, first_line: int = 1) -> Any:
    """``json.loads`` after the depth check; ``json.JSONDecodeError`` as usual otherwise."""
    check_json_depth(text, first_line)
    return json.loads(text)


def yaml_problem(exc: Exception) -> tuple[str, int | None]:
    """A YAML (or structure) error as (message, 1-based line)."""
    if isinstance(exc, StructureError):
        return exc.message, exc.line
    mark = getattr(exc, "problem_mark", None)
    return f"not valid YAML: {exc}", (mark.line + 1 if mark else None)
