"""Build the binary demo documents (DOCX, PPTX, XLSX, PDF) from the YAML sources in demo/src/.

Each source file ``demo/src/<name>.<ext>.yaml`` becomes ``demo/docs/<name>.<ext>``:

* ``.docx`` / ``.pdf`` sources hold ``title``, ``author``, ``subject`` and a ``body`` written in
  a small Markdown subset: ``#``/``##``/``###`` headings, paragraphs, ``-`` bullets, ``1.``
  numbered items, ``>`` quotes, ``| a | b |`` tables (first row = header) and inline
  ``**bold**`` / ``*italic*``.
* ``.pptx`` sources hold ``title``, ``subtitle`` and ``slides`` (``title``, ``bullets``,
  optional ``table`` as a list of rows, optional ``notes``).
* ``.xlsx`` sources hold ``title``, ``author`` and ``sheets`` (``name``, ``header``, ``rows``,
  optional ``notes`` written under the table).

The build is deterministic: fixed document metadata and fixed ZIP timestamps, so running it
twice produces byte-identical files (and re-ingesting them creates no duplicates).

PDFs use the built-in Helvetica font, which only covers Latin-1: this machine has no CJK
font, so the PDF sources are English-only and the build fails loudly on any character
Helvetica cannot draw.

Usage:  .venv/bin/python demo/build_docs.py [--check]
``--check`` rebuilds into a temporary folder and fails if any committed file differs.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
DOCS = HERE / "docs"
FIXED_DATE = datetime(2026, 1, 5, 9, 0, 0)
FIXED_ZIP_TIME = (2026, 1, 5, 9, 0, 0)
MAX_BYTES = 200_000

INLINE = re.compile(r"(\*\*[^*]+\*\*|\*[^*\s][^*]*\*)")


# --------------------------------------------------------------------------- mini-markdown


def parse_blocks(body: str) -> list[tuple[str, Any]]:
    """Split the Markdown subset into blocks: (heading, (level, text)), (para, text),
    (bullet, text), (number, text), (quote, text), (table, rows)."""
    blocks: list[tuple[str, Any]] = []
    table: list[list[str]] = []
    para: list[str] = []

    def flush_para() -> None:
        if para:
            blocks.append(("para", " ".join(para)))
            para.clear()

    def flush_table() -> None:
        if table:
            blocks.append(("table", [r[:] for r in table]))
            table.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith("|"):
            flush_para()
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                continue  # separator row
            table.append(cells)
            continue
        flush_table()
        if not line:
            flush_para()
            continue
        heading = re.match(r"^(#{1,3})\s+(.*)$", line)
        numbered = re.match(r"^\d+\.\s+(.*)$", line)
        if heading:
            flush_para()
            blocks.append(("heading", (len(heading.group(1)), heading.group(2))))
        elif line.startswith("- "):
            flush_para()
            blocks.append(("bullet", line[2:]))
        elif numbered:
            flush_para()
            blocks.append(("number", numbered.group(1)))
        elif line.startswith("> "):
            flush_para()
            blocks.append(("quote", line[2:]))
        else:
            para.append(line)
    flush_para()
    flush_table()
    return blocks


def inline_runs(text: str) -> list[tuple[str, bool, bool]]:
    """(text, bold, italic) runs for inline **bold** and *italic*."""
    runs: list[tuple[str, bool, bool]] = []
    for part in INLINE.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**"):
            runs.append((part[2:-2], True, False))
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            runs.append((part[1:-1], False, True))
        else:
            runs.append((part, False, False))
    return runs


def plain(text: str) -> str:
    return "".join(t for t, _, _ in inline_runs(text))


# --------------------------------------------------------------------------- DOCX


def build_docx(src: dict[str, Any], out: Path) -> None:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), "Microsoft YaHei")

    props = doc.core_properties
    props.title = src["title"]
    props.author = src.get("author", "Lumina Data")
    props.subject = src.get("subject", "")
    props.last_modified_by = props.author
    props.created = FIXED_DATE
    props.modified = FIXED_DATE
    props.revision = 1

    for kind, value in parse_blocks(src["body"]):
        if kind == "heading":
            level, text = value
            doc.add_heading(plain(text), level=level)
        elif kind == "table":
            header, *rows = value
            for row in rows:
                if len(row) != len(header):
                    raise ValueError(f"table row {row!r} needs {len(header)} cells")
            table = doc.add_table(rows=1, cols=len(header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, header, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(plain(text)).bold = True
            for row in rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = plain(text)
            doc.add_paragraph()
        else:
            style = {
                "para": None,
                "bullet": "List Bullet",
                "number": "List Number",
                "quote": "Quote",
            }[kind]
            paragraph = doc.add_paragraph(style=style)
            for text, bold, italic in inline_runs(value):
                run = paragraph.add_run(text)
                run.bold = bold or None
                run.italic = italic or None
    doc.save(str(out))
    normalise_zip(out)


# --------------------------------------------------------------------------- PPTX


def build_pptx(src: dict[str, Any], out: Path) -> None:
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width = Inches(13.333)
    prs.slide_height = Inches(7.5)
    props = prs.core_properties
    props.title = src["title"]
    props.author = src.get("author", "Lumina Data")
    props.last_modified_by = props.author
    props.created = FIXED_DATE
    props.modified = FIXED_DATE
    props.revision = 1

    title_slide = prs.slides.add_slide(prs.slide_layouts[0])
    title_slide.shapes.title.text = src["title"]
    title_slide.placeholders[1].text = src.get("subtitle", "")
    width = prs.slide_width

    for spec in src["slides"]:
        bullets = spec.get("bullets") or []
        table = spec.get("table")
        if table:
            slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
            slide.shapes.title.text = spec["title"]
            top: int = Inches(1.6)
            if bullets:
                box = slide.shapes.add_textbox(Inches(0.6), top, width - Inches(1.2), Inches(2.4))
                frame = box.text_frame
                frame.word_wrap = True
                for i, text in enumerate(bullets):
                    p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
                    p.text = "• " + str(text)
                    p.font.size = Pt(16)
                top = Inches(1.6) + Inches(0.45) * (len(bullets) + 1)
            rows, cols = len(table), len(table[0])
            for row in table:
                if len(row) != cols:
                    raise ValueError(
                        f"slide {spec['title']!r}: table row {row!r} needs {cols} cells"
                    )
            shape = slide.shapes.add_table(
                rows, cols, Inches(0.6), top, width - Inches(1.2), Emu(Inches(0.4) * rows)
            )
            for r, row in enumerate(table):
                for c, text in enumerate(row):
                    cell = shape.table.cell(r, c)
                    cell.text = str(text)
                    for p in cell.text_frame.paragraphs:
                        p.font.size = Pt(13)
                        p.font.bold = r == 0
        else:
            slide = prs.slides.add_slide(prs.slide_layouts[1])  # title and content
            slide.shapes.title.text = spec["title"]
            body = slide.placeholders[1]
            body.left, body.top = Inches(0.6), Inches(1.5)
            body.width, body.height = width - Inches(1.2), Inches(5.6)
            frame = body.text_frame
            for i, text in enumerate(bullets):
                p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
                p.text = str(text)
                p.font.size = Pt(18)
        if spec.get("notes"):
            slide.notes_slide.notes_text_frame.text = spec["notes"]
    prs.save(str(out))
    normalise_zip(out)


# --------------------------------------------------------------------------- XLSX


def build_xlsx(src: dict[str, Any], out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = src["title"]
    wb.properties.creator = src.get("author", "Lumina Data")
    wb.properties.lastModifiedBy = wb.properties.creator
    wb.properties.created = FIXED_DATE
    wb.properties.modified = FIXED_DATE

    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for spec in src["sheets"]:
        ws = wb.create_sheet(spec["name"])
        header = spec["header"]
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in spec["rows"]:
            if len(row) != len(header):
                raise ValueError(
                    f"{spec['name']}: row {row!r} has {len(row)} cells, header {len(header)}"
                )
            ws.append(list(row))
        if spec.get("notes"):
            ws.append([])
            for note in spec["notes"]:
                ws.append([note])
        ws.freeze_panes = "A2"
        for col_idx, title in enumerate(header, start=1):
            values = [str(title)] + [str(r[col_idx - 1]) for r in spec["rows"]]
            width = min(60, max(10, max(_display_width(v) for v in values) + 2))
            ws.column_dimensions[ws.cell(row=1, column=col_idx).column_letter].width = width
    wb.save(str(out))
    normalise_zip(out)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


# --------------------------------------------------------------------------- PDF

PDF_REPLACE = {
    "—": "-",
    "–": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "→": "->",
    "≤": "<=",
    "≥": ">=",
    "•": "-",
}


def pdf_text(text: str, where: str) -> str:
    for bad, good in PDF_REPLACE.items():
        text = text.replace(bad, good)
    text = text.replace("--", "-")  # '--' is underline markup in fpdf2 markdown
    try:
        text.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{where}: character {text[exc.start]!r} cannot be drawn with Helvetica "
            "(no CJK font on this machine: keep PDF sources in English)"
        ) from None
    return text


def build_pdf(src: dict[str, Any], out: Path) -> None:
    from fpdf import FPDF

    name = out.name
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE.replace(tzinfo=UTC))
    pdf.set_title(pdf_text(src["title"], name))
    pdf.set_author(pdf_text(src.get("author", "Lumina Data"), name))
    pdf.set_subject(pdf_text(src.get("subject", ""), name))
    pdf.set_creator("Lumina Data demo build_docs.py")
    pdf.set_producer("fpdf2")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()

    sizes = {1: 18, 2: 14, 3: 12}
    for kind, value in parse_blocks(src["body"]):
        pdf.set_x(pdf.l_margin)
        if kind == "heading":
            level, text = value
            text = pdf_text(plain(text), name)
            pdf.ln(3 if level > 1 else 0)
            pdf.start_section(text, level=level - 1)
            pdf.set_font("Helvetica", "B", sizes[level])
            pdf.multi_cell(0, sizes[level] * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif kind == "table":
            # pdfminer (and so unstructured's "fast" PDF strategy) reads every cell of a drawn
            # table as a separate line, which shreds heading-based chunking; a PDF table is
            # therefore printed as one line per row: "label: header value; header value".
            header, *rows = value
            pdf.set_font("Helvetica", "", 10)
            for row in rows:
                pairs = "; ".join(f"{h} {c}" for h, c in zip(header[1:], row[1:], strict=True))
                line = pdf_text(f"- {plain(row[0])}: {plain(pairs)}", name)
                pdf.set_x(pdf.l_margin + 4)
                pdf.multi_cell(0, 5.2, line, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        else:
            md = "".join(
                f"**{t}**" if b else f"__{t}__" if i else t for t, b, i in inline_runs(value)
            )
            md = pdf_text(md, name)
            pdf.set_font("Helvetica", "I" if kind == "quote" else "", 10.5)
            if kind in {"bullet", "number"}:
                pdf.set_x(pdf.l_margin + 4)
                md = "- " + md
            elif kind == "quote":
                pdf.set_x(pdf.l_margin + 8)
            pdf.multi_cell(0, 5.2, md, markdown=True, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.8 if kind == "para" else 0.8)
    pdf.output(str(out))


# --------------------------------------------------------------------------- common


def normalise_zip(path: Path) -> None:
    """Rewrite an OOXML package with fixed timestamps so builds are byte-identical."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for filename, data in entries:
            if filename == "docProps/core.xml":  # openpyxl stamps "modified" at save time
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    data,
                )
            info = zipfile.ZipInfo(filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)
    path.write_bytes(buffer.getvalue())


