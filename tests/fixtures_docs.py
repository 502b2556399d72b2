"""Build real document files for the parser tests: every format, Chinese and English.

Each document has the same outline — ``Pricing 定价`` (level 1), ``Discounts 折扣`` (level 2),
``Competitors 竞争对手`` (level 1, on page / slide 2 where pages exist) — with bilingual text.

The PDFs: fpdf2's built-in fonts are Latin-1 only and this machine has no CJK font
(``fc-list :lang=zh`` is empty), so ``guide.pdf`` is English and made with fpdf2, while
``guide_zh.pdf`` is bilingual and written by :func:`write_cjk_pdf` the way reportlab and Acrobat
write CJK text without embedding a font: a Type0 font over the standard ``STSong-Light`` CID
font with the ``UniGB-UCS2-H`` CMap. Its text layer is genuine; a viewer without the font
substitutes glyphs, and text extraction (pdfminer) decodes it through the standard CMaps.
"""

from __future__ import annotations

import os
import zipfile
from email.message import EmailMessage
from pathlib import Path

SECTIONS: list[tuple[str, int, str]] = [
    (
        "Pricing 定价",
        1,
        "Our list price is 100 USD per seat per year. 我们的标价是每个席位每年100美元。",
    ),
    ("Discounts 折扣", 2, "Volume discounts start at 50 seats. 批量折扣从50个席位开始。"),
    ("Competitors 竞争对手", 1, "Acme is cheaper but slower to deploy. Acme价格更低，但部署更慢。"),
]
HEADINGS = [heading for heading, _, _ in SECTIONS]
TABLE = [["Plan 方案", "Price 价格"], ["Pro", "100 USD"], ["Enterprise 企业版", "80 USD"]]
FORMATS = ("pdf", "pdf_zh", "docx", "pptx", "xlsx", "html", "md", "txt", "eml")


