"""``serve --workers N``: N uvicorn worker processes on one listening socket, sharing the store.

The supervisor (this process) opens the store first, loads the fixtures if the store is new,
and watches the served files; a reload it makes, or one a worker makes for ``POST
/__specfake__/reload``, publishes a new world generation that every worker follows
(:mod:`specfake.generation`). uvicorn's supervisor restarts a worker that dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from specfake.cli.worker import APP, HTTP_PROTOCOL, WorkerSettings, worker_environment
from specfake.config import ConnectionLimits
from specfake.runtime import Specfake

STARTUP_FAILURE = 3  # uvicorn's exit status for a worker that could not start


def serve_workers(
    specfake: Specfake, limits: ConnectionLimits, quiet: bool, options: dict[str, Any]
) -> int:
    """Serve ``specfake.config`` with ``config.workers`` processes; ``options`` are uvicorn's.
    Exit status 0 after a stop, 1 if a worker could not start."""
    config = specfake.config
    # The supervisor watches; a worker only follows the generations.
    settings = WorkerSettings(replace(config, watch=False), limits, quiet)
    os.environ.update(worker_environment(settings))  # spawned workers inherit it
    server_config = uvicorn.Config(
        APP, factory=True, workers=config.workers, http=HTTP_PROTOCOL, **options
    )
    with supervising(specfake):
        socket = server_config.bind_socket()
        supervisor = Multiprocess(server_config, sockets=[socket])
        supervisor.run()
    failed = any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes)
    return 1 if failed else 0


@contextlib.contextmanager
def supervising(specfake: Specfake) -> Iterator[None]:
    """Run ``specfake``'s lifespan (store, fixtures, watcher, follower) on an event loop in
    a thread while the block runs; a start-up failure (the store does not answer) raises
    here, before any worker starts."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failures: list[BaseException] = []
    stop = asyncio.Event()

    async def lifespan() -> None:
        try:
            async with specfake.lifespan():
                started.set()
                await stop.wait()
        except BaseException as error:
            failures.append(error)
            started.set()

    thread = threading.Thread(target=loop.run_until_complete, args=(lifespan(),),
                              name="specfake-supervisor", daemon=True)  # fmt: skip
    thread.start()
    started.wait()
    if failures:
        thread.join()
        loop.close()
        raise failures[0]
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
        loop.close()
