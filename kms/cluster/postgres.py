"""A PostgreSQL server of our own, in a folder we choose: for ``kms cluster`` and the tests.

It runs Debian's PostgreSQL server (package ``postgresql-15``, which the Makefile installs
when it is missing) from its binaries: ``initdb`` into ``<root>/data``, then ``pg_ctl``
on 127.0.0.1 and a free port, with its socket in ``<root>``. PostgreSQL refuses to run as
root, so as root the server runs as the ``postgres`` system user that the Debian package
creates. Nothing here depends on a server left running: each ``LocalPostgres`` starts its
own and stops it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

from kms.core.errors import InstallationError

DATABASE = "kms"
USER = "kms"


def find_bin_dir() -> Path:
    """The newest installed server's binaries (``/usr/lib/postgresql/<major>/bin``)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not found:
        raise InstallationError(
            "no PostgreSQL server found in /usr/lib/postgresql (install Debian's postgresql-15)"
        )
    return found[-1].parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalPostgres:
    def __init__(self, root: Path, port: int | None = None) -> None:
        self.root = root.resolve()
        self.data = self.root / "data"
        self.port = port or free_port()
        self.bin = find_bin_dir()
        self._as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        """The SQLAlchemy URL (psycopg 3)."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    @property
    def dsn(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip() or result.stdout}")

    def start(self) -> LocalPostgres:
        """Create the cluster on first use, start it, and create the database."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self._as_postgres:
            self._check_reachable()
            shutil.chown(self.root, "postgres", "postgres")
        fresh = not (self.data / "PG_VERSION").exists()
        if fresh:
            self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8")
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200 -c fsync=on"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "120", "start")  # fmt: skip
        if fresh:
            self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, DATABASE)
        return self

    def _check_reachable(self) -> None:
        """The postgres user must be able to enter every folder above ours."""
        for folder in self.root.parents:
            if not folder.stat().st_mode & 0o001:
                raise InstallationError(
                    f"PostgreSQL runs as the postgres user, who cannot enter {folder} "
                    f"(mode {oct(folder.stat().st_mode & 0o777)}): put {self.root.name} "
                    "in a folder others may enter"
                )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
