"""A new user's typed client: types generated from each bundled served spec with
openapi-typescript, a client on openapi-fetch with one global ``Authorization`` header, strict
TypeScript 5 (``tsc --noEmit --strict``), then compiled and run against the fake.

It compiles only because the served specs declare no ``Authorization`` header parameter
beside their bearer security (the importer drops it, ``without_ignored_headers``): with one,
every call must pass that header itself, as the control case below shows. The npm packages
come from ``npm install --no-save`` in the checkout (``.ci/run`` does it); without them the
test skips on a developer's machine and fails under ``CI=true``.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import DOCS_PATHWAY, ROOT, SPECS
from tests.servers import running_server

NODE_MODULES = ROOT / "node_modules"
NEEDED = ["openapi-typescript", "openapi-fetch", "typescript", "@types/node"]
INSTALL = ("npm install --no-save openapi-typescript@7 openapi-fetch@0.17 typescript@5 "
           "@types/node@20")

CLIENT = """\
import createClient from "openapi-fetch";
import type { paths as PlanPaths } from "./plan-definitions.js";
import type { paths as CohortPaths } from "./cohort-draft.js";

const baseUrl = process.argv[2] ?? "http://127.0.0.1:4010";
const headers = { Authorization: "Bearer dev" }; // once, for every call
const plans = createClient<PlanPaths>({ baseUrl, headers });
const cohorts = createClient<CohortPaths>({ baseUrl, headers });
const id = "%(pathway)s";

const updated = await plans.PATCH("/v1/plan-definitions/{id}/draft", {
  params: { path: { id } },
  body: { expectedVersionId: 7 },
});
const version: number | undefined = updated.data?.data.versionId;
const stale = await plans.PATCH("/v1/plan-definitions/{id}/draft", {
  params: { path: { id } },
  body: { expectedVersionId: 7 },
});
const published = await plans.POST("/v1/plan-definitions/{id}/publish", {
  params: { path: { id } },
});
const status: string | undefined = published.data?.data.status;
const cohort = await cohorts.POST("/cohort/draft", {
  body: {
    name: "Typed cohort", departments: ["Cardiology"], active: true, idempotency_key: "ts-1",
  },
});
const draftId: string | undefined = cohort.data?.draft_id;

console.log(JSON.stringify({
  updated: [updated.response.status, version],
  stale: [stale.response.status, stale.error],
  published: [published.response.status, status],
  cohort: [cohort.response.status, draftId],
}));
"""

TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "target": "es2022",
        "module": "nodenext",
        "moduleResolution": "nodenext",
        "types": ["node"],
        "outDir": "out",
    },
    "files": ["client.ts"],
}


def _tools() -> Path:
    missing = [name for name in NEEDED if not (NODE_MODULES / name / "package.json").exists()]
    if missing:
        reason = f"{', '.join(missing)} not installed ({INSTALL})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; .ci/run installs them")
        pytest.skip(reason)
    return NODE_MODULES / ".bin"


def _run(command: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True,
                          text=True, timeout=180)  # fmt: skip


def _project(tmp_path: Path, specs: dict[str, Path]) -> Path:
    """A TypeScript project in ``tmp_path``: the types of ``specs`` and the client."""
    bin_dir = _tools()
    for name, spec in specs.items():
        generated = _run([bin_dir / "openapi-typescript", spec, "-o", f"{name}.d.ts"], tmp_path)
        assert generated.returncode == 0, generated.stderr
    (tmp_path / "node_modules").symlink_to(NODE_MODULES)
    (tmp_path / "package.json").write_text('{"type": "module"}\n')
    (tmp_path / "tsconfig.json").write_text(json.dumps(TSCONFIG))
    (tmp_path / "client.ts").write_text(CLIENT % {"pathway": DOCS_PATHWAY})
    return bin_dir


BUNDLED = {name: SPECS / f"{name}.openapi.yaml" for name in ("plan-definitions", "cohort-draft")}


@pytest.mark.e2e
def test_a_strict_typed_client_compiles_and_runs_against_the_fake(tmp_path: Path):
    bin_dir = _project(tmp_path, BUNDLED)
    checked = _run([bin_dir / "tsc", "--noEmit", "--strict", "-p", "tsconfig.json"], tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for name in BUNDLED:  # the generated types have no header parameters at all
        assert "header?: never;" in (tmp_path / f"{name}.d.ts").read_text()
        assert "Authorization" not in (tmp_path / f"{name}.d.ts").read_text().split(
            "export interface operations")[1]  # fmt: skip
    emitted = _run([bin_dir / "tsc", "--noCheck", "-p", "tsconfig.json"], tmp_path)  # checked
    assert emitted.returncode == 0, emitted.stdout
    with running_server("--no-watch") as url:
        ran = _run(["node", tmp_path / "out" / "client.js", url], tmp_path)
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert result["updated"] == [200, 8]
    assert result["stale"][0] == 409 and result["stale"][1]["currentVersionId"] == 8
    assert result["published"] == [200, "active"]
    assert result["cohort"][0] == 200 and result["cohort"][1]


def test_a_spec_declaring_authorization_as_a_header_parameter_does_not_compile(tmp_path: Path):
    """The control case: the docs pages' ``Authorization`` parameter put back."""
    document = yaml.safe_load(BUNDLED["plan-definitions"].read_text())
    operation = document["paths"]["/v1/plan-definitions/{id}/draft"]["patch"]
    operation["parameters"].append({"name": "Authorization", "in": "header", "required": True,
                                    "schema": {"type": "string"}})  # fmt: skip
    declared = tmp_path / "spec" / "plan-definitions.openapi.yaml"
    declared.parent.mkdir()
    declared.write_text(yaml.safe_dump(document, sort_keys=False))
    project = tmp_path / "client"
    project.mkdir()
    bin_dir = _project(project, {**BUNDLED, "plan-definitions": declared})
    checked = _run([bin_dir / "tsc", "--noEmit", "--strict", "-p", "tsconfig.json"], project)
    assert checked.returncode != 0
    assert "header" in checked.stdout and "client.ts" in checked.stdout
