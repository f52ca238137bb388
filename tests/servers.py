"""Start real server processes on free loopback ports, for end-to-end tests."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from specfake.pytest_plugin import free_port, stop_process, wait_until_healthy

STARTUP_TIMEOUT = 20.0
ROOT = Path(__file__).resolve().parents[1]


def running_server(*arguments: str | Path) -> contextlib.AbstractContextManager[str]:
    """Run ``specfake serve ARGUMENTS`` until the block ends; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "specfake", "serve", "--port", str(port), "--quiet"]
    return running_process([*command, *map(str, arguments)], port)


def running_faulty_server(fault: str) -> contextlib.AbstractContextManager[str]:
    """Run the bundled fake with one planted fault (``tests/contract/faulty_server.py``)."""
    port = free_port()
    command = [sys.executable, "-m", "tests.contract.faulty_server", fault, "--port", str(port)]
    return running_process(command, port)


def running_test_server(module: str) -> contextlib.AbstractContextManager[str]:
    """Run a server written in the tests (``python -m MODULE --port N``)."""
    port = free_port()
    return running_process([sys.executable, "-m", module, "--port", str(port)], port)


@contextlib.contextmanager
def running_process(command: list[str], port: int) -> Iterator[str]:
    """Run the server ``command`` (listening on ``port``) until the block ends.

    Its output goes to a temporary file, never a pipe nobody reads (a full pipe would block
    the server); a server that exits or is not healthy in time fails with that output.
    """
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(process, base_url, output)
            yield base_url
        finally:
            stop_process(process)


def _wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, output: IO[bytes]) -> None:
    wait_until_healthy(process, base_url, output, timeout=STARTUP_TIMEOUT)
