"""Contract specs: the served spec without what the overlays mark as specfake's own choice."""

from __future__ import annotations

import json

import pytest
import yaml
from openapi_spec_validator import validate

from specfake.importer.contract import CHOICE, contract_document
from specfake.resources import bundled_contract_specs, bundled_specs
from specfake.spec import load_spec
from tests.conftest import SPECS

CHOICE_MARK = {CHOICE: True}


def test_a_marked_property_leaves_properties_and_required_and_opens_its_object() -> None:
    document = {"info": {"title": "t"}, "components": {"schemas": {"State": {
        "type": "object", "additionalProperties": False, "required": ["status", "name"],
        "properties": {"status": {"type": "string", **CHOICE_MARK}, "name": {"type": "string"}},
    }}}}  # fmt: skip
    state = contract_document(document)["components"]["schemas"]["State"]
    assert state == {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}},
    }
    # The served document is left as it is.
    assert "status" in document["components"]["schemas"]["State"]["properties"]


def test_other_marked_members_and_list_items_leave_their_parent() -> None:
    responses = {"200": {"description": "ok"}, "418": {"description": "teapot", **CHOICE_MARK}}
    schemas = {"A": {"allOf": [{"type": "object"}, {**CHOICE_MARK}]}}
    document = {"info": {}, "paths": {"/a": {"get": {"responses": responses}}},
                "components": {"schemas": schemas}}  # fmt: skip
    contract = contract_document(document)
    assert list(contract["paths"]["/a"]["get"]["responses"]) == ["200"]
    assert contract["components"]["schemas"]["A"] == {"allOf": [{"type": "object"}]}
    assert "contract spec" in contract["info"]["description"]


def test_every_bundled_spec_has_a_contract_spec() -> None:
    assert [path.name for path in bundled_contract_specs()] == [
        path.name for path in bundled_specs()
    ]
    assert all(path.parent == SPECS / "contract" for path in bundled_contract_specs())


@pytest.mark.parametrize("path", bundled_contract_specs(), ids=lambda path: path.name)
def test_a_contract_spec_is_valid_and_holds_no_choice(path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    validate(document)
    marker = json.dumps(CHOICE_MARK)[1:-1]  # '"x-specfake-choice": true'
    assert marker not in json.dumps(document)
    served = yaml.safe_load((SPECS / path.name).read_text(encoding="utf-8"))
    assert marker in json.dumps(served)  # the fake keeps holding itself to its choices


def test_the_choices_the_issue_names_are_out_of_the_contract() -> None:
    cohort = load_spec(SPECS / "contract" / "cohort-draft.openapi.yaml").document
    schemas = cohort["components"]["schemas"]
    form_state = schemas["app__infra__cohort__types__DraftFormState"]
    assert {"draft_id", "status", "version"}.isdisjoint(form_state["properties"])
    assert {"draft_id", "status", "version"}.isdisjoint(form_state["required"])
    assert "additionalProperties" not in form_state
    assert schemas["FieldError"]["required"] == ["path", "message"]
    pathways = load_spec(SPECS / "contract" / "plan-definitions.openapi.yaml").document
    conflict = pathways["components"]["schemas"]["PathwayConflictProblem"]["allOf"][1]
    assert conflict["required"] == ["currentVersionId"]  # INTERFACE.md promises it
