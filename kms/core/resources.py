"""Files that ship inside the packages (the sales process, migrations, pages, demo data).

Read through ``importlib.resources``, so a wheel installed in site-packages works exactly
like a source checkout. A missing resource is an error that names it, never a silent skip.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from kms.core.errors import InstallationError


def resource_path(package: str, *parts: str) -> Path:
    """The file or folder ``parts`` inside ``package``, which must exist on disk."""
    try:
        base = resources.files(package)
    except ModuleNotFoundError as exc:
        raise InstallationError(f"the package '{package}' is not installed") from exc
    target = base.joinpath(*parts)
    if not isinstance(target, Path) or not target.exists():
        where = "/".join((package, *parts))
        raise InstallationError(f"'{where}' is missing from the installation")
    return target
