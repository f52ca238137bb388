"""`specfake serve` as a real process: routing, auth, validation, Prefer, CORS, control API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import jsonschema
import pytest
import yaml

from tests.conftest import AUTH, DOCS_PATHWAY, SPECS
from tests.servers import free_port, running_server

PATCH_URL = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"
PETSTORE = Path(__file__).with_name("petstore.openapi.yaml")


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


def test_bundled_operation_answers_a_spec_valid_body(server, assert_conforms):
    response = server.patch(PATCH_URL, json={"expectedVersionId": 7}, headers=AUTH)
    assert response.status_code == 200
    assert_conforms("update-draft", response)


def test_bad_body_lists_every_failing_field_by_json_pointer(server, assert_conforms):
    body = {"title": 5, "decisionTree": [], "description": None}
    response = server.patch(PATCH_URL, json=body, headers=AUTH)
    problem = assert_problem(response, 422)
    paths = sorted(error["path"] for error in problem["errors"])
    assert paths == ["/decisionTree", "/description", "/expectedVersionId", "/title"]
    assert all(error["in"] == "body" for error in problem["errors"])
    assert_conforms("update-draft", response)


def test_missing_body_is_422_because_the_body_is_required(server):
    problem = assert_problem(server.patch(PATCH_URL, headers=AUTH), 422)
    assert problem["errors"][0]["message"] == "a request body is required"


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "no Authorization header"),
        ({"Authorization": "Basic ZGV2OmRldg=="}, "Bearer scheme"),
        ({"Authorization": "Bearer SCHEMATHESIS-INVALID-VALUE"}, "not a JWT"),
    ],
)
def test_auth_comes_before_validation(server, headers, detail, assert_conforms):
    response = server.patch(PATCH_URL, content=b"{not json", headers=headers)
    problem = assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert detail in problem["detail"]
    assert_conforms("update-draft", response)


def test_any_well_formed_jwt_is_accepted(server):
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmcm9udGVuZCJ9.c2ln"
    response = server.patch(
        PATCH_URL, json={"expectedVersionId": 7}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b'{"expectedVersionId": 7', "line 1"),
        (b'{"expectedVersionId": NaN}', "NaN"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"[" * 1000 + b"]" * 1000, "nests"),
    ],
)
def test_malformed_json_is_400(server, content, detail, assert_conforms):
    headers = {**AUTH, "Content-Type": "application/json"}
    response = server.patch(PATCH_URL, content=content, headers=headers)
    assert detail in assert_problem(response, 400)["detail"]
    assert_conforms("update-draft", response)


def test_body_over_the_limit_is_413(server):
    headers = {**AUTH, "Content-Type": "application/json"}
    body = json.dumps({"expectedVersionId": 7, "description": "x" * (1024 * 1024)})
    assert_problem(server.patch(PATCH_URL, content=body, headers=headers), 413)


def test_wrong_content_type_is_415(server):
    headers = {**AUTH, "Content-Type": "text/plain"}
    problem = assert_problem(server.patch(PATCH_URL, content=b"hi", headers=headers), 415)
    assert problem["errors"][0]["path"] == "Content-Type"


def test_unacceptable_accept_is_406(server):
    headers = {**AUTH, "Accept": "text/html"}
    assert_problem(server.patch(PATCH_URL, json={"expectedVersionId": 7}, headers=headers), 406)


def test_unknown_path_is_404_and_other_method_is_405_with_allow(server):
    assert_problem(server.get("/v1/nothing-here"), 404)
    response = server.get(PATCH_URL, headers=AUTH)
    assert_problem(response, 405)
    assert response.headers["allow"] == "PATCH"


def test_prefer_code_answers_from_the_spec_not_the_fake(server, assert_conforms):
    headers = {**AUTH, "Prefer": "code=409"}
    response = server.patch(PATCH_URL, json={"expectedVersionId": 7}, headers=headers)
    assert response.status_code == 409
    assert response.json()["currentVersionId"] == 7  # the spec's stale-version example
    assert_conforms("update-draft", response)
    state = server.get("/__specfake__/state").json()
    assert state["pathways"][0]["versionId"] == 7  # the fake was bypassed


def test_prefer_example_picks_a_named_example(server):
    headers = {**AUTH, "Prefer": "code=409, example=not-a-draft"}
    response = server.patch(PATCH_URL, json={"expectedVersionId": 7}, headers=headers)
    assert response.json()["currentStatus"] == "active"


def test_prefer_undocumented_code_is_a_clear_error(server):
    headers = {**AUTH, "Prefer": "code=418"}
    response = server.patch(PATCH_URL, json={"expectedVersionId": 7}, headers=headers)
    assert "does not document" in assert_problem(response, 422)["detail"]


def test_cors_preflight_from_a_localhost_origin(server):
    response = server.options(
        PATCH_URL,
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, content-type, prefer",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    allowed = response.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "prefer"} <= set(allowed.replace(" ", "").split(","))


def test_errors_carry_cors_headers_and_foreign_origins_get_none(server):
    response = server.patch(PATCH_URL, headers={"Origin": "http://127.0.0.1:3000"})
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:3000"
    assert "www-authenticate" in response.headers["access-control-expose-headers"].lower()
    foreign = server.patch(PATCH_URL, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers


def test_control_health_and_served_specs(server):
    assert server.get("/__specfake__/health").json() == {"status": "ok"}
    served = server.get("/__specfake__/specs/plan-definitions.json").json()
    committed = yaml.safe_load((SPECS / "plan-definitions.openapi.yaml").read_text())
    assert served == committed
    assert_problem(server.get("/__specfake__/specs/nope.json"), 404)
    assert server.get("/__specfake__/").headers["content-type"].startswith("text/html")
    listed = server.get("/__specfake__/operations").json()["operations"]  # what the page shows
    assert "update-draft" in {operation["operationId"] for operation in listed}


def test_request_journal_records_newest_last_and_clears(server):
    assert server.delete("/__specfake__/requests").status_code == 204
    server.patch(PATCH_URL, json={"title": 1}, headers=AUTH)
    server.post(f"/v1/plan-definitions/{DOCS_PATHWAY}/publish", headers=AUTH)
    entries = server.get("/__specfake__/requests").json()["requests"]
    assert [(e["method"], e["status"]) for e in entries] == [("PATCH", 422), ("POST", 200)]
    assert entries[0]["errors"][0]["path"] in {"/title", "/expectedVersionId"}
    assert entries[0]["duration_ms"] >= 0
    server.delete("/__specfake__/requests")
    assert server.get("/__specfake__/requests").json()["requests"] == []


@pytest.fixture(scope="module")
def petstore():
    with (
        running_server(PETSTORE, "--token", "unused") as base_url,
        httpx.Client(base_url=base_url, timeout=10) as client,
    ):
        yield client


def _pet_schema(name: str) -> dict:
    document = yaml.safe_load(PETSTORE.read_text())
    return {"$ref": f"#/components/schemas/{name}", "components": document["components"]}


def test_foreign_spec_synthesizes_valid_bodies(petstore):
    response = petstore.get("/pets")
    assert response.status_code == 200
    pets = response.json()
    assert isinstance(pets, list) and pets
    schema = _pet_schema("Pet")
    schema["components"]["schemas"]["Pet"]["properties"]["tag"] = {"type": ["string", "null"]}
    for pet in pets:
        jsonschema.validate(pet, schema)


def test_foreign_spec_examples_and_prefer_example(petstore):
    assert petstore.get("/pets/7").json()["name"] == "Rex"
    assert petstore.get("/pets/7", headers={"Prefer": "example=tom"}).json()["name"] == "Tom"
    assert petstore.get("/pets/7", headers={"Prefer": "code=404"}).json()["message"]


def test_foreign_spec_validates_parameters(petstore):
    problem = assert_problem(petstore.get("/pets", params={"limit": "abc"}), 422)
    assert problem["errors"] == [
        {"in": "query", "path": "limit", "message": '"abc" is not of type "integer"'}
    ]
    assert_problem(petstore.get("/pets", params={"limit": "0"}), 422)
    assert petstore.get("/pets", params={"limit": "5", "status": "sold"}).status_code == 200
    assert_problem(petstore.get("/pets", params={"status": "lost"}), 422)
    assert assert_problem(petstore.get("/pets/seven"), 422)["errors"][0]["in"] == "path"


def test_foreign_spec_api_key_and_400_for_validation_when_only_400_is_documented(petstore):
    assert_problem(petstore.post("/pets", json={"name": "Rex"}), 401)
    headers = {"X-Api-Key": "anything"}
    created = petstore.post("/pets", json={"name": "Rex"}, headers=headers)
    assert created.status_code == 201
    problem = assert_problem(petstore.post("/pets", json={"nick": "x"}, headers=headers), 400)
    assert {error["path"] for error in problem["errors"]} == {"/name", "/nick"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("openapi: 3.1.0\npaths: [unclosed\n", "is not valid YAML/JSON"),
        ("swagger: '2.0'\npaths: {}\n", "is not an OpenAPI 3.0/3.1 document"),
    ],
)
def test_a_file_that_is_not_openapi_is_a_startup_error_naming_it(tmp_path, content, message):
    broken = tmp_path / "broken.openapi.yaml"
    broken.write_text(content)
    result = subprocess.run(
        [sys.executable, "-m", "specfake", "serve", str(broken), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"broken.openapi.yaml {message}" in result.stderr


@pytest.mark.parametrize("raw_id", ["a%0Ab", "a%2Fb", "%00", "caf%C3%A9"])
def test_odd_path_segments_get_problem_json_not_a_plain_404(server, raw_id):
    url = f"/v1/plan-definitions/{raw_id}/draft"
    response = server.patch(url, json={"expectedVersionId": 1}, headers=AUTH)
    assert_problem(response, 404)


# Inputs an independent review found to crash or corrupt answers; each is a clear 4xx now.


@pytest.mark.parametrize(
    "content",
    [
        rb'{"expectedVersionId": 7, "title": "\ud800"}',  # a lone surrogate: no UTF-8 exists
        rb'{"expectedVersionId": 7, "decisionTree": {"\udc00": 1}}',
        b'{"expectedVersionId": 1e400}',  # overflows a double
        b'{"expectedVersionId": 1' + b"0" * 400 + b"}",
    ],
)
def test_json_no_peer_can_represent_is_400_and_stores_nothing(server, content):
    headers = {**AUTH, "Content-Type": "application/json"}
    assert_problem(server.patch(PATCH_URL, content=content, headers=headers), 400)
    assert server.get("/__specfake__/state").status_code == 200
    assert server.patch(PATCH_URL, json={"expectedVersionId": 7}, headers=AUTH).status_code == 200


def test_cohort_lone_surrogate_is_400(server):
    body = rb'{"idempotency_key": "\ud800", "name": "x"}'
    headers = {"Content-Type": "application/json"}
    assert_problem(server.post("/cohort/draft", content=body, headers=headers), 400)


def test_prefer_with_non_ascii_digits_is_400_and_auth_comes_first(server):
    headers = {**AUTH, "Prefer": "code=\u00b2".encode()}  # raw UTF-8 bytes on the wire
    assert_problem(server.patch(PATCH_URL, json={"expectedVersionId": 7}, headers=headers), 400)
    no_token = {"Prefer": "code=abc"}
    assert_problem(
        server.post(f"/v1/plan-definitions/{DOCS_PATHWAY}/publish", headers=no_token), 401
    )


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [(b"null", "application/json", 422), (b'"ab"', "application/json", 422),
     (b"[]", "application/json", 422), (b"{}", "text/plain", 415)],
)  # fmt: skip
def test_put_state_with_a_non_mapping_or_non_json_is_refused(server, content, content_type, status):
    before = server.get("/__specfake__/state").json()
    response = server.put(
        "/__specfake__/state", content=content, headers={"Content-Type": content_type}
    )
    assert_problem(response, status)
    assert server.get("/__specfake__/state").json() == before


def test_put_state_with_duplicate_pathway_ids_is_422(server):
    state = server.get("/__specfake__/state").json()
    state["pathways"] = [state["pathways"][0], state["pathways"][0]]
    problem = assert_problem(server.put("/__specfake__/state", json=state), 422)
    assert problem["errors"][0]["path"] == "/pathways/1/id"


def test_control_api_errors_are_problem_json_too(server):
    assert_problem(server.get("/__specfake__/nope"), 404)
    response = server.get("/__specfake__/reset")
    assert_problem(response, 405)
    assert "POST" in response.headers["allow"]


def test_huge_integer_parameter_is_422_not_500(petstore):
    problem = assert_problem(petstore.get("/pets", params={"limit": "9" * 5000}), 422)
    assert problem["errors"][0]["path"] == "limit"


def test_out_of_range_server_options_are_usage_errors():
    for option in (["--idempotency-max-keys", "0"], ["--idempotency-ttl", "-1"],
                   ["--max-body", "-1"]):  # fmt: skip
        result = subprocess.run(
            [sys.executable, "-m", "specfake", "serve", *option],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 2, option
        assert "must be at least" in result.stderr