def build_documents(folder: Path) -> dict[str, Path]:
    """Write one good file per format into ``folder``; keys are :data:`FORMATS`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "pdf": write_pdf(folder / "guide.pdf"),
        "pdf_zh": write_cjk_pdf(folder / "guide_zh.pdf", _cjk_pages()),
        "docx": write_docx(folder / "guide.docx"),
        "pptx": write_pptx(folder / "guide.pptx"),
        "xlsx": write_xlsx(folder / "prices.xlsx"),
        "html": _write(folder / "guide.html", html_text()),
        "md": _write(folder / "guide.md", markdown_text()),
        "txt": _write(folder / "guide.txt", plain_text()),
        "eml": _write_bytes(folder / "update.eml", email_bytes()),
    }
    return paths


def build_bad_inputs(folder: Path, good: dict[str, Path]) -> dict[str, Path]:
    """Files that must be refused, each for one reason."""
    import pikepdf
    from fpdf import FPDF
    from msoffcrypto.format.ooxml import OOXMLFile

    folder.mkdir(parents=True, exist_ok=True)
    blank = FPDF()
    blank.add_page()
    blank.output(str(folder / "blank.pdf"))
    with pikepdf.open(good["pdf"]) as pdf:
        pdf.save(folder / "locked.pdf", encryption=pikepdf.Encryption(owner="o", user="secret"))
    with good["docx"].open("rb") as source, (folder / "locked.docx").open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    docx_bytes = good["docx"].read_bytes()
    return {
        "empty": _write_bytes(folder / "empty.docx", b""),
        "blank_pdf": folder / "blank.pdf",
        "whitespace_txt": _write(folder / "blank.txt", " \n\n \t\n"),
        "truncated_docx": _write_bytes(
            folder / "truncated.docx", docx_bytes[: len(docx_bytes) // 2]
        ),
        "garbage_pdf": _write_bytes(folder / "garbage.pdf", b"%PDF-1.7\n" + os.urandom(4096)),
        "encrypted_pdf": folder / "locked.pdf",
        "encrypted_docx": folder / "locked.docx",
        "legacy_doc": _write_bytes(
            folder / "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + os.urandom(1024)
        ),
        "png": _write_bytes(folder / "logo.png", _tiny_png()),
        "random": _write_bytes(folder / "blob.bin", bytes(range(256)) * 16),
        "exe_as_docx": _write_bytes(
            folder / "setup.docx", b"MZ\x90\x00" + bytes(60) + os.urandom(512)
        ),
        "zip_as_docx": _zip(folder / "archive.docx"),
    }


def write_pdf(path: Path) -> Path:
    """English, two pages, headings in larger bold type (margins like a real document)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_margins(20, 25, 20)
    pdf.set_auto_page_break(True, 25)
    pdf.set_title("Pricing guide")
    english = [
        ("Pricing", 20, "Our list price is 100 USD per seat per year. Volume deals are common."),
        ("Discounts", 16, "Volume discounts start at 50 seats. The discount is ten percent."),
        ("Competitors", 20, "Acme is cheaper but slower to deploy. We win on support."),
    ]
    for index, (heading, size, body) in enumerate(english):
        if index in (0, 2):
            pdf.add_page()
        pdf.set_font("Helvetica", "B", size)
        pdf.cell(0, size * 0.6, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, body, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
    pdf.output(str(path))
    return path


def _cjk_pages() -> list[list[tuple[int, str]]]:
    (h1, _, b1), (h2, _, b2), (h3, _, b3) = SECTIONS
    return [[(20, h1), (11, b1), (16, h2), (11, b2)], [(20, h3), (11, b3)]]


def write_cjk_pdf(path: Path, pages: list[list[tuple[int, str]]]) -> Path:
    """A PDF whose lines (font size, text) use the non-embedded STSong-Light CID font."""
    objects: list[bytes] = [b"", b""]  # 1: Type0 font, 2: page tree (filled in below)
    descriptor = _add(
        objects,
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    )
    cid_font = _add(
        objects,
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo"
        b" << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor %d 0 R"
        b" /DW 1000 /W [1 95 500] >>" % descriptor,
    )
    objects[0] = (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H"
        b" /Encoding /UniGB-UCS2-H /DescendantFonts [%d 0 R] >>" % cid_font
    )
    kids = [_add(objects, _page(objects, lines)) for lines in pages]
    refs = b" ".join(b"%d 0 R" % kid for kid in kids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
    catalog = _add(objects, b"<< /Type /Catalog /Pages 2 0 R >>")
    path.write_bytes(_serialise(objects, catalog))
    return path


def _page(objects: list[bytes], lines: list[tuple[int, str]]) -> bytes:
    operations, y = ["BT"], 740.0
    for size, text in lines:
        hex_text = text.encode("utf-16-be").hex().upper()
        operations.append(f"/F1 {size} Tf 1 0 0 1 72 {y:.0f} Tm <{hex_text}> Tj")
        y -= size * 2.2
    operations.append("ET")
    stream = "\n".join(operations).encode()
    content = _add(objects, b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    return (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
        b" /Resources << /Font << /F1 1 0 R >> >> /Contents %d 0 R >>" % content
    )


def _add(objects: list[bytes], body: bytes) -> int:
    objects.append(body)
    return len(objects)


def _serialise(objects: list[bytes], root: int) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


def write_docx(path: Path) -> Path:
    """Heading styles, a table, and a page break as Word saves it (with a rendered break)."""
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement

    document = docx.Document()
    document.core_properties.title = "Pricing guide 定价指南"
    for heading, level, body in SECTIONS:
        if heading == HEADINGS[2]:
            run = document.add_paragraph().add_run()
            run.add_break(WD_BREAK.PAGE)
            # Word writes w:lastRenderedPageBreak where a page starts when it saves a file;
            # python-docx does not lay out pages, so add the marker Word would have written.
            document.add_paragraph().add_run()._r.append(OxmlElement("w:lastRenderedPageBreak"))
        document.add_heading(heading, level=level)
        document.add_paragraph(body)
    table = document.add_table(rows=len(TABLE), cols=2)
    for row, values in zip(table.rows, TABLE, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.save(str(path))
    return path


def write_pptx(path: Path) -> Path:
    """One slide per top-level section; the sub-section goes on the first slide's body."""
    import pptx

    deck = pptx.Presentation()
    (h1, _, b1), (_, _, b2), (h3, _, b3) = SECTIONS
    for title, body in ((h1, f"{b1}\n{b2}"), (h3, b3)):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
        slide.notes_slide.notes_text_frame.text = f"Speaker notes 讲者备注: {title}."
    deck.save(str(path))
    return path


def write_xlsx(path: Path) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Prices 价格"
    for row in TABLE:
        sheet.append(row)
    discounts = workbook.create_sheet("Discounts 折扣")
    discounts.append(["Seats 席位", "Discount 折扣"])
    discounts.append([50, "10%"])
    workbook.save(str(path))
    return path


def html_text() -> str:
    tags = "".join(f"<h{lvl}>{h}</h{lvl}>\n<p>{body}</p>\n" for h, lvl, body in SECTIONS)
    return (
        "<!DOCTYPE html>\n<html lang='zh'><head><meta charset='utf-8'>"
        f"<title>Pricing guide 定价指南</title></head>\n<body>\n{tags}</body></html>\n"
    )


def markdown_text() -> str:
    blocks = [f"{'#' * lvl} {heading}\n\n{body}\n" for heading, lvl, body in SECTIONS]
    table = "| " + " | ".join(TABLE[0]) + " |\n|---|---|\n"
    table += "".join("| " + " | ".join(row) + " |\n" for row in TABLE[1:])
    return "\n".join(blocks) + "\n" + table


def plain_text() -> str:
    return "\n".join(f"{heading}\n\n{body}\n" for heading, _, body in SECTIONS)


def email_bytes() -> bytes:
    message = EmailMessage()
    message["From"] = "Alice Chen <alice@example.com>"
    message["To"] = "Sales team <sales@example.com>"
    message["Subject"] = "Pricing update 价格更新"
    message["Date"] = "Mon, 03 Mar 2025 10:00:00 +0800"
    message.set_content(plain_text())
    message.add_alternative(html_text(), subtype="html")
    return message.as_bytes()


def long_markdown(paragraphs: int = 12) -> str:
    """One long bilingual section, then a short one: for split-and-overlap tests."""

    def sentence(i: int) -> str:
        return f"Customer {i} asked about the onboarding plan. 客户{i}询问了上线计划。"

    body = "\n\n".join(" ".join(sentence(8 * p + i) for i in range(8)) for p in range(paragraphs))
    return (
        f"# Onboarding 上线\n\n{body}\n\n# Support 支持\n\nWe answer within one day. 一天内答复。\n"
    )


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not an office document")
    return path


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def write_heavy_docx(path: Path, paragraphs: int = 200_000) -> Path:
    """A small .docx that passes the zip-bomb checks but holds ~20 MB of paragraph XML
    (a parse of many minutes): a real Word file whose body is replaced."""
    import docx

    docx.Document().save(str(path))
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    head, _, tail = parts["word/document.xml"].decode("utf-8").partition("<w:body>")
    paragraph = "<w:p><w:r><w:t>Quarterly pricing review 季度定价复盘 {i}</w:t></w:r></w:p>"
    body = "".join(paragraph.format(i=i) for i in range(paragraphs))
    parts["word/document.xml"] = f"{head}<w:body>{body}{tail}".encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


SCANNED_PAGES = [
    [
        "价格异议处理指南",
        "客户说价格太高时，先问清楚与什么方案比较。",
        "折扣超过百分之十五需要区域总监审批。",
    ],
    [
        "Price objection handling guide",
        "Ask what the customer compares us with before",
        "offering any discount above fifteen percent.",
    ],
]


def write_scanned_pdf(path: Path, pages: list[list[str]] = SCANNED_PAGES) -> Path:
    """A scan: each page one 200-dpi A4 image of its lines (Noto Sans CJK), no text layer."""
    import subprocess

    from PIL import Image, ImageDraw, ImageFont

    font_file = subprocess.run(
        ["fc-match", "-f", "%{file}", "Noto Sans CJK SC"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    font = ImageFont.truetype(font_file, 34)
    images = []
    for lines in pages:
        image = Image.new("L", (1654, 2339), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((150, 160 + 70 * i), line, font=font, fill=0)
        images.append(image)
    images[0].save(path, "PDF", resolution=200.0, save_all=True, append_images=images[1:])
    return path
