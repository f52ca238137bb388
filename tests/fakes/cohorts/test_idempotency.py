"""A key the fake generates is remembered without a reservation: the entry it writes is the
one the shared key engine leaves after reserving, running and finishing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from specfake.config import ServerConfig
from specfake.errors import Problem
from specfake.fakes.cohorts import KEYS, CohortFake
from specfake.fakes.cohorts.idempotency import (
    KEY_FIELD,
    _entry_fields,
    _finished_fields,
    _remembered,
)
from specfake.fakes.idempotency import IdempotencyKeys
from specfake.pipeline.outcome import OperationRequest
from specfake.store import CollectionLimit, MemoryStore
from tests.conftest import FIXTURES

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
RESPONSES = st.fixed_dictionaries(
    {"success": st.just(True), "draft_id": st.uuids().map(str)},
    optional={"message": st.text(), "form_state": JSON},
)


def engine_entry(key: str, fingerprint: str, soft: bool, response: dict[str, Any]) -> Any:
    """What ``IdempotencyKeys.once`` stores for a request that answered ``response``."""
    store = MemoryStore()
    keys = IdempotencyKeys(store, KEYS, CollectionLimit(), label=KEY_FIELD)

    async def work() -> dict[str, Any]:
        return response

    async def scenario() -> Any:
        fields = _entry_fields(soft)
        await keys.once(key, fingerprint, work, fields=fields, finished=_finished_fields)
        return (await store.get(KEYS, key)).value

    return asyncio.run(scenario())


@settings(max_examples=150, deadline=None)
@given(key=st.text(min_size=1), fingerprint=st.text(), soft=st.booleans(), response=RESPONSES)
def test_the_entry_of_a_generated_key_is_what_the_engine_leaves(key, fingerprint, soft, response):
    stored = engine_entry(key, fingerprint, soft, response)
    remembered = _remembered(key, fingerprint, soft, response)
    assert list(remembered) == list(stored)  # the state dump shows the fields in this order
    assert {**remembered, "created_at": None} == {**stored, "created_at": None}


def cohort_fake() -> tuple[CohortFake, MemoryStore]:
    store = MemoryStore()
    fake = CohortFake(store, ServerConfig(specs=[]))
    sections = {
        **yaml.safe_load((FIXTURES / "cohort-catalog.yaml").read_text()),
        **yaml.safe_load((FIXTURES / "cohort-drafts.yaml").read_text()),
    }
    asyncio.run(fake.load(sections))
    return fake, store


def keys_after(body: dict[str, Any], refused: bool = False) -> list[Any]:
    """The keys remembered after one request with ``body`` on a freshly loaded fake (which
    answers, or with ``refused``, raises a problem)."""
    fake, store = cohort_fake()

    async def scenario() -> list[Any]:
        request = OperationRequest(None, {}, {}, None, body)
        if refused:
            with pytest.raises(Problem):
                await fake.patch_draft(request)
        else:
            await fake.patch_draft(request)
        return [record.value for _, record in await store.list(KEYS)]

    return asyncio.run(scenario())


def test_a_create_without_a_key_remembers_the_key_as_one_sent_with_a_key_would():
    body = {"name": "Fellows", "departments": ["cardiology"], "soft": True}
    [generated] = keys_after(body)
    [given] = keys_after({**body, KEY_FIELD: generated[KEY_FIELD]})

    def without_ids(entry: dict[str, Any]) -> dict[str, Any]:
        response = {**entry["response"], "draft_id": None}
        form_state = {**response["form_state"], "draft_id": None, "name": None}
        form_state["pending_proposal"] = {**form_state["pending_proposal"], "created_at": None}
        return {
            **entry,
            "draft_id": None,
            "created_at": None,
            "response": {**response, "form_state": form_state},
        }

    assert list(generated) == list(given)
    assert without_ids(generated) == without_ids(given)
    assert generated["state"] == "done" and generated["soft"] is True


def test_a_refused_request_without_a_key_remembers_no_key():
    assert keys_after({"departments": ["No Such Department"]}, refused=True) == []
    assert keys_after({"departments": ["No Such Department"], KEY_FIELD: "k"}, refused=True) == []
