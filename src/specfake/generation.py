"""The world generation in the store: how a reload on one worker reaches every worker.

Each worker (``serve --workers N``) builds its own world from the same files. A reload, on
any worker or in the supervisor's watcher, carries the state over and then publishes a new
generation, one record in the store written with compare-and-set; every worker polls it and
rebuilds its world when it moves on. The state itself is already carried over in the shared
store by the reloading process, so a follower only swaps its world in; it also takes over
the warnings that reload gave (sections it could not keep).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from specfake.spec.defects import SpecWarning
from specfake.store import StateStore

if TYPE_CHECKING:  # the runtime starts the follower; the follower only calls it back
    from specfake.runtime import Specfake

logger = logging.getLogger("specfake")
COLLECTION, KEY = "__specfake__", "world"  # a collection no fake names (not a section name)
POLL_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class Generation:
    number: int  # 0: no reload since the store was first used
    warnings: tuple[SpecWarning, ...] = ()


async def current_generation(store: StateStore) -> Generation:
    record = await store.get(COLLECTION, KEY)
    if record is None:
        return Generation(0)
    warnings = tuple(SpecWarning(**warning) for warning in record.value["warnings"])
    return Generation(record.value["number"], warnings)


async def publish_generation(store: StateStore, warnings: list[SpecWarning]) -> Generation:
    """Tell every worker to rebuild its world: the next generation, with the reload's
    ``warnings``; a compare-and-set, retried if another reload published meanwhile."""
    while True:
        record = await store.get(COLLECTION, KEY)
        number = (record.value["number"] if record else 0) + 1
        value = {"number": number, "warnings": [warning.to_json() for warning in warnings]}
        expected = record.revision if record else None
        if await store.compare_and_set(COLLECTION, KEY, expected, value) is not None:
            return Generation(number, tuple(warnings))


async def follow_generations(specfake: Specfake, stop: asyncio.Event) -> None:
    """Until ``stop``: rebuild ``specfake``'s world whenever another process published a new
    generation. A failed rebuild (the files changed again meanwhile) is logged; the next
    generation tries again."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), POLL_SECONDS)
            return
        except TimeoutError:
            pass
        try:
            published = await current_generation(specfake.store)
            if published.number != specfake.generation:
                await specfake.follow(published)
        except Exception:  # the store is unreachable for a moment, or the files are broken
            logger.exception("could not follow the reload another worker made")
