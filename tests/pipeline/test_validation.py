"""The parameter short cuts against the plain reading: a ``plain_text`` parameter read by
``plain_text_value`` instead of ``read_parameter``, and one whose schema accepts every string
not validated at all, give what reading and validating every parameter gives."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from specfake.errors import FieldError
from specfake.pipeline.parameters import ABSENT, StyleError, read_parameter
from specfake.pipeline.validation import parameter_errors
from specfake.spec import compile_operations
from specfake.spec.loader import LoadedSpec
from specfake.spec.validators import SchemaValidator, accepts_any_string

SCHEMAS = [
    {"type": "string"},
    {"type": "string", "description": "an id", "example": "a1"},
    {"type": ["string", "null"]},
    {},
    {"type": "string", "format": "uuid"},
    {"type": "string", "minLength": 3},
    {"type": "string", "enum": ["a", "b"]},
    {"type": "integer"},
    {"type": "array", "items": {"type": "string"}},
    {"$ref": "#/components/schemas/Id"},
]
texts = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["a", "b", "abc", "12", "%2F", "a%20b", "", "3f8e1c2a-0b1d-4e5f-8a9b"]),
)


def plain_parameter_errors(operation, path, query, headers) -> tuple[dict[str, Any], list]:
    """Every parameter read by ``read_parameter`` and validated: no short cut."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for parameter in operation.parameters:
        try:
            value = read_parameter(parameter, path, query, headers)
        except StyleError as error:
            errors.append(FieldError(parameter.location, parameter.name, str(error)))
            continue
        if value is ABSENT:
            if parameter.required:
                errors.append(FieldError(parameter.location, parameter.name, "is required"))
            continue
        values[parameter.name] = value
        errors.extend(parameter.validator.errors(value, parameter.location, parameter.name))
    return values, errors


def operation_with(schemas: list[dict[str, Any]]):
    parameters = [{"name": "id", "in": "path", "required": True, "schema": schemas[0]}]
    for number, schema in enumerate(schemas[1:]):
        parameters.append({"name": f"q{number}", "in": "query", "schema": schema})
        parameters.append({"name": f"h{number}", "in": "header", "schema": schema,
                           "required": number % 2 == 0})
    document = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "components": {"schemas": {"Id": {"type": "string", "maxLength": 4}}},
        "paths": {"/things/{id}": {"get": {"parameters": parameters,
                                           "responses": {"204": {"description": "done"}}}}},
    }
    return compile_operations(LoadedSpec("params", None, document))[0]  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    schemas=st.lists(st.sampled_from(SCHEMAS), min_size=1, max_size=4),
    path=texts,
    query=st.dictionaries(st.sampled_from(["q0", "q1", "q2"]), st.lists(texts, max_size=2)),
    headers=st.dictionaries(st.sampled_from(["h0", "h1", "h2"]), texts),
)
def test_the_short_cuts_give_what_reading_and_validating_every_parameter_gives(
    schemas, path, query, headers
):
    operation = operation_with(schemas)
    taken = parameter_errors(operation, {"id": path}, query, headers)
    assert taken == plain_parameter_errors(operation, {"id": path}, query, headers)


def test_string_ids_take_both_short_cuts_and_typed_values_neither():
    operation = operation_with([{"type": "string"}, {"type": "integer"}, {"minLength": 2}])
    by_name = {parameter.name: parameter for parameter in operation.parameters}
    assert by_name["id"].plain_text and by_name["id"].any_text_valid
    assert not by_name["q0"].plain_text  # an integer is typed from its text
    assert by_name["q1"].plain_text and not by_name["q1"].any_text_valid


@settings(max_examples=300, deadline=None)
@given(schema=st.sampled_from(SCHEMAS), text=texts)
def test_a_schema_said_to_accept_any_string_accepts_every_one(schema, text):
    components = {"schemas": {"Id": {"type": "string", "maxLength": 4}}}
    if accepts_any_string(schema):
        assert SchemaValidator(schema, components).errors(text, "path", "id") == []


def test_what_accepts_any_string():
    assert [accepts_any_string(schema) for schema in SCHEMAS] == [
        True, True, True, True, False, False, False, False, False, False]
    assert accepts_any_string(True) and not accepts_any_string(False)
