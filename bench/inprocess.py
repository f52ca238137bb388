"""specfake's own cost per request, without sockets: the ASGI app called in a loop.

wrk through loopback mixes specfake's Python with uvicorn's parsing and the kernel's TCP work,
and a sampling profiler attributes the socket writes' cost (which on loopback includes waking
wrk) to whichever Python line made them. This calls the app directly, so the numbers and the
profile are only what specfake's code does.

    python bench/inprocess.py [--requests N] [--only SCENARIO] [--store URL] [--log] [--profile]

``--log`` writes the default per-request log line (``serve`` without ``--quiet``) to /dev/null.
``--versus-quiet`` (with ``--log``) runs every other batch as ``--quiet`` instead and prints the
line's cost as a ratio of the two medians: batches minutes apart would measure the machine's
drift, interleaved ones see the same minutes.

``--collector`` prints what CPython's cyclic garbage collector took of the timed requests
(thread CPU time per request, collections, the longest pause), the way bench/RESULTS.md's
"Garbage collection" was measured.

The app serves bench/run's fixtures (bench/fixtures.py, with its 4,000 drafts), and the valid
PATCH edits those drafts round-robin as bench/run's does: more drafts than the memory store
keeps decoded, so each PATCH decodes one record and packs another, as served.

``--profile`` prints cProfile's top 30 (cProfile inflates call-heavy code; py-spy on this
script gives truer proportions).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import logging
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from fixtures import draft_id, write_fixtures  # bench/fixtures.py, beside this script

from specfake import ServerConfig, create_app
from specfake.cli.logs import configure_logging
from specfake.resources import bundled_specs

try:
    from specfake.cli.garbage import collect_garbage_less_often
except ImportError:  # a checkout from before it (bench/inprocess_ab): CPython's default

    def collect_garbage_less_often() -> None:
        pass

DOCS_PATHWAY = "a1b2c3d4-e5f6-4789-9abc-def012345678"
DRAFTS = 4000  # bench/run's: the valid PATCH's drafts, each starting at version 1
SEEDED_THING = "5f0c6a3e-8d2b-4c1a-9e7f-3b4a5c6d7e8f"  # bench/things.openapi.yaml's example
THINGS_SPEC = Path(__file__).resolve().parent / "things.openapi.yaml"
WARMUP_REQUESTS = 3000
LOGGER = logging.getLogger("specfake")  # --quiet is this logger's level raised to WARNING
BATCHES = 10  # the machine is noisy: report the best and the median batch's CPU time
Request = tuple[str, str, bytes]  # method, path, body
# name → (the n-th request, expected status): the bench/run scenarios. Most repeat one request;
# the valid PATCH carries the version its pathway has by then (each 200 bumps it).
SCENARIOS: dict[str, tuple[Callable[[int], Request], int]] = {
    "patch-409-stale": (
        lambda n: ("PATCH", f"/v1/plan-definitions/{DOCS_PATHWAY}/draft",
                   b'{"expectedVersionId":6}'),
        409,
    ),
    "patch-422-invalid": (
        lambda n: ("PATCH", f"/v1/plan-definitions/{DOCS_PATHWAY}/draft",
                   b'{"expectedVersionId":"7","title":5}'),
        422,
    ),
    "patch-200-valid": (  # draft n % DRAFTS, at its next version: lua/valid_patch.lua's order
        lambda n: ("PATCH", f"/v1/plan-definitions/{draft_id(n % DRAFTS)}/draft",
                   b'{"expectedVersionId":%d,"title":"Bench edit %d"}' % ((1 + n // DRAFTS,) * 2)),
        200,
    ),
    "cohort-create": (
        lambda n: ("POST", "/cohort/draft",
                   '{"name":"Emergency Medicine interns — summer 2026",'
                   '"departments":["Emergency Medicine"],"simulations":["Sepsis Recognition"],'
                   '"active":true}'.encode()),
        200,
    ),
    "publish-404-unknown": (
        lambda n: ("POST", "/v1/plan-definitions/no-such-pathway/publish", b""),
        404,
    ),
    "resource-create": (lambda n: ("POST", "/things", b'{"name":"bench","colour":"red"}'), 201),
    "resource-read": (lambda n: ("GET", f"/things/{SEEDED_THING}", b""), 200),
}


class Probe(Protocol):
    """What watches the timed batches: cProfile, or :class:`CollectorTimer`."""

    def enable(self) -> None: ...

    def disable(self) -> None: ...


class CollectorTimer:
    """The cyclic collector's collections while enabled, each timed in thread CPU time
    (``gc.callbacks``): the share of a request's cost that is the collector's."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def _on_collection(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.thread_time()
        else:
            self.pauses.append(time.thread_time() - self._started)

    def enable(self) -> None:
        gc.callbacks.append(self._on_collection)

    def disable(self) -> None:
        gc.callbacks.remove(self._on_collection)

    def summary(self, requests: int) -> str:
        longest = max(self.pauses, default=0.0)
        return (
            f"collector: {sum(self.pauses) / requests * 1e6:.1f} CPU µs per request, "
            f"{len(self.pauses)} collections, longest {longest * 1e3:.1f} ms "
            f"(threshold {gc.get_threshold()})"
        )


