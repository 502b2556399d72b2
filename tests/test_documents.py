"""Document parsing on real files of every format: headings, pages, bad input, offline.

The files are built once per module (``fixtures_docs``); the first PDF parse pays 2–6 s of
imports, so the module stays on one xdist worker.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from fixtures_docs import FORMATS, HEADINGS, build_bad_inputs, build_documents, write_heavy_docx

from ingest.chunking import chunk_document
from ingest.documents import looks_like_heading, parse_document
from ingest.filetypes import FileKind, detect_type
from ingest.types import ParsedDocument
from kms.core.config import Settings
from kms.core.errors import ParseError, TooLarge, UnsupportedType

pytestmark = pytest.mark.xdist_group("documents")

ENGLISH_HEADINGS = [heading.split()[0] for heading in HEADINGS]
LEVELLED = ("docx", "html", "md", "eml")  # formats whose headings carry a level
SETTINGS = Settings()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("docs")
    good = build_documents(root / "good")
    return {**good, **build_bad_inputs(root / "bad", good)}


@pytest.fixture(scope="module")
def parsed(files: dict[str, Path]) -> dict[str, ParsedDocument]:
    return {key: parse_document(files[key], SETTINGS) for key in FORMATS}


def headings(doc: ParsedDocument) -> list[str]:
    return [element.text for element in doc.elements if element.category == "Title"]


def body(doc: ParsedDocument) -> str:
    return "\n".join(element.text for element in doc.elements)


@pytest.mark.parametrize("key", FORMATS)
def test_every_format_parses_with_headings_in_both_languages(
    parsed: dict[str, ParsedDocument], key: str
) -> None:
    doc = parsed[key]
    expected = ENGLISH_HEADINGS if key == "pdf" else HEADINGS
    if key == "pptx":  # one slide per top-level section
        expected = [HEADINGS[0], HEADINGS[2]]
    if key == "xlsx":  # sheet names
        expected = ["Prices 价格", "Discounts 折扣"]
    assert headings(doc) == expected
    assert "100" in body(doc) and re.search(r"[A-Za-z]{4}", body(doc))
    if key != "pdf":
        assert re.search(r"[\u4e00-\u9fff]{2}", body(doc))


@pytest.mark.parametrize("key", LEVELLED)
def test_heading_levels_come_from_the_markup(parsed: dict[str, ParsedDocument], key: str) -> None:
    levels = [e.heading_level for e in parsed[key].elements if e.category == "Title"]
    assert levels == [1, 2, 1]


@pytest.mark.parametrize(
    ("key", "pages"),
    [("pdf", [1, 1, 2]), ("pdf_zh", [1, 1, 2]), ("docx", [1, 1, 2]), ("pptx", [1, 2])],
)
def test_headings_keep_their_page_or_slide(
    parsed: dict[str, ParsedDocument], key: str, pages: list[int]
) -> None:
    doc = parsed[key]
    assert [e.page for e in doc.elements if e.category == "Title"] == pages
    assert doc.meta["pages"] == 2


def test_chinese_pdf_text_is_extracted(parsed: dict[str, ParsedDocument]) -> None:
    text = body(parsed["pdf_zh"])
    assert "我们的标价是每个席位每年100美元。" in text
    assert "Acme价格更低，但部署更慢。" in text


def test_slide_notes_follow_their_slide(parsed: dict[str, ParsedDocument]) -> None:
    elements = parsed["pptx"].elements
    first_slide = [e.text for e in elements if e.page == 1]
    assert first_slide[0] == HEADINGS[0]
    assert first_slide[-1].startswith("Speaker notes 讲者备注")


@pytest.mark.parametrize(
    ("key", "title", "mime"),
    [
        ("docx", "Pricing 定价", "wordprocessingml"),
        ("pdf", "Pricing", "application/pdf"),
        ("eml", "Pricing update 价格更新", "message/rfc822"),
        ("xlsx", "Pricing guide", "spreadsheetml"),
        ("html", "Pricing 定价", "text/html"),
        ("md", "Pricing 定价", "text/markdown"),
        ("txt", "Pricing 定价", "text/plain"),
    ],
)
def test_title_and_mime(parsed: dict[str, ParsedDocument], key: str, title: str, mime: str) -> None:
    doc = parsed[key]
    expected = "prices" if key == "xlsx" else title  # a workbook without a title: the stem
    assert doc.title == expected
    assert mime in doc.mime


@pytest.mark.parametrize("key", ["docx", "md", "xlsx"])
def test_tables_are_kept_one_row_a_line(parsed: dict[str, ParsedDocument], key: str) -> None:
    tables = [e.text for e in parsed[key].elements if e.category == "Table"]
    assert tables, key
    assert "Pro | 100 USD" in tables[0].splitlines() or "50 | 10%" in tables[-1].splitlines()


@pytest.mark.parametrize("key", FORMATS)
def test_chunks_follow_the_headings(parsed: dict[str, ParsedDocument], key: str) -> None:
    chunks = chunk_document(parsed[key], SETTINGS.chunk_chars, SETTINGS.chunk_overlap_chars)
    sections = [chunk.section for chunk in chunks]
    assert [chunk.ordinal for chunk in chunks] == list(range(len(chunks)))
    if key in LEVELLED:
        assert sections == [HEADINGS[0], f"{HEADINGS[0]} > {HEADINGS[1]}", HEADINGS[2]]
    elif key in ("pdf", "pdf_zh", "txt"):
        names = ENGLISH_HEADINGS if key == "pdf" else HEADINGS
        assert sections == names
        assert [c.page for c in chunks] == ([1, 1, 2] if key.startswith("pdf") else [None] * 3)
    for chunk in chunks:  # every section's first chunk opens with its own heading
        if chunk.section:
            assert chunk.text.startswith(chunk.section.split(" > ")[-1])


BAD_INPUTS = [
    ("empty", ParseError, "empty", "0 bytes"),
    ("blank_pdf", ParseError, "empty", "no text"),
    ("whitespace_txt", ParseError, "empty", "no text"),
    ("truncated_docx", ParseError, "corrupt", "corrupt"),
    ("garbage_pdf", ParseError, "corrupt", "corrupt"),
    ("encrypted_pdf", ParseError, "encrypted", "encrypted"),
    ("encrypted_docx", ParseError, "encrypted", "encrypted"),
    ("legacy_doc", UnsupportedType, None, "legacy"),
    ("png", UnsupportedType, None, "PNG"),
    ("random", UnsupportedType, None, "unsupported"),
    ("exe_as_docx", UnsupportedType, None, "program"),
    ("zip_as_docx", UnsupportedType, None, "zip"),
]


@pytest.mark.parametrize(("key", "error", "reason", "words"), BAD_INPUTS)
def test_bad_input_is_refused_with_the_file_named(
    files: dict[str, Path], key: str, error: type[Exception], reason: str | None, words: str
) -> None:
    with pytest.raises(error) as caught:
        parse_document(files[key], SETTINGS)
    message = str(caught.value)
    assert message.startswith(files[key].name + ":")
    assert words in message
    if reason is not None:
        assert caught.value.detail["reason"] == reason  # type: ignore[attr-defined]


def test_oversized_file_is_refused_before_parsing(files: dict[str, Path]) -> None:
    small = Settings(upload_max_bytes=1000)
    with pytest.raises(TooLarge, match=r"^guide\.docx: .* over the 1000-byte upload limit"):
        parse_document(files["docx"], small)


def test_pdf_with_only_an_owner_password_is_readable(
    files: dict[str, Path], tmp_path: Path
) -> None:
    import pikepdf

    target = tmp_path / "owner-only.pdf"
    with pikepdf.open(files["pdf"]) as pdf:
        pdf.save(target, encryption=pikepdf.Encryption(owner="owner", user=""))
    assert headings(parse_document(target, SETTINGS)) == ENGLISH_HEADINGS


def test_content_decides_not_the_extension(files: dict[str, Path], tmp_path: Path) -> None:
    spoofed = shutil.copy(files["docx"], tmp_path / "really-a-word-file.pdf")
    doc = parse_document(Path(spoofed), SETTINGS)
    assert doc.meta["kind"] == "docx" and headings(doc) == HEADINGS
    html_as_txt = shutil.copy(files["html"], tmp_path / "page.txt")
    assert detect_type(Path(html_as_txt)).kind is FileKind.HTML
    mail_as_md = shutil.copy(files["eml"], tmp_path / "mail.md")
    assert detect_type(Path(mail_as_md)).kind is FileKind.EML


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("notes.md", "# 标题\n\ntext", FileKind.MD),
        ("notes.txt", "# 标题\n\ntext", FileKind.TXT),
        ("notes", "plain words 普通文字", FileKind.TXT),
        ("deals.json", '[{"deal": "A"}]', FileKind.JSON),
        ("deals.data", '{"deal": "A"}\n{"deal": "B"}\n', FileKind.JSON),
        ("map.yaml", "problems:\n  - key: a\n", FileKind.YAML),
        ("deals.csv", "deal,outcome\nA,won\n", FileKind.CSV),
        ("page.htm", "<!-- x -->\n<HTML><body>hi</body></HTML>", FileKind.HTML),
        ("fragment.html", "<h1>定价</h1><p>Price</p>", FileKind.HTML),
        ("fragment.txt", "<h1>定价</h1><p>Price</p>", FileKind.TXT),
    ],
)
def test_detect_type_of_text_files(tmp_path: Path, name: str, content: str, kind: FileKind) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert detect_type(path).kind is kind


def test_structured_data_is_sent_to_its_own_pipeline(tmp_path: Path) -> None:
    path = tmp_path / "deals.csv"
    path.write_text("deal,outcome\nA,won\n", encoding="utf-8")
    with pytest.raises(UnsupportedType, match="win/loss"):
        parse_document(path, SETTINGS)


@pytest.mark.parametrize(
    ("encoding", "heading", "sentence"),
    [
        ("gb18030", "报价说明", "我们的标价是每个席位每年100美元。"),
        ("cp1252", "Café pricing", "The résumé of the deal is attached."),
        ("big5", "報價說明", "我們的標價是每個席位每年100美元。"),
    ],
)
def test_legacy_text_encodings_are_decoded(
    tmp_path: Path, encoding: str, heading: str, sentence: str
) -> None:
    path = tmp_path / "legacy-encoding.txt"
    path.write_bytes(f"{heading}\n\n{sentence}\n".encode(encoding))
    doc = parse_document(path, SETTINGS)
    assert headings(doc) == [heading]
    assert sentence in body(doc)


def parse_children() -> list[psutil.Process]:
    """Processes forked by this process's parse fork server (each parse is one)."""
    servers = [c for c in psutil.Process().children() if "forkserver" in " ".join(c.cmdline())]
    return [child for server in servers for child in server.children(recursive=True)]


