"""The catalog index against the plain walks of the catalog it replaced, and its cache per
store revision against an index built afresh: a change to the catalog, however it is written,
is seen by the next request."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from specfake import ServerConfig
from specfake.errors import Problem
from specfake.fakes.cohorts import ACTIVE_FLAG, CATALOG, CATALOG_KINDS, EMPTY_CATALOG, CohortFake
from specfake.fakes.cohorts.catalog import CatalogIndex, CatalogIndexes
from specfake.pipeline.outcome import OperationRequest
from specfake.store import MemoryStore
from specfake.store.sqlite import SqliteStore
from tests.asgi import in_process
from tests.conftest import FIXTURES, SPECS

CATALOG_FIXTURE = yaml.safe_load((FIXTURES / "cohort-catalog.yaml").read_text())[CATALOG]
RECORD = "catalog"  # the one record the fake keeps the catalog in

# Names that casefold alike or not, with the spaces and letters casefold() treats specially.
NAMES = st.sampled_from(["Cardiology", "cardiology", " Cardiology ", "STRASSE", "Straße", "ǅ"])
IDS = st.uuids().map(str)
ENTRIES = st.lists(
    st.fixed_dictionaries({"id": IDS, "name": NAMES | st.text(min_size=1)}), max_size=5
)
OPTIONS = st.lists(
    st.fixed_dictionaries({"id": IDS, "value": st.booleans() | st.integers() | NAMES}),
    min_size=1,
    max_size=3,
)
FLAGS = st.lists(
    st.fixed_dictionaries(
        {"id": IDS, "key": st.sampled_from([ACTIVE_FLAG, "visibility"]), "options": OPTIONS}
    ),
    max_size=3,
)
CATALOGS = st.fixed_dictionaries({**{kind: ENTRIES for kind in CATALOG_KINDS}, "flags": FLAGS})


def named_by_walking(catalog: dict[str, Any], kind: str, name: str) -> list[dict[str, Any]]:
    """The lookup the index replaces: every entry's name casefolded, on every request."""
    wanted = name.strip().casefold()
    return [entry for entry in catalog[kind] if entry["name"].casefold() == wanted]


def active_options_by_walking(catalog: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        option
        for flag in catalog["flags"]
        if flag["key"] == ACTIVE_FLAG
        for option in flag["options"]
    ]


def active_choice_by_walking(catalog: dict[str, Any], value: bool) -> Any:
    """What ``active: value`` resolved to per request: the option to add, the ones to drop."""
    options = active_options_by_walking(catalog)
    chosen = [option for option in options if option["value"] is value]
    if not chosen:
        return None
    return chosen[0]["id"], tuple(option["id"] for option in options if option is not chosen[0])


@settings(max_examples=200, deadline=None)
@given(catalog=CATALOGS, name=NAMES | st.text())
def test_the_index_answers_as_the_walks_of_the_catalog_did(catalog, name):
    index = CatalogIndex.of(catalog)
    for kind in CATALOG_KINDS:
        assert list(index.named(kind, name)) == named_by_walking(catalog, kind, name)
        for entry in catalog[kind]:
            assert list(index.named(kind, entry["name"])) == named_by_walking(
                catalog, kind, entry["name"]
            )
            assert entry["id"] in index.known_ids
            assert index.entries[kind][entry["id"]] == next(
                found for found in catalog[kind][::-1] if found["id"] == entry["id"]
            )
    assert index.flag_of == {
        option["id"]: flag for flag in catalog["flags"] for option in flag["options"]
    }
    for value in (True, False):
        assert index.active_choices.get(value) == active_choice_by_walking(catalog, value)
    assert index.active_true == {
        option["id"] for option in active_options_by_walking(catalog) if option["value"] is True
    }
    ids = {entry["id"] for kind in CATALOG_KINDS for entry in catalog[kind]}
    assert index.known_ids == ids | set(index.flag_of)


