"""``build_world``: fakes bound by operationId (installed through entry points), start-up errors
that name both sides, and the store chosen by URL."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest
import yaml

from specfake import ServerConfig
from specfake.errors import SpecfakeError
from specfake.store import MemoryStore, open_store
from specfake.world import build_world
from tests.asgi import in_process
from tests.conftest import FIXTURES, SPECS

THINGS_SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "things", "version": "1"},
    "paths": {
        "/things/{id}": {
            "get": {
                "operationId": "get-thing",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": {
                        "description": "the thing",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id", "colour"],
                                    "properties": {
                                        "id": {"type": "string"},
                                        "colour": {"type": "string"},
                                    },
                                },
                                "example": {"id": "example", "colour": "grey"},
                            }
                        },
                    },
                    "404": {
                        "description": "no such thing",
                        "content": {"application/problem+json": {"schema": {"type": "object"}}},
                    },
                },
            }
        }
    },
}
THING_FAKE = '''
    from specfake.errors import not_found
    from specfake.fakes.base import Binding
    from specfake.pipeline.outcome import Outcome


    class ThingFake:
        name = "things"

        def __init__(self, store, config):
            self._store = store

        def bindings(self):
            return (Binding("get-thing", "GET", "/things/{id}", self.get),)

        def state_schema(self):
            row = {"type": "object", "required": ["id", "colour"]}
            return {"things": {"type": "array", "items": row}}

        def state_errors(self, sections):
            return []

        async def load(self, sections):
            rows = sections.get("things", [])
            await self._store.restore({"things": {row["id"]: row for row in rows}})

        async def dump(self):
            return {"things": [record.value for _, record in await self._store.list("things")]}

        async def get(self, request):
            record = await self._store.get("things", request.path["id"])
            if record is None:
                raise not_found(f"no thing {request.path['id']}")
            return Outcome(200, record.value)
'''


def write_spec(directory: Path, document: dict, name: str = "things") -> Path:
    path = directory / f"{name}.openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@pytest.fixture
def thing_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A separately installed package that ships a fake: a module and its dist-info with an
    entry point in the ``specfake.fakes`` group, found on ``sys.path`` like any install."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "thing_fake.py").write_text(textwrap.dedent(THING_FAKE))
    info = site / "thing_fake-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: thing-fake\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[specfake.fakes]\nthings = thing_fake:ThingFake\n")
    monkeypatch.syspath_prepend(str(site))
    return site


def test_a_fake_from_another_package_answers_its_operation(tmp_path, thing_plugin):
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    (fixtures / "things.yaml").write_text("things:\n  - {id: t1, colour: teal}\n")
    config = ServerConfig(specs=[write_spec(tmp_path, THINGS_SPEC)], fixtures=fixtures)

    async def scenario():
        async with in_process(config) as served:
            assert served.specfake.world.banner().split()[-2:] == ["stateful", "fake"]
            found = await served.client.get("/things/t1")
            missing = await served.client.get("/things/t2")
            return found, missing

    found, missing = asyncio.run(scenario())
    assert (found.status_code, found.json()) == (200, {"id": "t1", "colour": "teal"})
    assert missing.status_code == 404 and missing.json()["detail"] == "no thing t2"


def test_without_the_plugin_the_generic_resource_fake_answers_the_same_spec(tmp_path):
    world = build_world(ServerConfig(specs=[write_spec(tmp_path, THINGS_SPEC)]), MemoryStore())
    assert [world.answered_by(op) for op in world.operations] == ["resource things (read)"]
    assert [fake.name for fake in world.fakes] == ["resources"]
    assert list(world.state_schemas).count("things") == 1


def test_stateless_leaves_every_operation_a_plain_mock(tmp_path):
    config = ServerConfig(specs=[write_spec(tmp_path, THINGS_SPEC)], stateless=True)
    world = build_world(config, MemoryStore())
    assert [world.answered_by(operation) for operation in world.operations] == ["mock from spec"]
    assert world.fakes == ()


def test_a_fakes_operation_id_under_another_path_stops_start_up_naming_both(tmp_path):
    document = yaml.safe_load((SPECS / "cohort-draft.openapi.yaml").read_text())
    paths = document["paths"]
    paths["/v2/cohort/draft"] = paths.pop("/cohort/draft")
    spec = write_spec(tmp_path, document, "moved")
    with pytest.raises(SpecfakeError) as raised:
        build_world(ServerConfig(specs=[spec]), MemoryStore())
    message = str(raised.value)
    assert "'patch-cohort-draft'" in message
    assert "POST /cohort/draft" in message  # what the fake expects
    assert "POST /v2/cohort/draft" in message  # what the spec has
    assert raised.value.file == str(spec)


def test_operation_ids_bind_within_their_spec():
    world = build_world(
        ServerConfig(specs=sorted(SPECS.glob("*.openapi.yaml")), fixtures=FIXTURES), MemoryStore()
    )
    assert sorted(world.handlers) == [
        ("cohort-draft", "patch-cohort-draft"),
        ("plan-definitions", "publish"),
        ("plan-definitions", "update-draft"),
    ]
    assert {fake.name for fake in world.fakes} == {"cohorts", "resources"}


def test_fixture_references_are_checked_before_anything_is_served(tmp_path):
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    rows = yaml.safe_load((FIXTURES / "pathways.yaml").read_text())["pathways"]
    (fixtures / "pathways.yaml").write_text(yaml.safe_dump({"pathways": [rows[0], rows[0]]}))
    config = ServerConfig(specs=[SPECS / "plan-definitions.openapi.yaml"], fixtures=fixtures)
    with pytest.raises(SpecfakeError) as raised:
        build_world(config, MemoryStore())
    assert raised.value.pointer == "/pathways/1/id"
    assert "duplicate of /pathways/0/id" in str(raised.value)


@pytest.mark.parametrize("url", ["redis:///0", "postgres://x", "memory://host/x"])
def test_a_store_url_specfake_cannot_open_is_an_error_naming_it(url):
    with pytest.raises(SpecfakeError, match="--store"):
        open_store(url)


def test_memory_is_the_default_store():
    assert isinstance(open_store(ServerConfig(specs=[]).store), MemoryStore)


def test_stateless_binds_no_fake():
    config = ServerConfig(specs=sorted(SPECS.glob("*.openapi.yaml")), stateless=True)
    world = build_world(config, MemoryStore())
    assert world.handlers == {} and world.fakes == ()
    assert {world.answered_by(operation) for operation in world.operations} == {"mock from spec"}
