"""``/__specfake__/overrides``: force an operation's answer for the next calls, after auth and
validation, bypassing the fake; checked against the served spec when made. In process."""

from __future__ import annotations

import asyncio
import time

from specfake import ServerConfig
from tests.asgi import in_process
from tests.conftest import AUTH, DOCS_PATHWAY, FIXTURES, SPECS

BUNDLED = ServerConfig(specs=sorted(SPECS.glob("*.openapi.yaml")), fixtures=FIXTURES)
DRAFT = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"


def served(scenario):
    async def run():
        async with in_process(BUNDLED) as app:
            return await scenario(app.client)

    return asyncio.run(run())


def test_an_override_answers_the_next_calls_then_the_fake_again():
    async def scenario(client):
        override = {"operationId": "update-draft", "status": 409, "times": 2}
        made = await client.post("/__specfake__/overrides", json=override)
        statuses = [
            (await client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7})).status_code
            for _ in range(3)
        ]
        unauthenticated = await client.patch(DRAFT, json={"expectedVersionId": 7})
        listed = (await client.get("/__specfake__/overrides")).json()
        return made, statuses, unauthenticated, listed

    made, statuses, unauthenticated, listed = served(scenario)
    assert made.status_code == 201 and made.json()["id"]
    assert statuses == [409, 409, 200]  # the fake answers the third: version 7 -> 8
    assert unauthenticated.status_code == 401
    assert listed == {"overrides": []}


def test_an_override_applies_after_validation_and_can_name_an_example():
    async def scenario(client):
        override = {"operationId": "update-draft", "example": "not-a-draft"}
        await client.post("/__specfake__/overrides", json=override)
        invalid = await client.patch(DRAFT, headers=AUTH, json={})
        forced = await client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7})
        state = (await client.get("/__specfake__/state")).json()
        return invalid, forced, state

    invalid, forced, state = served(scenario)
    assert invalid.status_code == 422
    assert forced.status_code == 409 and forced.json()["currentStatus"] == "active"
    row = next(row for row in state["pathways"] if row["id"] == DOCS_PATHWAY)
    assert row["versionId"] == 7  # the fake was bypassed


def test_a_delay_override_waits_and_overrides_can_be_deleted():
    async def scenario(client):
        override = {"operationId": "update-draft", "delay_ms": 300}
        made = (await client.post("/__specfake__/overrides", json=override)).json()
        started = time.monotonic()
        slow = await client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7})
        waited = time.monotonic() - started
        deleted = await client.delete(f"/__specfake__/overrides/{made['id']}")
        again = await client.delete(f"/__specfake__/overrides/{made['id']}")
        return slow, waited, deleted, again

    slow, waited, deleted, again = served(scenario)
    assert slow.status_code == 200 and waited >= 0.3
    assert (deleted.status_code, again.status_code) == (204, 404)


def test_an_override_the_spec_cannot_answer_is_refused_naming_the_field():
    async def scenario(client):
        return [
            await client.post("/__specfake__/overrides", json=body)
            for body in (
                {"operationId": "nope", "status": 500},
                {"operationId": "update-draft", "status": 418},
                {"operationId": "update-draft", "example": "no-such-example"},
                {"operationId": "update-draft", "times": 0, "status": 409},
                {"operationId": "update-draft"},
            )
        ]

    answers = served(scenario)
    assert {answer.status_code for answer in answers} == {422}
    assert [answer.json()["errors"][0]["path"] for answer in answers] == [
        "/operationId", "/status", "/example", "/times", "",
    ]
