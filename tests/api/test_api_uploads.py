"""Uploads: the size limit while streaming, type from content, zip bombs, per-file errors."""

from __future__ import annotations

import io
import socket
import zipfile

import psutil
import pytest
from apiserver import EMEA, UPLOAD_LIMIT, Server, wait_for_job

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("api-server")]

BOUNDARY = "kmsboundary7"


def raw_request(server: Server, head: str, body_chunks: list[bytes], chunked: bool) -> str:
    """Send a request by hand and read the answer without finishing the body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head.encode())
        try:
            for chunk in body_chunks:
                data = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk
                sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may stop reading once it has answered
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < _length(answer):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
        return answer.decode("latin-1")


def _length(answer: bytes) -> int:
    for line in answer.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def upload_head(server: Server, length: str | None) -> str:
    size = f"Content-Length: {length}" if length else "Transfer-Encoding: chunked"
    return (
        "POST /v1/ingest HTTP/1.1\r\nHost: localhost\r\n"
        f"X-API-Key: {server.keys['curator']}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{size}\r\n\r\n"
    )


def test_declared_length_over_the_limit_is_refused_before_reading(server: Server) -> None:
    answer = raw_request(server, upload_head(server, str(10**12)), [], chunked=False)
    assert answer.startswith("HTTP/1.1 413")
    assert '"too_large"' in answer


def test_streamed_file_over_the_limit_is_refused_while_streaming(server: Server) -> None:
    part = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    chunks = [part] + [b"a" * 65536] * (UPLOAD_LIMIT // 65536 + 8)  # never terminated
    answer = raw_request(server, upload_head(server, None), chunks, chunked=True)
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "big.txt" in answer
    staging = server.data_dir / "uploads" / ".staging"
    assert not staging.exists() or not any(staging.rglob("*.txt"))


def test_file_over_the_limit_is_413(server: Server) -> None:
    with server.client("curator") as curator:
        files = [("files", ("big.txt", b"a" * (UPLOAD_LIMIT + 1), "text/plain"))]
        response = curator.post("/v1/ingest", files=files)
    assert response.status_code == 413
    assert response.json()["error"]["detail"] == {"file": "big.txt", "limit": UPLOAD_LIMIT}


def test_a_program_renamed_pdf_is_refused(server: Server) -> None:
    program = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 4096
    with server.client("curator") as curator:
        response = curator.post("/v1/ingest", files=[("files", ("report.pdf", program))])
    assert response.status_code == 415
    error = response.json()["error"]
    assert error["code"] == "unsupported_type" and error["detail"] == {"file": "report.pdf"}


def zip_bomb(gigabytes: int = 1) -> bytes:
    """A .docx-shaped zip whose document part inflates to ``gigabytes`` GiB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(1024 * gigabytes):
                member.write(block)
    return buffer.getvalue()


def test_zip_bomb_is_refused_without_memory_blowup(server: Server) -> None:
    bomb = zip_bomb()
    assert len(bomb) < UPLOAD_LIMIT
    process = psutil.Process(server.process.pid)
    before = process.memory_info().rss
    with server.client("curator") as curator:
        response = curator.post("/v1/ingest", files=[("files", ("quarterly.docx", bomb))])
    after = process.memory_info().rss
    assert response.status_code == 422
    assert response.json()["error"]["detail"] == {"file": "quarterly.docx", "reason": "zip_bomb"}
    assert after - before < 64 * 1024 * 1024, f"RSS grew by {(after - before) >> 20} MiB"


def test_upload_with_metadata_and_a_bad_file(server: Server) -> None:
    good = b"# EMEA-only renewal note\n\nRenewal uplift rules for the okapi-lantern account.\n"
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<not-really-word")
    files = [
        ("files", ("renewal.md", good, "text/markdown")),
        ("files", ("broken.docx", broken.getvalue(), "application/octet-stream")),
    ]
    form = {"teams": "emea-enterprise", "kind": "playbook", "stages": "Renewal"}
    with server.client("curator") as curator:  # may not lock content away from itself
        refused = curator.post("/v1/ingest", files=files, data=form)
        assert refused.status_code == 422 and refused.json()["error"]["detail"]["field"] == "teams"
    with server.client("admin") as admin:
        accepted = admin.post("/v1/ingest", files=files, data=form)
        assert accepted.status_code == 202, accepted.text
        job = wait_for_job(admin, accepted.json()["job_id"])
    assert (job["status"], job["total"], job["added"], job["failed"]) == ("done", 2, 1, 1)
    assert job["errors"][0]["item"] == "broken.docx"
    assert str(server.data_dir) not in job["errors"][0]["message"]
    with server.client("admin") as admin:
        found = admin.get("/v1/assets", params={"q": "EMEA-only renewal note"}).json()["data"]
    asset = found[0]
    assert (asset["kind"], asset["teams"], asset["status"]) == ("playbook", [EMEA], "draft")
    query = {
        "query": "okapi-lantern renewal uplift rules",
        "log": False,
        "limit": 50,
        "filters": {"status": ["approved", "draft"]},  # it is a draft: asked for
    }
    with server.client("rep_emea") as emea, server.client("rep") as rep:
        mine = emea.post("/v1/search", json=query).json()["results"]
        theirs = rep.post("/v1/search", json=query).json()["results"]
        assert rep.get(f"/v1/assets/{asset['id']}").status_code == 404
    hit = next(r for r in mine if r["asset_id"] == asset["id"])
    assert "expansion" in hit["stages"]
    assert asset["id"] not in [r["asset_id"] for r in theirs]


def test_bad_form_fields_are_422(server: Server) -> None:
    with server.client("curator") as curator:
        files = [("files", ("a.txt", b"hello there", "text/plain"))]
        bad_stage = curator.post("/v1/ingest", files=files, data={"stages": "Stage 9"})
        bad_status = curator.post("/v1/ingest", files=files, data={"status": "published"})
        no_file = curator.post("/v1/ingest", files={"kind": (None, "pricing")})
    assert bad_stage.status_code == bad_status.status_code == 422
    assert "known" in bad_stage.json()["error"]["detail"]
    assert no_file.status_code == 422
