"""``Specfake``: the running server. It holds the current :class:`~specfake.world.World` and
what outlives a reload: the store, the request journal and its live feed, the overrides and
faults, the proxy's HTTP client.

The store and the client are opened and closed by :meth:`Specfake.lifespan`, which the ASGI
app runs as its lifespan; the fixtures are loaded there too, once, before the first request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.responses import Response
from starlette.types import Receive, Scope

from specfake.config import ServerConfig
from specfake.errors import SpecfakeError
from specfake.feed import Feed
from specfake.generation import (
    Generation,
    current_generation,
    follow_generations,
    publish_generation,
)
from specfake.journal import JournalEntry, Recorded, RequestJournal
from specfake.pipeline.faults import Faults
from specfake.pipeline.overrides import Overrides
from specfake.pipeline.run import run_pipeline
from specfake.pipeline.scope import request_target, url_path
from specfake.request_log import RequestLog
from specfake.shared_journal import SharedJournal
from specfake.spec.defects import SpecWarning
from specfake.state import (
    carry_state,
    dump_state,
    replace_sections,
    reset_state,
    state_errors,
    stored_state_warnings,
)
from specfake.store import MemoryStore, StateStore, open_store
from specfake.store.factory import store_shares_state
from specfake.store.lock import held
from specfake.world import World, build_world

if TYPE_CHECKING:
    from specfake.pipeline.forwarder import Forwarder

logger = logging.getLogger("specfake")


class Specfake:
    """The served world and its resources; a bad spec or fixture raises ``SpecfakeError`` here."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.store: StateStore = open_store(config.store)
        self.world: World = build_world(config, self.store)
        self.journal = RequestJournal(config.journal_size)  # this process's
        self.request_log = RequestLog()  # the line per request, unless --quiet
        self.feed = Feed()  # the journal and every change, live (GET /__specfake__/events)
        self.forwarder: Forwarder | None = None
        self.faults = Faults(config.latency_ms, config.fail_rate)  # swapped whole when set
        self.shared = store_shares_state(config.store)  # other processes may use the store
        # Overrides outlive a reload. With several workers they and the journal live in the
        # store, so every worker applies and lists them (a store read per request); one process
        # keeps them in memory and skips the read while none is pending.
        workers = config.workers > 1
        self.overrides = Overrides(self.store if workers else MemoryStore(), private=not workers)
        self.shared_journal = SharedJournal(self.store, config.journal_size) if workers else None
        self.state_warnings: list[SpecWarning] = []  # what the last reload could not keep
        self.last_reload_error: str | None = None  # a watched edit that broke, still unfixed
        self.generation = 0  # the world generation served (generation.py), set by lifespan
        # Reload, reset and PUT state each read the world and write the store: one at a time.
        self._reload_lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Open the store (and the upstream client, as a proxy), load the fixtures; close all.

        Meanwhile the served files are watched (``config.watch``) and, with several workers,
        the reloads the others publish are followed (:mod:`specfake.generation`)."""
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
            self.generation = (await current_generation(self.store)).number
            async with contextlib.AsyncExitStack() as background:
                if self.config.watch:
                    from specfake.watch import watch_and_reload  # watchfiles only when watching

                    await background.enter_async_context(self._running(watch_and_reload))
                if self.config.workers > 1:
                    await background.enter_async_context(self._running(follow_generations))
                yield
        finally:
            self.stopping()
            self.request_log.flush()
            if self.forwarder is not None:
                await self.forwarder.close()
                self.forwarder = None
            if self.shared_journal is not None:
                await self.shared_journal.close()
            await self.store.close()

    @contextlib.asynccontextmanager
    async def _running(
        self, work: Callable[[Specfake, asyncio.Event], Awaitable[None]]
    ) -> AsyncIterator[None]:
        """Run ``work(self, stop)`` in the background until the block ends, then stop it."""
        stop = asyncio.Event()
        task = asyncio.create_task(work(self, stop))
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
        response = answer.response
        operation = answer.operation
        recorded = Recorded.of(scope, request_target(scope), answer.request_body,
                               response.raw_headers, response.body)  # fmt: skip
        entry = JournalEntry(  # positional: the hot path (fields in the order declared)
            time.time(),
            scope["method"],
            url_path(scope),
            response.status_code,
            time.perf_counter() - started,
            operation.operation_id if operation else None,
            answer.detail,
            tuple(answer.errors),
            recorded,
        )
        self.journal.record(entry)
        self.request_log.add(entry)
        self.feed.request(entry)
        if self.shared_journal is not None:
            self.shared_journal.add(entry)
        return response

    async def reload(self) -> list[SpecWarning]:
        """Re-read specs, overlays and fixtures and swap the new world in; the state stays
        where the new schemas accept it. A ``SpecfakeError`` leaves the old world serving."""
        async with self._exclusive():
            # Compiling is CPU work: in a thread, so requests keep being answered meanwhile.
            new = await asyncio.to_thread(build_world, self.config, self.store)
            self.state_warnings = await carry_state(self.world, new)
            self.world = new
            self.last_reload_error = None
            published = await publish_generation(self.store, self.state_warnings)
            self.generation = published.number
        self.feed.changed("world")
        return self.state_warnings

    def reload_failed(self, message: str) -> None:
        """A watched edit could not be served (the dashboard shows ``message`` until a
        reload succeeds)."""
        self.last_reload_error = message
        self.feed.changed("world")

    @contextlib.asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        """One reload, reset or PUT state at a time: in this process, and on a shared store
        in every process on it."""
        async with self._reload_lock:
            if not self.shared:
                yield
                return
            async with held(self.store, "world"):
                yield

    async def follow(self, published: Generation) -> None:
        """Rebuild the world after another worker's reload, which carried the state over
        already. A broken rebuild (the files changed again since) is logged and shown on the
        dashboard; the old world keeps serving until the next generation."""
        async with self._reload_lock:
            self.generation = published.number  # a broken rebuild is not retried every poll
            try:
                new = await asyncio.to_thread(build_world, self.config, self.store)
            except SpecfakeError as error:
                self.last_reload_error = str(error)
                logger.error("could not follow another worker's reload:\n%s", error)
                return
            self.world = new
            self.state_warnings = list(published.warnings)
            self.last_reload_error = None

    async def reset(self) -> None:
        async with self._exclusive():  # not against a world a reload is replacing
            await reset_state(self.world)
        self.feed.changed("state")

    async def requests(self) -> list[JournalEntry]:
        """The journal, oldest first: on a shared store, every process's requests."""
        if self.shared_journal is None:
            return self.journal.recorded()
        return await self.shared_journal.entries()

    async def clear_requests(self) -> None:
        self.journal.clear()
        if self.shared_journal is not None:
            await self.shared_journal.clear()

    async def state(self) -> dict[str, Any]:
        return await dump_state(self.world)

    async def replace_state(self, given: Any) -> None:
        async with self._exclusive():  # checked against the schemas it is written under
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
