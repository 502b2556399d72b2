"""The API test server: ``uvicorn --factory api.app:create_app`` in a subprocess.

It listens on a free port with its own data directory and the shared embedding cache
(``.cache/test-embeddings``), so only the first run encodes the demo with the real models.
``cli_key`` creates keys with ``kms keys create`` and ``cli_user`` people with
``kms users add``, against the same data directory; ``signed_in`` is a client holding a
person's session (the cookie, and the CSRF token a page would send).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
EMBED_CACHE = REPO / ".cache" / "test-embeddings"
ADMIN_KEY = "kms_devtest_" + "a" * 43
UPLOAD_LIMIT = 2 * 1024 * 1024
CRM_ORIGIN = "https://crm.example.com"
CANARY = "CANARY-EMEA-7Q2X"
EMEA = "emea-enterprise"
WIDGET_SECRET = "kms-tests-widget-secret-" + "x7Q2p9Lk" * 4
PASSWORD = "correct horse battery staple"
START_TIMEOUT_S = 900  # the first run encodes the demo with the real models


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    port: int
    data_dir: Path
    log_file: Path
    process: subprocess.Popen[bytes]
    keys: dict[str, str] = field(default_factory=dict)

    def client(self, who: str | None = None, **kwargs: object) -> httpx.Client:
        headers = {"X-API-Key": self.keys[who]} if who else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120, **kwargs)  # type: ignore[arg-type]

    def log_lines(self) -> list[str]:
        return self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()


def start_server(
    data_dir: Path, extra_env: dict[str, str | None], port: int | None = None, name: str = ""
) -> Server:
    """A server on ``data_dir`` (``name``: a second one on the same data, with its own log)."""
    port = port or free_port()
    env = {
        **os.environ,
        "KMS_DATA_DIR": str(data_dir),
        "KMS_EMBED_CACHE_DIR": str(EMBED_CACHE),
        "KMS_DEV_ADMIN_KEY": ADMIN_KEY,
        "KMS_WIDGET_SECRET": WIDGET_SECRET,
        **extra_env,
    }
    env = {k: v for k, v in env.items() if v is not None}
    data_dir.mkdir(parents=True, exist_ok=True)
    log_file = data_dir.parent / f"{data_dir.name}-{name or 'server'}.log"
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    with log_file.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
    server = Server(f"http://127.0.0.1:{port}", port, data_dir, log_file, process)
    server.keys["admin"] = ADMIN_KEY
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited:\n" + "\n".join(server.log_lines()[-40:]))
        try:
            if httpx.get(f"{server.url}/ready", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    stop_server(server)
    raise RuntimeError("server not ready in time:\n" + "\n".join(server.log_lines()[-40:]))


def stop_server(server: Server) -> None:
    stop_process(server.process)


def stop_process(process: subprocess.Popen[Any]) -> None:
    """SIGTERM, and SIGKILL if it has not ended 20 s later."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cli_key(data_dir: Path, role: str, teams: list[str], name: str) -> str:
    """``kms keys create``; the key is the last line printed."""
    command = [sys.executable, "-m", "kms.cli", "keys", "create", "--role", role, "--name", name]
    for team in teams:
        command += ["--team", team]
    env = {**os.environ, "KMS_DATA_DIR": str(data_dir)}
    out = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def cli_user(
    data_dir: Path, name: str, role: str, teams: list[str], password: str = PASSWORD
) -> None:
    """``kms users add`` (the password on standard input)."""
    command = [sys.executable, "-m", "kms.cli", "users", "add", name, "--role", role]
    for team in teams:
        command += ["--team", team]
    command.append("--password-stdin")
    env = {**os.environ, "KMS_DATA_DIR": str(data_dir)}
    subprocess.run(
        command,
        cwd=REPO,
        env=env,
        input=password + "\n",
        capture_output=True,
        text=True,
        check=True,
    )


@contextmanager
def signed_in(server: Server, name: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    """A client signed in as ``name``: the session cookie, and the CSRF token on changes."""
    with httpx.Client(base_url=server.url, timeout=120) as client:
        response = client.post("/v1/auth/login", json={"name": name, "password": password})
        response.raise_for_status()
        client.headers["X-CSRF-Token"] = response.json()["csrf"]
        yield client


def wait_for_job(client: httpx.Client, job_id: int, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish")