@pytest.fixture(scope="module")
def heavy_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_heavy_docx(tmp_path_factory.mktemp("hostile") / "heavy.docx")


@pytest.mark.parametrize(
    ("limits", "reason", "message"),
    [
        ({"parse_timeout_s": 3}, "timeout", "parsing took longer than 3 s"),
        ({"parse_cpu_s": 1, "parse_timeout_s": 3600}, "cpu_limit", "more than 1 s of CPU time"),
        ({"parse_memory_mb": 1000, "parse_timeout_s": 3600}, "memory_limit", "than 1000 MB"),
    ],
)
def test_a_hostile_docx_is_stopped_at_each_limit_and_its_parse_is_gone(
    heavy_docx: Path, limits: dict[str, float], reason: str, message: str
) -> None:
    """~20 MB of XML in a small .docx parses for many minutes: each limit ends it, with an
    error naming the file and the limit, and no parse process is left running."""
    with pytest.raises(ParseError, match=f"^heavy.docx: .*{message}") as caught:
        parse_document(heavy_docx, Settings(**limits))
    assert caught.value.detail == {"file": "heavy.docx", "reason": reason}
    assert parse_children() == []


def test_errors_from_the_parse_child_keep_their_detail(files: dict[str, Path]) -> None:
    with pytest.raises(ParseError) as caught:
        parse_document(files["truncated_docx"], SETTINGS)
    assert (
        caught.value.detail["file"] == files["truncated_docx"].name
        and caught.value.detail["reason"]
    )


