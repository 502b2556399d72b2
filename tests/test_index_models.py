"""Claims that need the real models: embeddings, cross-lingual retrieval, exact codes."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedders import USEEmbedder, load_embedder, truncate_units
from index.hybrid import HybridIndex, IndexChunk

pytestmark = pytest.mark.slow

TOPICS_EN = [
    "Our discount policy: volume discounts start at 50 licences and need manager approval "
    "above 20 percent.",
    "To reset a forgotten password, open the login page and click 'Forgot password'; a reset "
    "link is emailed.",
    "The quarterly business review covers adoption metrics, open support tickets and renewal "
    "risks.",
    "Data is encrypted at rest with AES-256 and in transit with TLS 1.3; keys rotate every 90 "
    "days.",
    "Competitor X is cheaper upfront but charges for every integration, so total cost of "
    "ownership is higher.",
    "Implementation takes six to eight weeks: kickoff, data migration, training and go-live.",
]
TOPICS_ZH = [
    "我们的折扣政策：购买50个以上许可证可享受批量折扣，超过20%的折扣需要经理审批。",
    "忘记密码时，打开登录页面并点击“忘记密码”，系统会通过邮件发送重置链接。",
    "季度业务回顾包括使用情况指标、未解决的支持工单和续约风险。",
    "数据在存储时使用AES-256加密，传输时使用TLS 1.3加密，密钥每90天轮换一次。",
    "竞争对手X的初始价格更便宜，但每个集成都要收费，因此总拥有成本更高。",
    "实施周期为六到八周：启动会、数据迁移、培训和上线。",
]
QUERIES_ZH = ["批量购买有什么折扣？", "怎么重置密码", "数据是怎么加密的", "实施需要多长时间",
              "和竞争对手比总成本怎么样", "季度回顾讲什么"]  # fmt: skip
QUERIES_EN = [
    "what discounts do we give for large orders",
    "how do I reset my password",
    "how is data encrypted",
    "how long does implementation take",
    "how does our total cost compare with the competitor",
    "what is covered in a quarterly review",
]
ANSWERS = [0, 1, 3, 5, 4, 2]


@pytest.mark.parametrize("name", ["minilm", "use"])
def test_embedders_give_unit_float32_vectors(name: str) -> None:
    model = load_embedder(name)
    assert load_embedder(name) is model  # loaded once per process
    vectors = model.encode(["pricing for the LF-200", "LF-200 的价格", ""])
    assert vectors.shape == (3, model.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(model.encode(["pricing for the LF-200"])[0], vectors[0], atol=1e-5)
    assert model.encode([]).shape == (0, model.dim)


def test_use_cuts_very_long_text() -> None:
    assert truncate_units("a b c d", 2) == "a b"
    assert truncate_units("价格很低 ok", 3) == "价格很"
    use = USEEmbedder(max_units=20)
    long = "pricing " * 5000
    np.testing.assert_allclose(use.encode([long]), use.encode(["pricing " * 20]), atol=1e-5)


def _hits(index: HybridIndex, queries: list[str]) -> list[list[int]]:
    return [[r.id for r in index.search(q, None, k=3)] for q in queries]


@pytest.mark.parametrize(
    ("corpus", "queries"),
    [(TOPICS_EN, QUERIES_ZH), (TOPICS_ZH, QUERIES_EN)],
    ids=["zh-query-en-passage", "en-query-zh-passage"],
)
def test_cross_lingual_retrieval(corpus: list[str], queries: list[str]) -> None:
    index = HybridIndex(None, ["minilm", "use"])
    index.upsert([IndexChunk(i, text) for i, text in enumerate(corpus)])
    hits = _hits(index, queries)
    top1 = sum(h[0] == a for h, a in zip(hits, ANSWERS, strict=True))
    assert top1 >= 5, hits
    assert all(a in h for h, a in zip(hits, ANSWERS, strict=True)), hits


def test_exact_error_code_is_found_through_the_hybrid() -> None:
    texts = [
        "ERR-LF-4013: the fan is blocked. Clean the LF-200 fan and restart.",
        "ERR-LF-4012: the licence has expired. Renew it in the admin console.",
        "ERR-LF-4021: the gateway lost its uplink. Check the cable.",
        "LF-200 gateway overview: ports, power, mounting.",
        "错误码ERR-LF-4102表示磁盘已满，请清理日志。",
    ]
    index = HybridIndex(None, ["minilm", "use"])
    index.upsert([IndexChunk(i, t) for i, t in enumerate(texts)])
    assert index.search("ERR-LF-4012", None, k=3)[0].id == 1
    assert index.search("ERR-LF-4012 报错怎么办", None, k=3)[0].id == 1
    assert index.search("err-lf-4102", None, k=3)[0].id == 4
