"""The cohort-draft fake over HTTP: every rule of docs/cohort-drafts.md against a real server.

Every answer is checked against the bundled spec with ``assert_conforms``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import SPECS

OPERATION = "patch-cohort-draft"
CARDIOLOGY_DRAFT = "12327b8b-ee30-4ce1-87de-b7d907ab9926"
NURSING_DRAFT = "a5e32223-854f-40fe-ad2d-73556d959ee9"
PEDIATRICS = "17b677a4-3a38-4af4-bf9e-d52df6d3aee9"
SEPSIS = "04b0cca8-79dc-45cd-a65f-7ec73a624d22"
UNUSED_NAME = "fce15da5-4e54-47d4-adb1-47e372815e5f"
ACTIVE_TRUE = "86661dba-d209-4721-8080-ee67b7ba3bea"
NOBODY = "f0f0f0f0-0000-4000-8000-000000000000"


@pytest.fixture
def post(server, assert_conforms):
    """POST a body to /cohort/draft and check the answer against the spec."""

    def send(body: Any) -> httpx.Response:
        response = server.post("/cohort/draft", json=body)
        assert_conforms(OPERATION, response)
        return response

    return send


def state(server) -> dict[str, Any]:
    return server.get("/__specfake__/state").json()


def stored_draft(server, draft_id: str) -> dict[str, Any] | None:
    return next(
        (row for row in state(server)["cohort_drafts"] if row["draft_id"] == draft_id), None
    )


def error_paths(response: httpx.Response) -> list[str]:
    return [error["path"] for error in response.json()["errors"]]


def test_create_resolves_names_and_makes_resources(server, post):
    response = post(
        {
            "name": "Pediatrics fellows",
            "departments": ["Pediatrics"],
            "simulation_ids": [SEPSIS],
            "profile_personas": [{"persona": "Anxious first-week fellow"}],
            "active": True,
        }
    )
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["idempotency_key"]
    form = body["form_state"]
    assert form["status"] == "live" and form["version"] == 1
    assert form["departments"] == [{"id": PEDIATRICS, "name": "Pediatrics"}]
    assert form["simulations"] == [{"id": SEPSIS, "name": "Sepsis Recognition"}]
    assert form["profile_personas"][0]["value"] == {"persona": "Anxious first-week fellow"}
    assert form["flag_ids"] == [ACTIVE_TRUE] and form["active"] is True
    stored = stored_draft(server, body["draft_id"])
    assert stored["name_id"] == form["name"]["id"]
    assert form["name"]["id"] in {row["id"] for row in state(server)["cohort_resources"]}


@pytest.mark.parametrize("id_field", ["draft_id", "input_draft_id"])
def test_patch_by_draft_id_or_its_legacy_alias_changes_only_supplied_fields(server, post, id_field):
    before = stored_draft(server, NURSING_DRAFT)
    response = post({id_field: NURSING_DRAFT, "name_id": UNUSED_NAME})
    assert response.status_code == 200
    assert response.json()["form_state"]["name"] == {
        "id": UNUSED_NAME,
        "value": "Pediatrics fellows — fall 2026",
    }
    after = stored_draft(server, NURSING_DRAFT)
    assert after["version"] == before["version"] + 1
    changed = {"name_id", "version", "updated_at"}
    assert {k: v for k, v in after.items() if k not in changed} == {
        k: v for k, v in before.items() if k not in changed
    }


def test_two_different_draft_ids_are_a_400_naming_both(server, post):
    response = post({"draft_id": CARDIOLOGY_DRAFT, "input_draft_id": NURSING_DRAFT, "name": "x"})
    assert response.status_code == 400
    assert error_paths(response) == ["/draft_id", "/input_draft_id"]
    assert stored_draft(server, CARDIOLOGY_DRAFT)["version"] == 3


def test_malformed_json_is_the_documented_400(server, assert_conforms):
    response = server.post(
        "/cohort/draft", content=b'{"name": "x",}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["type"].endswith("malformed-json")
    assert_conforms(OPERATION, response)


def test_unknown_draft_is_a_404(post):
    response = post({"draft_id": NOBODY, "name": "x"})
    assert response.status_code == 404 and NOBODY in response.json()["detail"]


def test_one_422_lists_unknown_ids_and_unknown_or_ambiguous_names(server, post):
    response = post(
        {
            "draft_id": CARDIOLOGY_DRAFT,
            "department_ids": [PEDIATRICS, NOBODY],
            "departments": ["Internal Medicine"],
            "simulations": ["Sepsis Recognition", "Trauma Bay Drill"],
            "profile_ids": [NOBODY],
        }
    )
    assert response.status_code == 422
    assert error_paths(response) == [
        "/department_ids/1",
        "/profile_ids/0",
        "/departments/0",
        "/simulations/1",
    ]
    messages = [error["message"] for error in response.json()["errors"]]
    assert "'Internal Medicine' names 2 departments" in messages[2]
    assert messages[3] == "no simulation is named 'Trauma Bay Drill'"
    assert stored_draft(server, CARDIOLOGY_DRAFT)["version"] == 3


def test_ack_with_change_fields_breaks_the_schema(post):
    response = post({"idempotency_key": "k", "accept": True, "name": "x"})
    assert response.status_code == 422


def test_the_same_key_and_body_is_applied_once(server, post):
    body = {"draft_id": CARDIOLOGY_DRAFT, "profiles": ["Charge Nurse"], "idempotency_key": "once"}
    first = post(body)
    second = post(body)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert stored_draft(server, CARDIOLOGY_DRAFT)["version"] == 4
    keys = state(server)["cohort_idempotency_keys"]
    assert [(entry["idempotency_key"], entry["state"]) for entry in keys] == [("once", "done")]


def test_the_same_key_with_another_body_is_rejected(server, post):
    post({"name": "First", "idempotency_key": "reused"})
    response = post({"name": "Second", "idempotency_key": "reused"})
    assert response.status_code == 409
    assert "already used with a different request body" in response.json()["detail"]
    assert len(state(server)["cohort_drafts"]) == 3


def soft_patch(post) -> httpx.Response:
    return post(
        {
            "draft_id": NURSING_DRAFT,
            "description": "For nurses new to the ED",
            "soft": True,
            "idempotency_key": "proposal",
        }
    )


def test_a_soft_patch_is_invisible_until_accepted(server, post):
    before = stored_draft(server, NURSING_DRAFT)
    proposed = soft_patch(post)
    assert proposed.status_code == 200
    form = proposed.json()["form_state"]
    assert form["description"] is None and form["version"] == 1
    assert form["pending_proposal"]["changes"] == {"description": "For nurses new to the ED"}
    assert stored_draft(server, NURSING_DRAFT)["description_id"] is None

    accepted = post({"idempotency_key": "proposal", "accept": True})
    assert accepted.status_code == 200
    assert accepted.json()["form_state"]["description"]["value"] == "For nurses new to the ED"
    after = stored_draft(server, NURSING_DRAFT)
    assert after["version"] == before["version"] + 1 and after["pending_proposal"] is None

    repeated = post({"idempotency_key": "proposal", "accept": True})
    assert repeated.status_code == 200 and repeated.json() == accepted.json()
    opposite = post({"idempotency_key": "proposal", "accept": False})
    assert opposite.status_code == 409 and "already accepted" in opposite.json()["detail"]
    replayed = soft_patch(post)
    assert replayed.json() == proposed.json()
    assert stored_draft(server, NURSING_DRAFT)["version"] == after["version"]


def test_a_rejected_soft_patch_is_never_applied(server, post):
    before = stored_draft(server, NURSING_DRAFT)
    soft_patch(post)
    rejected = post({"idempotency_key": "proposal", "accept": False})
    assert rejected.status_code == 200
    assert rejected.json()["form_state"]["description"] is None
    assert stored_draft(server, NURSING_DRAFT) == before
    assert post({"idempotency_key": "proposal", "accept": True}).status_code == 409


def test_a_plain_patch_while_a_proposal_waits_is_a_409(server, post):
    soft_patch(post)
    response = post({"draft_id": NURSING_DRAFT, "name": "Renamed"})
    assert response.status_code == 409 and "'proposal'" in response.json()["detail"]
    assert stored_draft(server, NURSING_DRAFT)["version"] == 1
    no_op = post({"draft_id": NURSING_DRAFT})
    assert no_op.status_code == 200
    assert no_op.json()["form_state"]["pending_proposal"]["idempotency_key"] == "proposal"


def test_a_rejected_soft_create_is_deleted_and_then_404(server, post):
    created = post({"name": "Maybe later", "soft": True, "idempotency_key": "dormant"})
    assert created.status_code == 200
    draft_id = created.json()["draft_id"]
    assert created.json()["form_state"]["status"] == "dormant"
    assert stored_draft(server, draft_id)["status"] == "dormant"

    rejected = post({"idempotency_key": "dormant", "accept": False})
    assert rejected.status_code == 200 and "form_state" not in rejected.json()
    assert stored_draft(server, draft_id) is None
    assert post({"draft_id": draft_id, "name": "x"}).status_code == 404
    assert post({"idempotency_key": "dormant", "accept": False}).json() == rejected.json()


def test_an_accepted_soft_create_goes_live(server, post):
    created = post({"departments": ["Cardiology"], "soft": True, "idempotency_key": "dormant"})
    accepted = post({"idempotency_key": "dormant", "accept": True})
    assert accepted.status_code == 200
    assert accepted.json()["form_state"]["status"] == "live"
    assert stored_draft(server, created.json()["draft_id"])["status"] == "live"


def test_acks_for_unknown_or_non_soft_keys_are_404(post):
    post({"draft_id": CARDIOLOGY_DRAFT, "name": "Plain", "idempotency_key": "plain"})
    unknown = post({"idempotency_key": "never-sent", "accept": True})
    assert unknown.status_code == 404
    not_soft = post({"idempotency_key": "plain", "accept": True})
    assert not_soft.status_code == 404 and "was not soft" in not_soft.json()["detail"]


async def _burst(base_url: str, body: dict[str, Any], count: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        return await asyncio.gather(
            *(client.post("/cohort/draft", json=body) for _ in range(count))
        )


def test_24_concurrent_duplicates_apply_once(server, assert_conforms):
    body = {
        "draft_id": CARDIOLOGY_DRAFT,
        "simulations": ["Acute Stroke Code"],
        "idempotency_key": "burst",
    }
    responses = asyncio.run(_burst(str(server.base_url), body, 24))
    for response in responses:
        assert_conforms(OPERATION, response)
    assert {response.status_code for response in responses} == {200}
    assert len({response.text for response in responses}) == 1
    assert stored_draft(server, CARDIOLOGY_DRAFT)["version"] == 4


def test_24_concurrent_creates_with_one_key_make_one_draft(server, assert_conforms):
    body = {"name": "Burst cohort", "idempotency_key": "burst-create"}
    responses = asyncio.run(_burst(str(server.base_url), body, 24))
    for response in responses:
        assert_conforms(OPERATION, response)
    assert len({response.json()["draft_id"] for response in responses}) == 1
    assert len(state(server)["cohort_drafts"]) == 3


def test_reset_restores_drafts_resources_and_forgets_keys(server, post):
    initial = state(server)
    post({"name": "Temporary", "idempotency_key": "temp"})
    soft_patch(post)
    assert state(server) != initial
    assert server.post("/__specfake__/reset").status_code == 204
    assert state(server) == initial
    assert initial["cohort_idempotency_keys"] == []
    assert post({"idempotency_key": "proposal", "accept": True}).status_code == 404


def test_state_round_trips_and_put_rejects_dangling_references(server, post):
    soft_patch(post)
    current = state(server)
    assert server.put("/__specfake__/state", json=current).status_code == 204
    assert state(server) == current
    assert post({"idempotency_key": "proposal", "accept": True}).status_code == 200

    broken = {**current}
    broken["cohort_drafts"] = [{**current["cohort_drafts"][0], "profile_ids": [NOBODY]}]
    response = server.put("/__specfake__/state", json=broken)
    assert response.status_code == 422
    assert error_paths(response) == ["/cohort_drafts/0/profile_ids/0"]


def _documented_examples() -> list[tuple[str, str]]:
    document = yaml.safe_load((SPECS / "cohort-draft.openapi.yaml").read_text())
    responses = document["paths"]["/cohort/draft"]["post"]["responses"]
    return [
        (status, name)
        for status, response in responses.items()
        for media in response.get("content", {}).values()
        for name in media.get("examples", {})
    ]


@pytest.mark.parametrize(("status", "example"), _documented_examples())
def test_every_documented_example_conforms(server, assert_conforms, status, example):
    response = server.post(
        "/cohort/draft", json={}, headers={"Prefer": f"code={status}, example={example}"}
    )
    assert response.status_code == int(status)
    assert_conforms(OPERATION, response)