def test_parse_timeout_setting_is_enforced(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    paragraphs = (f"Deal {i} was discussed at length. 第{i}笔交易。" for i in range(3000))
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")
    with pytest.raises(ParseError, match="took longer than"):
        parse_document(path, Settings(parse_timeout_s=0.01))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pricing 定价", True),
        ("Why customers choose us?", True),
        ("3.2 Discounts", True),
        ("List price is 100 USD.", False),
        ("标价100美元。", False),
        ("One sentence. Two sentences", False),
        ("x" * 121, False),
    ],
)
def test_looks_like_heading(text: str, expected: bool) -> None:
    assert looks_like_heading(text) is expected


# Loaded by every Python process the test starts (the parse fork server and its children
# too): records and refuses any network connection or resolution, records every program run.
NO_NETWORK = """
import json, os, socket, subprocess
_log = os.environ["KMS_TEST_NETWORK_LOG"]
def _note(kind, what):
    with open(_log, "a", encoding="utf-8") as out:
        out.write(json.dumps([kind, what]) + "\\n")
_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
def connect(self, address):
    if self.family == socket.AF_UNIX:  # the fork server's own socket, not the network
        return _connect(self, address)
    _note("connect", repr(address))
    raise OSError("network is disabled in this test")
def connect_ex(self, address):
    if self.family == socket.AF_UNIX:
        return _connect_ex(self, address)
    _note("connect", repr(address))
    raise OSError("network is disabled in this test")
def refuse(*args, **kwargs):
    _note("resolve", repr(args[:1]))
    raise OSError("network is disabled in this test")
socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
socket.create_connection = socket.getaddrinfo = refuse
_popen = subprocess.Popen.__init__
def popen(self, args, *rest, **kwargs):
    _note("spawn", str(args))
    return _popen(self, args, *rest, **kwargs)
subprocess.Popen.__init__ = popen
"""

