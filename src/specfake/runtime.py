"""``Specfake``: the running server. It holds the current :class:`~specfake.world.World` and
what outlives a reload: the store, the request journal and its live feed, the overrides and
faults, the proxy's HTTP client.

The store and the client are opened and closed by :meth:`Specfake.lifespan`, which the ASGI
app runs as its lifespan; the fixtures are loaded there too, once, before the first request.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from starlette.responses import Response
from starlette.types import Receive, Scope

from specfake.config import ServerConfig
from specfake.feed import Feed
from specfake.journal import JournalEntry, Recorded, RequestJournal
from specfake.pipeline.faults import Faults
from specfake.pipeline.overrides import Overrides
from specfake.pipeline.run import run_pipeline
from specfake.pipeline.scope import request_target, url_path
from specfake.spec.defects import SpecWarning
from specfake.state import (
    carry_state,
    dump_state,
    replace_sections,
    reset_state,
    state_errors,
    stored_state_warnings,
)
from specfake.store import StateStore, open_store
from specfake.world import World, build_world

if TYPE_CHECKING:
    from specfake.pipeline.forwarder import Forwarder


class Specfake:
    """The served world and its resources; a bad spec or fixture raises ``SpecfakeError`` here."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.store: StateStore = open_store(config.store)
        self.world: World = build_world(config, self.store)
        self.journal = RequestJournal(config.journal_size)
        self.feed = Feed()  # the journal and every change, live (GET /__specfake__/events)
        self.forwarder: Forwarder | None = None
        self.overrides = Overrides()  # they outlive a reload
        self.faults = Faults(config.latency_ms, config.fail_rate)  # swapped whole when set
        self.state_warnings: list[SpecWarning] = []  # what the last reload could not keep
        self.last_reload_error: str | None = None  # a watched edit that broke, still unfixed
        # Reload, reset and PUT state each read the world and write the store: one at a time.
        self._reload_lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Open the store (and the upstream client, as a proxy), load the fixtures; close all."""
        await self.store.open()
        try:
            if self.config.upstream:
                # Imported here: it brings httpx, 0.13 s of every start-up, for proxy mode only.
                from specfake.pipeline.forwarder import Forwarder

                self.forwarder = Forwarder(self.config.upstream)
            if await self.store.claim_first_load():
                await reset_state(self.world)
            else:  # a restart on a durable store: what it holds stays; say what no longer fits
                self.state_warnings = stored_state_warnings(
                    state_errors(self.world, await dump_state(self.world))
                )
            async with self._watching():
                yield
        finally:
            self.stopping()
            if self.forwarder is not None:
                await self.forwarder.close()
                self.forwarder = None
            await self.store.close()

    @contextlib.asynccontextmanager
    async def _watching(self) -> AsyncIterator[None]:
        """Watch the served files and reload on change (``config.watch``), until shutdown."""
        if not self.config.watch:
            yield
            return
        from specfake.watch import watch_and_reload  # watchfiles only when watching

        stop = asyncio.Event()
        task = asyncio.create_task(watch_and_reload(self, stop))
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, timeout=2)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()

    async def handle(self, scope: Scope, receive: Receive) -> Response:
        """Answer one request (or forward it, as a proxy) and journal what happened."""
        started = time.perf_counter()
        # Read once: a reload swapping ``self.world`` meanwhile does not reach this request.
        answer = await run_pipeline(
            self.world, scope, receive, self.forwarder, self.overrides, self.faults
        )
        operation = answer.operation
        response = answer.response
        recorded = Recorded.of(scope, request_target(scope), answer.request_body,
                               response.raw_headers, response.body)  # fmt: skip
        entry = JournalEntry(
            time=time.time(),
            method=scope["method"],
            path=url_path(scope),
            status=response.status_code,
            seconds=time.perf_counter() - started,
            operation_id=operation.operation_id if operation else None,
            detail=answer.detail,
            errors=tuple(answer.errors),
            recorded=recorded,
        )
        self.journal.record(entry)
        self.feed.request(entry)
        return response

    async def reload(self) -> list[SpecWarning]:
        """Re-read specs, overlays and fixtures and swap the new world in; the state stays
        where the new schemas accept it. A ``SpecfakeError`` leaves the old world serving."""
        async with self._reload_lock:
            # Compiling is CPU work: in a thread, so requests keep being answered meanwhile.
            new = await asyncio.to_thread(build_world, self.config, self.store)
            self.state_warnings = await carry_state(self.world, new)
            self.world = new
            self.last_reload_error = None
        self.feed.changed("world")
        return self.state_warnings

    def reload_failed(self, message: str) -> None:
        """A watched edit could not be served (the dashboard shows ``message`` until a
        reload succeeds)."""
        self.last_reload_error = message
        self.feed.changed("world")

    async def reset(self) -> None:
        async with self._reload_lock:  # not against a world a reload is replacing
            await reset_state(self.world)
        self.feed.changed("state")

    async def state(self) -> dict[str, Any]:
        return await dump_state(self.world)

    async def replace_state(self, given: Any) -> None:
        async with self._reload_lock:  # checked against the schemas it is written under
            await replace_sections(self.world, given)
        self.feed.changed("state")

    def stopping(self) -> None:
        """Shutdown has begun: end the event streams, which never end by themselves. The
        server calls this as soon as it stops accepting (``cli/stoppable.py``), and the
        lifespan's end again for servers that cannot."""
        self.feed.close()

    def warnings(self) -> list[SpecWarning]:
        """The current world's spec warnings and what the last reload could not keep."""
        return [*self.world.warnings, *self.state_warnings]
