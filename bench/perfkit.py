"""Helpers for ``bench/perf.py``: the synthetic corpus, the server, timing statistics, the plot.

The corpus is the public sets in ``../shared/eval`` (English: scifact, stackfaq;
Chinese: afqmc, cmrc), each passage one chunk (passages over ``MAX_CHARS`` are
split at sentence ends), repeated with a varied title past the ~11k unique
passages. Kinds, stage affinities and teams are sampled from the demo knowledge
base as ingested, so their mix is the real one.
"""

from __future__ import annotations

import hashlib
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from common import REPO, SETS, load_set

sys.path.insert(0, str(REPO / "tests" / "api"))

TEAM = "emea-enterprise"  # the demo's restricted team: the benchmark's rep key belongs to it
EMBEDDERS = ("minilm", "use")
MAX_CHARS = 2000
VARIANTS = ("EMEA", "APAC", "Americas", "渠道", "大客户", "Mid-market", "政企", "SMB")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


@dataclass(frozen=True)
class Passage:
    title: str
    text: str
    lang_set: str  # which eval set it came from


def split_passage(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    if len(text) <= max_chars:
        return [text]
    parts, current = [], ""
    for sentence in _SENTENCE_END.split(text):
        if current and len(current) + len(sentence) > max_chars:
            parts.append(current)
            current = ""
        current += sentence
    if current:
        parts.append(current)
    return [p[:max_chars] for p in parts]


def base_passages() -> list[Passage]:
    """Every eval passage once, interleaved across sets so any prefix mixes languages."""
    per_set = []
    for name in SETS:
        s = load_set(name)
        items = [
            Passage(s.titles[i], part, name)
            for i in range(len(s.doc_ids))
            for part in split_passage(s.texts[i])
            if part.strip()
        ]
        per_set.append(items)
    out: list[Passage] = []
    longest = max(len(items) for items in per_set)
    for i in range(longest):
        out.extend(items[i] for items in per_set if i < len(items))
    return out


def corpus(size: int) -> list[Passage]:
    """``size`` passages: the eval passages, then repeats with a varied title."""
    base = base_passages()
    out = base[:size]
    round_ = 1
    while len(out) < size:
        tag = VARIANTS[round_ % len(VARIANTS)]
        for p in base[: size - len(out)]:
            out.append(Passage(f"{p.title} ({tag} {round_})".strip(), p.text, p.lang_set))
        round_ += 1
    return out


def queries(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """``n`` (set, query) pairs, as many from each set: half English, half Chinese."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for name in SETS:
        texts = sorted(load_set(name).queries.values())
        out += [(name, q) for q in rng.sample(texts, min(n // len(SETS), len(texts)))]
    rng.shuffle(out)
    return out


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def add_one_chunk_each(session: Any, assets: list[Any], texts: list[str]) -> list[Any]:
    """One chunk per (flushed) synthetic asset, holding its text; returns them, flushed."""
    from kms.core.models import Chunk

    chunks = [
        Chunk(
            asset_id=a.id or 0,
            ordinal=0,
            text=text,
            language=a.language,
            content_hash=content_hash(text),
        )
        for a, text in zip(assets, texts, strict=True)
    ]
    session.add_all(chunks)
    session.flush()
    return chunks


# -- timing ---------------------------------------------------------------------------


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50 / p95 / p99 / mean in milliseconds (nearest-rank)."""
    if not seconds:
        return {}
    ms = sorted(s * 1000 for s in seconds)

    def rank(p: float) -> float:
        return ms[min(len(ms) - 1, max(0, round(p / 100 * len(ms)) - 1))]

    return {
        "n": len(ms),
        "p50_ms": rank(50),
        "p95_ms": rank(95),
        "p99_ms": rank(99),
        "mean_ms": statistics.fmean(ms),
    }


class PeakRSS:
    """Samples a process's (and its children's) RSS in a thread; ``peak`` in bytes."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.proc = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                return
            self._stop.wait(self.every)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(timeout=2)
        return self.peak


def start_py_spy(pid: int, raw: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling ``pid`` (all threads, 200 Hz) into collapsed stacks at ``raw``."""
    command = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid)]
    command += ["--rate", "200", "--format", "raw", "--output", str(raw), "--nonblocking"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_py_spy(spy: subprocess.Popen[bytes]) -> None:
    spy.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
    spy.wait(timeout=60)


def summarise_py_spy(raw: Path, top: int = 45) -> str:
    """Share of samples per frame: inclusive for KMS code, self time for everything."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames, n = stack.split(";"), int(count)
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            if any(f"({part}/" in frame for part in ("kms", "index", "api", "ingest")):
                inclusive[frame] += n
    lines = [f"py-spy, server under c=8 load: {total} samples (all threads, 200 Hz)", ""]
    lines += ["inclusive, KMS code:"]
    lines += [f"{n / total:7.1%}  {f}" for f, n in inclusive.most_common(top)]
    lines += ["", "self time, any code:"]
    lines += [f"{n / total:7.1%}  {f}" for f, n in own.most_common(top // 2)]
    return "\n".join(lines) + "\n"


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def table(results: dict[str, dict]) -> str:
    rows = []
    for size, r in sorted(results.items(), key=lambda kv: int(kv[0])):
        f = r["floor"]
        rows += [
            f"== {size} chunks ==",
            f"ingest cold, parse excluded (sample {r['ingest_cold']['sample_chunks']}): product "
            f"{r['ingest_cold']['product_index_cold_chunks_per_s']:.1f} ch/s vs raw encode "
            f"{r['ingest_cold']['raw_encode_chunks_per_s']:.1f} ch/s → "
            f"{100 * r['ingest_cold']['ratio']:.0f}%   (target ≥ 85%)",
            f"ingest warm (cached vectors, whole corpus): "
            f"{r['ingest']['index_warm_chunks_per_s']:.1f} ch/s",
            f"ingest parse included (demo KB, {r['ingest']['demo_chunks']} chunks, cached "
            f"vectors): {r['ingest']['demo_chunks'] / r['ingest']['demo_ingest_s']:.1f} ch/s",
            f"{'':24}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'QPS':>8}{'p50/floor':>11}"
            f"{'p95/floor':>11}",
        ]
        for label, part in [
            ("/v1/search c=1", "http_c1"),
            ("/v1/search c=8", "http_c8"),
            ("semantic floor", "floor"),
            ("floor, 2-thread models", "floor_as_configured"),
            ("keyword: tantivy", "keyword_tantivy"),
            ("keyword: whoosh", "keyword_whoosh"),
            ("bm25s", "bm25s"),
        ]:
            if part not in r:
                continue
            p = r[part]
            qps = f"{p['qps']:8.1f}" if "qps" in p else f"{'':8}"
            rows.append(
                f"{label:24}{p['p50_ms']:9.1f}{p['p95_ms']:9.1f}{p['p99_ms']:9.1f}{qps}"
                f"{p['p50_ms'] / f['p50_ms']:11.1f}{p['p95_ms'] / f['p50_ms']:11.1f}"
            )
        rows += [
            f"server peak RSS {r['server_peak_rss_mb']:.0f} MB (≤ 2048); index on disk "
            f"{r['index_on_disk_mb']:.0f} MB; cold start to /ready "
            f"{r['cold_start_to_ready_s']:.1f} s (≤ 10)",
            "targets at 100k: p50 ≤ 2× floor, p95 ≤ 4× floor, ≥ 30 QPS at c=8",
        ]
    return "\n".join(rows)


# -- plot -----------------------------------------------------------------------------


def plot(results: dict[str, dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(int(s) for s in results)
    series = {
        "/v1/search c=1 p50": ("http_c1", "p50_ms"),
        "/v1/search c=1 p95": ("http_c1", "p95_ms"),
        "/v1/search c=8 p50": ("http_c8", "p50_ms"),
        "semantic floor p50": ("floor", "p50_ms"),
        "floor (2-thread models) p50": ("floor_as_configured", "p50_ms"),
        "keyword: tantivy p50": ("keyword_tantivy", "p50_ms"),
        "keyword: whoosh p50": ("keyword_whoosh", "p50_ms"),
        "bm25s p50": ("bm25s", "p50_ms"),
    }
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, (part, stat) in series.items():
        ys = [results[str(s)].get(part, {}).get(stat) for s in sizes]
        ax.plot(sizes, ys, marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("corpus size (chunks)")
    ax.set_ylabel("latency (ms)")
    ax.set_title("KMS search latency vs corpus size (2 cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
