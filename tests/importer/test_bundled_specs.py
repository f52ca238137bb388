"""The committed specs are exactly what the docs pages + overlays generate, and are valid."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from specfake.importer import regenerate
from tests.conftest import SPECS

BUNDLED = sorted(SPECS.glob("*.openapi.yaml"))
WITH_CONTRACTS = BUNDLED + sorted((SPECS / "contract").glob("*.openapi.yaml"))


def _name(path: Path) -> str:
    return str(path.relative_to(SPECS))


def test_both_bundled_specs_exist():
    assert [path.name for path in BUNDLED] == [
        "cohort-draft.openapi.yaml",
        "plan-definitions.openapi.yaml",
    ]


def test_committed_specs_match_their_sources_byte_for_byte():
    for path, text in regenerate(SPECS / "manifest.yaml").items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} drifted from specs/sources + specs/overlays; "
            "run: specfake import-docs --manifest specs/manifest.yaml"
        )


def test_cli_reproduces_a_spec_from_its_pages(tmp_path: Path):
    out = tmp_path / "plan-definitions.openapi.yaml"
    command = [
        sys.executable, "-m", "specfake", "import-docs",
        str(SPECS / "sources/plan-definitions-update-draft.md"),
        str(SPECS / "sources/plan-definitions-publish.md"),
        "--overlay", str(SPECS / "overlays/problems.overlay.yaml"),
        "--overlay", str(SPECS / "overlays/plan-definitions.overlay.yaml"),
        "--out", str(out),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    assert out.read_bytes() == (SPECS / "plan-definitions.openapi.yaml").read_bytes()


def test_manifest_check_fails_on_drift(tmp_path: Path):
    copy = tmp_path / "specs"
    shutil.copytree(SPECS, copy)
    spec = copy / "plan-definitions.openapi.yaml"
    spec.write_text(spec.read_text() + "# edited by hand\n")
    command = [sys.executable, "-m", "specfake", "import-docs", "--manifest",
               str(copy / "manifest.yaml"), "--check"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 1
    assert "plan-definitions.openapi.yaml differs from its sources" in result.stderr


@pytest.mark.parametrize("path", WITH_CONTRACTS, ids=_name)
def test_spec_passes_openapi_spec_validator(path: Path):
    document = yaml.safe_load(path.read_text())
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_plan_definitions_body_is_required_and_auth_declared():
    document = yaml.safe_load((SPECS / "plan-definitions.openapi.yaml").read_text())
    patch = document["paths"]["/v1/plan-definitions/{id}/draft"]["patch"]
    assert patch["requestBody"]["required"] is True
    assert document["security"] == [{"auth0Bearer": []}]
    assert patch["responses"]["200"]["links"]["PublishTheDraft"]["operationId"] == "publish"


def test_cohort_page_declares_no_security():
    document = yaml.safe_load((SPECS / "cohort-draft.openapi.yaml").read_text())
    assert "security" not in document
    assert "security" not in document["paths"]["/cohort/draft"]["post"]
    assert "app__infra__cohort__types__DraftFormState" in document["components"]["schemas"]


def _spectral() -> list[str] | None:
    local = Path(__file__).resolve().parents[2] / "node_modules/.bin/spectral"
    if local.exists():
        return [str(local)]
    found = shutil.which("spectral")
    return [found] if found else None


@pytest.mark.parametrize("path", WITH_CONTRACTS, ids=_name)
def test_spec_passes_spectral_oas_with_zero_errors(path: Path, tmp_path: Path):
    spectral = _spectral()
    if spectral is None:
        pytest.skip("Spectral is not installed (.ci/run installs it with npm when Node is present)")
    ruleset = tmp_path / ".spectral.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n')
    result = subprocess.run(
        [*spectral, "lint", str(path), "--ruleset", str(ruleset), "--format", "json", "--quiet"],
        capture_output=True,
        text=True,
    )
    output = result.stdout.strip()
    findings = json.loads(output[output.index("[") :]) if "[" in output else []
    errors = [f for f in findings if f.get("severity") == 0]
    assert not errors, json.dumps(errors, indent=1)


def test_manifest_check_says_what_regenerating_would_break(tmp_path: Path):
    copy = tmp_path / "specs"
    shutil.copytree(SPECS, copy)
    spec = copy / "plan-definitions.openapi.yaml"
    document = yaml.safe_load(spec.read_text())
    publish = document["paths"]["/v1/plan-definitions/{id}/publish"]["post"]
    publish["responses"]["410"] = {"description": "documented by hand, not by the sources"}
    spec.write_text(yaml.safe_dump(document, sort_keys=False))
    command = [sys.executable, "-m", "specfake", "import-docs", "--manifest",
               str(copy / "manifest.yaml"), "--check"]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 1
    assert "regenerating it would break clients (1 change(s))" in result.stderr
    pointer = "/paths/~1v1~1plan-definitions~1{id}~1publish/post/responses/410"
    assert (
        "POST /v1/plan-definitions/{id}/publish: documented 410 response removed "
        f"(response-status-removed at {pointer})"
    ) in result.stderr
