"""SchemaValidator: what a failing value reports, and its fast path agreeing with the full one."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from specfake.errors import FieldError
from specfake.spec.references import referenced
from specfake.spec.validators import SchemaValidator

# Plain assertions only (no anyOf/oneOf/not...): failures take evaluate()'s fast path.
SCHEMA = {
    "type": "object",
    "required": ["id"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "title": {"type": "string", "minLength": 1, "maxLength": 5},
        "a/b~": {"type": "string", "pattern": "^x"},
        "when": {"type": "string", "format": "date"},
        "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "maxItems": 2},
        "kind": {"enum": ["draft", "active"]},
        "note": {"type": ["string", "null"], "maxLength": 3},  # OpenAPI 3.0's nullable
        "nested": {"$ref": "#/components/schemas/Nested"},
    },
}
# Schemas combined, directly and through references: evaluate() would list branch failures.
COMBINED_SCHEMA = {
    "type": "object",
    "properties": {
        "either": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        "one": {"oneOf": [{"type": "string"}, {"type": "string", "minLength": 1}]},
        "shape": {
            "oneOf": [{"$ref": "#/components/schemas/Nested"}, {"$ref": "#/components/schemas/Odd"}]
        },
        "via": {"$ref": "#/components/schemas/Either"},
    },
}
COMPONENTS = {
    "schemas": {
        "Nested": {
            "type": "object",
            "properties": {"n": {"type": "number", "multipleOf": 2}},
            "required": ["n"],
        },
        "Odd": {"type": "object", "properties": {"n": {"type": "string"}}},
        "Either": {"anyOf": [{"$ref": "#/components/schemas/Nested"}, {"type": "boolean"}]},
    }
}
VALIDATOR = SchemaValidator(SCHEMA, COMPONENTS)
COMBINED = SchemaValidator(COMBINED_SCHEMA, COMPONENTS)

scalars = st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=6)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children)
    ),
    max_leaves=5,
)
nested_values = values | st.just({"n": 3}) | st.just({"n": "x"}) | st.just({"n": 2})


def bodies(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    names = st.sampled_from([*schema["properties"], "extra"])
    return st.dictionaries(names, nested_values, max_size=5)


@settings(max_examples=400, deadline=None)
@given(body=bodies(SCHEMA) | values)
def test_fast_path_reports_what_iter_errors_reports(body: Any) -> None:
    fast = VALIDATOR.errors(body, "body")
    complete = VALIDATOR._iterated_errors(body, "body", "")
    assert Counter(fast) == Counter(complete)
    assert bool(fast) == (not VALIDATOR.is_valid(body))


@settings(max_examples=300, deadline=None)
@given(body=bodies(COMBINED_SCHEMA) | values)
def test_combined_schemas_report_what_iter_errors_reports(body: Any) -> None:
    found = COMBINED.errors(body, "body")
    assert Counter(found) == Counter(COMBINED._iterated_errors(body, "body", ""))
    assert bool(found) == (not COMBINED.is_valid(body))


@settings(max_examples=100, deadline=None)
@given(value=values)
def test_parameter_failures_are_named_by_parameter(value: Any) -> None:
    fast = VALIDATOR.errors(value, "query", "filter")
    assert Counter(fast) == Counter(VALIDATOR._iterated_errors(value, "query", "filter"))
    assert all(error.path == "filter" for error in fast)


def test_plain_failures_do_not_need_iter_errors(monkeypatch) -> None:
    """The property tests above compare something: the fast path is really taken."""

    def unexpected(*arguments: Any) -> None:
        raise AssertionError("iter_errors was used")

    monkeypatch.setattr(SchemaValidator, "_iterated_errors", unexpected)
    assert VALIDATOR.errors({"id": 0, "note": "long", "nested": {"n": 3}}, "body")


def test_plain_assertions_name_each_field_by_json_pointer() -> None:
    errors = VALIDATOR.errors({"id": 0, "a/b~": "y", "tags": ["x", "x"]}, "body")
    assert sorted(errors, key=lambda error: error.path) == [
        FieldError("body", "/a~1b~0", '"y" does not match "^x"'),
        FieldError("body", "/id", "0 is less than the minimum of 1"),
        FieldError("body", "/tags", '["x","x"] has non-unique elements'),
    ]


def test_missing_and_unexpected_fields_point_at_the_field_itself() -> None:
    errors = VALIDATOR.errors({"zz": 1, "nested": {}}, "body")
    assert sorted(error.path for error in errors) == ["/id", "/nested/n", "/zz"]
    unexpected = next(error for error in errors if error.path == "/zz")
    assert unexpected.message == "is not allowed here (additionalProperties is false)"


def test_a_failed_any_of_is_one_failure_not_one_per_branch() -> None:
    assert COMBINED.errors({"either": []}, "body") == [
        FieldError(
            "body",
            "/either",
            "[] is not valid under any of the schemas listed in the 'anyOf' keyword",
        )
    ]


def test_a_failed_one_of_references_is_one_failure_at_the_value() -> None:
    """Through ``$ref``, evaluate() names only the branches' own keywords (here two ``type``
    failures at /shape/n), as if the value had failed both."""
    assert COMBINED.errors({"shape": {"n": True}}, "body") == [
        FieldError(
            "body",
            "/shape",
            """{"n":true} is not valid under any of the schemas listed in the 'oneOf' keyword""",
        )
    ]
    assert [error.path for error in COMBINED.errors({"via": {"n": "x"}}, "body")] == ["/via"]


def test_a_type_list_failure_is_worded_as_iter_errors_words_it() -> None:
    assert VALIDATOR.errors({"id": 1, "note": 5}, "body") == [
        FieldError("body", "/note", '5 is not of types "null", "string"')
    ]


def test_a_parameter_failure_inside_the_value_says_where() -> None:
    errors = SchemaValidator({"type": "array", "items": {"type": "integer"}}, {}).errors(
        [1, "x"], "query", "ids"
    )
    assert errors == [FieldError("query", "ids", '/1: "x" is not of type "integer"')]


def test_a_local_reference_is_a_percent_encoded_json_pointer() -> None:
    document = {"components": {"schemas": {"A B": {"type": "string"}, "a/b": [{"x": 1}]}}}
    assert referenced(document, "#/components/schemas/A%20B") == {"type": "string"}
    assert referenced(document, "#/components/schemas/a~1b/0") == {"x": 1}
    assert referenced(document, "#/components/schemas/missing") is None
    assert referenced(document, "other.yaml#/components/schemas/A%20B") is None
