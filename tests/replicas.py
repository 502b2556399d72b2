"""API replicas for the tests: ``kms serve`` subprocesses on one database.

Each replica gets its own data dir (as on its own machine: its own index replica and
logs) unless a test shares one, the database given by URL (empty: the data dir's SQLite
file), the shared embedding cache and the development admin key.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from kms.cluster.postgres import free_port

REPO = Path(__file__).resolve().parents[1]
EMBED_CACHE = REPO / ".cache" / "test-embeddings"

ADMIN_KEY = "kms_devtest_" + "c" * 43
READY_TIMEOUT_S = 600.0


@dataclass
class Replica:
    name: str
    url: str
    data_dir: Path
    env: dict[str, str]
    log_file: Path
    process: subprocess.Popen[bytes]

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-API-Key": ADMIN_KEY}, timeout=60)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_file.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def health(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"{self.url}/health", timeout=10).json()
        return body


def replica_env(data_dir: Path, db_url: str, name: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "KMS_DATA_DIR": str(data_dir),
        "KMS_DATABASE_URL": db_url,
        "KMS_REPLICA_ID": name,
        "KMS_EMBED_CACHE_DIR": str(EMBED_CACHE),
        "KMS_DEV_ADMIN_KEY": ADMIN_KEY,
        "PYTHONPATH": str(REPO),
        **extra,
    }


def start_replica(
    data_dir: Path, db_url: str, name: str, port: int | None = None, **extra: str
) -> Replica:
    """Start ``kms serve`` (not waiting for it: see ``wait_ready``)."""
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = replica_env(data_dir, db_url, name, **extra)
    log_file = data_dir.parent / f"{data_dir.name}-{name}.log"
    command = [sys.executable, "-m", "kms.cli", "serve", "--port", str(port)]
    with log_file.open("ab") as log:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
    return Replica(name, f"http://127.0.0.1:{port}", data_dir, env, log_file, process)


def wait_ready(replica: Replica, timeout: float = READY_TIMEOUT_S) -> float:
    """Seconds until ``/ready`` answers 200; fails with the log if the process ends."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if replica.process.poll() is not None:
            raise AssertionError(f"replica {replica.name} exited:\n{replica.log_tail()}")
        try:
            if httpx.get(f"{replica.url}/ready", timeout=5).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"replica {replica.name} not ready in time:\n{replica.log_tail()}")


def stop(replica: Replica) -> int:
    """SIGTERM (a clean stop: the replica saves its snapshot); SIGKILL after 30 s. Returns
    0 for a clean stop (uvicorn re-raises SIGTERM after its shutdown: -15 is one too)."""
    if replica.process.poll() is None:
        replica.process.send_signal(signal.SIGTERM)
        try:
            replica.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            replica.process.kill()
            replica.process.wait()
    code = replica.process.returncode
    return 0 if code == -signal.SIGTERM else code


def kill(replica: Replica) -> None:
    replica.process.kill()  # SIGKILL: no chance to save anything
    replica.process.wait()


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "kms.cli", *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)


def hits(replica: Replica, query: str) -> list[dict[str, Any]]:
    with replica.client() as client:
        response = client.post("/v1/search", json={"query": query, "limit": 20, "log": False})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def wait_found(
    replica: Replica, query: str, title: str, timeout: float = 30.0
) -> tuple[float, dict[str, Any]]:
    """Poll until a search on ``replica`` finds a chunk of ``title`` through both the
    keyword and a vector index (its ``why`` names bm25 and a model); (seconds, hit)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        for hit in hits(replica, query):
            signals = {why["signal"] for why in hit["why"]}
            if hit["title"] == title and "bm25" in signals and signals & {"minilm", "use"}:
                return time.monotonic() - started, hit
        time.sleep(0.05)
    raise AssertionError(f"'{title}' not found on {replica.name} in {timeout} s")
