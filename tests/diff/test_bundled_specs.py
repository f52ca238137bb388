"""``specfake diff`` on the bundled specs: against themselves, against a modified copy, and
against their first committed versions (kept in ``tests/diff/data/``, from commit aa33a0d)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from specfake.cli import main
from specfake.diff import diff_specs
from specfake.resources import bundled_specs
from specfake.spec import load_spec

DATA = Path(__file__).parent / "data"
SPECS = {path.name.split(".")[0]: path for path in bundled_specs()}
RESPONSE = "/components/schemas/UpdateDraftPlanDefinitionResponse"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_a_bundled_spec_against_itself_has_no_changes(name: str, capsys) -> None:
    assert main(["diff", str(SPECS[name]), str(SPECS[name])]) == 0
    assert capsys.readouterr().out.strip().endswith("no changes")


def modified_plan_definitions(tmp_path: Path) -> Path:
    """The served plan-definitions spec with a response field dropped, a status value added
    to responses and an optional request field added."""
    document = yaml.safe_load(SPECS["plan-definitions"].read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    response = schemas["UpdateDraftPlanDefinitionResponse"]
    response["properties"].pop("message")
    response["required"] = [name for name in response.get("required", []) if name != "message"]
    schemas["UpdateDraftPlanDefinitionRequest"]["properties"]["tags"] = {"type": "string"}
    path = tmp_path / "plan-definitions.openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def test_a_modified_copy_names_each_change_and_exits_1(tmp_path: Path, capsys) -> None:
    new = modified_plan_definitions(tmp_path)
    assert main(["diff", str(SPECS["plan-definitions"]), str(new), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    found = {(c["rule"], c["breaking"], c["pointer"]) for c in report["changes"]}
    assert found == {
        ("response-property-removed", True, f"{RESPONSE}/properties/message"),
        ("new-optional-request-property", False,
         "/components/schemas/UpdateDraftPlanDefinitionRequest/properties/tags"),
    }  # fmt: skip
    assert report["breaking"] == 1
    assert all(c["operation"] == "PATCH /v1/plan-definitions/{id}/draft" for c in report["changes"])


def test_text_and_markdown_reports(tmp_path: Path, capsys) -> None:
    new = modified_plan_definitions(tmp_path)
    assert main(["diff", str(SPECS["plan-definitions"]), str(new)]) == 1
    text = capsys.readouterr().out
    operation = "PATCH /v1/plan-definitions/{id}/draft"
    assert f"BREAKING  {operation}: 200 response required field /message removed" in text
    assert text.strip().endswith("1 breaking, 1 non-breaking change(s)")
    assert main(["diff", str(SPECS["plan-definitions"]), str(new), "--format", "markdown"]) == 1
    markdown = capsys.readouterr().out
    assert "| ❌ breaking | PATCH /v1/plan-definitions/{id}/draft |" in markdown
    assert f"`{RESPONSE}/properties/message`" in markdown


def test_against_the_first_committed_cohort_spec() -> None:
    old = load_spec(DATA / "cohort-draft.aa33a0d.openapi.yaml")
    changes = {(c.rule, c.pointer): c for c in diff_specs(old, load_spec(SPECS["cohort-draft"]))}
    # The overlay made the body required and the ids uuids: breaking for old clients.
    assert changes[
        "request-body-became-required", "/paths/~1cohort~1draft/post/requestBody/required"
    ].breaking
    draft_id = "/components/schemas/PatchCohortDraftApiRequest/properties/draft_id/format"
    assert changes["request-format-changed", draft_id].breaking
    # The documented error responses it added and the form_state fields are additions.
    added = changes["response-status-added", "/paths/~1cohort~1draft/post/responses/409"]
    assert not added.breaking


def test_against_the_first_committed_plan_definitions_spec(capsys) -> None:
    old = DATA / "plan-definitions.aa33a0d.openapi.yaml"
    # Since then only the Authorization header parameters went (the security scheme covers
    # them, as OpenAPI says): nothing breaks.
    assert main(["diff", str(old), str(SPECS["plan-definitions"]), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {(c["rule"], c["message"]) for c in report["changes"]} == {
        ("request-parameter-removed", "header parameter Authorization removed"),
    }
    assert len(report["changes"]) == 2  # on both operations


def test_a_file_that_is_not_a_spec_is_a_usage_error(tmp_path: Path, capsys) -> None:
    other = tmp_path / "notes.yaml"
    other.write_text("just: notes\n", encoding="utf-8")
    assert main(["diff", str(SPECS["cohort-draft"]), str(other)]) == 2
    assert "not an OpenAPI 3.0/3.1 document" in capsys.readouterr().err