OFFLINE_SCRIPT = """
import json, sys
from pathlib import Path
from ingest.documents import parse_document
from kms.core.config import Settings
parsed = {}
for key, path in json.loads(sys.argv[1]).items():
    doc = parse_document(Path(path), Settings())
    parsed[key] = [e.text for e in doc.elements if e.category == "Title"]
print(json.dumps(parsed))
"""


def test_every_format_parses_with_the_network_blocked(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """A fresh interpreter without our environment: nothing may dial out or run nvidia-smi,
    in the parent or in the parse processes."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NO_NETWORK, encoding="utf-8")
    log = tmp_path / "network.log"
    log.touch()
    env = {k: v for k, v in os.environ.items() if k not in ("DO_NOT_TRACK", "SCARF_NO_ANALYTICS")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    env["KMS_TEST_NETWORK_LOG"] = str(log)
    paths = json.dumps({key: str(files[key]) for key in FORMATS})
    result = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT, paths],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    parsed = json.loads(result.stdout.strip().splitlines()[-1])
    assert log.read_text(encoding="utf-8") == ""  # no connection, resolution or program
    assert sorted(parsed) == sorted(FORMATS)
    assert all(parsed.values())


def test_a_parse_does_not_rerun_the_callers_main_script(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """Python 3.11's forkserver has each child re-run the parent's main script (CPython
    gh-137996); a program that imports the search services there paid ~1 s per file. The parse
    child starts from the fork server's warm state instead: the main runs once, in its own
    process, however many files it parses."""
    marks = tmp_path / "main-ran"
    script = tmp_path / "ingest_two.py"
    script.write_text(
        "import sys\n"
        "from pathlib import Path\n"
        f"with Path({str(marks)!r}).open('a') as out:\n"
        "    out.write(__name__ + '\\n')\n"
        "from ingest.documents import parse_document\n"
        "from kms.core.config import Settings\n"
        "if __name__ == '__main__':\n"
        "    for name in sys.argv[1:]:\n"
        "        print(len(parse_document(Path(name), Settings()).elements))\n",
        encoding="utf-8",
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, str(script), str(files["pdf"]), str(files["docx"])],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert [int(n) > 0 for n in done.stdout.split()] == [True, True]
    assert marks.read_text(encoding="utf-8").split() == ["__main__"]
