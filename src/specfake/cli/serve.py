"""``specfake serve [SPEC ...]``: run the pipeline and fakes on uvicorn."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from specfake.cli.garbage import collect_garbage_less_often
from specfake.cli.logs import configure_logging
from specfake.config import (
    DEFAULT_GRACE_SECONDS,
    DEFAULT_IDEMPOTENCY_LEASE,
    DEFAULT_LIMITS,
    DEFAULT_MAX_BODY,
    DEFAULT_STORE,
    LOCAL_ORIGINS,
    ConnectionLimits,
    ServerConfig,
)
from specfake.errors import SpecfakeError
from specfake.guard import is_loopback
from specfake.importer import manifest_outputs
from specfake.resources import bundled_fixtures, bundled_specs
from specfake.store.factory import open_store, store_shares_state

SHOWN_WARNINGS = 10  # spec warnings printed at start-up; all are in GET /__specfake__/warnings


def _at_least(minimum: float, kind: type = int):
    """An argparse type: a number of ``kind`` no smaller than ``minimum``."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {text}")
        return value

    return parse


def _latency(text: str) -> tuple[int, int]:
    """``300`` → (300, 300); ``100-800`` → (100, 800)."""
    low, _, high = text.partition("-")
    try:
        bounds = (int(low), int(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not MS or MS-MS") from None
    if not 0 <= bounds[0] <= bounds[1] <= 60_000:
        raise argparse.ArgumentTypeError(f"{text!r}: 0 <= low <= high <= 60000 ms")
    return bounds


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve OpenAPI specs with validation and stateful fakes",
        description="With no SPEC: the bundled specs and fixtures. With SPECs: only those.",
    )
    parser.add_argument("specs", nargs="*", type=Path, metavar="SPEC", help="OpenAPI 3.0/3.1 file")
    parser.add_argument("--fixtures", type=Path, help="directory of YAML fixtures (start state)")
    parser.add_argument(
        "--manifest",
        type=Path,
        metavar="FILE",
        help="make the specs this manifest lists (specs/manifest.yaml) from their docs pages and "
        "overlays in memory, at start and on every reload; with no SPEC, serve those",
    )
    parser.add_argument(
        "--token",
        action="append",
        dest="tokens",
        metavar="TOKEN",
        help="accepted bearer token, repeatable (default: dev); any valid JWT is accepted too",
    )
    parser.add_argument("--seed", type=int, help="seed for synthesized responses (default: static)")
    parser.add_argument(
        "--idempotency-max-keys",
        type=_at_least(1),
        default=10_000,
        metavar="N",
        help="remembered cohort idempotency keys before the oldest are forgotten (default 10000)",
    )
    parser.add_argument(
        "--idempotency-ttl",
        type=_at_least(1, float),
        default=24 * 3600,
        metavar="SECONDS",
        help="how long a cohort idempotency key is remembered (default 86400)",
    )
    parser.add_argument(
        "--idempotency-lease",
        type=_at_least(0.1, float),
        default=DEFAULT_IDEMPOTENCY_LEASE,
        metavar="SECONDS",
        help="an idempotency key still running after this (its worker was killed) is given back "
        "to the next request with it (default %(default)g)",
    )
    parser.add_argument(
        "--no-watch",
        action="store_true",
        help="do not reload when the specs, overlays or fixtures change (watched by default)",
    )
    parser.add_argument(
        "--stateless",
        action="store_true",
        help="answer every operation from the spec alone, the built-in fakes included",
    )
    parser.add_argument(
        "--latency",
        type=_latency,
        metavar="MS[-MS]",
        help="every answer waits this long (a range: a random wait within it), after validation",
    )
    parser.add_argument(
        "--fail-rate",
        type=_fraction,
        default=0.0,
        metavar="FRACTION",
        help="this share of answers fails: a documented 5xx, or a dropped connection where the "
        "operation documents none (default 0)",
    )
    parser.add_argument(
        "--max-records",
        type=_at_least(1),
        default=100_000,
        metavar="N",
        help="records a fake keeps per collection that requests grow (cohort drafts, their "
        "resources); a create past it is 507 (default 100000)",
    )
    parser.add_argument(
        "--store",
        default=DEFAULT_STORE,
        metavar="URL",
        help=f"where the state lives (default {DEFAULT_STORE}: this process's memory)",
    )
    parser.add_argument(
        "--workers",
        type=_at_least(1),
        default=1,
        metavar="N",
        help="worker processes sharing the store (needs a shared --store)",
    )
    add_server_options(parser)
    parser.set_defaults(run=run)


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """Options every server command has (``serve`` and ``proxy``)."""
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4010, help="port (default 4010)")
    parser.add_argument(
        "--max-body",
        type=_at_least(0),
        default=DEFAULT_MAX_BODY,
        metavar="BYTES",
        help=f"largest accepted request body (default {DEFAULT_MAX_BODY}); larger is 413",
    )
    parser.add_argument(
        "--cors-origins",
        default=LOCAL_ORIGINS,
        metavar="REGEX",
        help="origins allowed by CORS, as a regex (default: any localhost/127.0.0.1 port)",
    )
    parser.add_argument("--no-cors", action="store_true", help="send no CORS headers")
    parser.add_argument(
        "--quiet", action="store_true", help="no per-request log lines, only the banner"
    )
    parser.add_argument(
        "--allowed-host",
        action="append",
        dest="allowed_hosts",
        default=[],
        metavar="NAME",
        help="another Host name to answer (repeatable; '*' for any); loopback names and the "
        "bound address always are, anything else is 421",
    )
    parser.add_argument(
        "--control-token",
        metavar="TOKEN",
        help="require this token on the control API (Authorization: Bearer TOKEN); needed "
        "when --host is not a loopback address",
    )
    parser.add_argument(
        "--header-timeout",
        type=_at_least(0.1, float),
        default=DEFAULT_LIMITS.header_seconds,
        metavar="SECONDS",
        help="a request whose headers take longer is 408 (default %(default)g)",
    )
    parser.add_argument(
        "--body-timeout",
        type=_at_least(0.1, float),
        default=DEFAULT_LIMITS.body_seconds,
        metavar="SECONDS",
        help="a request whose body takes longer is 408 (default %(default)g)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=_at_least(0.1, float),
        default=DEFAULT_LIMITS.idle_seconds,
        metavar="SECONDS",
        help="an open connection sending nothing is closed after this (default %(default)g)",
    )
    parser.add_argument(
        "--max-connections",
        type=_at_least(1),
        default=DEFAULT_LIMITS.max_connections,
        metavar="N",
        help="open connections past this get a 503 (default %(default)d)",
    )
    parser.add_argument(
        "--grace",
        type=_at_least(0, float),
        default=DEFAULT_GRACE_SECONDS,
        metavar="SECONDS",
        help="on SIGTERM, how long in-flight requests may finish before they are cancelled "
        f"(default {DEFAULT_GRACE_SECONDS:g})",
    )


