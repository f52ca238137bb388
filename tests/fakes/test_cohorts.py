"""The cohort-draft fake over a MemoryStore, without HTTP: every rule, fast.

Each answer is also checked against the bundled spec, as the server would check it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import yaml
from starlette.datastructures import Headers

from specfake.config import ServerConfig
from specfake.errors import Problem
from specfake.fakes.cohorts import CohortFake, idempotency
from specfake.fixtures import state_errors
from specfake.pipeline.outcome import OperationRequest, Outcome
from specfake.pipeline.response_check import response_errors
from specfake.spec import compile_operations, load_spec
from specfake.store import MemoryStore
from tests.conftest import FIXTURES, SPECS

OPERATION = next(
    operation
    for operation in compile_operations(load_spec(SPECS / "cohort-draft.openapi.yaml"))
    if operation.operation_id == "patch-cohort-draft"
)
SECTIONS = {
    **yaml.safe_load((FIXTURES / "cohort-catalog.yaml").read_text()),
    **yaml.safe_load((FIXTURES / "cohort-drafts.yaml").read_text()),
}
CARDIOLOGY_DRAFT = "12327b8b-ee30-4ce1-87de-b7d907ab9926"
NURSING_DRAFT = "a5e32223-854f-40fe-ad2d-73556d959ee9"
CARDIOLOGY = "97839c37-2c6b-450f-82cd-6613b96cb2a2"
EMERGENCY = "41721cc9-400c-4ff2-9ee8-e532a62ed8e5"
STROKE = "9a8fd0a1-1085-460c-9209-979cd73812a9"
UNUSED_NAME = "fce15da5-4e54-47d4-adb1-47e372815e5f"
ACTIVE_TRUE = "86661dba-d209-4721-8080-ee67b7ba3bea"
ACTIVE_FALSE = "5d266f82-31fc-4537-ab6d-ab43e347e509"
PUBLIC = "2192a2d2-ede7-4c20-b0df-8a763e06c94e"
PRIVATE = "ace37bb7-fb51-4e59-8592-a2038c02ad6d"
NOBODY = "f0f0f0f0-0000-4000-8000-000000000000"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class YieldingStore:
    """A MemoryStore that lets other tasks run inside every call, as a networked store would,
    so concurrent requests really interleave between reading and writing."""

    def __init__(self) -> None:
        self._inner = MemoryStore()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)
        if not asyncio.iscoroutinefunction(method):
            return method

        async def yielding(*arguments: Any) -> Any:
            await asyncio.sleep(0)
            result = await method(*arguments)
            await asyncio.sleep(0)
            return result

        return yielding


def run(coroutine):
    return asyncio.run(coroutine)


def make_fake(store=None, **config: Any) -> CohortFake:
    fake = CohortFake(store or MemoryStore(), ServerConfig(specs=[], **config))
    run(fake.load(SECTIONS))
    return fake


async def answer(fake: CohortFake, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The status and body the server would send, checked against the spec."""
    request = OperationRequest(OPERATION, {}, {}, Headers(), body)
    try:
        outcome = await fake.patch_draft(request)
    except Problem as problem:
        outcome = Outcome(problem.status, problem.to_json(), "application/problem+json")
    assert not response_errors(OPERATION, outcome), response_errors(OPERATION, outcome)
    return outcome.status, outcome.body


