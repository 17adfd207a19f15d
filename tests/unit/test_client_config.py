"""The client's timeouts and retry settings as the README states them: 5 s connect, 70 s read (SageMaker's 60 s
container limit plus margin), botocore sends once (one retry layer: client.retry_policy), adaptive rate limiting."""

from __future__ import annotations

from llm_service.client import AwsSettings, make_client
from llmctl.aws_options import call_deadline, settings_from


def test_the_runtime_client_has_the_documented_timeouts() -> None:
    client = make_client("sagemaker-runtime", AwsSettings(region="us-east-1"))
    config = client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (5.0, 70.0)
    assert config.retries["mode"] == "adaptive" and config.retries["total_max_attempts"] == 1


def test_timeout_is_a_total_budget_and_caps_each_read() -> None:
    assert settings_from("us-east-1", None, None, 2.0).read_timeout_s == 2.0
    assert settings_from("us-east-1", None, None, 500.0).read_timeout_s == 70.0
    assert call_deadline(None, stream=False) == 70.0 and call_deadline(None, stream=True) is None
    assert call_deadline(3.0, stream=True) == 3.0