def config_from(arguments: argparse.Namespace, **proxy: object) -> ServerConfig:
    """The config for ``serve`` (fakes from the fixtures) or, given ``upstream``, ``proxy``."""
    specs = list(arguments.specs or bundled_specs())
    shared = {
        "specs": specs,
        "max_body": arguments.max_body,
        "cors_origin_regex": None if arguments.no_cors else arguments.cors_origins,
        "grace_seconds": arguments.grace,
        "host": arguments.host,
        "allowed_hosts": tuple(arguments.allowed_hosts),
        "control_token": arguments.control_token,
    }
    if proxy:
        return ServerConfig(**shared, **proxy)  # type: ignore[arg-type]
    if arguments.manifest and not arguments.specs:
        shared["specs"] = manifest_outputs(arguments.manifest)
    return ServerConfig(
        **shared,  # type: ignore[arg-type]
        manifest=arguments.manifest,
        fixtures=arguments.fixtures or (None if arguments.specs else bundled_fixtures()),
        tokens=tuple(arguments.tokens or ("dev",)),
        seed=arguments.seed,
        idempotency_max_keys=arguments.idempotency_max_keys,
        idempotency_max_age_seconds=arguments.idempotency_ttl,
        idempotency_lease_seconds=arguments.idempotency_lease,
        store=arguments.store,
        workers=arguments.workers,
        max_records=arguments.max_records,
        watch=not arguments.no_watch,
        latency_ms=arguments.latency,
        stateless=arguments.stateless,
        fail_rate=arguments.fail_rate,
    )


