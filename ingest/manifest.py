"""Per-file metadata for a folder: ``manifest.yaml`` beside the files.

```yaml
defaults: {status: approved, owner: "Sales Enablement", teams: []}
files:
  docs/battlecard-dataforge.md: {kind: battlecard, stages: [negotiation], teams: []}
  docs/price-list-2019.txt: {kind: pricing, status: retired, review_by: 2020-01-31}
```
Paths are relative to the manifest's folder. Fields: kind, status (draft, approved,
retired), owner, teams (empty = everyone), stages (curated stage keys), review_by.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from kms.core.errors import ConfigError
from kms.core.schemas import FileMeta
from kms.core.text.structured import StructureError, load_yaml, yaml_problem

MANIFEST_NAMES = ("manifest.yaml", "kms-manifest.yaml")
__all__ = ["MANIFEST_NAMES", "FileMeta", "Manifest", "find_manifest", "is_manifest"]


class Manifest(BaseModel):
    root: Path
    defaults: FileMeta = Field(default_factory=FileMeta)
    files: dict[str, FileMeta] = Field(default_factory=dict)

    def for_file(self, path: Path) -> FileMeta:
        try:
            rel = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return self.defaults
        return self.files.get(rel, FileMeta()).over(self.defaults)


def find_manifest(folder: Path) -> Manifest | None:
    """The manifest in ``folder`` or, failing that, in its parent (``kb/docs`` → ``kb``)."""
    for place in (folder, folder.parent):
        for name in MANIFEST_NAMES:
            candidate = place / name
            if candidate.is_file():
                return load_manifest(candidate)
    return None


def load_manifest(path: Path) -> Manifest:
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: line 1: expected a mapping (defaults, files)")
        return Manifest.model_validate({"root": path.parent, **data})
    except (yaml.YAMLError, StructureError) as exc:
        message, line = yaml_problem(exc)
        raise ConfigError(f"{path}: line {line}: {message}", {"line": line}) from exc
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: field '{field}': {err['msg']}") from exc


def is_manifest(path: Path) -> bool:
    return path.name in MANIFEST_NAMES