@settings(max_examples=50, deadline=None)
@given(catalogs=st.lists(CATALOGS, min_size=1, max_size=4), restores=st.lists(st.booleans()))
def test_the_cached_index_is_the_index_of_the_catalog_as_stored_after_any_writes(
    catalogs, restores
):
    """Each catalog is written by a compare-and-set or a restore (what a state PUT does);
    after each, and after reads with nothing written, the cache gives a fresh index."""
    store = MemoryStore()
    indexes = CatalogIndexes(EMPTY_CATALOG)

    async def scenario() -> None:
        assert indexes.index_of(await store.get(CATALOG, RECORD)) == CatalogIndex.of(EMPTY_CATALOG)
        for number, catalog in enumerate(catalogs):
            if number < len(restores) and restores[number]:
                await store.restore({CATALOG: {RECORD: copy.deepcopy(catalog)}})
            else:
                current = await store.get(CATALOG, RECORD)
                revision = None if current is None else current.revision
                await store.compare_and_set(CATALOG, RECORD, revision, copy.deepcopy(catalog))
            for _ in range(2):
                record = await store.get(CATALOG, RECORD)
                assert indexes.index_of(record) == CatalogIndex.of(catalog)

    asyncio.run(scenario())


def test_a_catalog_put_through_the_control_api_is_what_the_next_create_resolves_against():
    renamed = copy.deepcopy(CATALOG_FIXTURE)
    renamed["departments"][0]["name"] = "Cardiac Care"

    async def scenario() -> None:
        config = ServerConfig(specs=[SPECS / "cohort-draft.openapi.yaml"], fixtures=FIXTURES)
        async with in_process(config) as served:
            client = served.client

            async def create(department: str) -> Any:
                return await client.post("/cohort/draft", json={"departments": [department]})

            first = await create("Cardiology")
            assert first.status_code == 200, first.text
            put = await client.put("/__specfake__/state", json={CATALOG: renamed})
            assert put.status_code == 204, put.text
            gone = await create("Cardiology")
            assert gone.status_code == 422
            assert [error["path"] for error in gone.json()["errors"]] == ["/departments/0"]
            renamed_answer = (await create("cardiac care")).json()["form_state"]
            assert renamed_answer["departments"] == [
                {"id": renamed["departments"][0]["id"], "name": "Cardiac Care"}
            ]
            assert (await client.post("/__specfake__/reset")).status_code == 204
            assert (await create("Cardiology")).status_code == 200
            assert (await create("Cardiac Care")).status_code == 422

    asyncio.run(scenario())


def test_a_catalog_loaded_by_another_worker_is_what_this_one_resolves_against(tmp_path):
    """Two fakes over one SQLite file, as two ``--workers`` are: the first has indexed the
    catalog when the second loads a renamed one."""
    renamed = copy.deepcopy(CATALOG_FIXTURE)
    renamed["departments"][0]["name"] = "Cardiac Care"
    config = ServerConfig(specs=[])

    async def scenario() -> None:
        stores = [SqliteStore(tmp_path / "state.db") for _ in range(2)]
        for store in stores:
            await store.open()
        this, other = (CohortFake(store, config) for store in stores)
        try:
            await this.load({CATALOG: CATALOG_FIXTURE})
            body = {"departments": ["Cardiology"]}
            created = await this.patch_draft(OperationRequest(None, {}, {}, None, body))
            assert created.body["form_state"]["departments"][0]["name"] == "Cardiology"
            await other.load({CATALOG: renamed})
            with pytest.raises(Problem) as refused:
                await this.patch_draft(OperationRequest(None, {}, {}, None, body))
            assert refused.value.status == 422
            body = {"departments": ["cardiac care"]}
            renamed_answer = await this.patch_draft(OperationRequest(None, {}, {}, None, body))
            assert renamed_answer.body["form_state"]["departments"][0]["name"] == "Cardiac Care"
        finally:
            for store in stores:
                await store.close()

    asyncio.run(scenario())
