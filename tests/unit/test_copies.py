"""Issue 18: `llmctl render --gpus-per-copy` sizes inference-component copies: how many fit per instance by GPUs, CPU
cores and host memory, what each asks for, and a refusal that says why and what fits instead (the reference
notebook's Llama-3-8B as four one-GPU copies on ml.p3.8xlarge). The figures are those of docs/sizing.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from llmctl.cli import cli
from llmctl.copies import HOST_RESERVE_MIB, HOST_RESERVE_VCPUS
from llmctl.errors import LlmctlError
from llmctl.instances import get_instance
from llmctl.render import RenderRequest, render


@pytest.mark.parametrize(
    ("model", "instance", "backend", "gpus", "copies", "limited_by", "cores", "memory_mb"),
    [
        ("meta-llama/Meta-Llama-3-8B-Instruct", "ml.g5.12xlarge", "tgi", 1, 4, "GPUs", 11, 17408),
        ("meta-llama/Meta-Llama-3-8B-Instruct", "ml.p3.8xlarge", "vllm", 2, 2, "GPUs", 15, 17408),
        ("meta-llama/Llama-3.1-70B-Instruct", "ml.p4d.24xlarge", "tgi", 4, 2, "GPUs", 47, 137216),
        ("Qwen/Qwen2.5-7B-Instruct", "ml.g6e.12xlarge", "vllm", 1, 4, "GPUs", 11, 17408),
        ("meta-llama/Llama-3.2-1B-Instruct", "ml.g5.48xlarge", "tgi", 1, 8, "GPUs", 23, 5120),
    ],
)
def test_copies_per_instance_and_what_each_asks_for(
    model: str, instance: str, backend: str, gpus: int, copies: int, limited_by: str, cores: int, memory_mb: int
) -> None:
    result = render(RenderRequest(model, instance, backend=backend, gpus_per_copy=gpus))
    assert result.copies is not None
    assert (result.copies.per_instance, result.copies.limited_by) == (copies, limited_by)
    assert result.plan.tensor_parallel_degree == gpus
    assert result.copies.compute_requirements() == {
        "NumberOfAcceleratorDevicesRequired": gpus,
        "NumberOfCpuCoresRequired": cores,
        "MinMemoryRequiredInMb": memory_mb,
    }
    # Every copy together stays inside the instance, less SageMaker's share.
    host = get_instance(instance)
    assert copies * cores <= host.vcpus - HOST_RESERVE_VCPUS
    assert copies * memory_mb <= host.memory_gib * 1024 - HOST_RESERVE_MIB


def test_the_notebooks_four_v100_copies_are_refused_with_why_and_what_fits() -> None:
    with pytest.raises(LlmctlError, match="TGI cannot serve on NVIDIA V100 16GB") as tgi:
        render(RenderRequest("meta-llama/Meta-Llama-3-8B-Instruct", "ml.p3.8xlarge", gpus_per_copy=1))
    assert "--backend vllm" in str(tgi.value)
    with pytest.raises(LlmctlError) as vllm:
        render(RenderRequest("meta-llama/Meta-Llama-3-8B-Instruct", "ml.p3.8xlarge", "vllm", gpus_per_copy=1))
    message = str(vllm.value)
    assert "needs 15.0 GiB of weights" in message and "has 14.2 GiB usable" in message
    assert "with --gpus-per-copy 2, 2 copies fit on ml.p3.8xlarge" in message
    assert "ml.g5.12xlarge (4× NVIDIA A10G) fits 4 copies of 1 GPU(s)" in message


def test_idle_paid_gpus_are_named_and_point_to_copies() -> None:
    result = render(RenderRequest("meta-llama/Llama-3.1-8B-Instruct", "ml.g5.12xlarge", num_gpus=1))
    assert any("leaves 3 of 4 paid GPUs on ml.g5.12xlarge idle" in n and "--gpus-per-copy 1" in n for n in result.notes)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gpus-per-copy", "3"], "--gpus-per-copy 3 does not divide"),
        (["--gpus-per-copy", "8"], "--gpus-per-copy 8 is outside 1..4"),
        (["--gpus-per-copy", "1", "--num-gpus", "1"], "--num-gpus and --gpus-per-copy both set"),
        (["--component", "chat"], "--component needs --gpus-per-copy"),
        (["--gpus-per-copy", "1", "--component", "Chat_1", "--format", "tfvars"], "must be 1-22 lower-case letters"),
    ],
)
def test_bad_copy_sizes_get_one_sentence(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["render", "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.12xlarge", *args])
    assert result.exit_code != 0 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_json_reports_the_copies() -> None:
    args = ["render", "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.12xlarge", "--gpus-per-copy", "2", "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    copies = json.loads(result.output)["copies"]
    assert copies["per_instance"] == 2 and copies["idle_gpus"] == 0
    assert copies["compute_resource_requirements"]["NumberOfAcceleratorDevicesRequired"] == 2


def test_p3_weights_go_to_an_ml_storage_volume() -> None:
    result = render(RenderRequest("meta-llama/Llama-3.2-1B-Instruct", "ml.p3.2xlarge", "vllm"))
    assert result.volume_size_in_gb is not None and 1 <= result.volume_size_in_gb <= 512
    assert render(RenderRequest("meta-llama/Llama-3.2-1B-Instruct", "ml.g5.xlarge")).volume_size_in_gb is None


def _render_component(out: Path, model: str, *args: str) -> dict[str, Any]:
    base = ["render", model, "--gpus-per-copy", "1", "--format", "tfvars", "--out", str(out)]
    result = CliRunner().invoke(cli, [*base, *args])
    assert result.exit_code == 0, result.output
    return dict(json.loads(out.read_text()))


def test_component_tfvars_collect_several_models_on_one_endpoint(tmp_path: Path) -> None:
    out = tmp_path / "llm.auto.tfvars.json"
    _render_component(out, "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.12xlarge", "--component", "chat")
    data = _render_component(out, "meta-llama/Llama-3.2-1B-Instruct", "-i", "ml.g5.12xlarge", "-b", "vllm")
    assert data["image_uri"] is None and data["llm_render"]["schema_version"] == "2"
    chat, small = data["inference_components"]
    assert (chat["name"], small["name"]) == ("chat", "llama-3-2-1b-instruct")
    assert (chat["accelerators"], chat["cpu_cores"], chat["min_memory_mb"]) == (1, 11, 17408)
    assert chat["copies"] == {"initial": 1, "min": 1, "max": 4}
    assert data["instance_capacity"] == {"accelerators": 4, "cpu_cores": 47, "memory_mb": 192512}
    assert data["llm_render"]["llama-3-2-1b-instruct.backend"] == "vllm"
    # Copies of both models, packed by GPU, never ask for more cores than the instance has.
    assert 4 * max(chat["cpu_cores"], small["cpu_cores"]) <= data["instance_capacity"]["cpu_cores"]
    again = _render_component(out, "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.12xlarge", "--component", "chat")
    assert [c["name"] for c in again["inference_components"]] == ["chat", "llama-3-2-1b-instruct"], "replaced"


def test_components_of_one_endpoint_share_its_instance_type(tmp_path: Path) -> None:
    out = tmp_path / "llm.auto.tfvars.json"
    _render_component(out, "meta-llama/Llama-3.1-8B-Instruct", "-i", "ml.g5.12xlarge", "--component", "chat")
    base = ["render", "meta-llama/Llama-3.2-1B-Instruct", "-i", "ml.g6.12xlarge", "--gpus-per-copy", "1"]
    result = CliRunner().invoke(cli, [*base, "--format", "tfvars", "--out", str(out)])
    assert result.exit_code != 0 and "every component of an endpoint shares its instances" in result.output
