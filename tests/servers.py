"""Start real ``specfake serve`` processes on free loopback ports, for end-to-end tests."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

STARTUP_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(*arguments: str | Path, log: Path | None = None) -> Iterator[str]:
    """Run ``specfake serve ARGUMENTS`` until the block ends; yields its base URL.

    Fails with the server's own output if it does not answer ``/__specfake__/health`` in time.
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "specfake",
        "serve",
        "--port",
        str(port),
        "--quiet",
        *map(str, arguments),
    ]
    output = open(log, "w+b") if log else None  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, stdout=output or subprocess.PIPE, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(process, base_url)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if output:
            output.close()


def _wait_until_healthy(process: subprocess.Popen[bytes], base_url: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"specfake serve exited with {process.returncode}:\n{out}")
        try:
            if httpx.get(f"{base_url}/__specfake__/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"specfake serve did not become healthy within {STARTUP_TIMEOUT}s")
