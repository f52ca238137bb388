"""Stopping ``specfake serve``: SIGTERM is a clean exit (status 0) within the grace period,
even with a request whose body never finishes arriving or a dashboard's event stream open;
usage errors are exit 2."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from tests.servers import ROOT, _wait_until_healthy, free_port

pytestmark = pytest.mark.e2e
GRACE_SECONDS = 1.0


def start_server(port: int, output, grace: float = GRACE_SECONDS) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "specfake", "serve", "--port", str(port), "--quiet",
               "--grace", str(grace)]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    _wait_until_healthy(process, f"http://127.0.0.1:{port}", output)
    return process


def stopped(process: subprocess.Popen[bytes], grace: float = GRACE_SECONDS) -> tuple[int, float]:
    """Send SIGTERM; the exit status and how long the process took to exit."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        status = process.wait(timeout=grace + 10)
    finally:
        if process.poll() is None:
            process.kill()
    return status, time.monotonic() - started


def test_sigterm_with_a_half_sent_request_exits_0_within_the_grace_period():
    port = free_port()
    with tempfile.TemporaryFile() as output:
        process = start_server(port, output)
        stalled = socket.create_connection(("127.0.0.1", port))
        stalled.sendall(
            b"POST /cohort/draft HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"na"
        )
        time.sleep(0.3)  # the request is in the app, waiting for the rest of its body
        status, took = stopped(process)
        stalled.close()
        output.seek(0)
        log = output.read().decode()
    assert status == 0, log
    assert took < GRACE_SECONDS + 3, f"took {took:.1f}s"


def test_sigterm_with_an_event_stream_open_ends_it_and_exits_within_the_grace_period():
    grace = 4.0  # long enough to tell "ended the stream" from "waited the grace out"
    port = free_port()
    with tempfile.TemporaryFile() as output:
        process = start_server(port, output, grace)
        stream = socket.create_connection(("127.0.0.1", port))
        stream.sendall(b"GET /__specfake__/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        stream.settimeout(5)
        received = b""
        while b"event: refetch" not in received:  # the stream is open (headers come first)
            chunk = stream.recv(65536)
            assert chunk, received
            received += chunk
        status, took = stopped(process, grace)
        while chunk := stream.recv(65536):  # up to the end the server gave it
            received += chunk
        stream.close()
    assert status == 0
    assert b"event: bye" in received  # ended by the server at shutdown, not cut at the grace
    assert took < grace + 1.5, f"took {took:.1f}s"


def test_sigterm_when_idle_exits_0_at_once():
    port = free_port()
    with tempfile.TemporaryFile() as output:
        status, took = stopped(start_server(port, output))
    assert status == 0
    assert took < GRACE_SECONDS + 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--workers", "2"], "--workers 2 needs a store the workers can share"),
        (["--store", "postgres://127.0.0.1/x"], "unknown store scheme; known: memory://"),
        (["--store", "redis://127.0.0.1:1/x"], "the path is a database number"),
        (["--store", "memory://somewhere/else"], "memory:// takes no host or path"),
    ],
)
def test_store_and_worker_options_specfake_cannot_honour_are_usage_errors(options, message):
    result = subprocess.run(
        [sys.executable, "-m", "specfake", "serve", *options],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 2
    assert message in result.stderr
