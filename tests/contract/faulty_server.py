"""The fake with one planted fault, to prove `specfake check` catches it.

    python -m tests.contract.faulty_server FAULT --port N

Response validation is off (a fault must reach the wire, not become a 500), everything else
is the real bundled server.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import uvicorn

import specfake.pipeline.run as pipeline
from specfake import ServerConfig, create_app
from specfake.errors import Problem
from specfake.fakes.cohorts import KEYS, CohortFake
from specfake.fakes.resources import answers, records
from specfake.resources import bundled_fixtures, bundled_specs


def ignore_expected_version() -> None:
    records.refused_version = lambda *arguments: None


def bump_version_by_two() -> None:
    original = records.written

    def written(bound, record, stored, now):
        result = original(bound, record, stored, now)
        if bound.role == "merge":
            result["versionId"] += 1
        return result

    records.written = written


def edit_published_rows() -> None:
    original = records.refused_state
    records.refused_state = lambda declaration, record, name: (
        None if declaration.role == "merge" else original(declaration, record, name)
    )


def apply_retries_twice() -> None:
    original = CohortFake._once

    async def once(self, key, fingerprint, soft, work):
        remembered = await self._store.get(KEYS, key)
        if remembered is not None:  # forget the key: the retry is applied again
            await self._store.compare_and_set(KEYS, key, remembered.revision, None)
        return await original(self, key, fingerprint, soft, work)

    CohortFake._once = once


def apply_soft_before_ack() -> None:
    original = CohortFake._patch

    async def patch(self, body, draft_id, key, soft):
        if soft:
            await original(self, body, draft_id, key, False)
        return await original(self, body, draft_id, key, soft)

    CohortFake._patch = patch


def drop_required_field() -> None:
    original = answers.record_answer

    def record_answer(bound, record, status, headers=None):
        outcome = original(bound, record, status, headers)
        if bound.operation.operation_id == "update-draft" and status == 200:
            del outcome.body["message"]
        return outcome

    answers.record_answer = record_answer


def fail_on_malformed_json() -> None:
    original = pipeline.parse_json

    def parse_json(raw):
        try:
            return original(raw)
        except Problem as problem:
            raise RuntimeError("planted fault: malformed JSON crashes the handler") from problem

    pipeline.parse_json = parse_json


def accept_missing_token() -> None:
    pipeline.authenticate = lambda *arguments: None


def wrong_response_content_type() -> None:
    original = pipeline.render

    def render(outcome):
        response = original(outcome)
        if outcome.status < 400:
            response.headers["content-type"] = "text/plain"
        return response

    pipeline.render = render


FAULTS: dict[str, Callable[[], None]] = {
    "ignore-expected-version": ignore_expected_version,
    "bump-version-by-two": bump_version_by_two,
    "edit-published-rows": edit_published_rows,
    "apply-retries-twice": apply_retries_twice,
    "apply-soft-before-ack": apply_soft_before_ack,
    "drop-required-field": drop_required_field,
    "fail-on-malformed-json": fail_on_malformed_json,
    "accept-missing-token": accept_missing_token,
    "wrong-response-content-type": wrong_response_content_type,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("fault", choices=sorted(FAULTS))
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    FAULTS[arguments.fault]()
    config = ServerConfig(
        specs=bundled_specs(), fixtures=bundled_fixtures(), validate_responses=False
    )
    uvicorn.run(create_app(config), host="127.0.0.1", port=arguments.port, log_level="warning")


if __name__ == "__main__":
    main()
