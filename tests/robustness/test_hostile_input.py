"""Hostile input cannot hurt the server, in process: answers and the journal stay small, pages
on other sites cannot reach or wipe the state, nothing hostile is a 500."""

from __future__ import annotations

import asyncio
import base64
import json

import pytest
import yaml

from specfake import ServerConfig
from specfake.errors import MAX_FIELD_ERRORS, FieldError
from specfake.journal import JournalEntry, RequestJournal
from specfake.pipeline.auth import jwt_problem
from tests.asgi import in_process
from tests.conftest import AUTH, DOCS_PATHWAY, FIXTURES, SPECS

BUNDLED = ServerConfig(specs=sorted(SPECS.glob("*.openapi.yaml")), fixtures=FIXTURES)
DRAFT = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"


def served(config: ServerConfig, scenario):
    async def run():
        async with in_process(config) as app:
            return await scenario(app.client)

    return asyncio.run(run())


def test_a_quarter_million_bad_ids_get_a_capped_answer_and_journal_entry():
    body = json.dumps({"department_ids": ["x"] * 250_000}, separators=(",", ":")).encode()
    assert len(body) < 1024 * 1024

    async def scenario(client):
        response = await client.post(
            "/cohort/draft", content=body, headers={"Content-Type": "application/json"}
        )
        journal = (await client.get("/__specfake__/requests")).json()["requests"]
        return response, journal

    response, journal = served(BUNDLED, scenario)
    assert response.status_code == 422
    problem = response.json()
    assert len(problem["errors"]) == MAX_FIELD_ERRORS
    assert problem["detail"].startswith(f"More than {MAX_FIELD_ERRORS} fields failed")
    assert len(response.content) < 30_000
    assert len(journal[-1]["errors"]) == MAX_FIELD_ERRORS


def test_an_invalid_big_state_answers_a_capped_list_and_changes_nothing():
    rows = [{"id": f"p{n}", "versionId": "one"} for n in range(20_000)]

    async def scenario(client):
        before = (await client.get("/__specfake__/state")).json()
        response = await client.put("/__specfake__/state", json={"pathways": rows})
        return before, response, (await client.get("/__specfake__/state")).json()

    before, response, after = served(BUNDLED, scenario)
    assert response.status_code == 422
    assert len(response.json()["errors"]) == MAX_FIELD_ERRORS
    assert after == before


def test_the_journal_stays_within_its_byte_budget():
    journal = RequestJournal(size=1000, max_bytes=200_000)
    errors = tuple(FieldError("body", "/x" * 100, "m" * 400) for _ in range(MAX_FIELD_ERRORS))
    for n in range(50):
        journal.record(JournalEntry(0.0, "POST", f"/p{n}" + "a" * 2000, 422, 0.001, None, "d",
                                    errors))  # fmt: skip
    assert journal.bytes <= 200_000
    kept = journal.entries()
    assert 1 <= len(kept) < 50 and kept[-1]["path"].startswith("/p49")


@pytest.mark.parametrize("host", ["evil.example", "evil.example:4010", "10.0.0.7:4010"])
@pytest.mark.parametrize("path", ["/__specfake__/state", DRAFT])
def test_a_foreign_host_is_misdirected_for_the_api_and_the_control_api(host, path):
    async def scenario(client):
        return await client.get(path, headers={"Host": host, **AUTH})

    response = served(BUNDLED, scenario)
    assert response.status_code == 421
    assert response.headers["content-type"] == "application/problem+json"
    assert "--allowed-host" in response.json()["detail"]


@pytest.mark.parametrize("host", ["localhost:4010", "127.0.0.1", "[::1]:4010", "app.localhost"])
def test_loopback_names_are_served(host):
    async def scenario(client):
        return await client.get("/__specfake__/health", headers={"Host": host})

    assert served(BUNDLED, scenario).status_code == 200


def test_an_allowed_host_is_served():
    config = ServerConfig(specs=BUNDLED.specs, fixtures=FIXTURES, allowed_hosts=("fake.test",))

    async def scenario(client):
        return await client.get("/__specfake__/health", headers={"Host": "fake.test:4010"})

    assert served(config, scenario).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Content-Type": "text/plain"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_cross_site_control_writes_are_refused_and_change_nothing(headers):
    async def scenario(client):
        await client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7})
        reset = await client.post("/__specfake__/reset", headers=headers)
        wipe = await client.put("/__specfake__/state", headers=headers, json={"pathways": []})
        state = (await client.get("/__specfake__/state")).json()
        return reset, wipe, state

    reset, wipe, state = served(BUNDLED, scenario)
    assert (reset.status_code, wipe.status_code) == (403, 403)
    assert reset.json()["type"] == "urn:specfake:problem:cross-site-control"
    row = next(row for row in state["pathways"] if row["id"] == DOCS_PATHWAY)
    assert row["versionId"] == 8  # neither reset nor wiped


