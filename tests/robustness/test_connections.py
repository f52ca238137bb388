"""Slow, idle and too many connections against a real ``specfake serve``: each is answered with a
problem (408, 503) or closed, in bounded time, and the server keeps serving."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time

import httpx
import pytest

from specfake.cli.connections import MAX_HELD_BYTES, CorkedTransport
from tests.servers import free_port, running_process

pytestmark = pytest.mark.e2e
LIMITS = ["--idle-timeout", "1", "--header-timeout", "0.5", "--body-timeout", "0.5",
          "--max-connections", "8"]  # fmt: skip


@pytest.fixture(scope="module")
def guarded() -> str:
    port = free_port()
    command = [sys.executable, "-m", "specfake", "serve", "--port", str(port), "--quiet", *LIMITS]
    with running_process(command, port) as base_url:
        yield base_url


def connect(base_url: str) -> socket.socket:
    host, port = base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes the connection (or 5 s pass)."""
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def problem_of(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert b"content-type: application/problem+json" in head.lower()
    return status, json.loads(body)


def test_a_connection_that_says_nothing_is_closed_after_the_idle_timeout(guarded):
    sock = connect(guarded)
    started = time.monotonic()
    assert read_all(sock) == b""
    assert time.monotonic() - started < 3


def test_headers_that_never_end_get_a_408(guarded):
    sock = connect(guarded)
    sock.sendall(b"GET /__specfake__/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
    started = time.monotonic()
    status, problem = problem_of(read_all(sock))
    assert status == 408 and "--header-timeout" in problem["detail"]
    assert time.monotonic() - started < 3


def test_a_stalled_request_after_a_whole_one_on_the_same_connection_gets_a_408(guarded):
    # A request that comes in one read arms no timer (connections.py): the one after it, in
    # the same read, stalling in its headers, is still timed, from when it stalled.
    sock = connect(guarded)
    whole = b"GET /__specfake__/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    sock.sendall(whole + b"GET /__specfake__/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
    started = time.monotonic()
    raw = read_all(sock)
    assert raw.startswith(b"HTTP/1.1 200")
    assert b"HTTP/1.1 408" in raw and b"--header-timeout" in raw
    assert time.monotonic() - started < 3


def test_a_header_sent_a_byte_at_a_time_gets_a_408_within_the_limit(guarded):
    sock = connect(guarded)
    sock.sendall(b"GET /__specfake__/health HTTP/1.1\r\n")
    started = time.monotonic()
    for byte in b"Host: 127.0.0.1\r\nX-Slow: aaaaaaaa":  # never the blank line
        try:
            sock.sendall(bytes([byte]))
        except OSError:  # closed by the 408
            break
        time.sleep(0.05)
    status, problem = problem_of(read_all(sock))
    assert status == 408 and "--header-timeout" in problem["detail"]
    assert time.monotonic() - started < 2


def test_a_body_that_never_ends_gets_a_408_and_the_server_keeps_serving(guarded):
    sock = connect(guarded)
    sock.sendall(
        b"POST /cohort/draft HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 500\r\n\r\n{\"name\": "
    )
    status, problem = problem_of(read_all(sock))
    assert status == 408 and "--body-timeout" in problem["detail"]
    assert httpx.get(f"{guarded}/__specfake__/health").status_code == 200


def test_past_the_connection_cap_a_new_connection_gets_a_503_problem(guarded):
    held = [connect(guarded) for _ in range(8)]
    try:
        time.sleep(0.1)
        status, problem = problem_of(read_all(connect(guarded)))
        assert status == 503 and "--max-connections" in problem["detail"]
    finally:
        for sock in held:
            sock.close()
    time.sleep(1.2)  # the held ones are closed by now
    assert httpx.get(f"{guarded}/__specfake__/health").status_code == 200


def test_binding_beyond_loopback_needs_a_control_token():
    result = subprocess.run(
        [sys.executable, "-m", "specfake", "serve", "--host", "0.0.0.0"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--control-token" in result.stderr


class RecordingTransport:
    """What a :class:`CorkedTransport` writes through to, recorded."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> str:
        return f"info {name}"


def test_a_corked_transport_writes_one_turns_writes_as_one_with_the_same_bytes():
    async def scenario() -> list[bytes]:
        plain = RecordingTransport()
        corked = CorkedTransport(plain, asyncio.get_running_loop())  # type: ignore[arg-type]
        corked.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        corked.write(b"{}")
        assert plain.writes == []  # held until the turn ends
        await asyncio.sleep(0)
        corked.write(b"a later turn's")
        await asyncio.sleep(0)
        assert corked.get_extra_info("peername") == "info peername"
        return plain.writes

    writes = asyncio.run(scenario())
    assert writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}", b"a later turn's"]


def test_a_corked_transport_writes_what_it_holds_before_closing_and_nothing_after():
    async def scenario() -> RecordingTransport:
        plain = RecordingTransport()
        corked = CorkedTransport(plain, asyncio.get_running_loop())  # type: ignore[arg-type]
        corked.write(b"head")
        corked.flush()  # the response is complete
        corked.write(b"half a body")
        corked.close()
        corked.write(b"too late")
        await asyncio.sleep(0)
        return plain

    plain = asyncio.run(scenario())
    assert plain.writes == [b"head", b"half a body"]
    assert plain.closed


def test_a_corked_transport_writes_a_body_streamed_within_one_turn_once_it_holds_enough():
    """uvicorn's flow control watches the real transport's buffer: a body streamed without
    giving the loop a turn must reach it, not pile up in the cork."""

    async def scenario() -> list[int]:
        plain = RecordingTransport()
        corked = CorkedTransport(plain, asyncio.get_running_loop())  # type: ignore[arg-type]
        for _ in range(10):
            corked.write(b"x" * (MAX_HELD_BYTES // 4))
        written = [len(data) for data in plain.writes]
        await asyncio.sleep(0)
        return [*written, *(len(data) for data in plain.writes[len(written):])]

    assert asyncio.run(scenario()) == [MAX_HELD_BYTES, MAX_HELD_BYTES, MAX_HELD_BYTES // 2]
