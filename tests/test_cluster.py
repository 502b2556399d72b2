"""``kms cluster``: PostgreSQL, a worker, two API replicas and HAProxy started by one
command; a search through the proxy's URL is answered, the proxy spreads requests over both
replicas, an upload through it is run by the worker and found, and SIGTERM stops
everything."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from replicas import EMBED_CACHE, REPO

from kms.cluster.launch import DEV_KEY
from kms.cluster.postgres import free_port

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres")]
START_TIMEOUT_S = 900.0


def wait_for_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError("kms cluster ended:\n" + "".join(seen))
        seen.append(line)
        if "KMS cluster ready at " in line:
            return line.split("ready at ")[1].split()[0]
    raise AssertionError("kms cluster not ready in time:\n" + "".join(seen))


def upload_through(client: httpx.Client) -> int:
    text = b"Quillmarsh rollout plan: pilot in two regions, then every team by March."
    files = [("files", ("quillmarsh-rollout.txt", text, "text/plain"))]
    response = client.post("/v1/ingest", files=files, data={"status": "approved"})
    assert response.status_code == 202, response.text
    return int(response.json()["job_id"])


def wait_for_job(client: httpx.Client, job_id: int) -> dict[str, object]:
    """Until the job ends (a generous bound: the worker's first job loads the models)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        job: dict[str, object] = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not end")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_kms_cluster_serves_through_haproxy_and_stops_on_sigterm() -> None:
    root = Path(tempfile.mkdtemp(prefix="kms-test-cluster-"))
    os.chmod(root, 0o755)  # PostgreSQL runs as the postgres user, who must reach its folder
    port = free_port()
    env = {**os.environ, "KMS_EMBED_CACHE_DIR": str(EMBED_CACHE), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "kms.cli", "cluster", "--replicas", "2", "--workers", "1"]
    command += ["--port", str(port), "--root", str(root)]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        url = wait_for_url(process)
        assert url == f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, headers={"X-API-Key": DEV_KEY}, timeout=60) as client:
            for query in ["客户说价格太高怎么办", "how do we beat DataForge"] * 2:
                response = client.post("/v1/search", json={"query": query, "log": False})
                assert response.status_code == 200, response.text
                assert response.json()["results"]
            for name in ("replica-1", "replica-2"):  # round robin: each answered a search
                assert '"path": "/v1/search"' in (root / "logs" / f"{name}.log").read_text()
            job = wait_for_job(client, upload_through(client))
            assert job["status"] == "done" and job["added"] == 1, job
            assert "worker: procrastinate" in (root / "logs" / "worker-1.log").read_text()

            def found_on_every_replica() -> bool:  # the proxy alternates: ask each replica twice
                for _ in range(4):
                    found = client.post("/v1/search", json={"query": "Quillmarsh rollout"})
                    if not any("Quillmarsh" in r["snippet"] for r in found.json()["results"]):
                        return False
                return True

            deadline = time.monotonic() + 60
            while not found_on_every_replica():
                assert time.monotonic() < deadline, "the upload was not found on both replicas"
                time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=120)
    try:
        assert code == 0
        assert not port_open(port)
        assert not (root / "pg" / "data" / "postmaster.pid").exists()
    finally:
        shutil.rmtree(root, ignore_errors=True)
