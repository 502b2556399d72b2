"""Long real-world documents: the product's ingest and search against whole-document BM25.

    PYTHONPATH=. .venv/bin/python bench/longdocs.py [--articles N] [--policies N] [--quick]

Two parts, both rendered as multi-page PDFs with a CJK font and hard line breaks
(~36 CJK characters a line, A4, running page numbers), so the product parses them the
way it parses real PDFs:

- ``articles`` — ``cmrc2018-retrieval`` (``../shared/eval``, read in place). Its titles
  are unique (one paragraph per title, median 464 characters), so articles are bound
  into *volumes*: a seeded shuffle of the articles, ``--per-volume`` (10) a volume, each
  article a heading and its paragraph. A question is relevant to the volume holding its
  paragraph. Every question is asked in Simplified and in Traditional Chinese (zhconv
  ``zh-tw``, which also swaps regional vocabulary).
- ``policies`` — insurance policies generated with a seed (``bench/longdocs_policies.py``):
  most clauses shared word for word within an insurer and a product type, each policy
  with its own specifics; questions name one specific and ask about another clause.

For each part the script ingests the PDFs with the product's real pipeline
(``ingest_paths``: parse, chunk, near-duplicate flags, index) into a temporary data dir
(embeddings cached in ``bench/cache/``), asks every question through the product's
``search`` as a rep (two pages of 50, results mapped to documents by asset), and in the
same run scores the reference: ``bm25s`` (k1 1.5, b 0.75) + ``jieba`` over each
document's whole text as pdfminer extracts it (the recipe of ``../shared/eval/README.md``,
plus Traditional → Simplified so a Traditional question can match).

It then measures the causes named in issue 15: near-duplicate chunks (erased before it),
chunk lengths, how many documents a query's results hold, the share of query terms the
best chunk of the judged document holds; what-ifs on the product's own index (duplicates
indexed after all, deeper candidate lists) on a sample of queries; and BM25 over the
product's chunks vs over the chunks the product's chunker makes from the true paragraphs.
Throughput: a sample of files ingested with an empty embedding cache, against the fastest
of pdfium / pypdf / pdfminer extraction plus a raw encode of the same files.

Prints tables and writes ``bench/results/longdocs.json`` (``--out`` to change).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import jieba  # noqa: E402
import numpy as np  # noqa: E402
import zhconv  # noqa: E402

from bench import longdocs_policies as policy_gen  # noqa: E402
from bench.common import CACHE_DIR, EVAL_DIR, RESULTS_DIR, ndcg_at_k, recall_at_k  # noqa: E402

# --- product code: every import of it is here, so a package move re-points them at once ---
from index.embedders import load_embedder  # noqa: E402
from index.hybrid import understands  # noqa: E402
from index.ranking import Weights  # noqa: E402
from ingest.chunking import chunk_document  # noqa: E402
from ingest.manifest import FileMeta  # noqa: E402
from ingest.types import Element, ParsedDocument  # noqa: E402
from kms.core.config import Settings  # noqa: E402
from kms.core.models import Asset, AssetStatus, Chunk, Role  # noqa: E402
from kms.core.schemas import SearchRequest  # noqa: E402
from kms.core.text.language import detect_language  # noqa: E402
from kms.core.visibility import Caller  # noqa: E402
from kms.services import search as search_service  # noqa: E402
from kms.services.app import Services  # noqa: E402
from kms.services.indexing import build_index_chunks  # noqa: E402
from kms.services.ingest import ingest_paths  # noqa: E402
from kms.services.search_page import search as search_page  # noqa: E402
from kms.services.vectors import load_vectors  # noqa: E402

# ------------------------------------------------------------------------------------------

REP = Caller(name="bench", role=Role.rep, teams=())  # a rep in no team: public assets only
PAGE = 50  # the API's largest page
DEPTH = 100  # documents scored per query (Recall@100)
SEED = 15
POOL = CACHE_DIR / "longdocs"  # generated PDFs and their extracted text, by content hash
RENDER_VERSION = "1"  # bump when the rendering changes
FONT_DIR = Path("/usr/share/fonts/opentype/noto")  # Debian fonts-noto-cjk
FONT_FILES = {"": "NotoSansCJK-Regular.ttc", "B": "NotoSansCJK-Bold.ttc"}
FONT_NUMBER = 2  # the Simplified Chinese face in the collection (checked by name below)
BODY_PT = 11.0
LINE_CHARS = 36  # CJK characters a line: the text width is LINE_CHARS ems of the body font
LEADING_MM = 6.0
PUNCT = re.compile(r"^[\W_]+$")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- documents -----------------------------------------------------------------------------


@dataclass
class Doc:
    key: str
    title: str
    blocks: list[tuple[str | None, list[str]]]  # (heading, paragraphs); first may be a cover

    def digest(self) -> str:
        payload = json.dumps([RENDER_VERSION, self.title, self.blocks], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]


@dataclass
class Part:
    name: str
    docs: list[Doc]
    queries: dict[str, str]  # qid → text
    qrels: dict[str, dict[str, int]]  # qid → {doc key: 1}
    groups: dict[str, list[str]]  # group name → qids; "all" is the headline
    info: dict[str, Any] = field(default_factory=dict)


def articles_part(n_articles: int | None, per_volume: int, n_queries: int | None) -> Part:
    folder = EVAL_DIR / "cmrc2018-retrieval"
    with open(folder / "corpus.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    random.Random(SEED).shuffle(rows)
    rows = rows[: n_articles or len(rows)]
    docs: list[Doc] = []
    where: dict[str, str] = {}
    for v, start in enumerate(range(0, len(rows), per_volume)):
        key = f"volume-{v:04d}"
        blocks: list[tuple[str | None, list[str]]] = []
        for row in rows[start : start + per_volume]:
            blocks.append((row["title"].strip() or "（无题）", [row["text"].strip()]))
            where[row["_id"]] = key
        docs.append(Doc(key, f"百科文选　第{v + 1}卷", blocks))
    judged: dict[str, str] = {}
    with open(folder / "qrels.tsv", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            qid, did, score = line.rstrip("\n").split("\t")
            if int(score) > 0 and did in where:
                judged[qid] = where[did]
    with open(folder / "queries.jsonl", encoding="utf-8") as fh:
        texts = {r["_id"]: r["text"] for r in map(json.loads, fh) if r["_id"] in judged}
    qids = sorted(texts)
    if n_queries and n_queries < len(qids):
        qids = sorted(random.Random(SEED).sample(qids, n_queries))
    queries, qrels = {}, {}
    groups: dict[str, list[str]] = {"all": [], "zh-hans": [], "zh-tw": []}
    for qid in qids:
        for script, text in (
            ("zh-hans", texts[qid]),
            ("zh-tw", zhconv.convert(texts[qid], "zh-tw")),
        ):
            tagged = f"{qid}@{script}"
            queries[tagged] = text
            qrels[tagged] = {judged[qid]: 1}
            groups[script].append(tagged)
            groups["all"].append(tagged)
    info = {"articles": len(rows), "per_volume": per_volume, "volumes": len(docs)}
    return Part("articles", docs, queries, qrels, groups, info)


def policies_part(n_policies: int, n_questions: int) -> Part:
    policies = policy_gen.generate(n_policies, SEED)
    docs = [Doc(p.key, p.product, p.blocks) for p in policies]
    script = {p.key: p.script for p in policies}
    qs = policy_gen.questions(policies, n_questions, SEED)
    queries = {q.qid: q.text for q in qs}
    qrels = {q.qid: {q.doc_key: 1} for q in qs}
    groups: dict[str, list[str]] = {"all": [q.qid for q in qs], "zh-hans": [], "zh-tw": []}
    groups["anchored"] = [q.qid for q in qs if not q.kind.startswith("content:")]
    groups["content"] = [q.qid for q in qs if q.kind.startswith("content:")]
    for q in qs:
        groups["zh-tw" if script[q.doc_key] == "tw" else "zh-hans"].append(q.qid)
    # a probe for near-duplicate erasure: a clause every policy of an insurer has, asked
    # about by insurer; relevant: all of them (not part of "all")
    groups["shared-clause"] = []
    for qid, text, keys in policy_gen.shared_questions(policies):
        queries[qid] = text
        qrels[qid] = dict.fromkeys(keys, 1)
        groups["shared-clause"].append(qid)
    info = {
        "policies": len(docs),
        "insurers": len({p.insurer for p in policies}),
        "types": len({p.type_key for p in policies}),
        "traditional_policies": sum(p.script == "tw" for p in policies),
        "clauses_shared_verbatim": round(policy_gen.shared_clause_share(policies), 3),
        "question_kinds": {k: sum(q.kind == k for q in qs) for k in sorted({q.kind for q in qs})},
    }
    return Part("policies", docs, queries, qrels, groups, info)


# --- PDF rendering ---------------------------------------------------------------------------


def cjk_fonts(chars: set[str]) -> dict[str, Path]:
    """Noto Sans CJK SC regular and bold, subset to ``chars`` once (cached): fpdf2 then loads
    a small font per document instead of a 19 MB collection."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    wanted = sorted(chars | set(chr(c) for c in range(0x20, 0x7F)) | set("　—－"))
    tag = hashlib.sha256("".join(wanted).encode()).hexdigest()[:12]
    out: dict[str, Path] = {}
    for style, name in FONT_FILES.items():
        target = POOL / "fonts" / f"{Path(name).stem}-{tag}.otf"
        if not target.exists():
            log(f"subsetting {name} to {len(wanted)} characters (once)")
            font = TTFont(FONT_DIR / name, fontNumber=FONT_NUMBER)
            family = font["name"].getDebugName(1) or ""
            if "SC" not in family:
                raise RuntimeError(f"{name} face {FONT_NUMBER} is {family!r}, not the SC face")
            options = subset.Options()
            options.layout_features = []
            options.name_IDs = ["*"]
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=[ord(c) for c in wanted])
            subsetter.subset(font)
            target.parent.mkdir(parents=True, exist_ok=True)
            font.save(str(target))
        out[style] = target
    return out


