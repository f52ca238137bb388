"""A spec's validators (compiled from its registry, their failures located by the spec's URI)
take evaluate()'s fast path too, and report exactly what iter_errors reports, in its order."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from specfake.spec import compile_operations
from specfake.spec.loader import LoadedSpec
from specfake.spec.validators import SchemaValidator
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
