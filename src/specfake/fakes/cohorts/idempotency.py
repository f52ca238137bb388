"""The cohort fake's use of the shared key engine (:mod:`specfake.fakes.idempotency`): what
"the same body" means, the entry's own fields, and an ack's replay."""

from __future__ import annotations

from specfake.errors import conflict
from specfake.fakes.cohorts.fields import Json
from specfake.fakes.idempotency import fingerprint, new_entry
from specfake.pipeline.outcome import Outcome

KEY_FIELD = "idempotency_key"


def _fingerprint(body: Json) -> str:
    """What "the same body" means: everything but the key, whether the client sent one or not."""
    return fingerprint({name: value for name, value in body.items() if name != KEY_FIELD})


def _entry_fields(soft: bool) -> Json:
    """What a cohort key remembers besides the engine's fields."""
    return {"soft": soft, "draft_id": None, "ack": None}


def _key_entry(key: str, request_fingerprint: str, soft: bool) -> Json:
    """A key just reserved, as the engine writes it for the cohort fake."""
    return new_entry(key, request_fingerprint, **_entry_fields(soft))


def _finished_fields(response: Json) -> Json:
    """What a cohort key remembers of its answer besides the answer: the draft it names."""
    return {"draft_id": response["draft_id"]}


def _remembered(key: str, request_fingerprint: str, soft: bool, response: Json) -> Json:
    """The entry the engine leaves for ``key`` once its request answered ``response`` (what
    :meth:`~specfake.fakes.idempotency.IdempotencyKeys.once` writes, minus its reservation),
    for a key that needed no reservation."""
    return {
        **_key_entry(key, request_fingerprint, soft),
        "state": "done",
        "response": response,
        **_finished_fields(response),
    }


def _replayed_ack(ack: Json, accept: bool, key: str) -> Outcome:
    if ack["accept"] != accept:
        given = "accepted" if ack["accept"] else "rejected"
        raise conflict(f"idempotency_key {key!r} was already {given}; that cannot be undone.")
    return Outcome(200, ack["response"])
