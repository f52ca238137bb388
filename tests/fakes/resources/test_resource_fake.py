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
    author = await create_author(shop, role="admin")
    patched = await shop.patch(f"/authors/{author['id']}", json={"createdAt": "x", "bio": "b"})
    assert patched.status_code == 200 and patched.json()["createdAt"] == author["createdAt"]
    state = (await shop.get("/__specfake__/state")).json()["authors"]
    assert "role" not in author and "role" not in str(state)


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


async def test_put_replaces_the_record_keeping_server_fields_and_the_stored_version(tmp_path):
    def with_put(document):
        item = document["paths"]["/orders/{orderId}"]
        item["put"] = {
            "operationId": "replaceOrder",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Order"}}}},
            "responses": {"200": {"description": "Replaced", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Order"}}}}},
        }  # fmt: skip
        document["paths"]["/authors/{authorId}"]["put"] = {
            "operationId": "replaceAuthor",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/NewAuthor"}}}},
            "responses": {"200": {"description": "Replaced", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Author"}}}}},
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
        author = (await app.client.post("/authors", json={"name": "Ann"})).json()
        put = await app.client.put(f"/authors/{author['id']}", json={"name": "Bo"})
        assert put.status_code == 200 and "specfake-warning" not in put.headers
        assert put.json() == {"id": author["id"], "name": "Bo", "createdAt": author["createdAt"]}


async def test_integer_ids_are_never_given_twice_even_after_a_delete(shop):
    author = await create_author(shop)
    books = f"/authors/{author['id']}/books"
    first = (await shop.post(books, json={"title": "Dune"})).json()["bookId"]
    second = (await shop.post(books, json={"title": "Emma"})).json()["bookId"]
    assert (await shop.delete(f"/authors/{author['id']}")).status_code == 204
    assert (await shop.put("/__specfake__/state", json={"authors": [author]})).status_code == 204
    third = (await shop.post(books, json={"title": "Kim"})).json()["bookId"]
    # The books' section was not replaced, so their counter stands: 2 is never given again.
    assert (first, second) == (1, 2) and third == 3


async def test_a_client_chosen_id_can_be_created_again_after_a_delete(tmp_path):
    def client_ids(document):
        document["components"]["schemas"]["NewAuthor"]["properties"]["id"] = {"type": "string"}

    spec = _spec_with(tmp_path, client_ids)
    async with in_process(ServerConfig(specs=[spec], fixtures=None)) as app:
        chosen = str(uuid.uuid4())
        created = await app.client.post("/authors", json={"id": chosen, "name": "A"})
        assert created.status_code == 201 and created.json()["id"] == chosen
        again = await app.client.post("/authors", json={"id": chosen, "name": "B"})
        assert again.status_code == 409  # not documented: sent with a warning
        await app.client.delete(f"/authors/{chosen}")
        assert (await app.client.get(f"/authors/{chosen}")).status_code == 404
        recreated = await app.client.post("/authors", json={"id": chosen, "name": "C"})
        assert recreated.status_code == 201
        assert (await app.client.get(f"/authors/{chosen}")).json()["name"] == "C"


async def test_a_refusal_of_the_fake_itself_changes_nothing(shop):
    order = (await shop.post("/orders", json={"item": "pen"})).json()
    await shop.post(f"/orders/{order['id']}/ship")
    before = (await shop.get("/__specfake__/state")).json()
    assert (await shop.post(f"/orders/{order['id']}/ship")).status_code == 409
    stale = await shop.patch(f"/orders/{order['id']}", json={"quantity": 9},
                             headers={"If-Match": '"1"'})  # fmt: skip
    assert stale.status_code == 412
    assert (await shop.get("/__specfake__/state")).json() == before


async def test_if_match_star_and_lists(shop):
    order = (await shop.post("/orders", json={"item": "pen"})).json()
    path = f"/orders/{order['id']}"
    star = await shop.patch(path, json={"quantity": 2}, headers={"If-Match": "*"})
    assert star.status_code == 200 and star.headers["etag"] == '"2"'
    listed = await shop.patch(path, json={"quantity": 3}, headers={"If-Match": '"7", W/"2"'})
    assert listed.status_code == 200


async def test_reset_forgets_idempotency_keys(shop):
    key = {"Idempotency-Key": "order-1"}
    first = (await shop.post("/orders", json={"item": "pen"}, headers=key)).json()
    await shop.post("/__specfake__/reset")
    again = await shop.post("/orders", json={"item": "pen"}, headers=key)
    assert again.status_code == 201 and again.json()["id"] != first["id"]
    assert [o["id"] for o in (await shop.get("/__specfake__/state")).json()["orders"]] == [
        again.json()["id"]
    ]


async def test_a_long_json_patch_names_the_operation_that_fails(tmp_path):
    def accept_json_patch(document):
        content = document["paths"]["/authors/{authorId}"]["patch"]["requestBody"]["content"]
        content["application/json-patch+json"] = {"schema": {"type": "array"}}

    spec = _spec_with(tmp_path, accept_json_patch)
    operations = [{"op": "add", "path": f"/k{n}", "value": n} for n in range(5000)]
    operations.append({"op": "remove", "path": "/missing"})
    async with in_process(ServerConfig(specs=[spec], fixtures=None)) as app:
        refused = await app.client.patch(
            f"/authors/{SEEDED_AUTHOR}", json=operations,
            headers={"Content-Type": "application/json-patch+json"},
        )  # fmt: skip
        assert refused.status_code == 422 and refused.json()["errors"][0]["path"] == "/5000"
        assert "k0" not in (await app.client.get(f"/authors/{SEEDED_AUTHOR}")).json()


async def test_a_refused_write_under_an_idempotency_key_leaves_the_key_unused(tmp_path):
    def idempotent_update(document):
        patch = document["paths"]["/orders/{orderId}"]["patch"]
        patch["x-specfake"]["idempotency"] = "header.Idempotency-Key"
        patch["parameters"].append({"name": "Idempotency-Key", "in": "header",
                                    "schema": {"type": "string"}})  # fmt: skip

    spec = _spec_with(tmp_path, idempotent_update)
    async with in_process(ServerConfig(specs=[spec], fixtures=None)) as app:
        order = (await app.client.post("/orders", json={"item": "pen"})).json()
        path, key = f"/orders/{order['id']}", {"Idempotency-Key": "edit-1"}
        stale = await app.client.patch(path, json={"quantity": 2},
                                       headers={**key, "If-Match": '"0"'})  # fmt: skip
        assert stale.status_code == 412
        entries = (await app.client.get("/__specfake__/requests")).json()["requests"]
        assert "does not match the current version 1" in entries[-1]["detail"]
        # The refusal is not the key's answer: the same key with the right version writes.
        fresh = await app.client.patch(path, json={"quantity": 2},
                                       headers={**key, "If-Match": '"1"'})  # fmt: skip
        assert fresh.status_code == 200 and fresh.json()["quantity"] == 2
