"""PDF layout: lines that wrap at 30 characters come back as whole paragraphs; headings by
numbering and type, not by being short; running footers dropped; chunks keep page and section.

Two PDFs are made here: an English one with fpdf2 (Courier, so 30 characters fill the
column), and a Traditional-Chinese one written line by line with the STSong-Light CID font
(as ``fixtures_docs.write_cjk_pdf``), 30 characters a line, with page numbers in the footer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_docs import _add, _serialise

from ingest.chunking import chunk_document
from ingest.documents import parse_document
from kms.core.config import Settings

pytestmark = pytest.mark.xdist_group("documents")

SETTINGS = Settings()
ZH_CLAUSES = [
    (
        "第二十六條 保險金的給付",
        "本公司在收到保險金申請書及本條款所列的證明和資料後，將在五日內作出核定；情形複雜的，"
        "在三十日內作出核定。對屬於保險責任的，本公司在與受益人達成給付保險金的協議後十日內，"
        "履行給付保險金義務。本公司未及時履行前款規定義務的，除支付保險金外，應當賠償受益人"
        "因此受到的損失。對不屬於保險責任的，本公司自作出核定之日起三日內向受益人發出拒絕給"
        "付保險金通知書並說明理由。",
    ),
    (
        "第二十七條 失蹤處理",
        "如果被保險人在本合同有效期內失蹤，而且人民法院宣告被保險人死亡的，本公司以人民法院"
        "宣告死亡的判決書中宣告的死亡日期為準，根據本合同的約定給付身故保險金。如果被保險人"
        "在宣告死亡後生還的，保險金領受人應於知道或應當知道被保險人生還後三十日內退還本公司"
        "給付的身故保險金。被保險人在宣告死亡後生還的，本合同效力不受影響，雙方繼續履行合同。",
    ),
]
EN_PARAGRAPHS = [
    (
        "Article 26 Payment of benefits",
        "Within five working days of receiving the claim form and the documents listed in "
        "this article the insurer decides whether the claim is covered and tells the "
        "beneficiary in writing, giving its reasons when the claim is refused in part or "
        "in whole, and pays a covered claim within ten days of that decision.",
    ),
    (
        "Article 27 Missing persons",
        "If the insured person goes missing while this contract is in force and a court "
        "declares the insured person dead, the insurer pays the death benefit as of the "
        "date of death the court names, and the beneficiary returns the benefit within "
        "thirty days of learning that the insured person is alive after all.",
    ),
]

TABLE = [("Plan", "Premium"), ("Basic", "USD 120"), ("Plus", "USD 240")]


def write_wrapped_zh(path: Path, chars: int = 30, lines_per_page: int = 10) -> Path:
    """Clause headings at 15 pt, body at 10.5 pt wrapped every ``chars`` characters with a
    1.5 leading, a page number at the foot of each page (STSong-Light, not embedded)."""
    rows: list[tuple[float, str]] = []
    for heading, body in ZH_CLAUSES:
        rows.append((15, heading))
        rows += [(10.5, body[i : i + chars]) for i in range(0, len(body), chars)]
    pages = [rows[i : i + lines_per_page] for i in range(0, len(rows), lines_per_page)]
    objects: list[bytes] = [b"", b""]
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
    kids = []
    for number, page in enumerate(pages, start=1):
        ops, y = ["BT"], 760.0
        for size, text in page:
            y -= size * 1.5 if size < 12 else size * 2.0
            ops.append(f"/F1 {size} Tf 1 0 0 1 72 {y:.1f} Tm <{text.encode('utf-16-be').hex()}> Tj")
        ops.append(f"/F1 9 Tf 1 0 0 1 290 40 Tm <{f'- {number} -'.encode('utf-16-be').hex()}> Tj")
        ops.append("ET")
        stream = "\n".join(ops).encode()
        content = _add(objects, b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        kids.append(
            _add(
                objects,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
                b" /Resources << /Font << /F1 1 0 R >> >> /Contents %d 0 R >>" % content,
            )
        )
    refs = b" ".join(b"%d 0 R" % kid for kid in kids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
    catalog = _add(objects, b"<< /Type /Catalog /Pages 2 0 R >>")
    path.write_bytes(_serialise(objects, catalog))
    return path


def write_wrapped_en(path: Path, chars: int = 30) -> Path:
    """Courier 10 pt in a column ``chars`` characters wide, bold 12 pt headings."""
    from fpdf import FPDF

    pdf = FPDF()
    width = chars * 10 * 0.6 * 25.4 / 72 + 1  # Courier is 0.6 em a character
    pdf.set_margins(20, 25, 210 - 20 - width)
    pdf.add_page()
    for heading, body in EN_PARAGRAPHS:
        pdf.set_font("Courier", "B", 12)
        pdf.multi_cell(width, 6, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Courier", "", 10)
        pdf.multi_cell(width, 5, body, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.set_font("Courier", "", 10)
    for plan, premium in TABLE:
        pdf.cell(40, 6, plan)
        pdf.cell(40, 6, premium, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_chinese_lines_wrapped_at_30_characters_become_whole_paragraphs(tmp_path: Path) -> None:
    doc = parse_document(write_wrapped_zh(tmp_path / "policy.pdf"), SETTINGS)
    titles = [e.text for e in doc.elements if e.category == "Title"]
    body = [e for e in doc.elements if e.category != "Title"]
    assert titles == [heading for heading, _ in ZH_CLAUSES]
    assert [squeeze(e.text) for e in body] == [squeeze(text) for _, text in ZH_CLAUSES]
    assert min(len(e.text) for e in body) > 150  # not 30-character lines
    assert doc.meta["pages"] == 2
    assert not any("- 1 -" in e.text or "- 2 -" in e.text for e in doc.elements)  # footers go


def test_english_lines_wrapped_at_30_characters_become_whole_paragraphs(tmp_path: Path) -> None:
    doc = parse_document(write_wrapped_en(tmp_path / "policy-en.pdf"), SETTINGS)
    titles = [e.text for e in doc.elements if e.category == "Title"]
    body = [e.text for e in doc.elements if e.category == "NarrativeText"]
    tables = [e.text for e in doc.elements if e.category == "Table"]
    assert titles == [heading for heading, _ in EN_PARAGRAPHS]
    assert body == [text for _, text in EN_PARAGRAPHS]  # words joined with one space
    assert tables == ["\n".join(f"{plan} | {premium}" for plan, premium in TABLE)]


def test_chunks_keep_page_and_section(tmp_path: Path) -> None:
    doc = parse_document(write_wrapped_zh(tmp_path / "policy.pdf"), SETTINGS)
    chunks = chunk_document(doc, SETTINGS.chunk_chars, SETTINGS.chunk_overlap_chars)
    assert [(c.section, c.page) for c in chunks] == [
        ("第二十六條 保險金的給付", 1),
        ("第二十七條 失蹤處理", 1),
    ]
    assert all(len(c.text) > 150 for c in chunks)


NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@pytest.mark.skipif(not NOTO.is_file(), reason="needs Debian's fonts-noto-cjk")
def test_a_text_layer_pdfminer_cannot_read_is_still_read(tmp_path: Path) -> None:
    """fpdf2 embeds an OpenType CJK font with an /Encoding pdfminer decodes to nothing (the
    way some real generators do); the layout reader (pdfium) reads it, so the document is
    never 'no text'."""
    import logging

    from fpdf import FPDF

    logging.getLogger("fpdf").setLevel(logging.ERROR)
    pdf = FPDF()
    pdf.add_font("cjk", "", str(NOTO), collection_font_number=2)
    for heading, body in ZH_CLAUSES:
        pdf.add_page()
        pdf.set_font("cjk", "", 11)
        pdf.multi_cell(0, 6, f"{heading}\n{body}")
    path = tmp_path / "fpdf-cjk.pdf"
    pdf.output(str(path))
    from pdfminer.high_level import extract_text

    assert not extract_text(str(path)).strip()  # the case: pdfminer alone finds nothing
    doc = parse_document(path, SETTINGS)
    text = squeeze("".join(e.text for e in doc.elements))
    for heading, body in ZH_CLAUSES:
        assert squeeze(heading + body) in text
    assert [e.page for e in doc.elements if squeeze(e.text).startswith("第二十七條")] == [2]