def post(fake: CohortFake, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return run(answer(fake, body))


def draft(fake: CohortFake, draft_id: str) -> dict[str, Any] | None:
    drafts = run(fake.dump())["cohort_drafts"]
    return next((row for row in drafts if row["draft_id"] == draft_id), None)


def error_paths(body: dict[str, Any]) -> list[str]:
    return [error["path"] for error in body["errors"]]


# -- create and patch --------------------------------------------------------------------------


def test_create_resolves_names_ignoring_case_and_turns_values_into_resources():
    fake = make_fake()
    status, body = post(
        fake,
        {
            "name": "Interns",
            "departments": ["cardiology", " Emergency Medicine "],
            "simulation_positions": [{"simulation_id": STROKE, "position": 1}],
            "active": True,
        },
    )
    assert status == 200 and body["success"] is True
    form = body["form_state"]
    assert (
        form["draft_id"] == body["draft_id"] and form["status"] == "live" and form["version"] == 1
    )
    assert form["name"]["value"] == "Interns"
    assert form["departments"] == [
        {"id": CARDIOLOGY, "name": "Cardiology"},
        {"id": EMERGENCY, "name": "Emergency Medicine"},
    ]
    position = form["simulation_positions"][0]
    assert position["value"] == {"simulation_id": STROKE, "position": 1}
    assert form["flag_ids"] == [ACTIVE_TRUE] and form["active"] is True
    assert form["description"] is None and form["pending_proposal"] is None
    resources = {row["id"]: row for row in run(fake.dump())["cohort_resources"]}
    assert resources[position["id"]]["kind"] == "simulation_position"
    assert resources[form["name"]["id"]]["value"] == "Interns"


def test_patch_changes_only_the_supplied_fields():
    fake = make_fake()
    before = draft(fake, CARDIOLOGY_DRAFT)
    status, body = post(fake, {"draft_id": CARDIOLOGY_DRAFT, "simulation_ids": [STROKE]})
    assert status == 200
    after = draft(fake, CARDIOLOGY_DRAFT)
    assert after["simulation_ids"] == [STROKE] and after["version"] == before["version"] + 1
    unchanged = {key for key in before if key not in {"simulation_ids", "version", "updated_at"}}
    assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}
    assert body["form_state"]["simulations"] == [{"id": STROKE, "name": "Acute Stroke Code"}]


def test_ids_and_values_of_one_list_field_combine_without_duplicates():
    fake = make_fake()
    status, body = post(
        fake,
        {
            "draft_id": NURSING_DRAFT,
            "department_ids": [CARDIOLOGY],
            "departments": ["Cardiology", "Pediatrics"],
        },
    )
    assert status == 200
    assert [item["name"] for item in body["form_state"]["departments"]] == [
        "Cardiology",
        "Pediatrics",
    ]


def test_the_legacy_alias_patches_the_same_draft_and_equal_ids_are_fine():
    fake = make_fake()
    status, body = post(fake, {"input_draft_id": NURSING_DRAFT, "name_id": UNUSED_NAME})
    assert status == 200 and body["form_state"]["name"]["id"] == UNUSED_NAME
    status, _ = post(
        fake, {"draft_id": NURSING_DRAFT, "input_draft_id": NURSING_DRAFT, "pending_ids": [STROKE]}
    )
    assert status == 200 and draft(fake, NURSING_DRAFT)["pending_ids"] == [STROKE]


def test_two_different_draft_ids_are_a_400_naming_both():
    status, body = post(
        make_fake(), {"draft_id": CARDIOLOGY_DRAFT, "input_draft_id": NURSING_DRAFT, "name": "x"}
    )
    assert status == 400 and body["type"].endswith("conflicting-draft-ids")
    assert error_paths(body) == ["/draft_id", "/input_draft_id"]


def test_an_unknown_draft_is_a_404():
    status, body = post(make_fake(), {"draft_id": NOBODY, "name": "x"})
    assert status == 404 and NOBODY in body["detail"]


def test_one_422_lists_every_unknown_id_and_every_unknown_or_ambiguous_name():
    fake = make_fake()
    status, body = post(
        fake,
        {
            "department_ids": [CARDIOLOGY, NOBODY],
            "departments": ["Internal Medicine", "Dermatology"],
            "simulations": ["Trauma Bay Drill"],
            "name_id": CARDIOLOGY,  # a department's id is not a name resource
            "simulation_position_ids": [NOBODY],
            "pending_ids": [NOBODY],
        },
    )
    assert status == 422
    assert error_paths(body) == [
        "/name_id",
        "/department_ids/1",
        "/simulation_position_ids/0",
        "/pending_ids/0",
        "/departments/0",
        "/departments/1",
        "/simulations/0",
    ]
    messages = {error["path"]: error["message"] for error in body["errors"]}
    assert "names 2 departments" in messages["/departments/0"]
    assert "34631ccb-1774-4ec0-ace4-a1aa4df9f8bb" in messages["/departments/0"]
    assert messages["/departments/1"] == "no department is named 'Dermatology'"
    assert len(run(fake.dump())["cohort_drafts"]) == 2  # nothing was created


def test_a_single_field_takes_a_value_or_an_id_not_both():
    status, body = post(make_fake(), {"name": "x", "name_id": UNUSED_NAME})
    assert status == 422 and error_paths(body) == ["/name", "/name_id"]


