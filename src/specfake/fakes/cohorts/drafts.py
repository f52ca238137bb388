"""Pure changes to a stored draft record: create, merge resolved updates, stage a proposal.

None of these touch the store; the fake reads, applies one of them and compare-and-sets.
"""

from __future__ import annotations

from specfake.errors import conflict
from specfake.fakes.cohorts.fields import CHANGE_FIELDS, PAIRS, Json


def _merged(draft: Json, updates: Json) -> Json:
    """``draft`` with the resolved fields replaced and the cohort_active option swapped in."""
    merged = {**draft, **updates["fields"]}
    active = updates["active"]
    if active is not None:
        flags = [option for option in merged["flag_ids"] if option not in active["drop"]]
        merged["flag_ids"] = flags if active["add"] in flags else [*flags, active["add"]]
    return merged


def _revised(draft: Json, now: str) -> Json:
    return {**draft, "version": draft["version"] + 1, "updated_at": now}


def _new_draft(draft_id: str, now: str) -> Json:
    return {
        "draft_id": draft_id,
        "status": "live",
        "version": 1,
        **{pair.ids: [] if pair.many else None for pair in PAIRS},
        "flag_ids": [],
        "pending_ids": [],
        "pending_proposal": None,
        "created_at": now,
        "updated_at": now,
    }


def _proposal(key: str, body: Json, updates: Json | None, now: str) -> Json:
    changes = {name: value for name, value in body.items() if name in CHANGE_FIELDS}
    return {
        "idempotency_key": key,
        "created_at": now,
        "changes": changes,
        "updates": updates,
    }


def _require_open(draft: Json) -> None:
    """409 while a soft change waits for its ack: it was staged against the draft as it is."""
    proposal = draft["pending_proposal"]
    if proposal is None:
        return
    waiting = (
        "is dormant: its soft create waits for an ack"
        if draft["status"] == "dormant"
        else "has a proposal waiting for an ack"
    )
    raise conflict(
        f"Draft {draft['draft_id']} {waiting}; send {{idempotency_key: "
        f"{proposal['idempotency_key']!r}, accept: true|false}} first."
    )
