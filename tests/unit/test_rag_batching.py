"""Query embeddings off the event loop: concurrent questions share embed calls, each gets its own vector, and a
failure reaches every waiter."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import numpy as np
import pytest
from llm_service.rag.batching import PooledEmbedder, QueryBatcher


def _slow_embed(calls: list[int]):  # type: ignore[no-untyped-def]
    loop_thread = threading.get_ident()

    def embed(texts: Sequence[str]) -> np.ndarray:
        assert threading.get_ident() != loop_thread, "embedding must not run on the event loop"
        calls.append(len(texts))
        threading.Event().wait(0.02)
        return np.array([[float(len(t))] for t in texts], dtype=np.float32)

    return embed


async def test_concurrent_questions_share_embed_calls() -> None:
    calls: list[int] = []
    batcher = QueryBatcher(_slow_embed(calls))
    texts = ["x" * n for n in range(1, 33)]
    vectors = await asyncio.gather(*(batcher.embed(t) for t in texts))
    assert [float(v[0]) for v in vectors] == [float(len(t)) for t in texts], "each question gets its own vector"
    assert sum(calls) == 32 and len(calls) <= 3, f"32 concurrent questions took {len(calls)} embed calls"


async def test_a_failure_reaches_every_waiter_and_the_next_call_works() -> None:
    state = {"fail": True}

    def embed(texts: Sequence[str]) -> np.ndarray:
        if state["fail"]:
            raise RuntimeError("model crashed")
        return np.ones((len(texts), 2), dtype=np.float32)

    batcher = QueryBatcher(embed)
    results = await asyncio.gather(*(batcher.embed("q") for _ in range(4)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    state["fail"] = False
    assert (await batcher.embed("q")).tolist() == [1.0, 1.0]


async def test_the_pool_sends_one_question_per_call() -> None:
    calls: list[int] = []
    pooled = PooledEmbedder(_slow_embed(calls), threads=2)
    await asyncio.gather(*(pooled.embed("ab") for _ in range(6)))
    assert calls == [1] * 6


@pytest.mark.parametrize("n", [1])
async def test_a_lone_question_does_not_wait(n: int) -> None:
    calls: list[int] = []
    batcher = QueryBatcher(_slow_embed(calls))
    loop = asyncio.get_running_loop()
    started = loop.time()
    await batcher.embed("alone")
    assert calls == [n] and loop.time() - started < 0.5
