"""`llmctl ingest`: documents into a collection the service and `llmctl ask` search."""

from __future__ import annotations

import json
from pathlib import Path

import click
from llm_service.rag import RagError
from llm_service.rag.chunking import ChunkSpec
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from ..aws_options import aws_options, settings_from
from ..consoles import console
from ..errors import LlmctlError
from ..rag_options import RagOptions, rag_options


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@rag_options
@click.option(
    "--chunk-tokens",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Chunk size, in the embedding model's tokens.",
)
@click.option(
    "--overlap",
    type=click.IntRange(min=0),
    default=40,
    show_default=True,
    help="Tokens each chunk shares with the previous one.",
)
@click.option("--prune", is_flag=True, help="Remove the chunks of files that are gone from the given directories.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@aws_options
def ingest_cmd(
    paths: tuple[Path, ...],
    rag: RagOptions,
    chunk_tokens: int,
    overlap: int,
    prune: bool,
    as_json: bool,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    timeout: float | None,
) -> None:
    """Read Markdown, text, HTML and PDF files (directories are walked), chunk them, embed the chunks and upsert them
    into a Qdrant collection. Unchanged files are skipped; a changed file replaces its old chunks as a whole.

    \b
    Examples:
      llmctl ingest docs/ --collection docs
      llmctl ingest handbook.pdf notes/ -c team --chunk-tokens 256 --overlap 32 --prune
      llmctl ingest docs/ -c docs --embedding-endpoint embed-dev     # a TEI endpoint embeds
      llmctl ingest docs/ -c docs --qdrant-url https://qdrant.internal:6333 --qdrant-api-key-file key.txt
    """
    from llm_service.rag.ingest import ingest

    collection = rag.collection
    embedder = rag.embedder(settings_from(region, profile, endpoint_url, timeout) if rag.embedding_endpoint else None)
    vector_store = rag.open_store()
    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        # Transient: the summary line replaces the bar, and an error is the only line left.
        with Progress(*columns, console=console(stderr=True), disable=as_json, transient=True) as progress:
            task = progress.add_task(f"embedding into {collection}", total=None)
            report = ingest(
                paths,
                collection,
                vector_store,
                embedder,
                ChunkSpec(chunk_tokens, overlap),
                prune=prune,
                on_total=lambda total: progress.update(task, total=total),
                on_chunks=lambda n: progress.advance(task, n),
            )
    except RagError as exc:
        raise LlmctlError(exc.message) from None
    finally:
        vector_store.close()
    if as_json:
        click.echo(json.dumps({"collection": collection, **report.as_dict()}))
        return
    rate = f" ({report.chunks / report.seconds:.1f} chunks/s)" if report.chunks and report.seconds else ""
    click.echo(
        f"{collection}: {report.files} files, {report.written} written, {report.unchanged} unchanged, "
        f"{report.removed} removed · {report.chunks} chunks, {report.tokens} tokens · {report.seconds:.1f} s{rate}"
    )
    for name in report.empty:
        click.echo(f"warning: {name} has no text to index (a scanned PDF needs OCR first)", err=True)
