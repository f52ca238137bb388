"""What ``verify`` compares in one answer, and what it carries into later requests."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from specfake.verify.carry import Carried
from specfake.verify.compare import AnswerComparison
from specfake.verify.recording import Interaction

DOCUMENT = {
    "components": {
        "schemas": {
            "Row": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "versionId": {"type": "integer"},
                    "status": {"type": "string"},
                    "name": {"type": "string"},
                    "updatedAt": {"type": "string", "format": "date-time"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            },
            "Answer": {
                "type": "object",
                "properties": {
                    "data": {"$ref": "#/components/schemas/Row"},
                    "message": {"type": "string"},
                },
            },
        }
    }
}
SCHEMA = {"$ref": "#/components/schemas/Answer"}
ROW = "6f1c2a34-1111-4222-8333-444444444444"
OTHER = "0a0b0c0d-1111-4222-8333-444444444444"


def answer(**data: Any) -> dict[str, Any]:
    row = {"id": ROW, "versionId": 8, "status": "draft", "name": "Spring",
           "updatedAt": "2026-05-13T14:21:00.000Z", "tags": ["a"]}  # fmt: skip
    return {"data": {**row, **data}, "message": "Draft updated successfully"}


def differences(recorded: Any, real: Any, carried: Carried | None = None) -> list[str]:
    comparison = AnswerComparison("#1", carried or Carried("run"), DOCUMENT, ROW, problem=False)
    comparison.compare(SCHEMA, recorded, real)
    return [f"{d.field}: {d.message}" for d in comparison.differences]


def test_the_same_answer_has_no_difference() -> None:
    assert differences(answer(), answer()) == []


def test_free_text_ids_and_timestamps_are_not_compared_by_value() -> None:
    real = answer(id=OTHER, updatedAt="2027-01-01T00:00:00+00:00")
    real["message"] = "Saved."
    assert differences(answer(), real) == []


def test_their_format_is() -> None:
    assert differences(answer(), answer(id="42", updatedAt="yesterday")) == [
        "/data/id: generated id: recorded a UUID, real '42'",
        "/data/updatedAt: timestamp: recorded a date-time, real 'yesterday'",
    ]


def test_values_that_follow_from_the_request_are_compared() -> None:
    assert differences(answer(), answer(status="active", tags=["a", "b"])) == [
        "/data/status: value: recorded 'draft', real 'active'",
        "/data/tags: 1 item(s) recorded, 2 real",
    ]


def test_a_documented_field_missing_or_of_another_type_is_a_difference() -> None:
    real = answer(name=3)
    del real["message"]
    assert differences(answer(), real) == [
        "/data/name: JSON type: recorded string, real number",
        "/message: documented field missing from the real answer",
    ]


def test_fields_the_schema_does_not_document_are_not_compared() -> None:
    recorded = answer(fakeOnly=True)
    recorded["debug"] = {"x": 1}
    assert differences(recorded, answer()) == []


def test_versions_are_compared_as_changes() -> None:
    carried = Carried("run")
    carried.sent_version(ROW, 7, accepted=True)  # sent 7, accepted: the row was at 7
    assert differences(answer(versionId=8), answer(versionId=8), carried) == []
    carried.sent_version(ROW, 8, accepted=True)
    assert differences(answer(versionId=9), answer(versionId=10), carried) == [
        "/data/versionId: the recording went 8 → 9 (+1), the server 8 → 10 (+2); expected 9"
    ]


def test_a_row_that_starts_elsewhere_is_followed_by_its_offset() -> None:
    carried = Carried("run")
    assert differences(answer(versionId=8), answer(versionId=42), carried) == []
    assert carried.real_version(ROW, 8) == 42
    assert carried.real_version(ROW, 12) == 46  # never seen: the start offset


def interaction(target: str, body: str | None, headers=()) -> Interaction:
    parsed = None if body is None else json.loads(body)
    return Interaction(1, "PATCH", target, tuple(headers), body, parsed, 200, {}, None, "")


def test_what_was_learnt_goes_into_later_requests() -> None:
    carried = Carried("run1", values={ROW: OTHER})
    carried.learn('"8"', '"42"')
    carried.offsets[ROW] = 34
    recorded = interaction(
        f"/rows/{ROW}?of={ROW}",
        f'{{"id": "{ROW}", "expectedVersionId": 8, "idempotency_key": "k1", "note": "8"}}',
        [("Authorization", "[redacted]"), ("If-Match", '"8"'), ("Host", "old"), ("X-Trace", ROW)],
    )
    target, headers, body = carried.request(recorded, ROW, "secret")
    assert target == f"/rows/{OTHER}?of={OTHER}"
    assert headers == {"Authorization": "Bearer secret", "If-Match": '"42"', "X-Trace": OTHER}
    sent = json.loads(body)
    assert sent == {"id": OTHER, "expectedVersionId": 42, "idempotency_key": "k1-run1", "note": "8"}


def test_a_token_the_recorded_server_refused_is_replaced_by_one_no_server_accepts() -> None:
    carried = Carried("run1")
    refused = replace(interaction("/rows", None, [("Authorization", "[Filtered]")]), status=401)
    assert carried.request(refused, "", "secret")[1] == {
        "Authorization": "Bearer specfake-verify-refused-run1"
    }
