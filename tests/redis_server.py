"""A real ``redis-server`` (the Debian package) for the tests that need Redis.

Started on a free loopback port in a temporary directory, without persistence (``--save ''
--appendonly no``), and stopped at the end. Where redis-server is missing the tests that need
it skip on a developer's machine but fail under ``CI=true`` (``.ci/run`` installs it), so a CI
run can never pass by skipping them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from specfake.pytest_plugin import free_port, stop_process

START_TIMEOUT = 10.0


def redis_server_binary() -> str:
    """The path of ``redis-server``; skips the test, or fails it under CI, when there is none."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; .ci/run should have installed it")
        pytest.skip(message)
    return binary


@contextlib.contextmanager
def running_redis() -> Iterator[str]:
    """Run a throwaway redis-server until the block ends; yields ``redis://127.0.0.1:PORT``."""
    binary = redis_server_binary()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="specfake-redis-") as directory:
        log = Path(directory) / "redis.log"
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", directory, "--logfile", str(log)]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            _wait_until_listening(process, port, log)
            yield f"redis://127.0.0.1:{port}"
        finally:
            stop_process(process)


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited: {log.read_text() if log.exists() else ''}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"redis-server did not listen on {port} within {START_TIMEOUT} s")
