"""What every ``kms`` command shares: the consoles, the services, one refusal rule."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from kms.core.config import get_settings

if TYPE_CHECKING:
    from kms.services.app import Services

console = Console()
err = Console(stderr=True)


def services_from_env() -> Services:
    from kms.services.app import Services

    return Services(get_settings())


@contextmanager
def refusals() -> Iterator[None]:
    """Bad input (a reserved team name, an invalid manifest...) as one line and exit code 2."""
    from pydantic import ValidationError

    from kms.core.errors import KMSError

    try:
        yield
    except KMSError as exc:
        field = (exc.detail or {}).get("field") if isinstance(exc.detail, dict) else None
        where = f" (field {field})" if field else ""
        err.print(f"[red]error[/red] {escape(exc.message)}{where}", highlight=False)
        raise typer.Exit(code=2) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        err.print(f"[red]error[/red] field '{where}': {escape(first['msg'])}", highlight=False)
        raise typer.Exit(code=2) from exc


DISK_ERRORS = {errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM}


@contextmanager
def database_writes() -> Iterator[None]:
    """A database or data folder that refuses a write (a full or read-only disk, no
    permission) as one line, exit 1."""
    from sqlalchemy.exc import OperationalError

    try:
        yield
    except OperationalError as exc:
        err.print(
            f"[red]error[/red] the database refused a write ({escape(str(exc.orig))}): "
            "the files committed before it are kept; make room and run the same command "
            "again to resume",
            highlight=False,
        )
        raise typer.Exit(code=1) from exc
    except OSError as exc:
        if exc.errno not in DISK_ERRORS:
            raise
        where = f" {exc.filename}" if exc.filename else ""
        err.print(
            f"[red]error[/red] cannot write{escape(where)}: {escape(exc.strerror or str(exc))}. "
            "What was committed before it is kept; fix the disk and run the same command again",
            highlight=False,
        )
        raise typer.Exit(code=1) from exc
