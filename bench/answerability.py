"""Answerability on the demo knowledge base: does the answer's confidence know what the
knowledge base cannot answer?

Reads ``bench/answerability_questions.yaml`` (160 hand-written questions: half Chinese,
half English, half answerable from the demo), asks each through the product's answer
service as a rep in no team, and prints — overall and per language, on the fit split and
on the held-back split — the AUROC of the confidence score and, at the default threshold
(``Settings.low_confidence``), the precision of "answered" (answered questions that the
knowledge base does answer), the recall of "not answerable" (unanswerable questions the
product declines) and how many answered questions cite a judged document among the
cited passages. Writes ``bench/results/answerability.json``.

    .venv/bin/python bench/answerability.py [--data-dir DIR] [--fit]

``--fit`` first fits the confidence model (``kms/services/answerability_model.json``) on
the fit split's signals, then measures. Without ``--data-dir`` it builds the demo
knowledge base into a temporary directory (embeddings cached in ``.cache/test-embeddings``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.answerability_fit import fit_model  # noqa: E402
from bench.stage_quality import REP, build_demo, source_map  # noqa: E402
from kms.core.config import Settings  # noqa: E402
from kms.core.schemas import AnswerRequest  # noqa: E402
from kms.services.answer import answer  # noqa: E402
from kms.services.answerability import MODEL_PATH  # noqa: E402
from kms.services.app import Services  # noqa: E402
from kms.services.confidence import signals_for  # noqa: E402

QUESTIONS = REPO / "bench" / "answerability_questions.yaml"
RESULTS = REPO / "bench" / "results" / "answerability.json"
HELD_EVERY = 3  # every third question of each group is held back


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    """The labelled questions with their language, label and split."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for group, items in data.items():
        answerable = group.startswith("answerable")
        lang = group.rsplit("_", 1)[1]
        for i, item in enumerate(items, start=1):
            if "q" not in item:
                raise ValueError(f"{path}: {group}[{i}] has no field 'q'")
            out.append(
                {
                    "id": f"{group}-{i}",
                    "text": item["q"],
                    "lang": lang,
                    "answerable": answerable,
                    "relevant": list(item.get("relevant", [])),
                    "split": "held" if i % HELD_EVERY == 0 else "fit",
                }
            )
    return out


def auroc(scores: list[float], labels: list[bool]) -> float:
    """Probability that a random answerable question outscores a random unanswerable one."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return float("nan")
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def metrics(rows: list[dict[str, Any]]) -> dict[str, float | int]:
    answered = [r for r in rows if r["answered"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    good = [r for r in answered if r["answerable"]]
    return {
        "questions": len(rows),
        "auroc": round(auroc([r["confidence"] for r in rows], [r["answerable"] for r in rows]), 4),
        "answered": len(answered),
        "answered_precision": round(len(good) / len(answered), 4) if answered else 0.0,
        "unanswerable_recall": round(
            sum(1 for r in unanswerable if not r["answered"]) / len(unanswerable), 4
        )
        if unanswerable
        else 0.0,
        "answered_cites_judged": round(sum(1 for r in good if r["cites_judged"]) / len(good), 4)
        if good
        else 0.0,
    }


def ask(services: Services, paths: dict[int, str], q: dict[str, Any]) -> dict[str, Any]:
    response = answer(services, AnswerRequest(query=q["text"], log=False), REP)
    cited = [paths.get(p.citation.asset_id, "") for p in response.passages]
    answered = response.answered
    return {
        **q,
        "confidence": response.confidence,
        "answered": answered,
        "results": len(response.results),
        "top": paths.get(response.results[0].asset_id, "") if response.results else None,
        "cites_judged": bool(set(cited) & set(q["relevant"])),
    }


def report(rows: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    out: dict[str, Any] = {"threshold": threshold, "splits": {}}
    print(f"threshold {threshold}")
    print(
        f"{'split':<6}{'set':<5}{'n':>5}{'AUROC':>8}{'answered':>10}"
        f"{'ans.prec':>10}{'unans.rec':>11}{'cites':>8}"
    )
    for split in ("fit", "held", "all"):
        per: dict[str, Any] = {}
        for lang in ("en", "zh", "all"):
            subset = [
                r
                for r in rows
                if (split == "all" or r["split"] == split) and (lang == "all" or r["lang"] == lang)
            ]
            m = metrics(subset)
            per[lang] = m
            print(
                f"{split:<6}{lang:<5}{m['questions']:>5}{m['auroc']:>8.3f}{m['answered']:>10}"
                f"{m['answered_precision']:>10.3f}{m['unanswerable_recall']:>11.3f}"
                f"{m['answered_cites_judged']:>8.3f}"
            )
        out["splits"][split] = per
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an existing demo data dir")
    parser.add_argument("--fit", action="store_true", help="fit the confidence model first")
    args = parser.parse_args()
    tmp = None
    if args.data_dir:
        services = Services(
            Settings(data_dir=args.data_dir, embed_cache_dir=REPO / ".cache" / "test-embeddings")
        )
    else:
        tmp = tempfile.TemporaryDirectory(prefix="kms-answerability-")
        services = build_demo(Path(tmp.name))
    questions = load_questions()
    if args.fit:
        fit = [q for q in questions if q["split"] == "fit"]
        with services.db.session() as session:
            samples = [
                (*signals_for(services, session, q["text"], REP), q["text"], q["answerable"])
                for q in fit
            ]
        model = fit_model(samples)
        MODEL_PATH.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
        print(f"fitted on {len(fit)} questions → {MODEL_PATH.relative_to(REPO)}")
        services.reload_confidence_model()
    paths = source_map(services)
    start = time.perf_counter()
    rows = [ask(services, paths, q) for q in questions]
    elapsed = time.perf_counter() - start
    result = report(rows, services.settings.low_confidence)
    result["seconds"] = round(elapsed, 1)
    result["per_question"] = [
        {k: r[k] for k in ("id", "text", "split", "answerable", "confidence", "answered", "top")}
        for r in rows
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)} ({elapsed:.1f} s for {len(rows)} answers)")
    services.close()
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
