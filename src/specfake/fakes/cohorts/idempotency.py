"""Idempotency-key entries and the helpers around them: what "the same body" means, the
entry a reservation writes, an ack's replay, and the bounded wait for a running duplicate.

The reserve/replay loops themselves are methods of ``CohortFake`` (tests patch them there).
"""

from __future__ import annotations

import asyncio
import hashlib
import json

from specfake.errors import conflict
from specfake.fakes.base import utc_now_iso
from specfake.fakes.cohorts.fields import Json
from specfake.pipeline.outcome import Outcome

# A duplicate of a running request polls this long for its answer before giving up with 409.
_WAIT_SECONDS = 2.0
_POLL_SECONDS = 0.02


def _fingerprint(body: Json) -> str:
    """What "the same body" means: everything but the key, whether the client sent one or not."""
    content = {name: value for name, value in body.items() if name != "idempotency_key"}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _key_entry(key: str, fingerprint: str, soft: bool) -> Json:
    """A key just reserved: ``running`` until its request finishes."""
    return {
        "idempotency_key": key,
        "fingerprint": fingerprint,
        "soft": soft,
        "state": "running",
        "draft_id": None,
        "response": None,
        "ack": None,
        "created_at": utc_now_iso(),
    }


def _replayed_ack(ack: Json, accept: bool, key: str) -> Outcome:
    if ack["accept"] != accept:
        given = "accepted" if ack["accept"] else "rejected"
        raise conflict(f"idempotency_key {key!r} was already {given}; that cannot be undone.")
    return Outcome(200, ack["response"])


def _deadline() -> float:
    return asyncio.get_running_loop().time() + _WAIT_SECONDS


async def _pause(deadline: float, key: str) -> None:
    """Wait a moment for another request on ``key``; 409 once the wait has run out."""
    if asyncio.get_running_loop().time() >= deadline:
        raise conflict(f"A request with idempotency_key {key!r} is still in progress; retry.")
    await asyncio.sleep(_POLL_SECONDS)
