"""The compiled fast path and openapi-core (the reference) agree on what is valid.

Generated requests — valid ones synthesized from the schema with a seed, then mutated by
hypothesis (a field replaced by arbitrary JSON, a field deleted, an unknown field added) —
go to both validators; they must agree on accept/reject and on the set of failing fields.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest
from werkzeug.datastructures import ImmutableMultiDict

from specfake.errors import json_pointer
from specfake.pipeline.synthesis import synthesize
from specfake.pipeline.validation import body_errors, parameter_errors
from specfake.spec import CompiledOperation, compile_operations, load_spec
from tests.conftest import SPECS

PETSTORE = Path(__file__).parents[1] / "e2e/petstore.openapi.yaml"
SPEC_FILES = [*sorted(SPECS.glob("*.openapi.yaml")), PETSTORE]
AUTH = {"Authorization": "Bearer dev", "X-Api-Key": "k"}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | st.uuids().map(str),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=6,
)


OPERATIONS = {
    (path.name, operation.operation_id): (path, operation)
    for path in SPEC_FILES
    for operation in compile_operations(load_spec(path))
}
BODY_OPERATIONS = [
    key for key, (_, op) in OPERATIONS.items() if "application/json" in op.body_media
]


def reference(path: Path) -> OpenAPI:
    return OpenAPI.from_dict(yaml.safe_load(path.read_text()))


@st.composite
def mutated_bodies(draw, operation: CompiledOperation) -> Any:
    schema = operation.body_media["application/json"].validator.schema
    body = synthesize(
        schema, operation.schema_root, seed=draw(st.integers(0, 10**6))
    )
    mutation = draw(st.sampled_from(["none", "replace", "delete", "add", "whole"]))
    if mutation == "whole":
        return draw(json_values)
    if not isinstance(body, dict) or mutation == "none":
        return body
    body = copy.deepcopy(body)
    keys = sorted(body)
    if mutation == "replace" and keys:
        body[draw(st.sampled_from(keys))] = draw(json_values)
    elif mutation == "delete" and keys:
        del body[draw(st.sampled_from(keys))]
    elif mutation == "add":
        body[draw(st.text(min_size=1, max_size=5))] = draw(json_values)
    return body


def fast_path_fields(operation: CompiledOperation, body: Any) -> set[str]:
    return {
        error.path
        for error in body_errors(operation, operation.body_media["application/json"], body)
    }


def reference_fields(api: OpenAPI, operation: CompiledOperation, body: Any) -> set[str]:
    path = re.sub(r"\{[^}]+\}", "x1", operation.path_template)
    request = MockRequest(
        "http://127.0.0.1:4010", operation.method.lower(), path, headers=AUTH,
        data=json.dumps(body).encode(), content_type="application/json",
    )  # fmt: skip
    fields: set[str] = set()
    for error in api.unmarshal_request(request).errors:
        for schema_error in getattr(error.__cause__, "schema_errors", None) or ():
            fields |= _pointers(schema_error)
        if not getattr(error.__cause__, "schema_errors", None):
            fields.add(f"<{type(error).__name__}>")
    return fields


def _pointers(error) -> set[str]:
    """jsonschema reports a missing or unexpected field at its parent; point at the field."""
    base = [str(part) for part in error.absolute_path]
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return {json_pointer([*base, name]) for name in missing}
    if error.validator == "additionalProperties":
        declared = error.schema.get("properties", {})
        return {json_pointer([*base, name]) for name in error.instance if name not in declared}
    return {json_pointer(base)}


@pytest.mark.parametrize("key", BODY_OPERATIONS, ids=lambda key: f"{key[0]}:{key[1]}")
def test_body_validation_agrees_with_openapi_core(key):
    path, operation = OPERATIONS[key]
    api = reference(path)

    @settings(max_examples=150, derandomize=True, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
    @given(mutated_bodies(operation))
    def agree(body):
        ours = fast_path_fields(operation, body)
        theirs = reference_fields(api, operation, body)
        assert (not ours) == (not theirs), f"accept/reject differs for {body!r}: {ours} vs {theirs}"
        assert ours == theirs, f"failing fields differ for {body!r}"

    agree()


query_values = st.lists(
    st.sampled_from(["", "0", "1", "5", "100", "101", "-3", "abc", "2.5", "sold", "lost"]),
    max_size=3,
)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(limit=query_values, status=query_values, pet_id=st.sampled_from(["1", "42", "seven", "-1"]))
def test_parameter_validation_agrees_with_openapi_core(limit, status, pet_id):
    api = reference(PETSTORE)
    for operation_id, path, query in (
        ("listPets", "/pets", {"limit": limit[-1:], "status": status}),
        ("showPet", f"/pets/{pet_id}", {}),
    ):
        operation = OPERATIONS[(PETSTORE.name, operation_id)][1]
        query = {name: values for name, values in query.items() if values}
        _, errors = parameter_errors(operation, {"petId": pet_id}, query, {})
        ours = {error.path for error in errors}
        args = ImmutableMultiDict([(name, v) for name, vs in query.items() for v in vs])
        result = api.unmarshal_request(MockRequest("http://127.0.0.1", "get", path, args=args))
        theirs = {getattr(error, "name", type(error).__name__) for error in result.errors}
        assert ours == theirs, f"{operation_id} {query} {pet_id}: {ours} vs {theirs}"