def request_scope(method: str, path: str, body: bytes) -> dict[str, Any]:
    headers = [(b"host", b"127.0.0.1:4010"), (b"authorization", b"Bearer dev")]
    if body:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 4010),
    }


def prepared(request: Request) -> tuple[dict[str, Any], bytes]:
    method, path, body = request
    return request_scope(method, path, body), body


async def call(app: Callable[..., Awaitable[None]], scope: dict[str, Any], body: bytes) -> int:
    """One request through the app; returns the status it answered."""
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def measure(
    requests: int,
    only: str | None,
    store: str,
    profiler: Probe | None,
    versus_quiet: bool = False,
) -> None:
    specs = [*bundled_specs(), THINGS_SPEC]
    with tempfile.TemporaryDirectory() as scratch:
        fixtures = Path(scratch) / "fixtures"
        write_fixtures(fixtures, drafts=DRAFTS)
        app = create_app(ServerConfig(specs=specs, fixtures=fixtures, store=store))
        async with app.router.lifespan_context(app):  # opens the store, loads the fixtures
            await measure_app(app, requests, only, profiler, versus_quiet)


async def measure_app(
    app: Any,
    requests: int,
    only: str | None,
    profiler: Probe | None,
    versus_quiet: bool = False,
) -> None:
    for name, (nth_request, expected) in SCENARIOS.items():
        if only and name != only:
            continue
        sent = 0
        # Warm-up past the memory store's hot set (1024 records): a create then also packs the
        # record it pushes out, as every create does once a server has run for a while.
        for _ in range(WARMUP_REQUESTS):
            status = await call(app, *prepared(nth_request(sent)))
            sent += 1
        if status != expected:
            raise SystemExit(f"{name}: answered {status}, expected {expected}")
        batch = max(requests // BATCHES, 1)
        per_request: list[float] = []
        quiet_per_request: list[float] = []
        if profiler:
            profiler.enable()
        for number in range(BATCHES * (2 if versus_quiet else 1)):
            quiet = versus_quiet and number % 2 == 1
            made = [prepared(nth_request(sent + index)) for index in range(batch)]  # not timed
            sent += batch
            LOGGER.setLevel(logging.WARNING if quiet else logging.NOTSET)
            started = time.process_time()  # CPU time: other work on the machine barely moves it
            for scope, body in made:
                await call(app, scope, body)
            elapsed = (time.process_time() - started) / batch * 1e6
            (quiet_per_request if quiet else per_request).append(elapsed)
        LOGGER.setLevel(logging.NOTSET)
        if profiler:
            profiler.disable()
        status = await call(app, *prepared(nth_request(sent)))
        if status != expected:
            raise SystemExit(f"{name}: answered {status} after the run, expected {expected}")
        best, median = min(per_request), statistics.median(per_request)
        print(
            f"{name:22} best {best:6.1f} CPU µs/request, median {median:6.1f} "
            f"({1e6 / best:,.0f} requests/s on one core, no sockets)"
        )
        if quiet_per_request:
            quiet_median = statistics.median(quiet_per_request)
            print(
                f"{'':22} --quiet batches in between: median {quiet_median:6.1f}; the log line "
                f"costs {median / quiet_median:.3f}x"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--only", choices=sorted(SCENARIOS))
    parser.add_argument("--store", default="memory://", help="e.g. redis://127.0.0.1:6379/0")
    parser.add_argument("--log", action="store_true", help="the per-request log line too")
    parser.add_argument(
        "--versus-quiet", action="store_true", help="with --log: every other batch --quiet"
    )
    probes = parser.add_mutually_exclusive_group()
    probes.add_argument("--profile", action="store_true")
    probes.add_argument("--collector", action="store_true", help="the garbage collector's part")
    arguments = parser.parse_args()
    if arguments.versus_quiet and not arguments.log:
        parser.error("--versus-quiet compares the log line with --quiet: add --log")
    if arguments.log:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the whole run
        configure_logging(quiet=False)
    collect_garbage_less_often()  # as the server process does
    profiler: Probe | None = None
    if arguments.profile:
        profiler = cProfile.Profile()
    elif arguments.collector:
        profiler = CollectorTimer()
    run = measure(
        arguments.requests, arguments.only, arguments.store, profiler, arguments.versus_quiet
    )
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        asyncio.run(run)
    else:
        uvloop.run(run)
    if isinstance(profiler, cProfile.Profile):
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    elif isinstance(profiler, CollectorTimer):
        timed = (arguments.requests // BATCHES) * BATCHES * (2 if arguments.versus_quiet else 1)
        scenarios = 1 if arguments.only else len(SCENARIOS)
        print(profiler.summary(timed * scenarios))


if __name__ == "__main__":
    main()
