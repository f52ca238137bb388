"""Generic resources over HTTP, in process, on a spec written for these tests (not a seed, not
the corpus): inferred CRUD, nesting, declared locking, actions, idempotency, state."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
import yaml

from specfake import ServerConfig
from tests.asgi import in_process

BOOKSHOP = Path(__file__).with_name("bookshop.openapi.yaml")
SEEDED_AUTHOR = "0b5f3d4e-1c2a-4b6d-8e9f-0a1b2c3d4e5f"  # the spec's example
pytestmark = pytest.mark.anyio
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
async def shop():
    async with in_process(ServerConfig(specs=[BOOKSHOP], fixtures=None)) as app:
        yield app.client


async def create_author(client, **fields):
    response = await client.post("/authors", json={"name": "Ann", **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_stores_the_body_with_server_fields_and_answers_it(shop):
    author = await create_author(shop, bio="writes")
    assert uuid.UUID(author["id"]).version == 4
    assert TIMESTAMP.match(author["createdAt"])
    assert author["name"] == "Ann" and author["bio"] == "writes"
    read = await shop.get(f"/authors/{author['id']}")
    assert read.status_code == 200 and read.json() == author


async def test_create_answers_the_documented_location(shop):
    response = await shop.post("/authors", json={"name": "Bo"})
    assert response.headers["location"] == f"/authors/{response.json()['id']}"


async def test_two_creates_get_two_ids(shop):
    first, second = await create_author(shop), await create_author(shop)
    assert first["id"] != second["id"]


async def test_merge_patch_merges_nested_objects_and_null_removes(shop):
    author = await create_author(shop, address={"city": "Oslo", "street": "Main"})
    response = await shop.patch(
        f"/authors/{author['id']}",
        content=b'{"address": {"street": null}, "bio": "new"}',
        headers=MERGE_PATCH,
    )
    assert response.status_code == 200
    assert response.json()["address"] == {"city": "Oslo"}
    assert (await shop.get(f"/authors/{author['id']}")).json()["bio"] == "new"


async def test_plain_json_patch_replaces_top_level_fields_whole(shop):
    author = await create_author(shop, address={"city": "Oslo", "street": "Main"})
    response = await shop.patch(f"/authors/{author['id']}", json={"address": {"city": "Rome"}})
    assert response.json()["address"] == {"city": "Rome"}


async def test_list_answers_the_stored_records_in_the_documented_wrapper_paged(shop):
    created = [await create_author(shop, name=f"A{n}") for n in range(3)]
    everything = (await shop.get("/authors")).json()
    assert everything["total"] == 4  # the seeded example and three new ones
    assert [a["id"] for a in everything["data"][1:]] == [a["id"] for a in created]
    page = (await shop.get("/authors", params={"limit": 2, "offset": 1})).json()
    assert [a["name"] for a in page["data"]] == ["A0", "A1"] and page["total"] == 4


async def test_the_spec_example_seeds_the_collection(shop):
    seeded = await shop.get(f"/authors/{SEEDED_AUTHOR}")
    assert seeded.status_code == 200 and seeded.json()["name"] == "Ursula K. Le Guin"
    await shop.patch(f"/authors/{SEEDED_AUTHOR}", json={"bio": "edited"})
    assert (await shop.get(f"/authors/{SEEDED_AUTHOR}")).json()["bio"] == "edited"


async def test_nested_collection_is_scoped_to_its_parent(shop):
    first, second = await create_author(shop), await create_author(shop)
    book = await shop.post(f"/authors/{first['id']}/books", json={"title": "Dune"})
    assert book.status_code == 201 and book.json() == {"title": "Dune", "bookId": 1}
    assert (await shop.get(f"/authors/{first['id']}/books")).json() == [book.json()]
    assert (await shop.get(f"/authors/{second['id']}/books")).json() == []
    assert (await shop.get(f"/authors/{first['id']}/books/1")).status_code == 200
    assert (await shop.get(f"/authors/{second['id']}/books/1")).status_code == 404


async def test_a_missing_parent_is_a_404(shop):
    missing = str(uuid.uuid4())
    assert (await shop.get(f"/authors/{missing}/books")).status_code == 404
    response = await shop.post(f"/authors/{missing}/books", json={"title": "X"})
    assert response.status_code == 404


async def test_delete_removes_and_takes_the_nested_records_along(shop):
    author = await create_author(shop)
    await shop.post(f"/authors/{author['id']}/books", json={"title": "Dune"})
    assert (await shop.delete(f"/authors/{author['id']}")).status_code == 204
    gone = await shop.get(f"/authors/{author['id']}")
    assert gone.status_code == 404
    assert author["id"] in gone.json()["message"]  # the documented 404 shape: {message}
    assert (await shop.get(f"/authors/{author['id']}/books/1")).status_code == 404
    state = (await shop.get("/__specfake__/state")).json()
    assert state["books"] == [] and author["id"] not in str(state["authors"])


async def test_unknown_id_is_the_documented_404(shop):
    response = await shop.get(f"/authors/{uuid.uuid4()}")
    assert response.status_code == 404 and set(response.json()) == {"message"}


async def test_if_match_locking_answers_412_and_etag(shop):
    order = (await shop.post("/orders", json={"item": "pen"})).json()
    read = await shop.get(f"/orders/{order['id']}")
    assert read.headers["etag"] == '"1"'
    stale = await shop.patch(f"/orders/{order['id']}", json={"quantity": 2},
                             headers={"If-Match": '"0"'})  # fmt: skip
    assert stale.status_code == 412 and stale.json()["currentVersion"] == 1
    fresh = await shop.patch(f"/orders/{order['id']}", json={"quantity": 2},
                             headers={"If-Match": read.headers["etag"]})  # fmt: skip
    assert fresh.status_code == 200 and fresh.headers["etag"] == '"2"'
    assert fresh.json()["quantity"] == 2 and fresh.json()["version"] == 2


async def test_lifecycle_action_sets_fields_and_refuses_a_state_it_needs_not(shop):
    order = (await shop.post("/orders", json={"item": "pen"})).json()
    assert order["status"] == "placed" and "shippedAt" not in order
    shipped = await shop.post(f"/orders/{order['id']}/ship")
    assert shipped.status_code == 200
    assert shipped.json()["status"] == "shipped" and TIMESTAMP.match(shipped.json()["shippedAt"])
    again = await shop.post(f"/orders/{order['id']}/ship")
    assert again.status_code == 409 and again.json()["currentStatus"] == "shipped"


async def test_idempotency_key_replays_and_conflicts(shop):
    key = {"Idempotency-Key": "order-1"}
    first = await shop.post("/orders", json={"item": "pen"}, headers=key)
    replay = await shop.post("/orders", json={"item": "pen"}, headers=key)
    assert replay.status_code == 201 and replay.json() == first.json()
    other = await shop.post("/orders", json={"item": "ink"}, headers=key)
    assert other.status_code == 409
    orders = (await shop.get("/__specfake__/state")).json()["orders"]
    assert [o["id"] for o in orders] == [first.json()["id"]]


async def test_a_refused_request_changes_nothing(shop):
    author = await create_author(shop)
    before = (await shop.get("/__specfake__/state")).json()
    bad = await shop.patch(f"/authors/{author['id']}", json={"name": ""})
    assert bad.status_code == 422
    assert (await shop.post("/authors", json={"bio": "no name"})).status_code == 422
    assert (await shop.get("/__specfake__/state")).json() == before


async def test_undocumented_fields_in_a_body_are_not_stored(shop):
    order = (await shop.post("/orders", json={"item": "pen"})).json()
    await shop.patch(f"/orders/{order['id']}", json={"quantity": 2})
    author = await create_author(shop, role="admin")
    assert "role" not in author


async def test_reset_and_state_export_of_generic_resources(shop):
    author = await create_author(shop)
    await shop.post(f"/authors/{author['id']}/books", json={"title": "Dune"})
    state = (await shop.get("/__specfake__/state")).json()
    assert state["books"] == [{"title": "Dune", "bookId": 1, "$parents": {"authors": author["id"]}}]
    assert (await shop.post("/__specfake__/reset")).status_code == 204
    reset = (await shop.get("/__specfake__/state")).json()
    assert [a["id"] for a in reset["authors"]] == [SEEDED_AUTHOR] and reset["books"] == []
    assert (await shop.put("/__specfake__/state", json=state)).status_code == 204
    assert (await shop.get(f"/authors/{author['id']}/books/1")).json()["title"] == "Dune"


async def test_put_state_with_an_orphan_nested_record_is_422(shop):
    orphan = {"bookId": 1, "title": "X", "$parents": {"authors": str(uuid.uuid4())}}
    response = await shop.put("/__specfake__/state", json={"books": [orphan]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "/books/0/$parents"


async def test_reset_clears_tombstones(shop):
    await shop.delete(f"/authors/{SEEDED_AUTHOR}")
    assert (await shop.get(f"/authors/{SEEDED_AUTHOR}")).status_code == 404
    await shop.post("/__specfake__/reset")
    assert (await shop.get(f"/authors/{SEEDED_AUTHOR}")).status_code == 200


def _spec_with(tmp_path: Path, change) -> Path:
    document = yaml.safe_load(BOOKSHOP.read_text())
    change(document)
    path = tmp_path / "shop.openapi.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


async def test_no_documented_404_answers_the_example_with_the_id_without_storing_it(tmp_path):
    def drop_404(document):
        del document["paths"]["/authors/{authorId}"]["get"]["responses"]["404"]

    spec = _spec_with(tmp_path, drop_404)
    async with in_process(ServerConfig(specs=[spec], fixtures=None)) as app:
        unknown = str(uuid.uuid4())
        response = await app.client.get(f"/authors/{unknown}")
        assert response.status_code == 200 and response.json()["id"] == unknown
        state = (await app.client.get("/__specfake__/state")).json()
        assert unknown not in str(state)
        # A deleted one is a 404 anyway, with a warning on the answer and for the spec.
        await app.client.delete(f"/authors/{SEEDED_AUTHOR}")
        deleted = await app.client.get(f"/authors/{SEEDED_AUTHOR}")
        assert deleted.status_code == 404 and "specfake-warning" in deleted.headers
        warnings = (await app.client.get("/__specfake__/warnings")).json()["warnings"]
        assert any("/paths/~1authors~1{authorId}/get" in str(w) for w in warnings)


async def test_json_patch_body(tmp_path):
    def accept_json_patch(document):
        content = document["paths"]["/authors/{authorId}"]["patch"]["requestBody"]["content"]
        content["application/json-patch+json"] = {"schema": {"type": "array"}}

    spec = _spec_with(tmp_path, accept_json_patch)
    async with in_process(ServerConfig(specs=[spec], fixtures=None)) as app:
        patch_type = {"Content-Type": "application/json-patch+json"}
        ops = b'[{"op": "replace", "path": "/name", "value": "Zed"}]'
        response = await app.client.patch(f"/authors/{SEEDED_AUTHOR}", content=ops,
                                          headers=patch_type)  # fmt: skip
        assert response.status_code == 200 and response.json()["name"] == "Zed"
        bad = b'[{"op": "remove", "path": "/nothing"}]'
        refused = await app.client.patch(f"/authors/{SEEDED_AUTHOR}", content=bad,
                                         headers=patch_type)  # fmt: skip
        assert refused.status_code == 422 and refused.json()["errors"][0]["path"] == "/0"


async def test_stateless_turns_every_operation_into_a_mock():
    config = ServerConfig(specs=[BOOKSHOP], fixtures=None, stateless=True)
    async with in_process(config) as app:
        await app.client.post("/authors", json={"name": "Ann"})
        assert (await app.client.get("/__specfake__/state")).json() == {}


async def test_a_delete_that_documents_no_2xx_answers_204_with_a_warning(tmp_path):
    def no_success(document):
        del document["paths"]["/authors/{authorId}"]["delete"]["responses"]["204"]

    spec = _spec_with(tmp_path, no_success)
    async with in_process(ServerConfig(specs=[spec], fixtures=None)) as app:
        response = await app.client.delete(f"/authors/{SEEDED_AUTHOR}")
        assert response.status_code == 204 and "documents no 2xx" in response.headers[
            "specfake-warning"
        ]
        assert (await app.client.get(f"/authors/{SEEDED_AUTHOR}")).status_code == 404


async def test_put_replaces_the_record_and_the_version_continues_from_the_stored_one(tmp_path):
    def with_put(document):
        item = document["paths"]["/orders/{orderId}"]
        item["put"] = {
            "operationId": "replaceOrder",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Order"}}}},
            "responses": {"200": {"description": "Replaced", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Order"}}}}},
        }  # fmt: skip

    spec = _spec_with(tmp_path, with_put)
    async with in_process(ServerConfig(specs=[spec], fixtures=None)) as app:
        order = (await app.client.post("/orders", json={"item": "pen", "quantity": 2})).json()
        replaced = await app.client.put(
            f"/orders/{order['id']}",
            json={"id": "other", "item": "ink", "status": "placed", "version": 40},
        )
        assert replaced.status_code == 200
        assert replaced.json() == {"id": order["id"], "item": "ink", "status": "placed",
                                   "version": 2}  # fmt: skip


async def test_a_record_created_again_under_a_deleted_key_is_found(shop):
    author = await create_author(shop)
    await shop.post(f"/authors/{author['id']}/books", json={"title": "Dune"})
    await shop.delete(f"/authors/{author['id']}")  # book 1 of this author is buried too
    restored = {"authors": [author]}  # PUT state clears the authors' tombstones only
    assert (await shop.put("/__specfake__/state", json=restored)).status_code == 204
    again = await shop.post(f"/authors/{author['id']}/books", json={"title": "Emma"})
    assert again.status_code == 201 and again.json()["bookId"] == 1
    assert (await shop.get(f"/authors/{author['id']}/books/1")).json()["title"] == "Emma"