async def _reachable(url: str) -> None:
    """Open and close the store ``url`` names: one that does not answer is a clear exit 2
    here, not a traceback from the server's lifespan."""
    store = open_store(url)
    await store.open()
    await store.close()


def run(arguments: argparse.Namespace) -> int:
    return run_server(arguments)


def run_server(arguments: argparse.Namespace, **proxy: object) -> int:
    """Build the app (``proxy``: ``upstream``, ``proxy_errors``), print the banner, serve.

    Specs and fixtures are read and checked here, before uvicorn starts, so a broken one is
    exit 2 naming the file and field, not a lifespan failure.
    """
    import uvicorn  # imported here: the other commands start faster without it

    from specfake.app import create_app
    from specfake.cli.connections import guarded_protocol
    from specfake.cli.stoppable import StoppableServer
    from specfake.cli.workers import serve_workers

    configure_logging(arguments.quiet)
    collect_garbage_less_often()
    config = config_from(arguments, **proxy)
    if config.workers > 1 and not store_shares_state(config.store):
        raise SpecfakeError(
            f"--workers {config.workers} needs a store the workers can share; {config.store} is "
            "one process's memory. Use one worker, or --store sqlite:///PATH or --store "
            "redis://HOST:PORT/DB."
        )
    if not is_loopback(config.host) and not config.control_token:
        raise SpecfakeError(
            f"--host {config.host} makes the control API (reset, state, reload) reachable from "
            "other machines; give it a --control-token TOKEN, or bind 127.0.0.1"
        )
    if store_shares_state(config.store):
        asyncio.run(_reachable(config.store))
    app = create_app(config)
    world = app.state.specfake.world
    names = ", ".join(str(spec.path) for spec in world.specs)
    print(f"specfake serving {names}", file=sys.stderr)
    print(world.banner(), file=sys.stderr)
    if world.warnings:
        print(f"{len(world.warnings)} spec defects served around (GET /__specfake__/warnings):",
              file=sys.stderr)  # fmt: skip
        for warning in world.warnings[:SHOWN_WARNINGS]:
            print(f"  {warning.spec} {warning.pointer or '/'}: {warning.message}", file=sys.stderr)
        if len(world.warnings) > SHOWN_WARNINGS:
            print(f"  ... and {len(world.warnings) - SHOWN_WARNINGS} more", file=sys.stderr)
    if config.upstream:
        mode = "refusing" if config.proxy_errors else "reporting"
        print(f"proxying to {config.upstream}, {mode} spec violations", file=sys.stderr)
    else:
        print(f"fixtures: {config.fixtures or 'none'}; store: {config.store}", file=sys.stderr)
    print(
        f"listening on http://{arguments.host}:{arguments.port}  "
        f"(dashboard: http://{arguments.host}:{arguments.port}/__specfake__/)",
        file=sys.stderr,
    )
    limits = ConnectionLimits(
        idle_seconds=arguments.idle_timeout,
        header_seconds=arguments.header_timeout,
        body_seconds=arguments.body_timeout,
        max_connections=arguments.max_connections,
    )
    options: dict[str, Any] = {
        "host": arguments.host,
        "port": arguments.port,
        "loop": "uvloop",
        "timeout_keep_alive": arguments.idle_timeout,
        "log_level": "warning",
        "access_log": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": config.grace_seconds,
    }
    if config.workers > 1:
        print(f"{config.workers} workers sharing {config.store}", file=sys.stderr)
        return serve_workers(app.state.specfake, limits, arguments.quiet, options)
    server = StoppableServer(
        uvicorn.Config(app, http=guarded_protocol(limits), **options),
        stopping=app.state.specfake.stopping,  # event streams end before the grace, not after
    )
    server.run()
    return 0 if server.started else 1  # not started: the port was taken (uvicorn logged it)
