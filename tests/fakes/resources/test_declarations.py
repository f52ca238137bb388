"""``x-specfake`` declarations are checked at start-up: a mistake names its JSON Pointer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from specfake import ServerConfig
from specfake.errors import SpecfakeError
from specfake.fakes.resources.declarations import Source
from specfake.pipeline.outcome import OperationRequest
from specfake.store.memory import MemoryStore
from specfake.world import build_world
from tests.asgi import in_process
from tests.conftest import AUTH, DOCS_PATHWAY

BOOKSHOP = Path(__file__).with_name("bookshop.openapi.yaml")
PATHWAYS = Path(__file__).parents[3] / "specs/plan-definitions.openapi.yaml"
FIXTURES = Path(__file__).parents[3] / "fixtures"


def _world_with(tmp_path: Path, change):
    document = yaml.safe_load(BOOKSHOP.read_text())
    change(document["paths"])
    path = tmp_path / "shop.openapi.yaml"
    path.write_text(yaml.safe_dump(document))
    return build_world(ServerConfig(specs=[path], fixtures=None), MemoryStore())


def test_an_unknown_key_stops_start_up_naming_its_pointer(tmp_path):
    def typo(paths):
        paths["/orders/{orderId}/ship"]["post"]["x-specfake"]["require"] = {"status": ["x"]}

    with pytest.raises(SpecfakeError) as raised:
        _world_with(tmp_path, typo)
    assert raised.value.pointer == "/paths/~1orders~1{orderId}~1ship/post/x-specfake"
    assert "unknown key 'require'" in str(raised.value)
    assert raised.value.file is not None and raised.value.file.endswith("shop.openapi.yaml")


def test_a_wrong_value_names_the_key(tmp_path):
    def wrong(paths):
        paths["/orders/{orderId}"]["patch"]["x-specfake"]["version"]["conflict"] = 400

    with pytest.raises(SpecfakeError) as raised:
        _world_with(tmp_path, wrong)
    assert raised.value.pointer == "/paths/~1orders~1{orderId}/patch/x-specfake/version/conflict"


def test_a_field_no_schema_has_stops_start_up(tmp_path):
    def unknown_field(paths):
        paths["/orders/{orderId}/ship"]["post"]["x-specfake"]["set"] = {"shipedAt": "$now"}

    with pytest.raises(SpecfakeError) as raised:
        _world_with(tmp_path, unknown_field)
    assert raised.value.pointer.endswith("/post/x-specfake/set/shipedAt")
    assert "'shipedAt'" in str(raised.value)


def test_stateful_false_leaves_a_plain_mock(tmp_path):
    def mock_only(paths):
        paths["/authors"]["post"]["x-specfake"] = {"stateful": False}

    world = _world_with(tmp_path, mock_only)
    create = next(op for op in world.operations if op.operation_id == "createAuthor")
    read = next(op for op in world.operations if op.operation_id == "getAuthor")
    assert world.answered_by(create) == "mock from spec"
    assert world.answered_by(read) == "resource authors (read)"


def test_a_declared_name_a_fake_owns_stops_start_up(tmp_path):
    def clash(paths):
        paths["/authors"]["x-specfake"] = {"resource": "cohort_drafts"}

    with pytest.raises(SpecfakeError, match=r"'cohort_drafts'.*already a state section"):
        _world_with(tmp_path, clash)


def test_two_operations_declaring_two_names_for_one_resource_stop_start_up(tmp_path):
    def disagree(paths):
        paths["/authors"]["x-specfake"] = {"resource": "writers"}
        paths["/authors/{authorId}"]["x-specfake"] = {"resource": "poets"}

    with pytest.raises(SpecfakeError, match=r"'poets'|'writers'"):
        _world_with(tmp_path, disagree)


def test_a_read_the_pathway_docs_add_later_answers_what_the_patches_wrote(tmp_path):
    """Issue 16: when `GET /v1/plan-definitions/{id}` is documented it must return what the
    PATCHes wrote, with no change to the declarations."""
    document = yaml.safe_load(PATHWAYS.read_text())
    document["paths"]["/v1/plan-definitions/{id}"] = {"get": {
        "operationId": "get-plan-definition",
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The pathway", "content": {"application/json": {
            "schema": {"type": "object", "required": ["id", "versionId", "title"],
                       "properties": {"id": {"type": "string"}, "versionId": {"type": "number"},
                                      "title": {"type": "string"}}}}}}},
    }}  # fmt: skip
    spec = tmp_path / "plan-definitions.openapi.yaml"
    spec.write_text(yaml.safe_dump(document))

    async def scenario():
        async with in_process(ServerConfig(specs=[spec], fixtures=FIXTURES)) as app:
            patch = await app.client.patch(f"/v1/plan-definitions/{DOCS_PATHWAY}/draft",
                                           json={"expectedVersionId": 7, "title": "Read me"},
                                           headers=AUTH)  # fmt: skip
            assert patch.status_code == 200
            return await app.client.get(f"/v1/plan-definitions/{DOCS_PATHWAY}", headers=AUTH)

    read = asyncio.run(scenario())
    assert read.status_code == 200
    assert (read.json()["title"], read.json()["versionId"]) == ("Read me", 8)


def _pointed(document, pointer: str):
    """A JSON Pointer (RFC 6901) walked on every call, as a source read the body before its
    steps were unescaped once at start-up."""
    value = document
    for part in pointer.split("/")[1:]:
        if not isinstance(value, dict):
            return None
        value = value.get(part.replace("~1", "/").replace("~0", "~"))
    return value


BODIES = [None, 7, "text", [1], {}, {"a": 1}, {"a": {"b": 2}}, {"a/b": 3, "m~n": 4, "": 5},
          {"a": [1]}, {"a": {"b": {"c": None}}}, {"expectedVersionId": 6}]  # fmt: skip
POINTERS = ["", "/", "/a", "/a/b", "/a/b/c", "/a~1b", "/m~0n", "/a/~01", "/expectedVersionId"]


@pytest.mark.parametrize("pointer", POINTERS)
def test_a_body_source_reads_what_its_pointer_points_at(pointer):
    source = Source.parse(f"body.{pointer}")
    for body in BODIES:
        request = OperationRequest(None, {}, {}, None, body)  # type: ignore[arg-type]
        assert source.read(request) == _pointed(body, pointer)
    first = pointer.split("/")[1] if pointer else None
    assert source.body_field == (first.replace("~1", "/").replace("~0", "~") if pointer else None)
