"""`llmctl ask`: a question answered from a collection by the endpoint, with its sources."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import click
from botocore.exceptions import BotoCoreError
from llm_service.client import GenerationRequest, InferenceClient, InferenceError, Target, make_client
from llm_service.client.translate import translate
from llm_service.rag import RagError

from .. import endpoint_ref, exit_codes
from ..aws_options import aws_options, call_deadline, settings_from
from ..errors import LlmctlError
from ..measure import run
from ..rag_options import RagOptions, rag_options


def _prompt_budget(
    max_input_tokens: int | None, control: Any, endpoint: str, component: str | None, max_new_tokens: int
) -> int:
    from llm_service.rag.context import ContextLimit, endpoint_limits

    if max_input_tokens:
        limit = ContextLimit(max_input_tokens, None)
    else:
        try:
            limit = endpoint_limits(control, endpoint, component)
        except BotoCoreError as exc:
            raise LlmctlError(
                f"{endpoint}: could not read the model's context length ({exc}); pass --max-input-tokens."
            ) from None
    budget = limit.prompt_budget(max_new_tokens)
    if budget <= 0:
        raise LlmctlError(f"--max-new-tokens {max_new_tokens} leaves no room for a prompt in the model's context.")
    return budget


@click.command("ask")
@click.argument("question")
@rag_options
@click.option("--endpoint", "-e", help="The LLM endpoint's name.")
@click.option("--tf-dir", type=click.Path(path_type=Path), help="Read the endpoint from `terraform output` here.")
@click.option("--inference-component", help="InferenceComponentName, for inference-component endpoints.")
@click.option("--top-k", type=click.IntRange(1, 50), default=4, show_default=True, help="Passages to retrieve.")
@click.option("--score-threshold", type=click.FloatRange(-1, 1), help="Leave out passages scoring below this.")
@click.option("--max-new-tokens", type=click.IntRange(min=1), default=512, show_default=True)
@click.option(
    "--max-input-tokens",
    type=click.IntRange(min=64),
    help="The prompt budget (default: read from the endpoint's container environment).",
)
@click.option(
    "--llm-tokenizer",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The LLM's tokenizer.json, for exact prompt token counts (default: 1 token per 3 characters).",
)
@click.option(
    "--prompt-template",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A system prompt file with a {passages} placeholder.",
)
@click.option("--control-endpoint-url", hidden=True, help="A local AWS for DescribeEndpoint/DescribeModel.")
@click.option("--json", "as_json", is_flag=True, help='Print {"answer": …, "sources": [{path, chunk, score}]}.')
@aws_options
def ask_cmd(
    question: str,
    rag: RagOptions,
    endpoint: str | None,
    tf_dir: Path | None,
    inference_component: str | None,
    top_k: int,
    score_threshold: float | None,
    max_new_tokens: int,
    max_input_tokens: int | None,
    llm_tokenizer: Path | None,
    prompt_template: Path | None,
    control_endpoint_url: str | None,
    as_json: bool,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    timeout: float | None,
) -> None:
    """Retrieve the passages closest to QUESTION from a collection, build the grounded prompt (trimmed to the
    model's context), stream the endpoint's answer, then list the sources.

    \b
    Examples:
      llmctl ask "How does an async endpoint scale from zero?" -c docs --tf-dir terraform/envs/dev
      llmctl ask "What does plan review flag?" -c docs -e llama-dev --top-k 6 --json
      llmctl ask "Who approves deploys?" -c team -e llm-dev --inference-component llm-dev-chat
    """
    from llm_service.rag import prompt
    from llm_service.rag.retrieval import Retriever

    if not question.strip():
        raise LlmctlError("the question is empty; ask something.")
    name, runtime_url = endpoint_ref.resolve_target(endpoint, tf_dir)
    inference_component = endpoint_ref.resolve_component(inference_component, None if endpoint else tf_dir)
    endpoint_url = endpoint_url or runtime_url
    settings = settings_from(region, profile, endpoint_url, timeout)
    control_url = control_endpoint_url or endpoint_ref.async_locations(None if endpoint else tf_dir)[1] or endpoint_url
    settings = dataclasses.replace(settings, control_endpoint_url=control_url)

    embedder = rag.embedder(settings)
    vector_store = rag.open_store()
    started = time.perf_counter()
    try:
        template = prompt.load_template(prompt_template)
        passages = Retriever(embedder, vector_store).search(rag.collection, question, top_k, score_threshold)
        retrieval_s = time.perf_counter() - started
        control = make_client("sagemaker", settings, control_url)
        budget = _prompt_budget(max_input_tokens, control, name, inference_component, max_new_tokens)
        built = prompt.build(
            template, [{"role": "user", "content": question}], passages, budget, prompt.TokenCounter(llm_tokenizer)
        )
    except RagError as exc:
        raise LlmctlError(exc.message) from None
    finally:
        vector_store.close()

    request = GenerationRequest(messages=built.messages, max_new_tokens=max_new_tokens)
    try:
        client = InferenceClient(
            Target(name, inference_component), settings=settings, deadline_s=call_deadline(timeout, True)
        )
        echo = None if as_json else (lambda text: click.echo(text, nl=False))
        measured = run(client, request, True, echo)
    except (InferenceError, BotoCoreError) as exc:
        error = translate(exc)
        raise LlmctlError(f"{name}: {error.message}", exit_codes.for_error(error)) from None
    sources = [p.source() for p in built.passages]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "answer": measured.text,
                    "sources": sources,
                    "endpoint": name,
                    "prompt_tokens": built.tokens,
                    "retrieval_s": round(retrieval_s, 4),
                    "ttft_s": measured.ttft_s,
                    "total_s": measured.total_s,
                }
            )
        )
        return
    click.echo("")
    click.echo("sources:", err=True)
    for number, source in enumerate(sources, 1):
        click.echo(f"  [{number}] {source['path']} (chunk {source['chunk']}, score {source['score']:.3f})", err=True)
    if not sources:
        click.echo("  none matched: the answer is not grounded in the collection", err=True)
