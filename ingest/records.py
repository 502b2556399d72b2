"""Reading structured records (CSV, JSON, JSONL, YAML) with their line numbers.

Win/loss notes and problem–solution maps both arrive as rows. Every row comes back
with the line it started on so that an error can name ``file:line``; a malformed row
never stops the rest of the file. JSON and YAML are read bounded
(``kms.core.text.structured``): YAML aliases and nesting deeper than ``MAX_DEPTH`` are
refused with the line where they appear.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from ingest.types import ItemError
from kms.core.text.structured import StructureError, load_json, load_yaml_nodes, yaml_problem

Row = tuple[int, dict[str, Any]]


def read_rows(path: Path, text: str, list_key: str) -> Iterator[Row | ItemError]:
    """Rows of a CSV, JSON (a list, or an object holding ``list_key``), JSONL or YAML file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _csv_rows(path, text)
    elif suffix == ".jsonl":
        yield from _jsonl_rows(path, text)
    elif suffix == ".json":
        yield from _json_rows(path, text, list_key)
    elif suffix in {".yaml", ".yml"}:
        yield from _yaml_rows(path, text, list_key)
    else:
        yield ItemError(str(path), f"records must be CSV, JSON, JSONL or YAML, not '{suffix}'")


def unreadable_records(path: Path, text: str) -> ItemError | None:
    """The error of a JSON or YAML file that cannot be read as a whole, else None."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        parsed = _parse_json(path, text)
    elif suffix in {".yaml", ".yml"}:
        parsed = _parse_yaml(path, text)
    else:
        return None
    return parsed if isinstance(parsed, ItemError) else None


def _parse_json(path: Path, text: str) -> Any | ItemError:
    try:
        return load_json(text)
    except json.JSONDecodeError as exc:
        return ItemError(str(path), f"not valid JSON: {exc.msg}", line=exc.lineno)
    except StructureError as exc:
        return ItemError(str(path), exc.message, line=exc.line)


def _parse_yaml(path: Path, text: str) -> tuple[Any, yaml.Node | None] | ItemError:
    try:
        return load_yaml_nodes(text)
    except (yaml.YAMLError, StructureError) as exc:
        message, line = yaml_problem(exc)
        return ItemError(str(path), message, line=line)


def _csv_rows(path: Path, text: str) -> Iterator[Row | ItemError]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        yield ItemError(str(path), "CSV has no header row", line=1)
        return
    for row in reader:
        line = reader.line_num
        if None in row:
            yield ItemError(str(path), "row has more cells than the header", line=line)
            continue
        yield line, {k.strip(): (v or "").strip() for k, v in row.items() if k}


def _jsonl_rows(path: Path, text: str) -> Iterator[Row | ItemError]:
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = load_json(raw, number)
        except json.JSONDecodeError as exc:
            yield ItemError(str(path), f"not valid JSON: {exc.msg}", line=number)
            continue
        except StructureError as exc:
            yield ItemError(str(path), exc.message, line=exc.line)
            continue
        if not isinstance(value, dict):
            yield ItemError(str(path), "each line must be a JSON object", line=number)
            continue
        yield number, value


def _json_rows(path: Path, text: str, list_key: str) -> Iterator[Row | ItemError]:
    value = _parse_json(path, text)
    if isinstance(value, ItemError):
        yield value
        return
    items = value.get(list_key, []) if isinstance(value, dict) else value
    if not isinstance(items, list):
        yield ItemError(str(path), f"expected a list or an object with '{list_key}'", line=1)
        return
    lines = _json_item_lines(text, len(items))
    for index, item in enumerate(items):
        line = lines[index] if index < len(lines) else None
        if not isinstance(item, dict):
            yield ItemError(str(path), f"item {index + 1} is not an object", line=line)
            continue
        yield (line or 0), item


def _json_item_lines(text: str, count: int) -> list[int]:
    """Best-effort start line of each top-level list item (pretty-printed JSON)."""
    decoder = json.JSONDecoder()
    start = text.find("[", text.find(":") if text.lstrip().startswith("{") else 0)
    lines: list[int] = []
    pos = start + 1
    while len(lines) < count and 0 < pos < len(text):
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        try:
            _, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            break
        lines.append(text.count("\n", 0, pos) + 1)
        pos = end
    return lines


def _yaml_rows(path: Path, text: str, list_key: str) -> Iterator[Row | ItemError]:
    parsed = _parse_yaml(path, text)
    if isinstance(parsed, ItemError):
        yield parsed
        return
    value, root = parsed
    items = value.get(list_key, []) if isinstance(value, dict) else value
    nodes = _yaml_item_nodes(root, list_key)
    if not isinstance(items, list):
        yield ItemError(str(path), f"expected a list or a mapping with '{list_key}'", line=1)
        return
    for index, item in enumerate(items):
        line = nodes[index] if index < len(nodes) else 0
        if not isinstance(item, dict):
            yield ItemError(str(path), f"item {index + 1} is not a mapping", line=line)
            continue
        yield line, item


def _yaml_item_nodes(root: yaml.Node | None, list_key: str) -> list[int]:
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == list_key and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    if isinstance(root, yaml.SequenceNode):
        return [item.start_mark.line + 1 for item in root.value]
    return []


def as_list(value: Any) -> list[str]:
    """A list from a list, or from a string separated by ';' (or the full-width '；')."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value)
    text = text.replace("；", ";")
    return [part.strip() for part in text.split(";") if part.strip()]
