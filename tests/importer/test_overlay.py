import pytest

from specfake.errors import SpecfakeError
from specfake.importer.overlay import apply_overlay

DOCUMENT = {
    "info": {"title": "t"},
    "tags": [{"name": "a"}],
    "paths": {
        "/x/{id}": {"get": {"parameters": [{"name": "id", "in": "path"}, {"name": "q"}]}},
        "/y/{id}": {"post": {"parameters": [{"name": "id", "in": "path"}]}},
    },
}


def overlay(*actions):
    return {"overlay": "1.0.0", "info": {"title": "o", "version": "1"}, "actions": list(actions)}


def test_update_merges_objects_recursively_and_keeps_the_input_untouched():
    result = apply_overlay(
        DOCUMENT, overlay({"target": "$.info", "update": {"description": "d"}}), "o.yaml"
    )
    assert result["info"] == {"title": "t", "description": "d"}
    assert "description" not in DOCUMENT["info"]


def test_filter_expression_updates_every_match():
    action = {"target": "$.paths.*.*.parameters[?@.name == 'id']", "update": {"example": "e"}}
    result = apply_overlay(DOCUMENT, overlay(action), "o.yaml")
    assert result["paths"]["/x/{id}"]["get"]["parameters"][0]["example"] == "e"
    assert result["paths"]["/y/{id}"]["post"]["parameters"][0]["example"] == "e"
    assert "example" not in result["paths"]["/x/{id}"]["get"]["parameters"][1]


def test_update_on_an_array_appends():
    result = apply_overlay(DOCUMENT, overlay({"target": "$.tags", "update": {"name": "b"}}), "o")
    assert result["tags"] == [{"name": "a"}, {"name": "b"}]


def test_remove_deletes_the_target():
    result = apply_overlay(
        DOCUMENT, overlay({"target": "$.paths['/y/{id}']", "remove": True}), "o.yaml"
    )
    assert list(result["paths"]) == ["/x/{id}"]


def test_target_matching_nothing_is_an_error_naming_the_action():
    with pytest.raises(SpecfakeError, match=r"o.yaml: action 1 \(\$.nope\): the target matches"):
        apply_overlay(DOCUMENT, overlay({"target": "$.nope", "update": {}}), "o.yaml")


def test_not_an_overlay_document_is_an_error():
    with pytest.raises(SpecfakeError, match="not an Overlay"):
        apply_overlay(DOCUMENT, {"actions": []}, "o.yaml")


def test_invalid_jsonpath_is_an_error():
    with pytest.raises(SpecfakeError, match="invalid JSONPath"):
        apply_overlay(DOCUMENT, overlay({"target": "$[?", "update": {}}), "o.yaml")
