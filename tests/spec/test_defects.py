"""Specs written by others, served around their defects: one small spec per defect class,
served in process; each defect is a warning and a sensible behaviour, never a refusal."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml

from specfake import ServerConfig
from tests.asgi import in_process


def spec(paths: dict, **extra) -> dict:
    return {"openapi": "3.1.0", "info": {"title": "defects", "version": "1"}, "paths": paths,
            **extra}  # fmt: skip


def json_response(schema: dict, **media) -> dict:
    return {"200": {"description": "ok",
                    "content": {"application/json": {"schema": schema, **media}}}}  # fmt: skip


def served(tmp_path: Path, document: dict, requests: list[tuple[str, str, dict]]):
    """Serve ``document``; the answers to ``requests`` ((method, path, httpx kwargs)) and the
    warnings."""
    path = tmp_path / "defects.openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))

    async def scenario():
        async with in_process(ServerConfig(specs=[path])) as app:
            answers = [await app.client.request(m, p, **kw) for m, p, kw in requests]
            warnings = (await app.client.get("/__specfake__/warnings")).json()["warnings"]
            return answers, warnings

    return asyncio.run(scenario())


def query_operation(schema: dict) -> dict:
    return {"get": {"operationId": "q", "parameters": [
        {"name": "v", "in": "query", "required": True, "schema": schema}],
        "responses": json_response({"type": "object"}, example={})}}  # fmt: skip


def test_an_unknown_type_is_unconstrained_with_a_warning(tmp_path):
    answers, warnings = served(tmp_path, spec({"/q": query_operation({"type": "date"})}),
                               [("GET", "/q", {"params": {"v": "anything"}})])  # fmt: skip
    assert answers[0].status_code == 200
    assert any("'date' is not a JSON Schema type" in w["message"] for w in warnings)


def test_a_pattern_the_engine_cannot_compile_is_checked_with_pythons_re(tmp_path):
    pattern = "^(?:{[0-9a-f]{4}})$"  # unescaped braces: no unicode-mode ECMA-262 engine takes it
    answers, warnings = served(
        tmp_path, spec({"/q": query_operation({"type": "string", "pattern": pattern})}),
        [("GET", "/q", {"params": {"v": "{abcd}"}}), ("GET", "/q", {"params": {"v": "zz"}})],
    )  # fmt: skip
    assert [answer.status_code for answer in answers] == [200, 422]
    assert "does not match" in answers[1].json()["errors"][0]["message"]
    assert any("checked with Python's re" in w["message"] for w in warnings)


def test_an_example_that_breaks_its_schema_is_served_with_a_warning_header(tmp_path):
    schema = {"type": "object", "properties": {"link": {"type": "string", "format": "uri"}}}
    operation = {"get": {"operationId": "e", "responses": json_response(
        schema, example={"link": "/relative/path"})}}  # fmt: skip
    answers, _ = served(tmp_path, spec({"/e": operation}), [("GET", "/e", {})])
    assert answers[0].status_code == 200
    assert answers[0].json() == {"link": "/relative/path"}
    warning = answers[0].headers["specfake-warning"]
    assert warning.startswith("the spec's example breaks the spec at body /link")


def test_an_undefined_security_scheme_accepts_any_credential(tmp_path):
    operation = {"get": {"operationId": "s", "security": [{"nowhere": []}],
                         "responses": json_response({"type": "object"}, example={})}}  # fmt: skip
    answers, warnings = served(tmp_path, spec({"/s": operation}), [("GET", "/s", {})])
    assert answers[0].status_code == 200
    assert any("security scheme 'nowhere' is not defined" in w["message"] for w in warnings)


def test_a_reference_to_nothing_warns_and_leaves_that_part_unconstrained(tmp_path):
    body = {"content": {"application/json": {"schema": {
        "type": "object", "properties": {"x": {"$ref": "#/components/schemas/Missing"}}}}}}
    operation = {"post": {"operationId": "r", "requestBody": body,
                          "responses": json_response({"type": "object"}, example={})}}  # fmt: skip
    answers, warnings = served(tmp_path, spec({"/r": operation}),
                               [("POST", "/r", {"json": {"x": [1, "anything"]}})])  # fmt: skip
    assert answers[0].status_code == 200
    assert any("'#/components/schemas/Missing' points at nothing" in w["message"]
               for w in warnings)  # fmt: skip


def test_a_ref_where_openapi_wants_text_is_a_validator_warning_not_a_refusal(tmp_path):
    operation = {"get": {"operationId": "t", "tags": ["a"],
                         "responses": json_response({"type": "object"}, example={})}}  # fmt: skip
    tag = {"name": "a", "description": {"$ref": "#/components/x-text"}}
    document = spec({"/t": operation}, tags=[tag])
    answers, warnings = served(tmp_path, document, [("GET", "/t", {})])
    assert answers[0].status_code == 200
    assert any(w["pointer"].startswith("/tags/0") for w in warnings)


def test_a_schema_referring_into_paths_compiles(tmp_path):
    schema = {"type": "object", "properties": {
        "name": {"type": "string"},
        "child": {"$ref": "#/paths/~1tree/post/requestBody/content/application~1json/schema"}}}
    operation = {"post": {"operationId": "tree", "requestBody": {
        "content": {"application/json": {"schema": schema}}},
        "responses": json_response({"type": "object"}, example={})}}  # fmt: skip
    answers, warnings = served(tmp_path, spec({"/tree": operation}), [
        ("POST", "/tree", {"json": {"name": "a", "child": {"name": "b", "child": {"name": "c"}}}}),
        ("POST", "/tree", {"json": {"name": "a", "child": {"name": 7}}}),
    ])  # fmt: skip
    assert [answer.status_code for answer in answers] == [200, 422]
    assert answers[1].json()["errors"][0]["path"] == "/child/name"
    assert warnings == []


def test_a_multi_file_spec_is_bundled(tmp_path):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "paths").mkdir()
    (tmp_path / "schemas" / "pet.yaml").write_text(yaml.safe_dump({
        "Pet": {"type": "object", "required": ["id", "name"],
                "properties": {"id": {"$ref": "#/PetId"}, "name": {"type": "string"},
                               "error": {"$ref": "../common.yaml#/Error"}}},
        "PetId": {"type": "integer", "minimum": 1}}))  # fmt: skip
    (tmp_path / "common.yaml").write_text(yaml.safe_dump(
        {"Error": {"type": "object", "properties": {"message": {"type": "string"}}}}))
    (tmp_path / "paths" / "pets.yaml").write_text(yaml.safe_dump({"post": {
        "operationId": "add-pet",
        "requestBody": {"content": {"application/json": {
            "schema": {"$ref": "../schemas/pet.yaml#/Pet"}}}},
        "responses": {"200": {"description": "the pet", "content": {"application/json": {
            "schema": {"$ref": "../schemas/pet.yaml#/Pet"}}}}}}}))  # fmt: skip
    document = spec({"/pets": {"$ref": "paths/pets.yaml"}})
    answers, warnings = served(tmp_path, document, [
        ("POST", "/pets", {"json": {"id": 1, "name": "Rex", "error": {"message": "none"}}}),
        ("POST", "/pets", {"json": {"id": 0, "name": "Rex", "error": {"message": 5}}}),
    ])  # fmt: skip
    assert answers[0].status_code == 200
    assert set(answers[0].json()) >= {"id", "name"} and answers[0].json()["id"] >= 1
    assert answers[1].status_code == 422
    assert {e["path"] for e in answers[1].json()["errors"]} == {"/id", "/error/message"}
    assert warnings == []


def test_an_operation_documenting_no_response_answers_204_with_a_warning(tmp_path):
    answers, _ = served(tmp_path, spec({"/n": {"get": {"operationId": "n"}}}),
                        [("GET", "/n", {})])  # fmt: skip
    assert answers[0].status_code == 204
    assert "documents no response" in answers[0].headers["specfake-warning"]


def test_a_documented_1xx_is_never_the_default_answer(tmp_path):
    responses = {"100": {"description": "continue"},
                 "201": {"description": "made", "content": {"application/json": {
                     "schema": {"type": "object"}, "example": {"made": True}}}}}  # fmt: skip
    document = spec({"/c": {"post": {"operationId": "c", "responses": responses}}})
    answers, _ = served(tmp_path, document, [("POST", "/c", {})])
    assert (answers[0].status_code, answers[0].json()) == (201, {"made": True})


def test_non_json_media_types_answer_their_example_as_text(tmp_path):
    responses = {"200": {"description": "pong", "content": {
        "text/plain": {"schema": {"type": "string"}, "example": "pong"}}}}
    document = spec({"/ping": {"get": {"operationId": "p", "responses": responses}}})
    answers, _ = served(tmp_path, document, [("GET", "/ping", {})])
    assert answers[0].text == "pong"
    assert answers[0].headers["content-type"].startswith("text/plain")


def test_top_level_sections_of_the_wrong_shape_are_warnings(tmp_path):
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": [1],
                "components": []}  # fmt: skip
    answers, warnings = served(tmp_path, document, [("GET", "/anything", {})])
    assert answers[0].status_code == 404
    assert any(w["pointer"] == "/paths" for w in warnings)
