"""Every bad input: exit code 2, one sentence that says what is wrong and how to fix it, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from llmctl.cli import cli

FIXTURES = Path(__file__).parents[1] / "fixtures"
L8 = "meta-llama/Llama-3.1-8B-Instruct"

BAD = [
    (
        "70b-on-one-a10g",
        ["meta-llama/Llama-3.1-70B-Instruct", "-i", "ml.g5.2xlarge"],
        [
            "does not fit on ml.g5.2xlarge",
            "short by",
            "smallest instance type that fits is ml.g5.48xlarge ($20.36/h)",
            "the cheapest that fits is ml.g6e.12xlarge ($13.12/h in us-east-1)",
        ],
    ),
    (
        "fit-suggests-quantization",
        ["mistralai/Mixtral-8x7B-Instruct-v0.1", "-i", "ml.g5.12xlarge", "-b", "lmi"],
        ["does not fit", "--quantize fp8 would fit"],
    ),
    (
        "explicit-total-too-big-to-fit",
        [L8, "-i", "ml.g5.xlarge", "--max-total-tokens", "131072"],
        ["does not fit", "131072-token sequence"],
    ),
    (
        "total-beyond-context",
        ["google/gemma-2-9b-it", "-i", "ml.g6e.xlarge", "--max-total-tokens", "16384"],
        ["exceeds google/gemma-2-9b-it's context of 8192 tokens"],
    ),
    (
        "input-not-below-total",
        [L8, "-i", "ml.g5.xlarge", "--max-input-tokens", "4096", "--max-total-tokens", "4096"],
        ["must be less than --max-total-tokens 4096"],
    ),
    (
        "input-beyond-context",
        ["microsoft/Phi-3-mini-4k-instruct", "-i", "ml.g5.xlarge", "--max-input-tokens", "5000"],
        ["leaves no room to generate", "at most 4095"],
    ),
    (
        "s3-archive-not-a-prefix",
        [L8, "-i", "ml.g5.2xlarge", "--model-s3-uri", "s3://team-models/twin/model.tar.gz"],
        ["names a file (model.tar.gz)", "uncompressed prefix", "e.g. s3://team-models/twin/"],
    ),
    (
        "s3-bucket-name-invalid",
        [L8, "-i", "ml.g5.2xlarge", "--model-s3-uri", "s3://Acme_Bucket/twin/"],
        ["'Acme_Bucket' is not a valid S3 bucket name"],
    ),
    (
        "weights-key-without-weights",
        [L8, "-i", "ml.g5.2xlarge", "--model-s3-kms-key", "arn:aws:kms:us-east-1:111122223333:key/k"],
        ["--model-s3-kms-key needs --model-s3-uri"],
    ),
    (
        "weights-key-alias",
        [
            *[L8, "-i", "ml.g5.2xlarge", "--model-s3-uri", "s3://team-models/twin/"],
            *["--model-s3-kms-key", "arn:aws:kms:us-east-1:111122223333:alias/models"],
        ],
        ["is not a KMS key ARN", "an alias ARN is not accepted"],
    ),
    (
        "weights-key-other-region",
        [
            *[L8, "-i", "ml.g5.2xlarge", "--model-s3-uri", "s3://team-models/twin/"],
            *["--model-s3-kms-key", "arn:aws:kms:eu-west-1:111122223333:key/k"],
        ],
        ["is in eu-west-1 but the endpoint is in us-east-1"],
    ),
    (
        "llama3-rope-on-tgi-before-2.2",
        [L8, "-i", "ml.g4dn.xlarge", "--image-version", "2.0.1", "--quantize", "bitsandbytes-nf4"],
        ["uses RoPE scaling 'llama3', which TGI supports from 2.2.0 on, but the image is TGI 2.0.1"],
    ),
    (
        "lora-two-adapters-on-vllm",
        [L8, "-i", "ml.g6.xlarge", "-b", "vllm", "--lora-adapter", "a=acme/a", "--lora-adapter", "b=acme/b"],
        ["the vLLM container takes one", "SM_VLLM_LORA_MODULES as a single argument"],
    ),
    (
        "lora-rank-vllm-refuses",
        [L8, "-i", "ml.g6.xlarge", "-b", "vllm", "--lora-adapter", "a=acme/a", "--lora-rank", "12"],
        ["--lora-rank 12 is not a vLLM --max-lora-rank"],
    ),
    (
        "lora-s3-outside-the-model-prefix",
        [L8, "-i", "ml.g6.xlarge", "--model-s3-uri", "s3://team-models/l8/", "--lora-adapter", "t=s3://team-models/t/"],
        ["an S3 adapter must sit under the model's S3 prefix (under s3://team-models/l8/adapters/t/)"],
    ),
    (
        "lora-not-name-equals-source",
        [L8, "-i", "ml.g6.xlarge", "--lora-adapter", "acme/twin"],
        ["is not NAME=SOURCE"],
    ),
    (
        "lora-hub-adapter-on-lmi",
        [L8, "-i", "ml.g6.xlarge", "-b", "lmi", "--lora-adapter", "t=acme/t"],
        ["LMI loads adapters only from its model directory", "adapters/t/"],
    ),
    (
        "lora-lmi-outside-adapters-dir",
        [
            *[L8, "-i", "ml.g6.xlarge", "-b", "lmi", "--model-s3-uri", "s3://team-models/l8/"],
            *["--lora-adapter", "t=s3://team-models/l8/lora/t/"],
        ],
        ["must be at s3://team-models/l8/adapters/t/"],
    ),
    (
        "lora-typo-in-set",
        [L8, "-i", "ml.g6.xlarge", "--set", "LORA_ADAPTER=acme/t"],
        ["LORA_ADAPTER is not a TGI variable (TGI reads LORA_ADAPTERS)"],
    ),
    ("unknown-instance", [L8, "-i", "ml.g5.3xlarge"], ["not a SageMaker GPU instance type", "Did you mean ml.g5."]),
    ("cpu-instance", [L8, "-i", "ml.c5.xlarge"], ["has no NVIDIA GPU"]),
    (
        "gpus-do-not-divide-heads",
        ["Qwen/Qwen2.5-7B-Instruct", "-i", "ml.g5.48xlarge", "--num-gpus", "8"],
        ["does not divide", "28 attention heads", "use one of 1, 2, 4"],
    ),
    ("more-gpus-than-instance", [L8, "-i", "ml.g5.12xlarge", "--num-gpus", "8"], ["outside 1..4"]),
    (
        "quantize-wrong-backend",
        [L8, "-i", "ml.g5.xlarge", "-b", "lmi", "--quantize", "eetq"],
        ["--quantize eetq is not valid for the lmi backend"],
    ),
    (
        "awq-on-16bit-checkpoint",
        [L8, "-i", "ml.g5.xlarge", "--quantize", "awq"],
        ["needs a checkpoint already quantized with awq", "eetq"],
    ),
    ("bf16-on-t4", [L8, "-i", "ml.g4dn.12xlarge", "-b", "vllm", "--dtype", "bfloat16"], ["use --dtype float16"]),
    (
        "dtype-with-quantize-tgi",
        [L8, "-i", "ml.g5.xlarge", "--dtype", "float16", "--quantize", "eetq"],
        ["cannot be combined with --quantize"],
    ),
    ("fp8-on-t4", [L8, "-i", "ml.g4dn.12xlarge", "-b", "vllm", "--quantize", "fp8"], ["needs an Ampere or newer GPU"]),
    (
        "fp8-kv-on-t4",
        ["meta-llama/Llama-3.2-1B", "-i", "ml.g4dn.xlarge", "-b", "vllm", "--kv-cache-dtype", "fp8"],
        ["needs an Ampere or newer GPU"],
    ),
    (
        "both-input-limits",
        [L8, "-i", "ml.g5.xlarge", "--set", "MAX_INPUT_LENGTH=1000"],
        ["MAX_INPUT_TOKENS and MAX_INPUT_LENGTH are both set"],
    ),
    (
        "quantize-false",
        [L8, "-i", "ml.g5.xlarge", "--set", "HF_MODEL_QUANTIZE=false"],
        ["HF_MODEL_QUANTIZE='false' is not a TGI quantization"],
    ),
    (
        "prefill-below-input",
        [L8, "-i", "ml.g5.xlarge", "--set", "MAX_BATCH_PREFILL_TOKENS=100"],
        ["MAX_BATCH_PREFILL_TOKENS (100) must be at least the max input tokens"],
    ),
    ("set-not-key-value", [L8, "-i", "ml.g5.xlarge", "--set", "NOPE"], ["is not KEY=VALUE"]),
    ("config-missing", [L8, "-i", "ml.g5.xlarge", "--model-config", "/nonexistent/config.json"], ["does not exist"]),
    (
        "config-not-json",
        [L8, "-i", "ml.g5.xlarge", "--model-config", str(FIXTURES / "not-json.txt")],
        ["is not valid JSON"],
    ),
    (
        "config-incomplete",
        [L8, "-i", "ml.g5.xlarge", "--model-config", str(FIXTURES / "incomplete-config.json")],
        ["has no hidden_size"],
    ),
    (
        "unknown-model-offline",
        ["acme/unknown-llm", "-i", "ml.g5.xlarge"],
        ["not in the bundled catalog", "--model-config"],
    ),
    ("bad-s3-uri", [L8, "-i", "ml.g5.xlarge", "--model-s3-uri", "https://bucket/x"], ["is not an s3:// URI"]),
    ("bad-region", [L8, "-i", "ml.g5.xlarge", "--region", "Frankfurt"], ["is not an AWS region name"]),
    (
        "unknown-image-version",
        [L8, "-i", "ml.g5.xlarge", "--image-version", "9.9.9"],
        ["not a tgi image version the sagemaker SDK knows", "3.3.6"],
    ),
    (
        "memory-utilization-out-of-range",
        [L8, "-i", "ml.g5.xlarge", "--memory-utilization", "1.5"],
        ["must be between 0.1 and 1.0"],
    ),
    (
        "tfvars-wrong-suffix",
        [L8, "-i", "ml.g5.xlarge", "--format", "tfvars", "--out", "llm.tfvars"],
        ["must end in .auto.tfvars.json"],
    ),
    (
        "token-into-tfvars",
        [L8, "-i", "ml.g5.xlarge", "--format", "tfvars", "--set", "HF_TOKEN=hf_abc"],
        ["HF_TOKEN is named like a token", "Terraform state"],
    ),
    (
        "hub-api-token-name",
        [L8, "-i", "ml.g5.xlarge", "--format", "tfvars", "--set", "HUGGINGFACEHUB_API_TOKEN=hf_x"],
        ["HUGGINGFACEHUB_API_TOKEN is named like a token"],
    ),
    (
        "aws-secret-name",
        [L8, "-i", "ml.g5.xlarge", "--set", "AWS_SECRET_ACCESS_KEY=abc"],
        ["AWS_SECRET_ACCESS_KEY is named like a token"],
    ),
    (
        "hf-token-value-under-another-name",
        [L8, "-i", "ml.g5.xlarge", "--set", "HUB_SETTING=hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345"],
        ["HUB_SETTING's value looks like a Hugging Face token"],
    ),
    (
        "aws-key-id-value",
        [L8, "-i", "ml.g5.xlarge", "--set", "READER=AKIAIOSFODNN7EXAMPLE"],
        ["READER's value looks like an AWS access key ID"],
    ),
]


@pytest.mark.parametrize(("args", "expected"), [(a, e) for _, a, e in BAD], ids=[n for n, _, _ in BAD])
def test_bad_input_exits_2_with_one_clear_sentence(args: list[str], expected: list[str]) -> None:
    result = CliRunner().invoke(cli, ["render", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for fragment in expected:
        assert fragment in lines[0]


def test_secret_never_printed_in_error() -> None:
    result = CliRunner().invoke(
        cli, ["render", L8, "-i", "ml.g5.xlarge", "--format", "tfvars", "--set", "HF_TOKEN=hf_secret_value"]
    )
    assert "hf_secret_value" not in result.output


def test_image_uri_command() -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["image-uri", "--backend", "lmi", "--region", "eu-central-1", "--json"])
    assert ok.exit_code == 0
    assert '"image_uri": "763104351884.dkr.ecr.eu-central-1.amazonaws.com/djl-inference:' in ok.output
    bad = runner.invoke(cli, ["image-uri", "--backend", "vllm", "--version", "0.0.1"])
    assert bad.exit_code == 2 and "not a vllm image version" in bad.output
    listed = runner.invoke(cli, ["image-uri", "--backend", "tgi", "--list"])
    assert listed.output.splitlines()[0] == "3.3.6"


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()
    for command in cli.list_commands(None):  # type: ignore[arg-type]
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output, command