# -- flags --------------------------------------------------------------------------------------


def test_active_replaces_the_other_cohort_active_option_and_keeps_other_flags():
    fake = make_fake()
    status, body = post(fake, {"draft_id": CARDIOLOGY_DRAFT, "active": False})
    assert status == 200
    assert body["form_state"]["flag_ids"] == [PRIVATE, ACTIVE_FALSE]
    assert body["form_state"]["active"] is False


def test_flag_ids_replace_the_flags_and_active_may_agree_with_them():
    fake = make_fake()
    status, body = post(
        fake, {"draft_id": CARDIOLOGY_DRAFT, "flag_ids": [PUBLIC, ACTIVE_TRUE], "active": True}
    )
    assert status == 200 and body["form_state"]["flag_ids"] == [PUBLIC, ACTIVE_TRUE]


@pytest.mark.parametrize(
    ("flags", "paths"),
    [
        ({"flag_ids": [NOBODY]}, ["/flag_ids/0"]),
        ({"flag_ids": [PUBLIC, ACTIVE_TRUE, PRIVATE]}, ["/flag_ids/0", "/flag_ids/2"]),
        ({"flag_ids": [ACTIVE_FALSE], "active": True}, ["/active", "/flag_ids/0"]),
    ],
    ids=["unknown-option", "two-options-of-one-flag", "active-contradicts-flag_ids"],
)
def test_flag_faults_are_422(flags, paths):
    fake = make_fake()
    status, body = post(fake, {"draft_id": NURSING_DRAFT, **flags})
    assert status == 422 and error_paths(body) == paths
    assert draft(fake, NURSING_DRAFT)["version"] == 1


# -- idempotency --------------------------------------------------------------------------------


def test_a_patch_with_only_the_draft_id_is_a_no_op_returning_the_current_state():
    fake = make_fake()
    before = run(fake.dump())["cohort_drafts"]
    status, body = post(fake, {"draft_id": CARDIOLOGY_DRAFT})
    assert status == 200 and body["form_state"]["version"] == 3
    assert run(fake.dump())["cohort_drafts"] == before


def test_the_same_key_and_body_replays_the_first_answer_and_applies_nothing():
    fake = make_fake()
    request = {"draft_id": CARDIOLOGY_DRAFT, "profiles": ["Paramedic"], "idempotency_key": "k-1"}
    first = post(fake, request)
    assert post(fake, request) == first
    assert draft(fake, CARDIOLOGY_DRAFT)["version"] == 4


def test_a_generated_key_replays_the_body_sent_without_one():
    fake = make_fake()
    status, body = post(fake, {"name": "Fellows"})
    assert status == 200 and body["idempotency_key"]
    again = post(fake, {"name": "Fellows", "idempotency_key": body["idempotency_key"]})
    assert again == (200, body)
    assert len(run(fake.dump())["cohort_drafts"]) == 3


def test_the_same_key_with_another_body_is_a_409():
    fake = make_fake()
    post(fake, {"name": "A", "idempotency_key": "k-2"})
    status, body = post(fake, {"name": "B", "idempotency_key": "k-2"})
    assert status == 409 and "different request body" in body["detail"]


def test_a_failed_request_leaves_its_key_free_for_the_corrected_retry():
    fake = make_fake()
    assert post(fake, {"departments": ["Dermatology"], "idempotency_key": "k-3"})[0] == 422
    status, body = post(fake, {"departments": ["Pediatrics"], "idempotency_key": "k-3"})
    assert status == 200 and body["idempotency_key"] == "k-3"


def test_keys_are_forgotten_past_the_count_limit():
    fake = make_fake(idempotency_max_keys=2)
    for key in ("a", "b", "c"):
        post(fake, {"name": "Cohort", "idempotency_key": key})
    assert [e["idempotency_key"] for e in run(fake.dump())["cohort_idempotency_keys"]] == ["b", "c"]
    post(fake, {"name": "Cohort", "idempotency_key": "a"})  # forgotten: a new draft
    assert len(run(fake.dump())["cohort_drafts"]) == 2 + 4


def test_keys_are_forgotten_past_the_age_limit():
    clock = Clock()
    fake = make_fake(MemoryStore(clock=clock), idempotency_max_age_seconds=60)
    request = {"name": "Cohort", "idempotency_key": "old"}
    first = post(fake, request)
    clock.now += 30
    assert post(fake, request) == first
    clock.now += 31
    assert run(fake.dump())["cohort_idempotency_keys"] == []
    assert post(fake, request)[1]["draft_id"] != first[1]["draft_id"]


