"""Idempotency keys over the store: the same key with the same request replays the first
answer and applies nothing; with another request it is a 409; a duplicate of a request still
running waits a moment for its answer. Memory is bounded by the collection's
:class:`~specfake.store.CollectionLimit`.

A reservation is a lease: a key still "running" past ``lease_seconds`` belongs to a request
that will never finish (its worker was killed), so the next request with the key takes it
over instead of being refused until the key's age limit (a day) forgets it.

One engine for every fake that honours keys: the cohort fake (``idempotency_key`` in the
body) and, declared with ``x-specfake.idempotency``, the generic resources. Each key is one
record, reserved with a compare-and-set, so exactly one of N concurrent first requests runs
its work, on any store.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from specfake.config import DEFAULT_IDEMPOTENCY_LEASE
from specfake.errors import conflict
from specfake.fakes.base import utc_now_iso
from specfake.store.base import CollectionLimit, StateStore, Versioned

Json = dict[str, Any]

# A duplicate of a running request polls this long for its answer before giving up with 409.
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.02
LEASE_FIELD = "lease_until"  # only in a running entry: when its reservation lapses (epoch s)


def fingerprint(content: Any) -> str:
    """What "the same request" means: equal JSON, whatever the order of its members."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


def canonical_json(content: Any) -> bytes:
    """:func:`plain_canonical_json`, by orjson (~3x faster) when it gives the same bytes.

    Stored fingerprints outlive the process (SQLite, Redis), so the digest must never change.
    orjson's compact, key-sorted UTF-8 output is ``json``'s byte for byte but for floats
    (``1e-7``, not ``1e-07``; NaN as ``null``) and the types ``json`` refuses (datetimes,
    enums...), so only content of JSON's exact types but floats goes through it; anything
    orjson then refuses (integers past 64 bits, non-string keys) takes the plain path too.
    ``tests/fakes/test_idempotency_fingerprint.py`` compares the two."""
    if _floatless_json(content):
        try:
            return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass
    return plain_canonical_json(content)


def plain_canonical_json(content: Any) -> bytes:
    """Compact UTF-8 JSON with sorted keys: the text every fingerprint is a digest of."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode()


_FLOATLESS_LEAVES = frozenset({str, int, bool, type(None)})


def _floatless_json(content: Any) -> bool:
    """Whether ``content`` is made of dicts, lists, tuples, strings, integers, booleans and
    None only (exactly those types: not a subclass)."""
    kind = type(content)
    if kind is dict:
        content = content.values()
    elif kind is not list and kind is not tuple:
        return kind in _FLOATLESS_LEAVES
    # A loop, not all(...): a generator per container costs more than the walk.
    for value in content:  # noqa: SIM110
        if not (type(value) in _FLOATLESS_LEAVES or _floatless_json(value)):
            return False
    return True


def new_entry(key: str, request_fingerprint: str, **fields: Any) -> Json:
    """The record a reservation writes: ``running`` until its request finishes. ``fields`` are
    the fake's own (the cohort fake keeps ``soft``, ``draft_id`` and ``ack``)."""
    return {
        "idempotency_key": key,
        "fingerprint": request_fingerprint,
        "state": "running",
        "response": None,
        **fields,
        "created_at": utc_now_iso(),
    }


class IdempotencyKeys:
    """The keys remembered in one store collection.

    ``label`` is how the key is named in answers (``idempotency_key``, ``Idempotency-Key``).
    """

    def __init__(
        self,
        store: StateStore,
        collection: str,
        limit: CollectionLimit,
        label: str = "Idempotency-Key",
        wait_seconds: float = WAIT_SECONDS,
        lease_seconds: float = DEFAULT_IDEMPOTENCY_LEASE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``clock`` is wall-clock time: leases are read by every worker sharing the store."""
        self.collection = collection
        self.label = label
        self.wait_seconds = wait_seconds
        self.lease_seconds = lease_seconds
        self._clock = clock
        self._store = store
        store.set_limit(collection, limit)

    async def once(
        self,
        key: str,
        request_fingerprint: str,
        work: Callable[[], Awaitable[Json]],
        fields: Json | None = None,
        finished: Callable[[Json], Json] | None = None,
    ) -> Json:
        """Run ``work`` once per key and remember its answer; replay it for the same request.

        ``fields`` go into the entry; ``finished(response)`` gives fields to store with the
        answer. Raises a 409 for the key used with another request, or still running after
        the wait.
        """
        entry = new_entry(key, request_fingerprint, **(fields or {}))
        deadline = self.deadline()
        while True:
            reserved = await self._store.compare_and_set(
                self.collection, key, None, self.running(entry)
            )
            if reserved is not None:
                return await self.finish(
                    key,
                    reserved,
                    work(),
                    lambda response: {
                        **entry,
                        "state": "done",
                        "response": response,
                        **(finished(response) if finished else {}),
                    },
                    undone=None,
                )
            record = await self._store.get(self.collection, key)
            if record is None:  # its request failed and gave the key back: try again
                continue
            if record.value["fingerprint"] != request_fingerprint:
                raise conflict(
                    f"{self.label} {key!r} was already used with a different request body; "
                    "send a new key for a new request."
                )
            if record.value["state"] == "done":
                return record.value["response"]
            if not await self.reclaim(key, record):
                await self.pause(deadline, key)

    def running(self, entry: Json) -> Json:
        """``entry`` reserved by this request: "running", under a lease from now."""
        return {**entry, "state": "running", LEASE_FIELD: self._clock() + self.lease_seconds}

    async def reclaim(self, key: str, record: Versioned) -> bool:
        """Give back a reservation whose lease ran out (its request will never finish): a new
        key is forgotten, a done entry reserved again (an ack) is done again. ``False`` while
        the lease holds; ``True`` once it is given back, by this call or another. A running
        entry without a lease was written before leases existed: it has lapsed."""
        entry = record.value
        if entry.get(LEASE_FIELD, 0) > self._clock():
            return False
        settled = {name: value for name, value in entry.items() if name != LEASE_FIELD}
        released = None if entry["response"] is None else {**settled, "state": "done"}
        await self._store.compare_and_set(self.collection, key, record.revision, released)
        return True

    async def finish(
        self,
        key: str,
        reserved: Versioned,
        work: Awaitable[Json],
        done: Callable[[Json], Json],
        undone: Json | None,
    ) -> Json:
        """Run ``work`` under a reservation: remember its answer (``done(response)``), or put
        ``undone`` back when it fails (``None`` forgets the key), so a corrected retry may
        reuse the key."""
        try:
            response = await work
        except BaseException:  # a refusal, a bug or a cancelled request: never leave it running
            await self._store.compare_and_set(self.collection, key, reserved.revision, undone)
            raise
        # Fails only if the key was evicted meanwhile: the answer stands, it is just not kept.
        await self._store.compare_and_set(self.collection, key, reserved.revision, done(response))
        return response

    def deadline(self) -> float:
        return asyncio.get_running_loop().time() + self.wait_seconds

    async def pause(self, deadline: float, key: str) -> None:
        """Wait a moment for another request on ``key``; 409 once the wait has run out."""
        if asyncio.get_running_loop().time() >= deadline:
            raise conflict(f"A request with {self.label} {key!r} is still in progress; retry.")
        await asyncio.sleep(POLL_SECONDS)
