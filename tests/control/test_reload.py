"""``POST /__specfake__/reload``: a new world swapped in whole, the state kept; a broken file
refused with a 422 naming it while the old world keeps answering. In process."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import yaml

from specfake import ServerConfig
from specfake.importer import manifest_outputs
from tests.asgi import in_process
from tests.conftest import AUTH, DOCS_PATHWAY, FIXTURES, SPECS

DRAFT = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"
TITLE_AT_MOST_10 = """
  - target: $.components.schemas.UpdateDraftPlanDefinitionRequest.properties.title
    description: added while the server runs
    update:
      maxLength: 10
"""


def copied_specs(tmp_path: Path) -> Path:
    """The bundled specs' sources, overlays and manifest, to edit."""
    target = tmp_path / "specs"
    shutil.copytree(SPECS, target, ignore=shutil.ignore_patterns("*.openapi.yaml"))
    return target / "manifest.yaml"


def test_an_overlay_edited_under_the_running_server_holds_after_reload_with_state_kept(
    tmp_path,
):
    manifest = copied_specs(tmp_path)
    config = ServerConfig(specs=manifest_outputs(manifest), manifest=manifest, fixtures=FIXTURES)

    async def scenario():
        async with in_process(config) as served:
            client = served.client
            first = await client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7})
            assert first.json()["data"]["versionId"] == 8
            long_title = {"expectedVersionId": 8, "title": "Longer than ten"}
            assert (await client.patch(DRAFT, headers=AUTH, json=long_title)).status_code == 200
            overlay = manifest.parent / "overlays" / "plan-definitions.overlay.yaml"
            overlay.write_text(overlay.read_text() + TITLE_AT_MOST_10)
            assert (await client.post("/__specfake__/reload")).status_code == 204
            refused = await client.patch(
                DRAFT, headers=AUTH, json={**long_title, "expectedVersionId": 9}
            )
            kept = await client.patch(
                DRAFT, headers=AUTH, json={"expectedVersionId": 9, "title": "Short"}
            )
            return refused, kept

    refused, kept = asyncio.run(scenario())
    assert refused.status_code == 422
    assert [error["path"] for error in refused.json()["errors"]] == ["/title"]
    assert kept.status_code == 200 and kept.json()["data"]["versionId"] == 10  # state kept


def test_a_spec_with_a_yaml_syntax_error_is_refused_naming_the_file_and_the_old_world_answers(
    tmp_path,
):
    spec = tmp_path / "plan-definitions.openapi.yaml"
    shutil.copy(SPECS / "plan-definitions.openapi.yaml", spec)
    config = ServerConfig(specs=[spec], fixtures=FIXTURES)

    async def scenario():
        async with in_process(config) as served:
            spec.write_text("openapi: 3.1.0\npaths: [unclosed\n")
            refused = await served.client.post("/__specfake__/reload")
            answer = await served.client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7})
            return refused, answer

    refused, answer = asyncio.run(scenario())
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["file"] == str(spec)
    assert "not valid YAML" in problem["detail"] and "line 2" in problem["detail"]
    assert answer.status_code == 200 and answer.json()["data"]["versionId"] == 8


def test_a_fixture_error_names_the_file_and_field(tmp_path):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, fixtures)
    config = ServerConfig(specs=sorted(SPECS.glob("*.openapi.yaml")), fixtures=fixtures)

    async def scenario():
        async with in_process(config) as served:
            rows = yaml.safe_load((fixtures / "pathways.yaml").read_text())
            rows["pathways"][1]["versionId"] = "eight"
            (fixtures / "pathways.yaml").write_text(yaml.safe_dump(rows))
            return await served.client.post("/__specfake__/reload")

    problem = asyncio.run(scenario()).json()
    assert problem["status"] == 422
    assert problem["file"] == str(fixtures / "pathways.yaml")
    assert problem["pointer"] == "/pathways/1/versionId"


def spec_answering(kind: str) -> dict:
    """A spec whose one operation answers ``{"kind": kind}`` and documents only that value."""
    schema = {"type": "object", "required": ["kind"], "properties": {"kind": {"const": kind}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": f"world {kind}", "version": "1"},
        "paths": {
            "/kind": {
                "get": {
                    "operationId": "kind",
                    "responses": {
                        "200": {
                            "description": "which world answered",
                            "content": {
                                "application/json": {"schema": schema, "example": {"kind": kind}}
                            },
                        }
                    },
                }
            }
        },
    }


def test_requests_racing_reloads_are_each_answered_wholly_by_one_world(tmp_path):
    """Each world validates its answers against its own spec, so an answer made by one world's
    operation and checked or routed by the other's would be a 500; none is."""
    spec = tmp_path / "kind.openapi.yaml"
    worlds = {kind: yaml.safe_dump(spec_answering(kind)) for kind in ("a", "b")}
    spec.write_text(worlds["a"])
    config = ServerConfig(specs=[spec])

    async def scenario():
        async with in_process(config) as served:
            client = served.client
            before = (await client.get("/kind")).json()["kind"]
            done = asyncio.Event()

            async def keep_asking() -> list[tuple[int, object]]:
                answers = []
                while not done.is_set():
                    response = await client.get("/kind")
                    answers.append((response.status_code, response.json()))
                    await asyncio.sleep(0)  # in process nothing else yields: let the reload run
                return answers

            async def reload_back_and_forth() -> None:
                for kind in ("b", "a", "b", "a", "b", "a", "b"):
                    spec.write_text(worlds[kind])
                    assert (await client.post("/__specfake__/reload")).status_code == 204
                    await asyncio.sleep(0.005)
                done.set()

            *answered, _ = await asyncio.gather(*(keep_asking() for _ in range(8)),
                                                reload_back_and_forth())  # fmt: skip
            after = (await client.get("/kind")).json()["kind"]
            return before, [answer for answers in answered for answer in answers], after

    before, answers, after = asyncio.run(scenario())
    assert (before, after) == ("a", "b")
    assert len(answers) > 50
    assert {status for status, _ in answers} == {200}
    assert {body["kind"] for _, body in answers} <= {"a", "b"}


def test_warnings_list_nothing_for_clean_specs():
    config = ServerConfig(specs=sorted(SPECS.glob("*.openapi.yaml")), fixtures=FIXTURES)

    async def scenario():
        async with in_process(config) as served:
            return await served.client.get("/__specfake__/warnings")

    assert asyncio.run(scenario()).json() == {"warnings": []}
