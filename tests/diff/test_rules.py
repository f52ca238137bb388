"""Each classification rule of ``specfake diff`` on two small specs that differ in one thing."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from specfake.diff.changes import Change
from specfake.diff.operations import compare_documents

ITEM = "/paths/~1items~1{id}"


def spec() -> dict[str, Any]:
    """One PATCH with a path and a query parameter, a JSON body and a 200/404, bearer auth."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["id", "status"],
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "status": {"type": "string", "enum": ["draft", "active"]},
                        "count": {"type": "integer"},
                        "note": {"type": "string"},
                    },
                }
            },
        },
        "paths": {
            "/items/{id}": {
                "patch": {
                    "operationId": "update",
                    "security": [{"bearer": []}],
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "dry", "in": "query", "schema": {"type": "boolean"}},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["version"],
                                    "properties": {
                                        "version": {"type": "number"},
                                        "title": {"type": "string", "maxLength": 100},
                                        "kind": {"type": "string", "enum": ["a", "b"]},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "ok",
                            "headers": {"ETag": {"schema": {"type": "string"}}},
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Item"}
                                }
                            },
                        },
                        "404": {"description": "not found"},
                    },
                }
            }
        },
    }


def changed(edit) -> list[Change]:
    old = spec()
    new = copy.deepcopy(old)
    edit(new)
    return compare_documents(old, new).found


def only(edit) -> Change:
    found = changed(edit)
    assert len(found) == 1, found
    return found[0]


def operation(document: dict[str, Any]) -> dict[str, Any]:
    return document["paths"]["/items/{id}"]["patch"]


def request_schema(document: dict[str, Any]) -> dict[str, Any]:
    return operation(document)["requestBody"]["content"]["application/json"]["schema"]


