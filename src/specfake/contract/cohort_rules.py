"""Rules for ``POST /cohort/draft``: errors, idempotent replay, soft drafts and acks."""

from __future__ import annotations

import uuid
from typing import Any

from specfake.contract.probe import Exchange
from specfake.contract.report import RuleResult
from specfake.contract.rules import Needs, RuleContext, expect_status, rule

API = "cohorts"
PATH = "/cohort/draft"


def post(context: RuleContext, body: Any) -> Exchange:
    return context.probe.send("POST", PATH, json_body=body, authorization=None)


def key(context: RuleContext, purpose: str) -> str:
    return f"specfake-check-{context.run_id}-{purpose}"


def _authoritative(exchange: Exchange) -> dict[str, Any]:
    """The draft's form_state without the staged proposal: what a soft change must not touch."""
    state = dict((exchange.body or {}).get("form_state") or {})
    state.pop("pending_proposal", None)
    state.pop("version", None)
    return state


@rule("cohort-malformed-json-400", "malformed JSON is 400, never 5xx", API, Needs.NOTHING)
def malformed_json(context: RuleContext, result: RuleResult) -> None:
    """POST a truncated JSON body."""
    sent = context.probe.send("POST", PATH, content=b'{"name": ', authorization=None)
    expect_status(result, "truncated JSON body", sent.status, {400})


@rule("cohort-invalid-body-422", "a body that breaks the schema is 422 naming the field", API,
      Needs.NOTHING)  # fmt: skip
def invalid_body(context: RuleContext, result: RuleResult) -> None:
    """POST ``draft_id`` as a number (nothing can be created from an invalid body)."""
    sent = post(context, {"draft_id": 5})
    if expect_status(result, "draft_id as a number", sent.status, {422}):
        paths = [error.get("path") for error in (sent.body or {}).get("errors", [])]
        if "/draft_id" not in paths:
            result.fail(f"the 422 names {paths}, not /draft_id")


@rule("cohort-unknown-404", "patching an unknown draft or acking an unknown key is 404", API,
      Needs.NOTHING)  # fmt: skip
def unknown(context: RuleContext, result: RuleResult) -> None:
    """POST a random ``draft_id``, then an ack for a key nobody used."""
    patched = post(context, {"draft_id": str(uuid.uuid4())})
    expect_status(result, "patch of an unknown draft_id", patched.status, {404})
    acked = post(context, {"idempotency_key": key(context, "never-used"), "accept": True})
    expect_status(result, "ack of an unknown key", acked.status, {404})


def _soft_create(
    context: RuleContext, result: RuleResult, purpose: str
) -> tuple[str, Exchange] | None:
    body = {
        "name": f"specfake check {context.run_id}",
        "soft": True,
        "idempotency_key": key(context, purpose),
    }
    created = post(context, body)
    if not expect_status(result, "soft create", created.status, {200}):
        return None
    return body["idempotency_key"], created


@rule("idempotent-replay", "the same key and body replay the first answer and apply once; "
      "another body with the key is refused", API, Needs.WRITES)  # fmt: skip
def idempotent_replay(context: RuleContext, result: RuleResult) -> None:
    """Soft-create a draft, send it again, reuse its key with another body, then reject it."""
    created = _soft_create(context, result, "replay")
    if created is None:
        return
    soft_key, first = created
    body = {"name": f"specfake check {context.run_id}", "soft": True, "idempotency_key": soft_key}
    replay = post(context, body)
    if replay.status != 200 or replay.body != first.body:
        result.fail(
            f"replaying the same key and body answered {replay.status} "
            f"{_draft_id(replay)!r} instead of the first answer (draft {_draft_id(first)!r})"
        )
    reused = post(context, {**body, "name": "another body"})
    expect_status(result, "the same key with another body", reused.status, {409, 422})
    post(context, {"idempotency_key": soft_key, "accept": False})  # leave nothing behind


@rule("ack-semantics", "a rejected soft create is gone; repeating an ack repeats its answer; the "
      "opposite ack is refused", API, Needs.WRITES)  # fmt: skip
def ack_semantics(context: RuleContext, result: RuleResult) -> None:
    """Soft-create a draft, reject it twice, accept it, then patch it."""
    created = _soft_create(context, result, "ack")
    if created is None:
        return
    soft_key, first = created
    reject = {"idempotency_key": soft_key, "accept": False}
    rejected = post(context, reject)
    if not expect_status(result, "reject the soft create", rejected.status, {200}):
        return
    again = post(context, reject)
    if again.status != 200 or again.body != rejected.body:
        result.fail(f"repeating the reject answered {again.status}, not the first answer")
    opposite = post(context, {"idempotency_key": soft_key, "accept": True})
    expect_status(result, "accept after reject", opposite.status, {409})
    patched = post(context, {"draft_id": _draft_id(first)})
    expect_status(result, "patch of the rejected soft draft", patched.status, {404})


@rule("soft-invisible-until-ack", "a soft change is invisible until accepted; a rejected one never "
      "applies", API, Needs.WRITES)  # fmt: skip
def soft_invisible(context: RuleContext, result: RuleResult) -> None:
    """Create one live draft (the only non-soft write), stage renames, reject one, accept one."""
    live = post(context, {"name": f"specfake check {context.run_id} live"})
    if not expect_status(result, "create a live draft", live.status, {200}):
        return
    draft_id, before = _draft_id(live), _authoritative(live)
    for accept in (False, True):
        proposal_key = key(context, f"soft-{accept}")
        proposed = post(context, {"draft_id": draft_id, "name": f"proposed {accept}", "soft": True,
                                  "idempotency_key": proposal_key})  # fmt: skip
        if not expect_status(result, "soft patch", proposed.status, {200}):
            return
        seen = post(context, {"draft_id": draft_id})
        if _authoritative(seen) != before:
            result.fail("a soft patch changed the draft before any ack")
            return
        post(context, {"idempotency_key": proposal_key, "accept": accept})
        after = _authoritative(post(context, {"draft_id": draft_id}))
        if not accept and after != before:
            result.fail("a rejected soft patch was applied")
        if accept and after == before:
            result.fail("an accepted soft patch was not applied")


def _draft_id(exchange: Exchange) -> str | None:
    return (exchange.body or {}).get("draft_id") if isinstance(exchange.body, dict) else None
