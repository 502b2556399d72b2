"""Warm-up before the server says it is ready: the first search must be as fast as the rest.

Loading a model is not the whole cost of its first use: the first encode builds the
model's kernels and buffers, jieba loads its dictionary on the first Chinese text, and the
linker and the stage classifier build their tables on the first query. One encode per
model and one answer per language, not logged, pay all of it at start.
"""

from __future__ import annotations

import logging
import time

from kms.core.schemas import AnswerRequest
from kms.core.visibility import LOCAL_ADMIN
from kms.services.answer import answer
from kms.services.app import Services

log = logging.getLogger("kms.services")
QUERIES = ("how do we handle a price objection", "客户说价格太高怎么办")


def warm_up(services: Services) -> float:
    """Load and exercise every model and table a search uses; the seconds it took."""
    started = time.perf_counter()
    for embedder in services.index.embedders.values():
        embedder.encode(["warm up"], is_query=True)
    for query in QUERIES:
        answer(services, AnswerRequest(query=query, log=False), LOCAL_ADMIN)
    seconds = time.perf_counter() - started
    log.info("warm-up: %.1f s", seconds)
    return seconds
