"""`llmctl render`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import output, tfvars
from ..backends import BACKENDS
from ..consoles import console
from ..errors import LlmctlError
from ..render import RenderRequest, render


def _parse_set(values: tuple[str, ...]) -> dict[str, str]:
    env = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise LlmctlError(f"--set {item!r} is not KEY=VALUE; e.g. --set MAX_CONCURRENT_REQUESTS=64.")
        env[key] = value
    return env


@click.command("render")
@click.argument("model_id")
@click.option("--instance-type", "-i", required=True, help="SageMaker GPU instance type, e.g. ml.g5.2xlarge.")
@click.option(
    "--backend",
    "-b",
    type=click.Choice([*sorted(BACKENDS), "tei"]),
    default="tgi",
    show_default=True,
    help="Serving container.",
)
@click.option("--model-config", type=click.Path(path_type=Path), help="A Hugging Face config.json to size from.")
@click.option("--model-s3-uri", help="Serve weights from this S3 prefix instead of downloading from the Hub.")
@click.option(
    "--precompiled-engine",
    is_flag=True,
    help="-b trtllm: --model-s3-uri holds an engine already compiled (LMI's TensorRT-LLM model format), so the "
    "container loads it instead of compiling one at startup.",
)
@click.option(
    "--model-s3-kms-key",
    help="ARN of the customer-managed KMS key that encrypts that bucket (the role may decrypt with exactly it).",
)
@click.option(
    "--lora-adapter",
    "lora_adapters",
    multiple=True,
    metavar="NAME=SOURCE",
    help="Serve a LoRA adapter beside the base model (repeatable; one with vllm): SOURCE is a Hub repo id or "
    "an s3:// prefix under --model-s3-uri (lmi: its adapters/NAME/). Callers pick it by NAME.",
)
@click.option(
    "--lora-rank",
    type=int,
    default=16,
    show_default=True,
    help="The largest r among the adapters (adapter_config.json): sizes their GPU memory and vLLM's --max-lora-rank.",
)
@click.option("--revision", help="Hub revision (branch, tag or commit) to serve.")
@click.option("--quantize", help="Weight quantization: fp8, eetq, bitsandbytes-nf4, awq, gptq… (backend-specific).")
@click.option("--dtype", type=click.Choice(["float16", "bfloat16"]), help="Compute dtype (default: from model/GPU).")
@click.option(
    "--kv-cache-dtype",
    type=click.Choice(["fp8", "fp8_e4m3fn", "fp8_e5m2"]),
    help="Store the KV cache in fp8: twice the tokens.",
)
@click.option("--max-input-tokens", type=int, help="Longest prompt accepted.")
@click.option("--max-total-tokens", type=int, help="Longest prompt + generation (default min(context, 8192)).")
@click.option("--num-gpus", type=int, help="Force the tensor-parallel degree (default: all GPUs the heads allow).")
@click.option(
    "--gpus-per-copy",
    type=int,
    help="Size inference-component copies of this many GPUs each; reports how many fit per instance and why.",
)
@click.option(
    "--component",
    help="With --gpus-per-copy and --format tfvars: the inference component's name (default: from the model id); "
    "rendering into an existing component file adds it.",
)
@click.option(
    "--async",
    "asynchronous",
    is_flag=True,
    help="An asynchronous endpoint (--format tfvars/json): requests queue in S3, results land in S3 and on SNS, the "
    "instances scale on the backlog (to zero with autoscaling.min_capacity 0).",
)
@click.option("--memory-utilization", type=float, help="Fraction of each GPU's memory to plan for (default 0.9).")
@click.option("--trust-remote-code", is_flag=True, help="Let the container run the model repo's code.")
@click.option(
    "--set",
    "env_set",
    multiple=True,
    metavar="KEY=VALUE",
    help="Add or override a container variable; the result is still checked against the rules.",
)
@click.option("--region", default="us-east-1", show_default=True, envvar="AWS_REGION", help="Region for the image.")
@click.option("--image-version", help="Container version (default: newest the sagemaker SDK knows).")
@click.option("--image-uri", help="Use this image instead of resolving one.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "env", "json", "tfvars"]),
    default="table",
    show_default=True,
)
@click.option("--out", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
def render_cmd(
    model_id: str,
    instance_type: str,
    backend: str,
    model_config: Path | None,
    model_s3_uri: str | None,
    precompiled_engine: bool,
    model_s3_kms_key: str | None,
    lora_adapters: tuple[str, ...],
    lora_rank: int,
    revision: str | None,
    quantize: str | None,
    dtype: str | None,
    kv_cache_dtype: str | None,
    max_input_tokens: int | None,
    max_total_tokens: int | None,
    num_gpus: int | None,
    gpus_per_copy: int | None,
    component: str | None,
    asynchronous: bool,
    memory_utilization: float | None,
    trust_remote_code: bool,
    env_set: tuple[str, ...],
    region: str,
    image_version: str | None,
    image_uri: str | None,
    fmt: str,
    out: Path | None,
    as_json: bool,
) -> None:
    """Render the serving container's environment for MODEL_ID, sized to the instance's GPUs (or, with
    --backend tei, an embedding endpoint for retrieval).

    \b
    Examples:
      llmctl render meta-llama/Llama-3.1-8B-Instruct -i ml.g5.2xlarge
      llmctl render meta-llama/Llama-3.1-70B-Instruct -i ml.p4d.24xlarge --format json
      llmctl render Qwen/Qwen2.5-7B-Instruct -i ml.g6.xlarge -b vllm \\
          --format tfvars --out terraform/envs/dev/llm.auto.tfvars.json
      llmctl render meta-llama/Llama-3.1-8B-Instruct -i ml.g5.12xlarge --gpus-per-copy 1   # copies per instance
      llmctl render meta-llama/Llama-3.2-1B-Instruct -i ml.g5.12xlarge --gpus-per-copy 1 --component small \\
          --format tfvars --out terraform/envs/dev/llm.auto.tfvars.json   # adds a component to the endpoint
      llmctl render mistralai/Mistral-7B-Instruct-v0.1 -i ml.g5.2xlarge --async \
          --format tfvars --out terraform/envs/dev/llm.auto.tfvars.json   # queued requests, results in S3
      llmctl render all-minilm-l6-v2 -i ml.c6i.xlarge -b tei --format tfvars \
          --out terraform/envs/embed-dev/llm.auto.tfvars.json   # TEI for `llmctl ingest --embedding-endpoint`
    """
    if as_json:
        fmt = "json"
    if backend == "tei":
        llm_only = {
            "--model-config": model_config,
            "--precompiled-engine": precompiled_engine,
            "--model-s3-kms-key": model_s3_kms_key,
            "--lora-adapter": lora_adapters,
            "--revision": revision,
            "--quantize": quantize,
            "--dtype": dtype,
            "--kv-cache-dtype": kv_cache_dtype,
            "--max-input-tokens": max_input_tokens,
            "--max-total-tokens": max_total_tokens,
            "--num-gpus": num_gpus,
            "--gpus-per-copy": gpus_per_copy,
            "--component": component,
            "--async": asynchronous,
            "--memory-utilization": memory_utilization,
            "--trust-remote-code": trust_remote_code,
        }
        given = [name for name, value in llm_only.items() if value]
        if given:
            verb = "does" if len(given) == 1 else "do"
            raise LlmctlError(f"{', '.join(given)} {verb} not apply to an embedding endpoint (--backend tei); drop it.")
        if fmt == "tfvars" and out is not None:
            tfvars.check_out_path(out)
        _emit(_tei_text(model_id, instance_type, region, image_version, image_uri, env_set, model_s3_uri, fmt), out)
        return
    if component is not None and gpus_per_copy is None:
        raise LlmctlError("--component needs --gpus-per-copy: a component is sized as copies of N GPUs each.")
    if fmt == "tfvars" and out is not None:
        tfvars.check_out_path(out)
    if asynchronous and gpus_per_copy is not None:
        raise LlmctlError(
            "--async and --gpus-per-copy do not go together: SageMaker hosts inference components on real-time "
            "endpoints only; drop one of them."
        )
    if asynchronous and fmt not in ("tfvars", "json"):
        raise LlmctlError("--async describes the endpoint, not the container: add --format tfvars (or --json).")
    request = RenderRequest(
        model_id=model_id,
        instance_type=instance_type,
        backend=backend,
        model_config=model_config,
        model_s3_uri=model_s3_uri,
        model_s3_kms_key_arn=model_s3_kms_key,
        precompiled_engine=precompiled_engine,
        lora_adapters=lora_adapters,
        lora_rank=lora_rank,
        quantize=quantize,
        dtype=dtype,
        kv_cache_dtype=kv_cache_dtype,
        max_input_tokens=max_input_tokens,
        max_total_tokens=max_total_tokens,
        num_gpus=num_gpus,
        gpus_per_copy=gpus_per_copy,
        region=region,
        image_version=image_version,
        image_uri=image_uri,
        memory_utilization=memory_utilization,
        revision=revision,
        trust_remote_code=trust_remote_code,
        env_overrides=_parse_set(env_set),
    )
    result = render(request)
    if fmt == "table":
        con = console(file=out.open("w")) if out else console()
        output.print_table(result, con)
        return
    if fmt != "json":  # json carries them in "warnings"; env and tfvars keep stdout clean, a person still sees them
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
    if fmt == "tfvars" and gpus_per_copy is not None:
        existing = tfvars.existing(out)
        name = component or tfvars.component_name(model_id)
        text = json.dumps(tfvars.component_tfvars(result, name, existing), indent=2) + "\n"
    elif fmt == "tfvars":
        text = tfvars.dumps(result, asynchronous, tfvars.existing(out))
    elif fmt == "json" and asynchronous:
        rendered = json.loads(output.as_json(result))
        rendered["async_inference"] = tfvars.async_inference(result, None)
        text = json.dumps(rendered, indent=2) + "\n"
    else:
        text = {"env": output.as_env, "json": output.as_json}[fmt](result)
    _emit(text, out)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        click.echo(f"wrote {out}", err=True)


def _tei_text(
    model_id: str,
    instance_type: str,
    region: str,
    image_version: str | None,
    image_uri: str | None,
    env_set: tuple[str, ...],
    model_s3_uri: str | None,
    fmt: str,
) -> str:
    from ..embedding_render import render_embedding

    rendered = render_embedding(
        model_id, instance_type, region, image_version, image_uri, _parse_set(env_set), model_s3_uri
    )
    if fmt == "tfvars":
        return json.dumps(rendered["tfvars"], indent=2) + "\n"
    if fmt == "env":
        return "".join(f"{key}={value}\n" for key, value in sorted(rendered["env"].items()))
    if fmt == "json":
        return json.dumps({k: v for k, v in rendered.items() if k != "tfvars"}, indent=2) + "\n"
    kind = "GPU" if rendered["gpu"] else "CPU"
    lines = [
        f"model            {rendered['model']} ({rendered['dimension']}-dimension embeddings)",
        "backend          tei (Text Embeddings Inference)",
        f"instance         {rendered['instance_type']} ({kind})",
        f"image            {rendered['image_uri']}",
        *(f"env              {key}={value}" for key, value in sorted(rendered["env"].items())),
    ]
    return "\n".join(lines) + "\n"