def item(document: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"]["Item"]


def test_the_same_spec_has_no_changes() -> None:
    assert changed(lambda new: None) == []


def test_an_operation_removed_is_breaking_and_one_added_is_not() -> None:
    removed = only(lambda new: new["paths"]["/items/{id}"].pop("patch"))
    assert (removed.rule, removed.breaking) == ("api-operation-removed", True)
    assert removed.operation == "PATCH /items/{id}"
    assert removed.pointer == f"{ITEM}/patch"
    added = only(lambda new: new["paths"]["/items/{id}"].update(get={"responses": {}}))
    assert (added.rule, added.breaking) == ("api-operation-added", False)


def test_renaming_a_path_parameter_is_no_change_of_operation() -> None:
    def rename(new: dict[str, Any]) -> None:
        new["paths"]["/items/{itemId}"] = new["paths"].pop("/items/{id}")
        operation_ = new["paths"]["/items/{itemId}"]["patch"]
        operation_["parameters"][0]["name"] = "itemId"

    found = changed(rename)
    assert all(change.rule != "api-operation-removed" for change in found)
    assert [change.breaking for change in found if change.breaking] == []


@pytest.mark.parametrize(
    ("edit", "rule", "breaking"),
    [
        (lambda new: operation(new)["responses"].pop("404"), "response-status-removed", True),
        (lambda new: operation(new)["responses"].update({"409": {"description": "c"}}),
         "response-status-added", False),
        (lambda new: operation(new)["responses"]["200"].pop("headers"),
         "response-header-removed", True),
    ],
)  # fmt: skip
def test_documented_responses(edit, rule: str, breaking: bool) -> None:
    change = only(edit)
    assert (change.rule, change.breaking) == (rule, breaking)


def test_a_new_required_parameter_is_breaking_an_optional_one_is_not() -> None:
    def add(required: bool):
        return lambda new: operation(new)["parameters"].append(
            {"name": "q", "in": "query", "required": required, "schema": {"type": "string"}}
        )

    required = only(add(True))
    assert (required.rule, required.breaking) == ("new-required-request-parameter", True)
    assert required.pointer == f"{ITEM}/patch/parameters/2"
    optional = only(add(False))
    assert (optional.rule, optional.breaking) == ("new-optional-request-parameter", False)


def test_a_parameter_made_required_is_breaking() -> None:
    change = only(lambda new: operation(new)["parameters"][1].update(required=True))
    assert (change.rule, change.breaking) == ("request-parameter-became-required", True)
    assert "query parameter dry became required" in change.message


def test_a_parameter_type_narrowed_is_breaking() -> None:
    change = only(lambda new: operation(new)["parameters"][1].update(schema={"type": "integer"}))
    assert (change.rule, change.breaking) == ("request-type-changed", True)
    assert change.pointer == f"{ITEM}/patch/parameters/1/schema/type"


def test_request_fields_added_required_or_made_required_break() -> None:
    def add(required: bool):
        def edit(new: dict[str, Any]) -> None:
            request_schema(new)["properties"]["extra"] = {"type": "string"}
            if required:
                request_schema(new)["required"].append("extra")

        return edit

    required = only(add(True))
    assert (required.rule, required.breaking) == ("new-required-request-property", True)
    assert "request body field /extra added as required" in required.message
    optional = only(add(False))
    assert (optional.rule, optional.breaking) == ("new-optional-request-property", False)
    made = only(lambda new: request_schema(new)["required"].append("title"))
    assert (made.rule, made.breaking) == ("request-property-became-required", True)


def test_a_read_only_field_made_required_does_not_break_requests() -> None:
    def edit(new: dict[str, Any]) -> None:
        request_schema(new)["properties"]["title"]["readOnly"] = True
        request_schema(new)["required"].append("title")

    assert [change for change in changed(edit) if change.breaking] == []


@pytest.mark.parametrize(
    ("old_type", "new_type", "breaking"),
    [
        ("number", "integer", True),
        ("number", "string", True),
        ("number", ["number", "null"], False),
    ],
)
def test_request_types_narrowed_break_widened_do_not(old_type, new_type, breaking) -> None:
    change = only(lambda new: request_schema(new)["properties"]["version"].update(type=new_type))
    assert (change.rule, change.breaking) == ("request-type-changed", breaking)
    assert f"type changed from {old_type}" in change.message


@pytest.mark.parametrize(
    ("new_type", "breaking"), [("number", True), (["integer", "null"], True), ("string", True)]
)
def test_response_types_widened_or_changed_break(new_type, breaking) -> None:
    change = only(lambda new: item(new)["properties"]["count"].update(type=new_type))
    assert (change.rule, change.breaking) == ("response-type-changed", breaking)
    # A shared component is reported where it lives, with the field the client reads.
    assert change.pointer == "/components/schemas/Item/properties/count/type"
    assert "200 response field /count" in change.message


def test_a_response_type_narrowed_does_not_break() -> None:
    def edit(new: dict[str, Any]) -> None:
        item(new)["properties"]["count"]["type"] = "integer"
        item(new)["properties"]["note"]["type"] = ["string"]

    assert [change for change in changed(edit) if change.breaking] == []


def test_enum_values_removed_from_requests_or_added_to_responses_break() -> None:
    removed = only(lambda new: request_schema(new)["properties"]["kind"].update(enum=["a"]))
    assert (removed.rule, removed.breaking) == ("request-enum-value-removed", True)
    assert '"b"' in removed.message
    added = only(lambda new: request_schema(new)["properties"]["kind"]["enum"].append("c"))
    assert (added.rule, added.breaking) == ("request-enum-value-added", False)
    answered = only(lambda new: item(new)["properties"]["status"]["enum"].append("retired"))
    assert (answered.rule, answered.breaking) == ("response-enum-value-added", True)
    dropped = only(lambda new: item(new)["properties"]["status"].update(enum=["draft"]))
    assert (dropped.rule, dropped.breaking) == ("response-enum-value-removed", False)


def test_an_enum_added_to_a_request_field_breaks() -> None:
    change = only(lambda new: request_schema(new)["properties"]["title"].update(enum=["x"]))
    assert (change.rule, change.breaking) == ("request-enum-added", True)


def test_response_fields_removed_or_no_longer_required_break() -> None:
    removed = only(lambda new: item(new)["properties"].pop("note"))
    assert (removed.rule, removed.breaking) == ("response-property-removed", True)
    assert removed.pointer == "/components/schemas/Item/properties/note"
    optional = only(lambda new: item(new)["required"].remove("status"))
    assert (optional.rule, optional.breaking) == ("response-property-became-optional", True)
    added = only(lambda new: item(new)["properties"].update(extra={"type": "string"}))
    assert (added.rule, added.breaking) == ("response-property-added", False)


def test_a_request_field_removed_breaks_only_where_undocumented_fields_are_refused() -> None:
    ignored = only(lambda new: request_schema(new)["properties"].pop("title"))
    assert (ignored.rule, ignored.breaking) == ("request-property-removed", False)

    def refused(new: dict[str, Any]) -> None:
        request_schema(new)["properties"].pop("title")
        request_schema(new)["additionalProperties"] = False

    rules = {(c.rule, c.breaking) for c in changed(refused)}
    assert rules == {("request-property-removed", True),
                     ("request-additional-properties-refused", True)}  # fmt: skip


@pytest.mark.parametrize(
    ("keyword", "value", "breaking"),
    [
        ("maxLength", 50, True),
        ("maxLength", 200, False),
        ("minLength", 1, True),
        ("pattern", "^[a-z]+$", True),
    ],
)
def test_request_constraints_tightened_break(keyword: str, value: Any, breaking: bool) -> None:
    change = only(lambda new: request_schema(new)["properties"]["title"].update({keyword: value}))
    rule = {"maxLength": "max-length", "minLength": "min-length", "pattern": "pattern"}[keyword]
    assert (change.rule, change.breaking) == (f"request-{rule}-changed", breaking)


def test_a_request_maximum_added_breaks_and_a_response_maximum_removed_breaks() -> None:
    request = only(lambda new: request_schema(new)["properties"]["version"].update(maximum=10))
    assert (request.rule, request.breaking) == ("request-maximum-changed", True)
    old = spec()
    item(old)["properties"]["count"]["maximum"] = 10
    new = copy.deepcopy(old)
    del item(new)["properties"]["count"]["maximum"]
    [response] = compare_documents(old, new).found
    assert (response.rule, response.breaking) == ("response-maximum-changed", True)


def test_a_format_added_to_a_request_field_breaks() -> None:
    change = only(lambda new: request_schema(new)["properties"]["title"].update(format="email"))
    assert (change.rule, change.breaking) == ("request-format-changed", True)


def test_security_added_breaks_and_removed_does_not() -> None:
    old = spec()
    del operation(old)["security"]
    added = compare_documents(old, spec()).found
    assert [(c.rule, c.breaking) for c in added] == [("api-security-added", True)]
    removed = compare_documents(spec(), old).found
    assert [(c.rule, c.breaking) for c in removed] == [("api-security-relaxed", False)]


def test_a_request_body_made_required_or_a_media_type_removed_breaks() -> None:
    old = spec()
    operation(old)["requestBody"]["required"] = False
    [made] = compare_documents(old, spec()).found
    assert (made.rule, made.breaking) == ("request-body-became-required", True)

    def other_media(new: dict[str, Any]) -> None:
        content = operation(new)["requestBody"]["content"]
        content["application/merge-patch+json"] = content.pop("application/json")

    rules = {(c.rule, c.breaking) for c in changed(other_media)}
    assert rules == {("request-media-type-removed", True), ("request-media-type-added", False)}


def test_array_items_and_one_of_branches_are_compared() -> None:
    old = spec()
    item(old)["properties"]["tags"] = {"type": "array", "items": {"type": "string"}}
    item(old)["properties"]["value"] = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    new = copy.deepcopy(old)
    item(new)["properties"]["tags"]["items"]["type"] = "integer"
    item(new)["properties"]["value"]["oneOf"].append({"type": "boolean"})
    found = compare_documents(old, new).found
    found = {(c.rule, c.breaking, c.message.split(":")[0]) for c in found}
    assert found == {
        ("response-type-changed", True, "200 response field /tags/*"),
        ("response-one-of-changed", True, "200 response field /value"),
    }


def test_recursive_schemas_end() -> None:
    old = spec()
    item(old)["properties"]["parent"] = {"$ref": "#/components/schemas/Item"}
    new = copy.deepcopy(old)
    item(new)["properties"]["note"]["type"] = "integer"
    found = compare_documents(old, new).found
    assert [(c.rule, c.pointer) for c in found] == [
        ("response-type-changed", "/components/schemas/Item/properties/note/type")
    ]


def test_a_component_used_at_two_fields_is_reported_at_each() -> None:
    old = spec()
    old["components"]["schemas"]["Pair"] = {
        "type": "object",
        "properties": {
            "first": {"$ref": "#/components/schemas/Item"},
            "second": {"$ref": "#/components/schemas/Item"},
        },
    }
    response = operation(old)["responses"]["200"]["content"]["application/json"]
    response["schema"] = {"$ref": "#/components/schemas/Pair"}
    new = copy.deepcopy(old)
    item(new)["properties"].pop("note")
    found = compare_documents(old, new).found
    assert [change.message for change in found] == [
        "200 response field /first/note removed",
        "200 response field /second/note removed",
    ]
    assert {change.pointer for change in found} == {"/components/schemas/Item/properties/note"}
