"""The state as one document: PUT replaces only the sections it names; a reload keeps what the
new world can hold and says what it could not."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from specfake import ServerConfig
from specfake.state import carry_state, dump_state, replace_sections, reset_state
from specfake.store import MemoryStore
from specfake.world import build_world
from tests.conftest import FIXTURES, SPECS

BUNDLED = sorted(SPECS.glob("*.openapi.yaml"))


def run(coroutine):
    return asyncio.run(coroutine)


def loaded_world(fixtures: Path = FIXTURES, store: MemoryStore | None = None):
    world = build_world(ServerConfig(specs=BUNDLED, fixtures=fixtures), store or MemoryStore())
    run(reset_state(world))
    return world


def test_put_replaces_only_the_sections_it_names():
    world = loaded_world()
    before = run(dump_state(world))
    run(replace_sections(world, {"pathways": before["pathways"][:1]}))
    after = run(dump_state(world))
    assert after["pathways"] == before["pathways"][:1]
    assert {name: value for name, value in after.items() if name != "pathways"} == {
        name: value for name, value in before.items() if name != "pathways"
    }


def test_put_of_an_empty_object_names_nothing_and_changes_nothing():
    world = loaded_world()
    before = run(dump_state(world))
    try:
        run(replace_sections(world, {}))
    except Exception as error:
        assert getattr(error, "status", None) == 422
        assert [field.path for field in error.errors] == [""]
    else:
        raise AssertionError("PUT {} was accepted")
    assert run(dump_state(world)) == before


def test_a_section_checked_against_the_others_it_keeps():
    """A draft naming an unknown department is refused even when only drafts are sent."""
    world = loaded_world()
    drafts = run(dump_state(world))["cohort_drafts"]
    broken = [{**drafts[0], "department_ids": ["f0f0f0f0-0000-4000-8000-000000000000"]}]
    try:
        run(replace_sections(world, {"cohort_drafts": broken}))
    except Exception as error:
        assert [field.path for field in error.errors] == ["/cohort_drafts/0/department_ids/0"]
    else:
        raise AssertionError("a reference to nothing was accepted")


def test_a_reload_keeps_the_state_the_new_schemas_accept(tmp_path):
    store = MemoryStore()
    old = loaded_world(store=store)
    state = run(dump_state(old))
    rows = [{**row, "title": "edited live"} for row in state["pathways"]]
    run(replace_sections(old, {"pathways": rows}))
    new = build_world(old.config, store)
    assert run(carry_state(old, new)) == []
    assert run(dump_state(new))["pathways"] == rows


def test_a_section_the_new_schemas_refuse_starts_again_from_the_new_fixtures():
    store = MemoryStore()
    old = loaded_world(store=store)
    live = run(dump_state(old))
    drafts = [{**live["cohort_drafts"][0], "version": 99}]
    run(replace_sections(old, {"cohort_drafts": drafts}))
    built = build_world(old.config, store)
    one_pathway = {"type": "array", "maxItems": 1, "items": built.state_schemas["pathways"]}
    new = dataclasses.replace(  # as a changed spec or fake would narrow a section
        built,
        state_schemas={**built.state_schemas, "pathways": one_pathway},
        fixtures={**built.fixtures, "pathways": live["pathways"][:1]},
    )
    warnings = run(carry_state(old, new))
    assert [warning.pointer for warning in warnings] == ["/pathways"]
    assert "starts again from the fixtures" in warnings[0].message
    state = run(dump_state(new))
    assert state["pathways"] == live["pathways"][:1]
    assert state["cohort_drafts"] == drafts  # kept as the client left it


def test_a_section_no_fake_of_the_new_world_holds_is_dropped_with_a_warning():
    store = MemoryStore()
    old = loaded_world(store=store)
    built = build_world(old.config, store)
    schemas = {name: schema for name, schema in built.state_schemas.items() if name != "pathways"}
    new = dataclasses.replace(built, state_schemas=schemas)
    warnings = run(carry_state(old, new))
    assert [(warning.spec, warning.pointer) for warning in warnings] == [(None, "/pathways")]


def test_a_refused_section_the_new_fixtures_lack_starts_empty():
    """Not the old records: loading names only the sections it is given."""
    store = MemoryStore()
    old = loaded_world(store=store)
    assert run(dump_state(old))["cohort_drafts"]
    built = build_world(old.config, store)
    no_drafts = {"type": "array", "maxItems": 0, "items": {}, "default": []}
    new = dataclasses.replace(
        built,
        state_schemas={**built.state_schemas, "cohort_drafts": no_drafts},
        fixtures={name: value for name, value in built.fixtures.items() if name != "cohort_drafts"},
    )
    warnings = run(carry_state(old, new))
    assert [warning.pointer for warning in warnings] == ["/cohort_drafts"]
    assert run(dump_state(new))["cohort_drafts"] == []
