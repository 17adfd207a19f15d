"""Stage a model's weights in the artifacts bucket (`llmctl stage`): the files a serving container reads from an
uncompressed S3 prefix (docs/deploy.md, "Weights in S3"), uploaded multipart with a SHA-256 checksum S3 verifies,
and skipped when the object already holds the same bytes, so an interrupted upload resumes where it stopped.

Gated models are downloaded from the Hub with the operator's token (HF_TOKEN, or a Secrets Manager secret read at run
time); the files go to the Hugging Face cache only, never to another directory, and the token never into the
container's environment, a log or Terraform.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import LlmctlError

# What the containers read; optimizer states, training checkpoints and .bin duplicates of .safetensors stay behind.
SERVE_PATTERNS = ("*.json", "*.safetensors", "tokenizer*", "*.model", "*.tiktoken", "*.txt", "*.jinja")
SHA256_METADATA = "sha256"  # hex digest of the whole file, kept as object metadata: a multipart ETag is not one
CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class StagedFile:
    key: str
    size: int
    uploaded: bool  # False: the object already held the same bytes


def slug(model_id: str) -> str:
    """models/<slug>/: the repo name, lower-cased (meta-llama/Llama-3.1-8B-Instruct → llama-3.1-8b-instruct)."""
    return re.sub(r"[^a-z0-9._-]+", "-", model_id.rsplit("/", 1)[-1].lower()).strip("-")


def serve_files(directory: Path) -> list[Path]:
    """The files of a checkpoint directory a container needs, after checking it is one."""
    if not directory.is_dir():
        raise LlmctlError(f"--from-dir {directory} is not a directory; give the unpacked checkpoint's folder.")
    files = sorted(
        {p for pattern in SERVE_PATTERNS for p in directory.rglob(pattern) if p.is_file() and ".cache" not in p.parts}
    )
    names = {p.name for p in files}
    if "config.json" not in names:
        raise LlmctlError(f"{directory} has no config.json: it is not a Hugging Face checkpoint (or it is packed).")
    if not any(name.endswith(".safetensors") for name in names):
        raise LlmctlError(
            f"{directory} has no *.safetensors weights; the containers load safetensors (convert .bin weights with "
            "transformers' save_pretrained(safe_serialization=True) first)."
        )
    return files


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _already_there(s3: Any, bucket: str, key: str, size: int, sha256: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in ("404", "NoSuchKey", "NotFound"):
            return False
        if code in ("403", "AccessDenied", "Forbidden"):
            raise LlmctlError(
                f"s3://{bucket}/{key} is forbidden to you: the caller needs s3:GetObject, s3:PutObject and "
                "s3:ListBucket on the prefix, and the bucket's policy may require TLS (aws:SecureTransport)."
            ) from None
        raise
    return bool(head.get("ContentLength") == size and head.get("Metadata", {}).get(SHA256_METADATA) == sha256)


def upload(
    s3: Any,
    directory: Path,
    bucket: str,
    prefix: str,
    on_bytes: Callable[[int], None] = lambda n: None,
) -> Iterator[StagedFile]:
    """Upload each serving file under `prefix`, skipping those already there; S3 checks each part's SHA-256."""
    from boto3.s3.transfer import TransferConfig

    config = TransferConfig(multipart_threshold=64 * 1024 * 1024, multipart_chunksize=64 * 1024 * 1024)
    for path in serve_files(directory):
        key = prefix + path.relative_to(directory).as_posix()
        size, sha256 = path.stat().st_size, sha256_of(path)
        if _already_there(s3, bucket, key, size, sha256):
            on_bytes(size)
            yield StagedFile(key, size, uploaded=False)
            continue
        s3.upload_file(
            str(path),
            bucket,
            key,
            ExtraArgs={"ChecksumAlgorithm": "SHA256", "Metadata": {SHA256_METADATA: sha256}},
            Config=config,
            Callback=on_bytes,
        )
        yield StagedFile(key, size, uploaded=True)


def hub_download(model_id: str, revision: str | None, token: str | None) -> Path:
    """The checkpoint's serving files in the Hugging Face cache (nowhere else), downloaded with the operator's token."""
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError
    except ImportError:
        raise LlmctlError(
            "downloading from the Hub needs huggingface_hub: pip install 'sagemaker-llm-stack[hub]'."
        ) from None
    try:
        return Path(snapshot_download(model_id, revision=revision, token=token, allow_patterns=list(SERVE_PATTERNS)))
    except GatedRepoError:
        raise LlmctlError(
            f"{model_id} is gated: accept its license on huggingface.co with your account, then pass your token "
            "(HF_TOKEN or --token-secret)."
        ) from None
    except RepositoryNotFoundError:
        raise LlmctlError(f"{model_id} is not a model on the Hugging Face Hub (or your token cannot see it).") from None
