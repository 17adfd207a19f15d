"""The collection as users rely on it: unchanged files skipped, a changed file replaced as a whole, deleted files
pruned, an interrupted ingest leaving the previous version searchable, and one sentence for each store problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from llm_service.rag import RagError
from llm_service.rag.chunking import ChunkSpec
from llm_service.rag.ingest import ingest
from llm_service.rag.retrieval import Retriever
from llm_service.rag.store import StoreLocation, VectorStore
from support.servers import free_port

SPEC = ChunkSpec(tokens=32, overlap=8)


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened = VectorStore(StoreLocation(path=tmp_path / "store"))
    yield opened
    opened.close()


def _docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "cats.md").write_text("# Cats\n\nCats sleep sixteen hours a day and purr when content.\n")
    (docs / "ships.txt").write_text("Container ships carry twenty thousand boxes across the Pacific Ocean.\n")
    return docs


def _texts(store: VectorStore, embedder, question: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in Retriever(embedder, store).search("c", question, 5)]


def test_reingesting_unchanged_files_writes_nothing(tmp_path: Path, store, embedder) -> None:  # type: ignore[no-untyped-def]
    docs = _docs(tmp_path)
    first = ingest([docs], "c", store, embedder, SPEC)
    again = ingest([docs], "c", store, embedder, SPEC)
    assert (first.files, first.written, first.chunks) == (2, 2, 2)
    assert (again.written, again.unchanged, again.chunks) == (0, 2, 0)
    assert store.count("c") == 2


def test_a_changed_file_replaces_its_chunks_and_prune_removes_deleted_ones(tmp_path: Path, store, embedder) -> None:  # type: ignore[no-untyped-def]
    docs = _docs(tmp_path)
    ingest([docs], "c", store, embedder, SPEC)
    (docs / "cats.md").write_text("# Cats\n\nCats are obligate carnivores that hunt at dawn and dusk.\n")
    (docs / "ships.txt").unlink()
    kept = ingest([docs], "c", store, embedder, SPEC)
    assert kept.written == 1 and kept.removed == 0 and store.count("c") == 2, "without --prune the old file stays"
    texts = _texts(store, embedder, "what do cats eat")
    assert any("carnivores" in t for t in texts) and not any("sixteen hours" in t for t in texts)
    pruned = ingest([docs], "c", store, embedder, SPEC, prune=True)
    assert pruned.removed == 1 and store.count("c") == 1
    assert {Path(p).name for p in store.file_hashes("c")} == {"cats.md"}


def test_an_interrupted_ingest_leaves_the_previous_version_searchable(
    tmp_path: Path, store, embedder, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    docs = _docs(tmp_path)
    ingest([docs], "c", store, embedder, SPEC)
    (docs / "cats.md").write_text("# Cats\n\nCats are obligate carnivores that hunt at dawn and dusk.\n")

    def interrupted(texts):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt  # Ctrl-C while the changed file is being embedded

    with monkeypatch.context() as patch:
        patch.setattr(embedder, "embed", interrupted)
        with pytest.raises(KeyboardInterrupt):
            ingest([docs], "c", store, embedder, SPEC)
    texts = _texts(store, embedder, "cats")
    assert any("sixteen hours" in t for t in texts) and not any("carnivores" in t for t in texts)
    assert store.count("c") == 2


def test_an_ingest_stopped_mid_replace_is_cleaned_up_by_the_next(tmp_path: Path, store, embedder, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    docs = _docs(tmp_path)
    ingest([docs], "c", store, embedder, SPEC)
    (docs / "cats.md").write_text("# Cats\n\nCats are obligate carnivores that hunt at dawn and dusk.\n")

    def stopped(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt  # after the new version's write, before the old version's delete

    with monkeypatch.context() as patch:
        patch.setattr(store, "_delete", stopped)
        with pytest.raises(KeyboardInterrupt):
            ingest([docs], "c", store, embedder, SPEC)
    texts = _texts(store, embedder, "cats")
    assert any("carnivores" in t for t in texts) and any("sixteen hours" in t for t in texts), "both whole versions"
    resumed = ingest([docs], "c", store, embedder, SPEC)
    assert resumed.written == 1 and store.count("c") == 2
    texts = _texts(store, embedder, "cats")
    assert any("carnivores" in t for t in texts) and not any("sixteen hours" in t for t in texts)


def test_a_parse_error_stops_the_run_before_anything_is_written(tmp_path: Path, store, embedder) -> None:  # type: ignore[no-untyped-def]
    docs = _docs(tmp_path)
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4\nnot really")
    with pytest.raises(RagError, match=r"broken.pdf could not be parsed as a PDF"):
        ingest([docs], "c", store, embedder, SPEC)
    assert store.count("c") == 0


def test_collection_problems_get_one_sentence_each(tmp_path: Path, store, embedder) -> None:  # type: ignore[no-untyped-def]
    retriever = Retriever(embedder, store)
    with pytest.raises(RagError, match=r"collection `nope` does not exist.*llmctl ingest PATH --collection nope"):
        retriever.search("nope", "q", 3)
    store.ensure_collection("empty", embedder.dimension, "Cosine", create=True)
    with pytest.raises(RagError, match="collection `empty` is empty"):
        retriever.search("empty", "q", 3)
    store.ensure_collection("small", 8, "Cosine", create=True)
    with pytest.raises(RagError, match="holds 8-dimension Cosine vectors but the embedding model makes 384"):
        retriever.search("small", "q", 3)
    with pytest.raises(RagError, match="holds 8-dimension"):
        ingest([_docs(tmp_path)], "small", store, embedder, SPEC)


def test_the_embedded_store_is_one_process_at_a_time(tmp_path: Path, store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RagError, match=r"is open in another process.*use a Qdrant server"):
        VectorStore(StoreLocation(path=tmp_path / "store"))


def test_a_qdrant_server_that_is_down_is_one_sentence(embedder) -> None:  # type: ignore[no-untyped-def]
    down = VectorStore(StoreLocation(url=f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(
        RagError, match=r"the Qdrant server at http://127.0.0.1:\d+ did not answer .*start it"
    ) as raised:
        Retriever(embedder, down).search("docs", "q", 3)
    assert raised.value.status == 503