def test_concurrent_retries_of_one_key_apply_it_once():
    fake = make_fake(YieldingStore())
    request = {"draft_id": CARDIOLOGY_DRAFT, "name": "Renamed", "idempotency_key": "burst"}

    async def burst():
        return await asyncio.gather(*(answer(fake, request) for _ in range(24)))

    answers = run(burst())
    assert all(result == answers[0] for result in answers) and answers[0][0] == 200
    assert draft(fake, CARDIOLOGY_DRAFT)["version"] == 4
    names = [row for row in run(fake.dump())["cohort_resources"] if row["value"] == "Renamed"]
    assert len(names) == 1


def test_a_duplicate_of_a_request_that_never_finishes_gets_409_in_progress():
    request = {"name": "Stuck", "idempotency_key": "stuck"}
    store = MemoryStore()
    fake = make_fake(store)
    fake._keys.wait_seconds = 0.1
    entry = fake._keys.running(  # as the engine reserves it, its lease still running
        idempotency._key_entry("stuck", idempotency._fingerprint(request), False)
    )
    run(store.compare_and_set("cohort_idempotency_keys", "stuck", None, entry))  # reserved
    status, body = post(fake, request)
    assert status == 409 and "still in progress" in body["detail"]


def test_state_cannot_hold_a_key_whose_request_is_still_running():
    """Nothing would ever finish it: every retry with the key would wait and fail."""
    entry = idempotency._key_entry("stuck", "", False)
    state = {**SECTIONS, "cohort_idempotency_keys": [entry]}
    errors = state_errors(state, make_fake().state_schema())
    assert [error.path for error in errors] == ["/cohort_idempotency_keys/0/state"]
    assert state_errors({**state, "cohort_idempotency_keys": []}, make_fake().state_schema()) == []


# -- soft changes and acks ---------------------------------------------------------------------


def propose(fake: CohortFake, key: str = "soft-1") -> dict[str, Any]:
    status, body = post(
        fake,
        {
            "draft_id": NURSING_DRAFT,
            "description": "New hires",
            "soft": True,
            "idempotency_key": key,
        },
    )
    assert status == 200
    return body


def test_a_soft_patch_waits_as_a_proposal_and_the_accept_applies_it():
    fake = make_fake()
    before = draft(fake, NURSING_DRAFT)
    proposed = propose(fake)
    assert proposed["form_state"]["description"] is None
    assert proposed["form_state"]["pending_proposal"]["changes"] == {"description": "New hires"}
    assert draft(fake, NURSING_DRAFT)["version"] == before["version"]

    status, accepted = post(fake, {"idempotency_key": "soft-1", "accept": True})
    assert status == 200 and accepted["form_state"]["description"]["value"] == "New hires"
    assert accepted["form_state"]["version"] == 2
    assert accepted["form_state"]["pending_proposal"] is None
    assert post(fake, {"idempotency_key": "soft-1", "accept": True}) == (200, accepted)
    status, body = post(fake, {"idempotency_key": "soft-1", "accept": False})
    assert status == 409 and "already accepted" in body["detail"]
    # The original soft request, replayed after its ack, answers as it did the first time.
    replay = {
        "draft_id": NURSING_DRAFT,
        "description": "New hires",
        "soft": True,
        "idempotency_key": "soft-1",
    }
    assert post(fake, replay) == (200, proposed)


def test_a_rejected_proposal_is_never_applied():
    fake = make_fake()
    before = draft(fake, NURSING_DRAFT)
    propose(fake)
    status, body = post(
        fake, {"idempotency_key": "soft-1", "accept": False, "draft_id": NURSING_DRAFT}
    )
    assert status == 200 and body["form_state"]["pending_proposal"] is None
    assert draft(fake, NURSING_DRAFT) == before
    assert post(fake, {"idempotency_key": "soft-1", "accept": True})[0] == 409


