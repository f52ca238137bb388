"""Memory: 100,000 pathways and 100,000 remembered idempotency keys in one ``specfake serve``,
and the keys' memory staying bounded past ``--idempotency-max-keys``.

    python bench/memory.py [--pathways N] [--keys N] [--creates] [--bound-keys N]

Capacity: serve the bundled specs with ``--idempotency-max-keys`` at least ``--keys``, put
``--pathways`` pathways in with ``PUT /__specfake__/state``, then send ``--keys`` requests to
``POST /cohort/draft``, each under a new idempotency key, so each key is remembered with its
whole answer (the draft's full ``form_state``). The requests patch a fixture draft (toggling
``active``), so the keys are the only new state; with ``--creates`` each one creates a draft
from names instead (the docs' example body), which also leaves a draft and a name resource
behind. VmRSS comes from /proc after each step; the target is the one after the keys.

Bound: serve with ``--idempotency-max-keys --bound-keys`` and send five times that many
no-change patches of one draft, each under a new key, sampling VmRSS: it must level off once
the oldest keys start being forgotten.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fixtures import bench_draft  # bench/ is a directory of scripts, not a package
from startup import free_port

# BENCH_SPECFAKE: the command that runs specfake, to bench another checkout (see RESULTS.md).
SPECFAKE = os.environ.get("BENCH_SPECFAKE", str(Path(sys.executable).with_name("specfake"))).split()
TARGET_MB = 300
CONNECTIONS = 16
COHORT_DRAFT = "12327b8b-ee30-4ce1-87de-b7d907ab9926"  # a bundled fixture draft
CREATE_BODY = {  # the docs' create-by-names example
    "name": "Emergency Medicine interns — summer 2026",
    "departments": ["Emergency Medicine"],
    "simulations": ["Sepsis Recognition"],
    "active": True,
}


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of ``pid`` in MB: now, and the peak so far."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return tuple(int(fields[name].split()[0]) / 1024 for name in ("VmRSS", "VmHWM"))  # type: ignore[return-value]


def request(base: str, method: str, path: str, body: object = None) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    call = urllib.request.Request(base + path, data=data, method=method)
    call.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(call, timeout=600) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


async def post_all(port: int, path: str, bodies: Iterator[bytes]) -> Counter[int]:
    """POST every body over ``CONNECTIONS`` keep-alive connections; counts the statuses."""
    statuses: Counter[int] = Counter()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for body in bodies:  # the connections share the iterator
            writer.write(
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            length = next(
                int(line.split(":", 1)[1])
                for line in lines
                if line.lower().startswith("content-length:")
            )
            await reader.readexactly(length)
            statuses[int(lines[0].split()[1])] += 1
        writer.close()

    await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
    return statuses


class Server:
    """``specfake serve`` on a free port, stopped by its PID when the block ends."""

    def __init__(self, *arguments: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.arguments = arguments

    def __enter__(self) -> Server:
        command = [*SPECFAKE, "serve", "--quiet", "--port", str(self.port), *self.arguments]
        self.log = tempfile.TemporaryFile()  # the banner; shown if the server fails
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if request(self.base, "GET", "/__specfake__/health")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        self.log.seek(0)
        raise SystemExit(f"specfake serve did not start:\n{self.log.read().decode()}")

    def __exit__(self, *exception: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()

    def rss(self) -> tuple[float, float]:
        return rss_mb(self.process.pid)


def keyed_request(number: int, creates: bool) -> dict[str, object]:
    body = CREATE_BODY if creates else {"draft_id": COHORT_DRAFT, "active": number % 2 == 0}
    return {**body, "idempotency_key": f"bench-memory-{number:06d}"}


def capacity(pathways: int, keys: int, creates: bool) -> bool:
    with Server("--idempotency-max-keys", str(keys)) as server:
        kind = "creates" if creates else "patches"
        print(f"capacity: {pathways:,} pathways + {keys:,} remembered idempotency keys ({kind})")
        start, _ = server.rss()
        print(f"  started (bundled fixtures):  VmRSS {start:6.1f} MB")
        _, raw = request(server.base, "GET", "/__specfake__/state")
        state = json.loads(raw)
        bundled = state["pathways"]
        state["pathways"] = bundled + [bench_draft(n) for n in range(pathways - len(bundled))]
        started = time.monotonic()
        status, raw = request(server.base, "PUT", "/__specfake__/state", state)
        if status != 204:
            raise SystemExit(f"PUT /__specfake__/state answered {status}: {raw[:500]!r}")
        del state
        loaded, peak = server.rss()
        print(
            f"  {pathways:,} pathways put ({time.monotonic() - started:.0f} s): "
            f"VmRSS {loaded:6.1f} MB (peak {peak:.1f} MB during the PUT)"
        )
        started = time.monotonic()
        first = keyed_request(0, creates)  # alone, to keep its answer for the replay below
        first_status, first_answer = request(server.base, "POST", "/cohort/draft", first)
        bodies = (json.dumps(keyed_request(n, creates)).encode() for n in range(1, keys))
        statuses = asyncio.run(post_all(server.port, "/cohort/draft", bodies))
        statuses[first_status] += 1
        elapsed = time.monotonic() - started
        final, peak = server.rss()
        replay_status, replay = request(server.base, "POST", "/cohort/draft", first)
        print(
            f"  {keys:,} keyed {kind} ({elapsed:.0f} s, {dict(statuses)}): "
            f"VmRSS {final:6.1f} MB (peak {peak:.1f} MB)"
        )
        replayed = replay_status == 200 and json.loads(replay) == json.loads(first_answer)
        print(f"  the oldest key still replays its first answer: {replayed}")
        verdict = "met" if final <= TARGET_MB else "**missed**"
        print(f"  VmRSS {final:.1f} MB ≤ {TARGET_MB} MB: {verdict}")
        return final <= TARGET_MB


def bound(max_keys: int) -> None:
    sends = max_keys * 5
    with Server("--idempotency-max-keys", str(max_keys)) as server:
        print(f"bound: {sends:,} new keys with --idempotency-max-keys {max_keys:,}")
        body = {"draft_id": COHORT_DRAFT}
        step = max_keys
        for done in range(0, sends, step):
            bodies = (
                json.dumps({**body, "idempotency_key": f"bench-bound-{n:07d}"}).encode()
                for n in range(done, done + step)
            )
            statuses = asyncio.run(post_all(server.port, "/cohort/draft", bodies))
            rss, _ = server.rss()
            print(f"  after {done + step:6,} keys: VmRSS {rss:6.1f} MB  {dict(statuses)}")
        _, raw = request(server.base, "GET", "/__specfake__/state")
        remembered = len(json.loads(raw)["cohort_idempotency_keys"])
        print(f"  remembered keys at the end: {remembered:,} (limit {max_keys:,})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pathways", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--creates", action="store_true", help="keyed creates, not patches")
    parser.add_argument("--bound-keys", type=int, default=10_000)
    arguments = parser.parse_args()
    capacity(arguments.pathways, arguments.keys, arguments.creates)
    bound(arguments.bound_keys)


if __name__ == "__main__":
    main()
