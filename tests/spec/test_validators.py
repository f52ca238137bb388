"""A spec's validators (compiled from its registry, their failures located by the spec's URI)
take evaluate()'s fast path too, and report exactly what iter_errors reports, in its order."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings

from specfake.spec import compile_operations
from specfake.spec.loader import LoadedSpec
from specfake.spec.validators import LARGE_INSTANCE, SchemaValidator, _is_large
from tests.spec.test_compile import COMPONENTS, SCHEMA, bodies, values


def _body_validator() -> SchemaValidator:
    schemas = {**COMPONENTS["schemas"], "Edit": SCHEMA}
    document = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "components": {"schemas": schemas},
        "paths": {"/edits": {"post": {
            "requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Edit"}}}},
            "responses": {"204": {"description": "done"}},
        }}},
    }
    operation = compile_operations(LoadedSpec("edits", None, document))[0]  # type: ignore[arg-type]
    validator = operation.body_media["application/json"].validator
    assert validator is not None
    return validator


IN_SPEC = _body_validator()


@settings(max_examples=400, deadline=None)
@given(body=bodies(SCHEMA) | values)
def test_a_spec_validators_fast_path_reports_what_iter_errors_reports_in_order(body: Any):
    assert IN_SPEC.errors(body, "body") == IN_SPEC._iterated_errors(body, "body", "")


def test_a_spec_validators_type_failures_need_no_iter_errors(monkeypatch):
    def unexpected(*arguments: Any) -> None:
        raise AssertionError("iter_errors was used")

    monkeypatch.setattr(SchemaValidator, "_iterated_errors", unexpected)
    errors = IN_SPEC.errors({"id": "7", "title": 5}, "body")
    assert [(error.path, error.message) for error in errors] == [
        ("/id", '"7" is not of type "integer"'),
        ("/title", '5 is not of type "string"'),
    ]


def test_a_text_no_longer_than_the_large_limit_holds_no_large_value():
    # The densest JSON text: one character per value, and one between each two.
    densest = "[" + ",".join(["0"] * ((LARGE_INSTANCE - 1) // 2)) + "]"
    assert len(densest) <= LARGE_INSTANCE
    assert not _is_large(orjson.loads(densest))


@settings(max_examples=200, deadline=None)
@given(body=bodies(SCHEMA) | values)
def test_a_body_s_text_size_spares_the_count_and_changes_nothing(body: Any):
    text = orjson.dumps(body)
    assert IN_SPEC.errors(body, "body", text_size=len(text)) == IN_SPEC.errors(body, "body")
