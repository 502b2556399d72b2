"""Upload checks as plain functions: file names, zip central-directory limits, the stager."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from api.uploads import UploadStager, safe_name
from kms.core.config import Settings
from kms.core.errors import InputError, TooLarge
from kms.services.uploads import check_zip


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\方案.docx", "方案.docx"),
        ("..", "upload"),
        ("manifest.yaml", "uploaded-manifest.yaml"),
        ("a<b>|c?.md", "a_b_c_.md"),
        ("x" * 300 + ".pptx", "x" * 136 + ".pptx"),
    ],
)
def test_safe_name(raw: str, expected: str) -> None:
    assert safe_name(raw) == expected


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_checks(tmp_path: Path) -> None:
    ok = make_zip(tmp_path / "ok.docx", {"word/document.xml": b"<w:p>hello</w:p>" * 1000})
    check_zip(ok, "ok.docx", limit=10 << 20)
    dense = make_zip(tmp_path / "dense.docx", {"word/document.xml": b"\0" * (4 << 20)})
    with pytest.raises(InputError, match="compressed suspiciously well"):
        check_zip(dense, "dense.docx", limit=10 << 20)
    with pytest.raises(InputError, match="too large to parse"):
        check_zip(dense, "dense.docx", limit=100_000)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(InputError, match="damaged"):
        check_zip(broken, "broken.docx", limit=10 << 20)


def test_stager_stops_at_the_limit_and_cleans_up(tmp_path: Path) -> None:
    stager = UploadStager(Settings(data_dir=tmp_path, upload_max_bytes=10))
    stager.begin_file("a.txt")
    stager.write(b"0123456789")
    with pytest.raises(TooLarge):
        stager.write(b"!")
    stager.discard()
    assert not stager.root.exists()


def test_stager_renames_duplicates(tmp_path: Path) -> None:
    stager = UploadStager(Settings(data_dir=tmp_path))
    for _ in range(3):
        stager.begin_file("notes.md")
        stager.end_file()
    assert [f.name for f in stager.files] == ["notes.md", "notes-2.md", "notes-3.md"]
    stager.discard()