def render_pdf(doc: Doc, fonts: dict[str, Path]) -> bytes:
    """A4, ~LINE_CHARS CJK characters a line, bold headings, page numbers in the footer.

    fpdf2 2.8 writes a CFF (OpenType) CID font with an ``/Encoding`` that is a stream
    copy of its ToUnicode map; pdfminer then extracts nothing. The encoding is in fact
    Identity-H (codes are glyph ids), so it is set to that name: a genuine text layer.
    """
    import logging

    import pikepdf
    from fpdf import FPDF

    # glyphs the CJK font lacks (a few Devanagari / Arabic / Hebrew words in cmrc) are
    # dropped from the PDF, from its text layer and so from the reference's text alike
    logging.getLogger("fpdf").setLevel(logging.ERROR)

    class Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("cjk", "", 9)
            self.cell(0, 8, f"— {self.page_no()} —", align="C")

    pdf = Pdf(format="A4", unit="mm")
    width = LINE_CHARS * BODY_PT * 25.4 / 72
    margin = (210 - width) / 2
    pdf.set_margins(margin, 22, margin)
    pdf.set_auto_page_break(True, 22)
    for style, path in fonts.items():
        pdf.add_font("cjk", style, str(path))
    pdf.set_title(doc.title)
    pdf.add_page()
    pdf.set_font("cjk", "B", 16)
    pdf.multi_cell(0, 9, doc.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for heading, paragraphs in doc.blocks:
        if heading:
            pdf.set_font("cjk", "B", 12.5)
            pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        pdf.set_font("cjk", "", BODY_PT)
        for text in paragraphs:
            pdf.multi_cell(0, LEADING_MM, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        pdf.ln(2)
    with pikepdf.open(io.BytesIO(bytes(pdf.output()))) as fixed:
        for page in fixed.pages:
            for font in page.Resources.Font.values():
                if font.get("/Subtype") == "/Type0":
                    font.Encoding = pikepdf.Name("/Identity-H")
        buffer = io.BytesIO()
        fixed.save(buffer)
    return buffer.getvalue()


def extract_pdfminer(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return str(extract_text(str(path)))


def extract_pdfium(path: Path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def extract_pypdf(path: Path) -> str:
    import pypdf

    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages)


def materialise(parts: Sequence[Part]) -> dict[str, tuple[Path, str]]:
    """Each document's PDF and pdfminer text in the pool (rendered once): key → (pdf, text)."""
    chars = {c for part in parts for d in part.docs for c in _doc_text(d)}
    fonts: dict[str, Path] | None = None
    out: dict[str, tuple[Path, str]] = {}
    todo = [d for part in parts for d in part.docs if not _pool_pdf(d).exists()]
    started = time.perf_counter()
    for i, doc in enumerate(todo, start=1):
        fonts = fonts or cjk_fonts(chars)
        path = _pool_pdf(doc)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(render_pdf(doc, fonts))
        tmp.replace(path)
        if i % 50 == 0 or i == len(todo):
            log(f"rendered {i}/{len(todo)} PDFs ({time.perf_counter() - started:.0f} s)")
    for part in parts:
        for doc in part.docs:
            pdf = _pool_pdf(doc)
            txt = pdf.with_suffix(".txt")
            if not txt.exists():
                txt.write_text(extract_pdfminer(pdf), encoding="utf-8")
            out[doc.key] = (pdf, txt.read_text(encoding="utf-8"))
    return out


def _pool_pdf(doc: Doc) -> Path:
    return POOL / "pdf" / f"{doc.key}-{doc.digest()}.pdf"


def _doc_text(doc: Doc) -> str:
    return doc.title + "".join((h or "") + "".join(ps) for h, ps in doc.blocks)


def page_count(path: Path) -> int:
    import pypdf

    return len(pypdf.PdfReader(str(path)).pages)


# --- tokens and BM25 -------------------------------------------------------------------------

jieba.setLogLevel(60)


def bm25_tokens(text: str) -> list[str]:
    """The reference recipe: Traditional → Simplified, lower case, jieba.lcut, no punctuation."""
    text = zhconv.convert(text.lower(), "zh-hans")
    return [t for t in jieba.lcut(text) if t.strip() and not PUNCT.match(t)]


class Bm25:
    """bm25s over texts that each belong to a document; a document scores its best text."""

    def __init__(self, texts: Sequence[str], owners: Sequence[str]) -> None:
        import bm25s

        self.owners = np.array(list(owners))
        self.retriever = bm25s.BM25(k1=1.5, b=0.75)
        self.retriever.index([bm25_tokens(t) for t in texts], show_progress=False)
        self.vocab = self.retriever.vocab_dict

    def rank(self, query: str, depth: int = DEPTH) -> list[str]:
        tokens = [t for t in bm25_tokens(query) if t in self.vocab]
        if not tokens:
            return []
        scores = self.retriever.get_scores(tokens)
        order = np.argsort(-scores, kind="stable")
        out: list[str] = []
        seen: set[str] = set()
        for i in order:
            if scores[i] <= 0:
                break
            owner = str(self.owners[i])
            if owner not in seen:
                seen.add(owner)
                out.append(owner)
                if len(out) >= depth:
                    break
        return out


# --- the product -----------------------------------------------------------------------------

# published knowledge: a rep's search does not show drafts (a new upload's default status)
APPROVED = FileMeta(status=AssetStatus.approved)


def ingest(
    files: dict[str, Path], data_dir: Path, cache_dir: Path
) -> tuple[Services, dict[int, str], dict[str, Any]]:
    """Copy the PDFs into a folder, ingest it with the product; asset id → document key."""
    folder = data_dir.parent / f"{data_dir.name}-files"
    folder.mkdir(parents=True, exist_ok=True)
    for key, path in files.items():
        shutil.copyfile(path, folder / f"{key}.pdf")
    services = Services(Settings(data_dir=data_dir, embed_cache_dir=cache_dir))
    _ = services.index  # load the embedding models before the clock starts
    started = time.perf_counter()
    outcome = ingest_paths(services, [folder], APPROVED, created_by="bench")
    elapsed = time.perf_counter() - started
    keys = asset_keys(services)
    errors = [e.as_dict() for e in outcome.errors]
    return services, keys, {"seconds": elapsed, "errors": errors}


def asset_keys(services: Services) -> dict[int, str]:
    from sqlmodel import select

    with services.db.session() as session:
        rows = session.exec(select(Asset.id, Asset.source)).all()
    return {int(i or 0): Path(source).stem for i, source in rows}


def chunk_rows(services: Services) -> list[tuple[int, int, str, int | None, str]]:
    """(chunk id, asset id, text, duplicate_of, heading) of every stored chunk; the heading
    is what the keyword index gets as the chunk's title (asset title — section)."""
    from sqlmodel import select

    with services.db.session() as session:
        titles = dict(session.exec(select(Asset.id, Asset.title)).all())
        rows = session.exec(
            select(Chunk.id, Chunk.asset_id, Chunk.text, Chunk.duplicate_of, Chunk.section)  # type: ignore[call-overload]
        ).all()
    out = []
    for c, a, t, d, s in rows:
        heading = f"{titles.get(a, '')} — {s}" if s else titles.get(a, "")
        out.append((int(c or 0), int(a), t, d, heading))
    return out


def product_runs(
    services: Services, queries: dict[str, str], keys: dict[int, str]
) -> tuple[dict[str, list[str]], dict[str, int], list[float]]:
    """Every query through ``search`` as a rep, paged by 50 up to DEPTH documents."""
    runs: dict[str, list[str]] = {}
    totals: dict[str, int] = {}
    times: list[float] = []
    for qid, text in queries.items():
        docs: list[str] = []
        offset, total = 0, 0
        started = time.perf_counter()
        while offset < DEPTH:
            request = SearchRequest(query=text, limit=PAGE, offset=offset, log=False)
            response = search_page(services, request, REP)
            docs += [keys.get(hit.asset_id, f"asset:{hit.asset_id}") for hit in response.results]
            total = response.total
            offset += PAGE
            if offset >= total:
                break
        times.append(time.perf_counter() - started)
        runs[qid] = docs[:DEPTH]
        totals[qid] = total
    return runs, totals, times


def unprimed_runs(
    services: Services, queries: dict[str, str], keys: dict[int, str]
) -> dict[str, list[str]]:
    """Bench-side what-if: the same retrieval with the stage prior off (the query's
    inferred stage no longer moves results); ``retrieve`` is what ``search`` pages over."""
    runs: dict[str, list[str]] = {}
    for qid, text in queries.items():
        request = SearchRequest(query=text, limit=PAGE, log=False)
        with services.db.session() as session:
            result = search_service.retrieve(
                services, session, request, REP, weights=Weights(stage=0.0)
            )
        runs[qid] = [keys.get(r.asset_id, f"asset:{r.asset_id}") for r in result.ranked[:DEPTH]]
    return runs


class deeper:
    """Bench-side what-if, no product change: each retriever returns ``depth`` chunks and
    the search keeps ``depth`` fused candidates (instead of 100 per retriever, 200 kept)."""

    def __init__(self, services: Services, depth: int) -> None:
        self.services, self.depth = services, depth

    def __enter__(self) -> None:
        index = self.services.index
        self.saved = search_service.CANDIDATES
        original = type(index).search

        def search(query: str, teams: Any, k: int = 10, **kw: Any) -> Any:
            return original(index, query, teams, k=max(k, self.depth), candidates=self.depth)

        index.search = search  # type: ignore[method-assign,assignment]
        search_service.CANDIDATES = self.depth

    def __exit__(self, *exc: object) -> None:
        del self.services.index.search
        search_service.CANDIDATES = self.saved


def index_duplicates(services: Services, duplicate_ids: list[int]) -> float:
    """Bench-side what-if: put the chunks flagged ``duplicate_of`` into the index too."""
    started = time.perf_counter()
    with services.db.session() as session:
        chunks = build_index_chunks(session, duplicate_ids)
        vectors = load_vectors(session, services.embedders, duplicate_ids)
    services.index.upsert(chunks, vectors)
    return time.perf_counter() - started


# --- metrics ---------------------------------------------------------------------------------


def scores(
    runs: dict[str, list[str]], qrels: dict[str, dict[str, int]], qids: Iterable[str]
) -> dict[str, float]:
    ids = [q for q in qids if q in runs]
    if not ids:
        return {"ndcg@10": 0.0, "recall@100": 0.0, "queries": 0}
    return {
        "ndcg@10": round(statistics.mean(ndcg_at_k(runs[q], qrels[q], 10) for q in ids), 4),
        "recall@100": round(statistics.mean(recall_at_k(runs[q], qrels[q], DEPTH) for q in ids), 4),
        "queries": len(ids),
    }


def distribution(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {}
    arr = np.array(values, dtype=float)
    return {
        "n": int(arr.size),
        "median": float(np.median(arr)),
        "p10": float(np.percentile(arr, 10)),
        "p90": float(np.percentile(arr, 90)),
        "mean": round(float(arr.mean()), 1),
    }


def term_coverage(
    part: Part, text_of: dict[str, str], chunkings: dict[str, dict[str, list[str]]]
) -> dict[str, float]:
    """Mean share of a query's distinct terms that the judged document's best chunk holds
    (for each chunking), against the share the whole document holds (reference tokens).
    Questions with one judged document only."""
    tokens: dict[tuple[str, str], list[set[str]]] = {}
    shares: dict[str, list[float]] = {"whole_document": []}
    for qid in part.groups["all"]:
        q = set(bm25_tokens(part.queries[qid]))
        if not q or len(part.qrels[qid]) != 1:
            continue
        key = next(iter(part.qrels[qid]))
        if ("", key) not in tokens:
            tokens["", key] = [set(bm25_tokens(text_of[key]))]
            for name, chunks_of in chunkings.items():
                tokens[name, key] = [set(bm25_tokens(c)) for c in chunks_of.get(key, [])]
        shares["whole_document"].append(len(q & tokens["", key][0]) / len(q))
        for name in chunkings:
            best = max((len(q & c) / len(q) for c in tokens[name, key]), default=0.0)
            shares.setdefault(f"best_chunk_{name}", []).append(best)
    return {name: round(statistics.mean(v), 3) for name, v in shares.items() if v}


def true_paragraph_chunks(doc: Doc, settings: Settings) -> list[str]:
    """The product's chunker fed the document's real structure (title, headings,
    paragraphs): what layout-aware parsing would hand it."""
    elements: list[Element] = []
    for heading, paragraphs in doc.blocks:
        if heading:
            elements.append(Element(heading, "Title", 1, heading_level=1))
        elements += [Element(p, "NarrativeText", 1) for p in paragraphs]
    parsed = ParsedDocument(title=doc.title, elements=elements, mime="application/pdf", meta={})
    chunks = chunk_document(parsed, settings.chunk_chars, settings.chunk_overlap_chars)
    return [
        f"{doc.title} — {c.section} {c.text}" if c.section else f"{doc.title} {c.text}"
        for c in chunks
    ]


# --- throughput ------------------------------------------------------------------------------


def throughput(files: dict[str, Path], warmup: Path, work: Path) -> dict[str, Any]:
    """Parse-included ingest of ``files`` with an empty embedding cache, against pdfminer
    (and pypdf) extraction + a raw encode of the same text in chunk-sized pieces."""
    chars = 0
    # the product: a fresh data dir and embedding cache; one warm-up file first (imports,
    # models), then the clock runs over the sample only
    data_dir, cache = work / "tp-data", work / "tp-cache"
    services, _, _ = ingest({"warmup": warmup}, data_dir, cache)
    folder = work / "tp-files"
    folder.mkdir()
    for key, path in files.items():
        shutil.copyfile(path, folder / f"{key}.pdf")
    started = time.perf_counter()
    outcome = ingest_paths(services, [folder], APPROVED, created_by="bench")
    product_s = time.perf_counter() - started
    services.close()
    # the reference: extraction, then the same models raw (no cache), as the index uses them
    settings = Settings(data_dir=data_dir)
    models = {
        name: load_embedder(name, batch_size=settings.embed_batch_size)
        for name in settings.embedders
    }
    for model in models.values():
        model.encode(["warm up 预热"])
    timings: dict[str, float] = {}
    texts: list[str] = []
    extractors = (
        ("pdfium", extract_pdfium),
        ("pypdf", extract_pypdf),
        ("pdfminer", extract_pdfminer),
    )
    for label, extract in extractors:
        started = time.perf_counter()
        got = [extract(p) for p in files.values()]
        timings[label] = time.perf_counter() - started
        if label == "pdfminer":
            texts = got
    chars = sum(len(re.sub(r"\s", "", t)) for t in texts)
    size = settings.chunk_chars
    pieces = [t[i : i + size] for t in texts for i in range(0, len(t), size)]
    langs = [detect_language(p) for p in pieces]
    started = time.perf_counter()
    for model in models.values():
        take = [p for p, lg in zip(pieces, langs, strict=True) if understands(model, lg)]
        if take:
            model.encode(take)
    encode_s = time.perf_counter() - started
    n = len(files)
    raw_best = min(timings.values()) + encode_s
    return {
        "files": n,
        "chars": chars,
        "ingest_errors": len(outcome.errors),
        "product_ingest_s": round(product_s, 2),
        "product_docs_per_s": round(n / product_s, 2),
        "product_chars_per_s": round(chars / product_s),
        "extract_s": {k: round(v, 2) for k, v in timings.items()},
        "raw_encode_s": round(encode_s, 2),
        "raw_pieces": len(pieces),
        "raw_docs_per_s": round(n / raw_best, 2),
        "raw_chars_per_s": round(chars / raw_best),
        "ratio": round(raw_best / product_s, 3),
        "note": "product: ingest_paths with an empty embedding cache (after one warm-up file); "
        "raw: the fastest of pdfium / pypdf / pdfminer extraction + the product's embedding models "
        f"uncached over {size}-character pieces (USE on all, MiniLM on en/mixed)",
    }


class Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 1)
        self.last = now


# --- one part --------------------------------------------------------------------------------


def run_part(
    part: Part, pool: dict[str, tuple[Path, str]], work: Path, args: argparse.Namespace
) -> dict[str, Any]:
    files = {d.key: pool[d.key][0] for d in part.docs}
    text_of = {d.key: pool[d.key][1] for d in part.docs}
    out: dict[str, Any] = {"info": part.info, "documents": len(part.docs)}
    clock = Clock()
    out["pages"] = distribution([page_count(p) for p in files.values()])
    out["extracted_chars"] = distribution([len(re.sub(r"\s", "", t)) for t in text_of.values()])
    lines = [len(x) for t in text_of.values() for x in t.splitlines() if x.strip()]
    out["extracted_line_chars"] = distribution(lines)
    out["queries"] = {g: len(q) for g, q in part.groups.items()}

    log(f"{part.name}: ingesting {len(files)} PDFs (warm embedding cache)")
    services, keys, ing = ingest(files, work / f"{part.name}-data", CACHE_DIR)
    chars = sum(len(re.sub(r"\s", "", t)) for t in text_of.values())
    out["ingest_warm_cache"] = {
        "seconds": round(ing["seconds"], 1),
        "docs_per_s": round(len(files) / ing["seconds"], 2),
        "chars_per_s": round(chars / ing["seconds"]),
        "errors": ing["errors"],
    }
    log(f"{part.name}: ingested in {ing['seconds']:.0f} s, {len(ing['errors'])} errors")

    rows = chunk_rows(services)
    by_doc: dict[str, list[tuple[int, str, int | None]]] = {}
    for chunk_id, asset_id, text, dup, _ in rows:
        by_doc.setdefault(keys.get(asset_id, "?"), []).append((chunk_id, text, dup))
    duplicates = [c for c, _, _, d, _ in rows if d is not None]
    indexed = services.index.ids()  # near-duplicates are indexed too (grouped, not erased)
    indexed_docs = {k for k, cs in by_doc.items() if any(c in indexed for c, _, _ in cs)}
    lengths = [len(t) for _, _, t, _, _ in rows]
    out["chunks"] = {
        "total": len(rows),
        "per_document": distribution([len(cs) for cs in by_doc.values()]),
        "length": distribution(lengths),
        "share_under_100_chars": round(sum(n < 100 for n in lengths) / max(1, len(lengths)), 3),
        "duplicate_flagged": len(duplicates),
        "duplicate_share": round(len(duplicates) / max(1, len(rows)), 3),
        "documents_without_indexed_chunk": len(files) - len(indexed_docs & set(files)),
        "documents_stored": len(set(by_doc) & set(files)),
    }
    judged = {next(iter(r)) for r in part.qrels.values()}
    out["chunks"]["judged_documents_without_indexed_chunk"] = len(judged - indexed_docs)

    clock.lap("ingest_and_chunk_stats")
    log(f"{part.name}: {len(part.queries)} queries through search (2 pages of 50)")
    runs, totals, times = product_runs(services, part.queries, keys)
    clock.lap("product_search")
    ref = Bm25(list(text_of.values()), list(text_of))
    ref_runs = {q: ref.rank(t) for q, t in part.queries.items()}
    out["search_seconds_per_query"] = distribution(times)
    out["results_documents"] = {
        "mean": round(statistics.mean(totals.values()), 1),
        "share_of_queries_under_100": round(
            sum(t < DEPTH for t in totals.values()) / len(totals), 3
        ),
        "in_first_100": distribution([len(set(r)) for r in runs.values()]),
    }
    groups = part.groups
    out["quality"] = {
        g: {
            "product": scores(runs, part.qrels, q),
            "bm25_whole_document": scores(ref_runs, part.qrels, q),
        }
        for g, q in groups.items()
        if q
    }

    clock.lap("bm25_reference")
    # causes, isolated -------------------------------------------------------------------
    settings = services.settings
    ideal = {d.key: true_paragraph_chunks(d, settings) for d in part.docs}
    chunkings = {
        "product": {k: [t for _, t, _ in cs] for k, cs in by_doc.items()},
        "true_paragraphs": ideal,
    }
    out["query_terms_held"] = term_coverage(part, text_of, chunkings)
    variants: dict[str, tuple[list[str], list[str]]] = {
        "product_chunks_all": (
            [f"{h} {t}" for _, _, t, _, h in rows],
            [keys.get(a, "?") for _, a, _, _, _ in rows],
        ),
        "product_chunks_indexed": (
            [f"{h} {t}" for _, _, t, d, h in rows if d is None],
            [keys.get(a, "?") for _, a, _, d, _ in rows if d is None],
        ),
    }
    variants["true_paragraph_chunks"] = (
        [t for cs in ideal.values() for t in cs],
        [k for k, cs in ideal.items() for _ in cs],
    )
    out["true_paragraph_chunks"] = {
        "length": distribution([len(t) for t in variants["true_paragraph_chunks"][0]]),
    }
    bm25_whatifs = {}
    for name, (texts, owners) in variants.items():
        index = Bm25(texts, owners)
        vr = {q: index.rank(t) for q, t in part.queries.items()}
        bm25_whatifs[name] = {g: scores(vr, part.qrels, q) for g, q in groups.items() if q}
    out["bm25_best_chunk_per_document"] = bm25_whatifs

    clock.lap("bm25_what_ifs")
    # the what-ifs: a sample of the headline questions, and every shared-clause probe
    sample = list(groups["all"])
    if args.cause_queries and len(sample) > args.cause_queries:
        sample = sorted(random.Random(SEED).sample(sample, args.cause_queries))
    sample += groups.get("shared-clause", [])
    sub = {q: part.queries[q] for q in sample}
    sub_groups = {g: [q for q in qs if q in sub] for g, qs in groups.items()}

    def per_group(r: dict[str, list[str]]) -> dict[str, dict[str, float]]:
        return {g: scores(r, part.qrels, qs) for g, qs in sub_groups.items() if qs}

    log(f"{part.name}: what-ifs on {len(sub)} queries (depth {args.depth}, duplicates indexed)")
    whatif: dict[str, Any] = {"queries": len(sub), "seconds": {}}
    whatif["baseline"] = per_group(runs)
    whatif["bm25_whole_document"] = per_group(ref_runs)
    whatif["stage_prior_off"] = per_group(unprimed_runs(services, sub, keys))
    t0 = time.perf_counter()
    with deeper(services, args.depth):
        deep_runs, deep_totals, _ = product_runs(services, sub, keys)
    whatif["seconds"]["depth"] = round(time.perf_counter() - t0, 1)
    whatif[f"depth_{args.depth}"] = per_group(deep_runs)
    whatif[f"depth_{args.depth}_share_of_queries_under_100_documents"] = round(
        sum(t < DEPTH for t in deep_totals.values()) / len(deep_totals), 3
    )
    whatif["seconds"]["index_duplicates"] = round(index_duplicates(services, duplicates), 1)
    t0 = time.perf_counter()
    dup_runs, _, _ = product_runs(services, sub, keys)
    whatif["seconds"]["duplicates_indexed"] = round(time.perf_counter() - t0, 1)
    whatif["duplicates_indexed"] = per_group(dup_runs)
    with deeper(services, args.depth):
        both_runs, _, _ = product_runs(services, sub, keys)
    whatif[f"duplicates_indexed_and_depth_{args.depth}"] = per_group(both_runs)
    out["product_what_ifs"] = whatif
    services.close()
    clock.lap("product_what_ifs")

    if args.throughput_docs:
        keys_sorted = sorted(files)
        rng = random.Random(SEED)
        sample_keys = sorted(
            rng.sample(keys_sorted, min(args.throughput_docs, len(keys_sorted) - 1))
        )
        warm = next(k for k in keys_sorted if k not in sample_keys)
        log(f"{part.name}: throughput on {len(sample_keys)} files (empty embedding cache)")
        tp_dir = work / f"{part.name}-throughput"
        tp_dir.mkdir()
        out["throughput"] = throughput({k: files[k] for k in sample_keys}, files[warm], tp_dir)
        clock.lap("throughput")
    out["stage_seconds"] = clock.laps
    return out


# --- report ----------------------------------------------------------------------------------


def print_tables(results: dict[str, Any]) -> None:
    print()
    print(
        f"{'part / queries':<26}{'n':>6}{'product nDCG@10':>17}{'R@100':>8}"
        f"{'BM25 nDCG@10':>14}{'R@100':>8}"
    )
    for name, part in results["parts"].items():
        for group, q in part["quality"].items():
            p, b = q["product"], q["bm25_whole_document"]
            print(
                f"{name + ' / ' + group:<26}{p['queries']:>6}{p['ndcg@10']:>17.3f}"
                f"{p['recall@100']:>8.3f}{b['ndcg@10']:>14.3f}{b['recall@100']:>8.3f}"
            )
    for name, part in results["parts"].items():
        print(f"\n{name}")
        c = part["chunks"]
        print(
            f"  chunks: {c['total']}, {c['duplicate_share']:.1%} flagged duplicate "
            "(grouped, still indexed); "
            f"documents with no indexed chunk: {c['documents_without_indexed_chunk']} "
            f"({c['judged_documents_without_indexed_chunk']} judged)"
        )
        print(
            f"  chunk length: median {c['length']['median']:.0f}, "
            f"{c['share_under_100_chars']:.0%} under 100 chars; from the true paragraphs: "
            f"median {part['true_paragraph_chunks']['length']['median']:.0f}"
        )
        r = part["results_documents"]
        print(
            f"  documents per query's results: mean {r['mean']:.0f}; "
            f"{r['share_of_queries_under_100']:.0%} of queries get fewer than 100"
        )
        t = part["query_terms_held"]
        print("  query terms held: " + ", ".join(f"{k} {v:.0%}" for k, v in t.items()))
        for label, table in [
            ("BM25 (best chunk per document)", part["bm25_best_chunk_per_document"]),
            ("product what-ifs", _whatif_rows(part["product_what_ifs"])),
        ]:
            print(f"  {label}:")
            for variant, by_group in table.items():
                print(
                    f"    {variant:<42}"
                    + "  ".join(
                        f"{g} {v['ndcg@10']:.3f} / {v['recall@100']:.3f}"
                        for g, v in by_group.items()
                        if g in ("all", "anchored", "content", "shared-clause")
                    )
                )
        if "throughput" in part:
            tp = part["throughput"]
            print(
                f"  throughput: ingest {tp['product_docs_per_s']:.2f} docs/s, "
                f"{tp['product_chars_per_s']} chars/s vs extract + encode "
                f"{tp['raw_docs_per_s']:.2f} docs/s, {tp['raw_chars_per_s']} chars/s "
                f"→ {tp['ratio']:.0%}"
            )


def _whatif_rows(whatif: dict[str, Any]) -> dict[str, dict[str, dict[str, float]]]:
    return {
        k: v
        for k, v in whatif.items()
        if isinstance(v, dict) and k != "seconds" and all(isinstance(x, dict) for x in v.values())
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=0, help="cmrc articles (0: all 1,104)")
    parser.add_argument("--per-volume", type=int, default=10, help="articles bound in one PDF")
    parser.add_argument(
        "--article-queries",
        type=int,
        default=200,
        help="cmrc questions sampled (0: all 3,219); each asked in zh-hans and zh-tw",
    )
    parser.add_argument(
        "--policies", type=int, default=320, help="generated policies (>= 300 for the issue)"
    )
    parser.add_argument("--questions", type=int, default=320, help="questions over the policies")
    parser.add_argument("--parts", default="articles,policies")
    parser.add_argument(
        "--cause-queries",
        type=int,
        default=100,
        help="queries per part for the product what-ifs (0: all)",
    )
    parser.add_argument(
        "--depth", type=int, default=1000, help="candidates per retriever in the depth what-if"
    )
    parser.add_argument(
        "--throughput-docs",
        type=int,
        default=10,
        help="files per part ingested with an empty embedding cache (0: skip)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="200 articles, 60 policies, 60 questions, at most 100 cause queries and 10 "
        "throughput files",
    )
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "longdocs.json")
    parser.add_argument("--keep", type=Path, help="keep the data dirs here (default: a temp dir)")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.policies, args.questions = 200, 60, 60
        args.article_queries = 200
        args.cause_queries = min(args.cause_queries, 100)  # a smaller number given stays
        args.throughput_docs = min(args.throughput_docs, 10)
    started = time.perf_counter()
    wanted = args.parts.split(",")
    parts = []
    if "articles" in wanted:
        parts.append(
            articles_part(args.articles or None, args.per_volume, args.article_queries or None)
        )
    if "policies" in wanted:
        parts.append(policies_part(args.policies, args.questions))
    pool = materialise(parts)
    results: dict[str, Any] = {
        "setup": {
            "pdf": f"A4, Noto Sans CJK SC (fpdf2, subset, embedded), {BODY_PT:g} pt body, "
            f"{LINE_CHARS} CJK characters a line, {LEADING_MM:g} mm leading, bold headings, "
            "page numbers in the footer",
            "search": "kms.services.search_page.search as a rep (no team), no stage given, "
            f"pages of {PAGE} up to {DEPTH} documents, results mapped to documents by asset",
            "reference": "bm25s 0.3 (k1 1.5, b 0.75) over each document's whole pdfminer text; "
            "jieba.lcut, lower case, punctuation dropped, Traditional → Simplified (zhconv)",
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        },
        "parts": {},
    }
    with tempfile.TemporaryDirectory(prefix="kms-longdocs-") as tmp:
        work = Path(tmp)
        if args.keep:
            work = args.keep
            work.mkdir(parents=True, exist_ok=False)
        for part in parts:
            results["parts"][part.name] = run_part(part, pool, work, args)
    results["seconds"] = round(time.perf_counter() - started, 1)
    print_tables(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    shown = args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out
    print(f"\nwrote {shown} in {results['seconds']:.0f} s")


if __name__ == "__main__":
    main()
