import pytest

from specfake.errors import SpecfakeError
from specfake.importer.tables import object_schema, parse_field_table_page, type_to_schema

PAGE = """POST /cohort/draft
Patch Cohort Draft
Patch cohort draft — composable infra architecture.
Request Body (PatchRequest)
| Field | Type | Required | Description |
|---|---|---|---|
draft_id | string | No | Existing draft UUID to patch |
soft | boolean | Yes | Stage it |
positions | DraftSimulationPositionValue[] | No | Values to create |
Response (PatchResponse)
| Field | Type | Required | Description |
|---|---|---|---|
| success | boolean | Yes | Whether it worked |
| form_state | app__infra__cohort__types__DraftFormState | No | State |
Last updated on
"""


def test_page_gives_operation_and_both_tables():
    page = parse_field_table_page(PAGE, "page.md")
    assert (page.method, page.path) == ("post", "/cohort/draft")
    assert page.summary == "Patch Cohort Draft"
    assert page.description.startswith("Patch cohort draft")
    assert page.request_name == "PatchRequest"
    assert [f.name for f in page.request_fields] == ["draft_id", "soft", "positions"]
    assert [f.required for f in page.request_fields] == [False, True, False]
    assert page.response_name == "PatchResponse"
    assert [f.name for f in page.response_fields] == ["success", "form_state"]


@pytest.mark.parametrize(
    ("type_name", "schema"),
    [
        ("string", {"type": "string"}),
        ("boolean", {"type": "boolean"}),
        ("integer", {"type": "integer"}),
        ("string[]", {"type": "array", "items": {"type": "string"}}),
        ("Thing[]", {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}),
    ],
)
def test_type_column_maps_to_json_schema(type_name, schema):
    assert type_to_schema(type_name, {}) == schema


def test_named_type_becomes_an_open_object_saying_its_shape_is_undocumented():
    named: dict = {}
    type_to_schema("DraftSimulationPositionValue[]", named)
    component = named["DraftSimulationPositionValue"]
    assert component["type"] == "object"
    assert component["additionalProperties"] is True
    assert "does not document its shape" in component["description"]


def test_required_column_becomes_required_list():
    page = parse_field_table_page(PAGE, "page.md")
    schema = object_schema("PatchRequest", page.request_fields, {})
    assert schema["required"] == ["soft"]
    assert list(schema["properties"]) == ["draft_id", "soft", "positions"]
    assert schema["properties"]["draft_id"]["description"] == "Existing draft UUID to patch"


def test_page_without_operation_line_is_an_error_naming_the_page():
    with pytest.raises(SpecfakeError, match=r"notes\.md: no 'METHOD /path' line"):
        parse_field_table_page("just prose", "notes.md")


def test_invalid_type_name_is_an_error():
    with pytest.raises(SpecfakeError, match="neither a JSON type"):
        type_to_schema("map<string>", {})
