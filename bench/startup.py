"""Start to first answered request: how long ``specfake serve`` (bundled specs) makes you wait.

Each run starts the server, sends the docs' stale-version PATCH (the whole pipeline: route, auth,
validation, fake, response check) every 5 ms until an HTTP answer arrives, and stops the server
by its PID. One untimed run first writes the ``.pyc`` files, so the timed runs are warm
(``PYTHONDONTWRITEBYTECODE`` is dropped from the server's environment for that).

    python bench/startup.py --runs 5 --out startup.json
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

# BENCH_SPECFAKE: the command that runs specfake, to bench another checkout (see RESULTS.md).
SPECFAKE = os.environ.get("BENCH_SPECFAKE", str(Path(sys.executable).with_name("specfake"))).split()
DOCS_PATHWAY = "a1b2c3d4-e5f6-4789-9abc-def012345678"
BODY = b'{"expectedVersionId":6}'
TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_answer(port: int) -> bytes | None:
    """The status line of one stale-version PATCH, or None while nothing listens yet."""
    request = (
        f"PATCH /v1/plan-definitions/{DOCS_PATHWAY}/draft HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer dev\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(BODY)}\r\nConnection: close\r\n\r\n"
    ).encode() + BODY
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as sock:
            sock.sendall(request)
            answer = sock.recv(64)
    except OSError:
        return None
    return answer.split(b"\r\n", 1)[0] if answer else None


def timed_start() -> tuple[float, bytes]:
    port = free_port()
    started = time.monotonic()
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    server = subprocess.Popen(
        [*SPECFAKE, "serve", "--quiet", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environment,
    )
    try:
        while (status := first_answer(port)) is None:
            if server.poll() is not None:
                raise SystemExit(f"specfake serve exited:\n{server.stderr.read().decode()}")
            if time.monotonic() - started > TIMEOUT_S:
                raise SystemExit(f"specfake serve did not answer within {TIMEOUT_S:g} s")
            time.sleep(0.005)
        return time.monotonic() - started, status
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, help="also write the timings here as JSON")
    arguments = parser.parse_args()
    timed_start()  # writes the .pyc files
    seconds, statuses = [], set()
    for _ in range(arguments.runs):
        elapsed, status = timed_start()
        seconds.append(round(elapsed, 3))
        statuses.add(status.decode())
    result = {"seconds": seconds, "median": statistics.median(seconds), "answers": sorted(statuses)}
    print(
        f"start to first answered request: {seconds} s, median {result['median']:.3f} s, "
        f"answered {', '.join(result['answers'])}"
    )
    if arguments.out:
        arguments.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