@pytest.mark.parametrize(
    "headers", [{}, {"Origin": "http://localhost:5173"}, {"Sec-Fetch-Site": "same-origin"}]
)
def test_scripts_and_the_local_frontend_may_write(headers):
    async def scenario(client):
        return await client.post("/__specfake__/reset", headers=headers)

    assert served(BUNDLED, scenario).status_code == 204


def test_an_empty_put_names_nothing_and_is_a_422():
    async def scenario(client):
        before = (await client.get("/__specfake__/state")).json()
        response = await client.put("/__specfake__/state", json={})
        return before, response, (await client.get("/__specfake__/state")).json()

    before, response, after = served(BUNDLED, scenario)
    assert response.status_code == 422 and after == before
    assert before["cohort_catalog"]["departments"]  # the catalog is still there


def test_a_control_token_guards_the_control_api_only():
    config = ServerConfig(specs=BUNDLED.specs, fixtures=FIXTURES, control_token="s3cret")

    async def scenario(client):
        return (
            await client.get("/__specfake__/state"),
            await client.get("/__specfake__/state", headers={"Authorization": "Bearer nope"}),
            await client.get("/__specfake__/state", headers={"Authorization": "Bearer s3cret"}),
            await client.get("/__specfake__/state", headers={"Specfake-Control-Token": "s3cret"}),
            await client.get("/__specfake__/", params={"control_token": "s3cret"}),
            await client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7}),
        )

    missing, wrong, bearer, header, page, api = served(config, scenario)
    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert missing.json()["type"] == "urn:specfake:problem:control-token-required"
    assert (bearer.status_code, header.status_code, page.status_code) == (200, 200, 200)
    assert api.status_code == 200


def test_records_past_the_limit_are_refused_with_507_not_evicted():
    fixtures = yaml.safe_load((FIXTURES / "cohort-drafts.yaml").read_text())
    resources = len(fixtures["cohort_resources"])
    assert len(fixtures["cohort_drafts"]) + 2 <= resources
    # Room for one more resource: the first create (a draft and its description) fits.
    config = ServerConfig(specs=BUNDLED.specs, fixtures=FIXTURES, max_records=resources + 1)

    async def scenario(client):
        first = await client.post("/cohort/draft", json={"description": "fits"})
        second = await client.post("/cohort/draft", json={"description": "does not"})
        state = (await client.get("/__specfake__/state")).json()
        return first, second, state

    first, second, state = served(config, scenario)
    assert first.status_code == 200
    assert second.status_code == 507 and "--max-records" in second.json()["detail"]
    assert len(state["cohort_resources"]) == resources + 1  # nothing evicted, nothing added
    assert first.json()["draft_id"] in [row["draft_id"] for row in state["cohort_drafts"]]


def test_a_jwt_with_a_deeply_nested_payload_is_refused_not_a_500():
    def part(value: str) -> str:
        return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")

    header, payload = part('{"alg": "none"}'), part("[" * 100_000 + "]" * 100_000)
    token = f"{header}.{payload}."
    assert jwt_problem(token) == "its header or payload is not base64url-encoded JSON"

    async def scenario(client):
        return await client.patch(
            DRAFT, headers={"Authorization": f"Bearer {token}"}, json={"expectedVersionId": 7}
        )

    assert served(BUNDLED, scenario).status_code == 401


def test_a_synthesized_problem_states_the_status_it_is_answered_with():
    async def scenario(client):
        return await client.patch(
            DRAFT,
            headers={**AUTH, "Prefer": "dynamic=true, code=422"},
            json={"expectedVersionId": 7},
        )

    response = served(BUNDLED, scenario)
    assert response.status_code == 422 and response.json()["status"] == 422


@pytest.mark.parametrize(("text", "status"), [("7", 200), ("7.0", 200), ("7e0", 200),
                                              ("7.0000000000000001", 409),
                                              ("6.99999999999999999", 409)])  # fmt: skip
def test_expected_version_is_compared_exactly(text, status):
    """A double rounds 7.0000000000000001 to 7; the version it names is still not 7."""

    async def scenario(client):
        return await client.patch(
            DRAFT,
            headers={**AUTH, "Content-Type": "application/json"},
            content=f'{{"expectedVersionId": {text}}}'.encode(),
        )

    assert served(BUNDLED, scenario).status_code == status