BUILDERS = {".docx": build_docx, ".pptx": build_pptx, ".xlsx": build_xlsx, ".pdf": build_pdf}


def build_all(target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    built: list[Path] = []
    sources = sorted(SRC.glob("*.yaml"))
    if not sources:
        raise SystemExit(f"no sources in {SRC}")
    for source in sources:
        name = source.name.removesuffix(".yaml")
        out = target / name
        builder = BUILDERS.get(out.suffix)
        if builder is None:
            raise SystemExit(f"{source}: unknown output format '{out.suffix}'")
        spec = yaml.safe_load(source.read_text(encoding="utf-8"))
        try:
            builder(spec, out)
        except Exception as exc:
            raise SystemExit(f"{source}: {exc}") from exc
        size = out.stat().st_size
        if size > MAX_BYTES:
            raise SystemExit(f"{out.name}: {size} bytes is over the {MAX_BYTES} byte limit")
        built.append(out)
    return built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify committed files are current")
    args = parser.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            built = build_all(Path(tmp))
            stale = [p.name for p in built if (DOCS / p.name).read_bytes() != p.read_bytes()]
        if stale:
            print("out of date:", ", ".join(stale))
            return 1
        print(f"{len(built)} binary documents are up to date")
        return 0
    built = build_all(DOCS)
    for path in built:
        print(f"{path.relative_to(HERE)}  {path.stat().st_size:>7} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
