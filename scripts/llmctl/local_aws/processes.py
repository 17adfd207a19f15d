"""Background processes of the local stack: pid file and log under a state directory, health-checked on start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..errors import LlmctlError


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    port: int
    health_path: str
    args: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def moto(port: int, extra_args: tuple[str, ...] = ()) -> Service:
    return Service("moto", "llmctl.local_aws.server", port, "/moto-api/data.json", extra_args)


def runtime(port: int, aws_url: str, extra_args: tuple[str, ...] = ()) -> Service:
    """The local SageMaker runtime (llmctl.local_aws.runtime), fronting the endpoints of the moto at `aws_url`."""
    return Service("runtime", "llmctl.local_aws.runtime", port, "/ping", ("--aws-url", aws_url, *extra_args))


def _pid_file(state_dir: Path, service: Service) -> Path:
    return state_dir / f"{service.name}.pid"


def running_pid(state_dir: Path, service: Service) -> int | None:
    try:
        pid = int(_pid_file(state_dir, service).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def healthy(service: Service, timeout_s: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(service.url + service.health_path, timeout=timeout_s) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start(state_dir: Path, service: Service, wait_s: float = 30.0) -> str:
    """Start the service unless it runs already; return 'started' or 'running'."""
    state_dir.mkdir(parents=True, exist_ok=True)
    if running_pid(state_dir, service) is not None and healthy(service):
        return "running"
    if healthy(service):
        raise LlmctlError(
            f"port {service.port} already answers but not from a {service.name} this command started; "
            "stop that process or pick another port (--port / LOCAL_AWS_PORT=)."
        )
    log = (state_dir / f"{service.name}.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", service.module, "--port", str(service.port), *service.args],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # survives the shell that ran `make up`; `make down` stops its group
    )
    _pid_file(state_dir, service).write_text(f"{process.pid}\n")
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LlmctlError(
                f"{service.name} exited with code {process.returncode} at start; see {state_dir / service.name}.log."
            )
        if healthy(service):
            return "started"
        time.sleep(0.2)
    stop(state_dir, service)
    raise LlmctlError(f"{service.name} did not answer on {service.url} within {wait_s:.0f} s; see its log.")


def stop(state_dir: Path, service: Service, wait_s: float = 10.0) -> bool:
    """Stop the service's process group; False when nothing was running."""
    pid = running_pid(state_dir, service)
    _pid_file(state_dir, service).unlink(missing_ok=True)
    if pid is None:
        return False
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)
    return True
