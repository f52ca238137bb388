"""What resolution reads without walking: ids without pointers, the pairs' derived attributes,
and a create's answer rendered with the world it was resolved in, each against the plain
computation it replaced."""

from __future__ import annotations

import asyncio
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from specfake.config import ServerConfig
from specfake.fakes.cohorts import CATALOG_KINDS, PAIRS, CohortFake
from specfake.fakes.cohorts.resolution import _items, _pointed
from specfake.pipeline.outcome import OperationRequest
from specfake.store import MemoryStore
from tests.conftest import FIXTURES

SECTIONS = {
    **yaml.safe_load((FIXTURES / "cohort-catalog.yaml").read_text()),
    **yaml.safe_load((FIXTURES / "cohort-drafts.yaml").read_text()),
}
VALUES = st.none() | st.text(max_size=3) | st.integers()
FIELDS = st.sampled_from(["name_id", "department_ids", "flag_ids"])
RECORDS = st.dictionaries(FIELDS, VALUES | st.lists(VALUES, max_size=4), max_size=3)


def pointed_by_walking(record: dict[str, Any], name: str, prefix: str) -> list[tuple[str, Any]]:
    """The pointers as they were built before: for every item, needed or not."""
    value = record.get(name)
    if isinstance(value, list):
        return [(f"{prefix}/{name}/{index}", item) for index, item in enumerate(value)]
    return [] if value is None else [(f"{prefix}/{name}", value)]


@settings(max_examples=300)
@given(record=RECORDS, name=FIELDS, prefix=st.sampled_from(["", "/cohort_drafts/3"]))
def test_items_and_pointers_are_what_the_walk_gave(record, name, prefix):
    expected = pointed_by_walking(record, name, prefix)
    assert list(_pointed(record, name, prefix)) == expected
    assert list(_items(record, name)) == [item for _, item in expected]


def test_the_pairs_attributes_are_derived_from_their_names():
    for pair in PAIRS:
        assert pair.many == pair.ids.endswith("_ids")
        assert pair.in_catalog == (pair.kind in CATALOG_KINDS)
        assert pair.noun == pair.kind.removesuffix("s").replace("_", " ")


CATALOG = SECTIONS["cohort_catalog"]
BODIES = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(min_size=1, max_size=5),
        "description": st.text(max_size=5),
        "departments": st.lists(
            st.sampled_from(["Cardiology", " pediatrics", "EMERGENCY MEDICINE"]), max_size=2
        ),
        "simulation_ids": st.lists(
            st.sampled_from([entry["id"] for entry in CATALOG["simulations"]]), max_size=2
        ),
        "simulation_positions": st.lists(st.fixed_dictionaries({"x": st.integers()}), max_size=2),
        "active": st.booleans(),
        "soft": st.booleans(),
    },
)


@settings(max_examples=60, deadline=None)
@given(body=BODIES)
def test_a_create_answers_the_form_state_a_fresh_read_of_its_draft_renders(body):
    """The create renders with the world its body was resolved in; asking for the draft
    again (a body with no change) renders it from a world read afresh."""
    fake = CohortFake(MemoryStore(), ServerConfig(specs=[]))

    async def scenario() -> tuple[Any, Any]:
        await fake.load(SECTIONS)
        created = await fake.patch_draft(OperationRequest(None, {}, {}, None, body))
        draft_id = created.body["draft_id"]
        again = await fake.patch_draft(OperationRequest(None, {}, {}, None, {"draft_id": draft_id}))
        return created.body["form_state"], again.body["form_state"]

    created, again = asyncio.run(scenario())
    assert created == again
