"""The running server in process: the journal records what clients were told (a fake's own
problems included), and the lifespan opens and closes what the server holds."""

from __future__ import annotations

import asyncio

from specfake import ServerConfig
from tests.asgi import in_process
from tests.conftest import AUTH, DOCS_PATHWAY, FIXTURES, SPECS

BUNDLED = ServerConfig(specs=sorted(SPECS.glob("*.openapi.yaml")), fixtures=FIXTURES)


def journal_after(*requests: tuple[str, str, dict]) -> list[dict]:
    """Send ``(method, path, json)`` requests; the journal's entries, newest last."""

    async def scenario():
        async with in_process(BUNDLED) as served:
            for method, path, body in requests:
                await served.client.request(method, path, json=body, headers=AUTH)
            return (await served.client.get("/__specfake__/requests")).json()["requests"]

    return asyncio.run(scenario())


def test_a_fakes_422_is_journaled_with_its_field_errors():
    body = {"name": "Residents", "departments": ["Nowhere"]}
    (entry,) = journal_after(("POST", "/cohort/draft", body))
    assert (entry["status"], entry["operation_id"]) == (422, "patch-cohort-draft")
    assert [error["path"] for error in entry["errors"]] == ["/departments/0"]
    assert entry["errors"][0]["in"] == "body"
    assert entry["detail"] and "failed validation" in entry["detail"]


def test_a_fakes_404_is_journaled_with_its_detail():
    (entry,) = journal_after(("PATCH", "/v1/plan-definitions/nope/draft", {"expectedVersionId": 1}))
    assert entry["status"] == 404
    assert entry["detail"] == "No pathway with id 'nope'."


def test_a_fakes_409_is_journaled_with_its_detail():
    path = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"
    entries = journal_after(("PATCH", path, {"expectedVersionId": 6}))
    assert entries[-1]["status"] == 409
    assert "expectedVersionId 6 does not match the current versionId 7" in entries[-1]["detail"]


def test_the_fixtures_are_loaded_by_the_lifespan_before_the_first_request():
    async def scenario():
        async with in_process(BUNDLED) as served:
            return (await served.client.get("/__specfake__/state")).json()

    assert DOCS_PATHWAY in [row["id"] for row in asyncio.run(scenario())["pathways"]]


def test_the_proxys_client_is_opened_and_closed_by_the_lifespan():
    config = ServerConfig(specs=BUNDLED.specs, upstream="http://127.0.0.1:9")

    async def scenario():
        async with in_process(config) as served:
            forwarder = served.specfake.forwarder
            assert forwarder is not None and not forwarder._client.is_closed
        return served.specfake.forwarder, forwarder

    after, forwarder = asyncio.run(scenario())
    assert after is None and forwarder._client.is_closed
