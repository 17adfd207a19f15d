"""The client's retry policy and deadline as units (README retry table): at most `attempts` sends, none started past
the deadline, backoff from 0.5 s with 10% jitter, and a deadline that expires when its seconds are spent. Written
against the survivors of `make mutation` (docs/mutation.md)."""

from __future__ import annotations

import time

import pytest
from llm_service.client.client import _Deadline, retry_policy, retryable
from llm_service.client.errors import ModelError, StreamError, ThrottledError, TimeoutError_
from tenacity import Retrying


def _sends(policy: dict, error: Exception) -> int:  # type: ignore[type-arg]
    sent = 0

    def send() -> None:
        nonlocal sent
        sent += 1
        raise error

    with pytest.raises(type(error)):
        Retrying(**policy)(send)
    return sent


def test_a_retryable_failure_is_sent_at_most_attempts_times_even_with_time_left() -> None:
    assert _sends(retry_policy(3, 0.001, deadline_s=60.0), ThrottledError("slow down")) == 3


def test_no_send_starts_past_the_deadline() -> None:
    started = time.monotonic()
    sends = _sends(retry_policy(1000, 0.05, deadline_s=0.3), ThrottledError("slow down"))
    assert 2 <= sends < 1000 and time.monotonic() - started < 0.3 + 0.5


def test_only_what_cannot_have_run_the_model_is_re_sent() -> None:
    assert retryable(ThrottledError("x"))
    assert not retryable(ModelError("the container said no", 422, "bad input"))
    before, after = StreamError("InternalStreamFailure"), StreamError("InternalStreamFailure", after_output=True)
    before.retryable = after.retryable = True  # as translate() marks an InternalStreamFailure
    assert retryable(before) and not retryable(after), "never after output reached the caller"
    assert _sends(retry_policy(3, 0.001), ModelError("no", 500, "boom")) == 1


def test_backoff_starts_at_half_a_second_with_ten_percent_jitter() -> None:
    wait = retry_policy(3, 8.0)["wait"]

    class State:
        attempt_number = 1

    first = [wait(State()) for _ in range(50)]
    assert all(0.5 <= w <= 0.6 for w in first)
    assert retry_policy(3, 0.2)["wait"](State()) <= 0.2 + 0.1, "never longer than max_wait_s (plus jitter)"


def test_a_deadline_counts_down_and_expires() -> None:
    deadline = _Deadline(10.0)
    assert 9.0 < (deadline.remaining() or 0) <= 10.0
    assert _Deadline(None).remaining() is None
    short = _Deadline(0.05)
    time.sleep(0.1)
    with pytest.raises(TimeoutError_, match=r"ran past the 0\.05 s deadline"):
        short.check("the call")
    _Deadline(10.0).check("the call")  # time left: no error