def test_a_draft_with_a_waiting_proposal_takes_no_other_change_but_answers_a_no_op():
    fake = make_fake()
    propose(fake)
    status, body = post(fake, {"draft_id": NURSING_DRAFT, "name": "Other"})
    assert status == 409 and "'soft-1'" in body["detail"]
    assert post(fake, {"draft_id": NURSING_DRAFT, "soft": True, "name": "Other"})[0] == 409
    status, body = post(fake, {"draft_id": NURSING_DRAFT})
    assert status == 200 and body["form_state"]["pending_proposal"]["idempotency_key"] == "soft-1"


def test_a_soft_create_is_dormant_until_accepted():
    fake = make_fake()
    status, created = post(
        fake, {"departments": ["Pediatrics"], "soft": True, "idempotency_key": "soft-new"}
    )
    assert status == 200 and created["form_state"]["status"] == "dormant"
    draft_id = created["draft_id"]
    assert post(fake, {"draft_id": draft_id, "name": "x"})[0] == 409
    status, accepted = post(fake, {"idempotency_key": "soft-new", "accept": True})
    assert status == 200 and accepted["form_state"]["status"] == "live"
    assert accepted["form_state"]["version"] == 2
    assert post(fake, {"draft_id": draft_id, "name": "x"})[0] == 200


def test_a_rejected_soft_create_is_deleted_and_later_patches_get_404():
    fake = make_fake()
    request = {"name": "Maybe", "soft": True, "idempotency_key": "soft-new"}
    created = post(fake, request)[1]
    status, rejected = post(fake, {"idempotency_key": "soft-new", "accept": False})
    assert status == 200 and "form_state" not in rejected
    assert draft(fake, created["draft_id"]) is None
    assert post(fake, {"draft_id": created["draft_id"], "name": "x"})[0] == 404
    assert post(fake, {"idempotency_key": "soft-new", "accept": False}) == (200, rejected)
    assert post(fake, request) == (200, created)


@pytest.mark.parametrize(
    ("ack", "detail"),
    [
        ({"idempotency_key": "nobody-sent-this", "accept": True}, "is remembered"),
        ({"idempotency_key": "plain", "accept": True}, "was not soft"),
        (
            {"idempotency_key": "soft-1", "accept": True, "draft_id": CARDIOLOGY_DRAFT},
            "staged nothing",
        ),
    ],
    ids=["unknown-key", "not-soft", "other-draft"],
)
def test_acks_for_nothing_to_acknowledge_are_404(ack, detail):
    fake = make_fake()
    post(fake, {"draft_id": CARDIOLOGY_DRAFT, "name": "x", "idempotency_key": "plain"})
    propose(fake)
    status, body = post(fake, ack)
    assert status == 404 and detail in body["detail"]


def test_a_proposal_whose_key_was_forgotten_can_still_be_acknowledged():
    fake = make_fake(idempotency_max_keys=1)
    propose(fake)
    post(fake, {"name": "pushes the proposal's key out", "idempotency_key": "other"})
    status, body = post(fake, {"idempotency_key": "soft-1", "accept": True})
    assert status == 200 and body["form_state"]["description"]["value"] == "New hires"


def test_concurrent_opposite_acks_settle_one_way():
    fake = make_fake(YieldingStore())
    propose(fake)

    async def race():
        acks = [{"idempotency_key": "soft-1", "accept": index % 2 == 0} for index in range(24)]
        return await asyncio.gather(*(answer(fake, ack) for ack in acks))

    answers = run(race())
    winners = {body["message"] for status, body in answers if status == 200}
    assert len(winners) == 1
    assert sorted({status for status, _ in answers}) == [200, 409]
    assert draft(fake, NURSING_DRAFT)["pending_proposal"] is None


# -- state ---------------------------------------------------------------------------------------


def test_dump_and_load_round_trip_keys_proposals_and_resources():
    fake = make_fake()
    propose(fake)
    post(fake, {"name": "Fresh", "idempotency_key": "k-9"})
    state = run(fake.dump())
    copy = make_fake()
    run(copy.load(state))
    assert run(copy.dump()) == state
    assert post(copy, {"idempotency_key": "soft-1", "accept": True})[0] == 200


def test_state_errors_name_references_to_nothing():
    broken = {**SECTIONS["cohort_drafts"][1], "department_ids": [NOBODY]}
    errors = make_fake().state_errors({**SECTIONS, "cohort_drafts": [broken]})
    assert [error.path for error in errors] == ["/cohort_drafts/0/department_ids/0"]
    assert make_fake().state_errors(SECTIONS) == []
