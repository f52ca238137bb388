"""The pathway fake over HTTP: optimistic locking, publish, atomicity, fixtures, state."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import AUTH, DOCS_PATHWAY, FIXTURES
from tests.servers import running_server

ACTIVE = "9b8e7d6c-5a4b-4f3e-9d2c-1b0a9f8e7d6c"
RETIRED = "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def patch(server, pathway_id, body):
    return server.patch(f"/v1/plan-definitions/{pathway_id}/draft", json=body, headers=AUTH)


def publish(server, pathway_id):
    return server.post(f"/v1/plan-definitions/{pathway_id}/publish", headers=AUTH)


def row(server, pathway_id):
    rows = server.get("/__specfake__/state").json()["pathways"]
    return next(r for r in rows if r["id"] == pathway_id)


def test_docs_example_sequence_verbatim(server, assert_conforms):
    updated = patch(server, DOCS_PATHWAY, {"expectedVersionId": 7})
    assert updated.status_code == 200
    body = updated.json()
    assert body["message"] == "Draft updated successfully"
    assert {k: v for k, v in body["data"].items() if k != "lastUpdated"} == {
        "id": DOCS_PATHWAY,
        "versionId": 8,
        "status": "draft",
    }
    assert TIMESTAMP.match(body["data"]["lastUpdated"])
    assert_conforms("update-draft", updated)

    published = publish(server, DOCS_PATHWAY)
    assert published.status_code == 200
    body = published.json()
    assert body["message"] == "Pathway published successfully"
    assert body["data"]["versionId"] == 9 and body["data"]["status"] == "active"
    assert TIMESTAMP.match(body["data"]["publishedAt"])
    assert_conforms("publish", published)


@pytest.mark.parametrize("stale_or_ahead", [6, 8, 70, 7.5, 0])
def test_other_expected_version_is_409_with_current_version_and_changes_nothing(
    server, assert_conforms, stale_or_ahead
):
    before = row(server, DOCS_PATHWAY)
    response = patch(server, DOCS_PATHWAY, {"expectedVersionId": stale_or_ahead, "title": "X"})
    assert response.status_code == 409
    assert response.json()["currentVersionId"] == 7
    assert_conforms("update-draft", response)
    assert row(server, DOCS_PATHWAY) == before


def test_published_row_refuses_edits_and_a_second_publish(server, assert_conforms):
    assert publish(server, DOCS_PATHWAY).status_code == 200
    after_publish = row(server, DOCS_PATHWAY)
    for response in (
        patch(server, DOCS_PATHWAY, {"expectedVersionId": 8, "title": "again"}),
        patch(server, DOCS_PATHWAY, {"expectedVersionId": 7}),
        publish(server, DOCS_PATHWAY),
    ):
        assert response.status_code == 409
        assert response.json()["currentStatus"] == "active"
        assert response.json()["currentVersionId"] == 8
        assert_conforms(
            "publish" if response.request.method == "POST" else "update-draft", response
        )
    assert row(server, DOCS_PATHWAY) == after_publish


@pytest.mark.parametrize("pathway_id", [ACTIVE, RETIRED])
def test_active_and_retired_rows_are_not_editable(server, pathway_id):
    current = row(server, pathway_id)["versionId"]
    assert patch(server, pathway_id, {"expectedVersionId": current}).status_code == 409
    assert publish(server, pathway_id).status_code == 409


def test_publish_keeps_the_published_content_for_pinned_sessions(server):
    patch(server, DOCS_PATHWAY, {"expectedVersionId": 7, "title": "Knee MRI v8"})
    publish(server, DOCS_PATHWAY)
    published = row(server, DOCS_PATHWAY)
    assert published["publishedVersions"][-1]["versionId"] == 9
    assert published["publishedVersions"][-1]["title"] == "Knee MRI v8"
    assert published["publishedVersions"][-1]["decisionTree"]["root"] == "age-check"
    assert len(row(server, ACTIVE)["publishedVersions"]) == 2


def test_title_only_patch_preserves_description_and_decision_tree(server):
    before = row(server, DOCS_PATHWAY)
    assert patch(server, DOCS_PATHWAY, {"expectedVersionId": 7, "title": "New"}).status_code == 200
    after = row(server, DOCS_PATHWAY)
    assert after["title"] == "New"
    assert after["description"] == before["description"]
    assert after["decisionTree"] == before["decisionTree"]
    assert after["versionId"] == 8


def test_decision_tree_is_replaced_whole_and_stored_as_given(server):
    tree = {"root": "n", "nodes": {"n": {"outcome": "covered", "weights": [0.5, None, True]}}}
    patch(server, DOCS_PATHWAY, {"expectedVersionId": 7, "decisionTree": tree})
    assert row(server, DOCS_PATHWAY)["decisionTree"] == tree


def test_each_accepted_patch_raises_the_version_by_one(server):
    for version in range(7, 12):
        response = patch(server, DOCS_PATHWAY, {"expectedVersionId": version})
        assert response.json()["data"]["versionId"] == version + 1


def test_unknown_id_is_404(server, assert_conforms):
    for response in (patch(server, "no-such-pathway", {"expectedVersionId": 1}),
                     publish(server, "no-such-pathway")):  # fmt: skip
        assert response.status_code == 404
        assert "no-such-pathway" in response.json()["detail"]


def test_invalid_body_is_422_and_changes_nothing(server):
    before = row(server, DOCS_PATHWAY)
    response = patch(
        server, DOCS_PATHWAY, {"expectedVersionId": 7, "title": ["not", "a", "string"]}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "/title"
    assert row(server, DOCS_PATHWAY) == before


def test_64_concurrent_patches_with_one_expected_version_exactly_one_wins(bundled_server, server):
    async def race() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=64)
        async with httpx.AsyncClient(base_url=bundled_server, limits=limits, timeout=30) as client:
            return await asyncio.gather(
                *(
                    client.patch(
                        f"/v1/plan-definitions/{DOCS_PATHWAY}/draft",
                        json={"expectedVersionId": 7, "title": f"writer {n}"},
                        headers=AUTH,
                    )
                    for n in range(64)
                )
            )

    responses = asyncio.run(race())
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [409] * 63
    winner = next(r for r in responses if r.status_code == 200)
    final = row(server, DOCS_PATHWAY)
    assert final["versionId"] == 8
    assert final["title"] == f"writer {responses.index(winner)}"
    assert all(r.json()["currentVersionId"] == 8 for r in responses if r.status_code == 409)


def test_reset_restores_the_fixtures(server):
    fixture = yaml.safe_load((FIXTURES / "pathways.yaml").read_text())["pathways"]
    patch(server, DOCS_PATHWAY, {"expectedVersionId": 7})
    publish(server, DOCS_PATHWAY)
    assert server.post("/__specfake__/reset").status_code == 204
    assert server.get("/__specfake__/state").json()["pathways"] == fixture


def test_put_state_replaces_it_and_get_returns_the_same_format(server):
    state = server.get("/__specfake__/state").json()
    state["pathways"] = [dict(state["pathways"][0], versionId=41, title="Put")]
    assert server.put("/__specfake__/state", json=state).status_code == 204
    assert server.get("/__specfake__/state").json()["pathways"] == state["pathways"]
    assert patch(server, DOCS_PATHWAY, {"expectedVersionId": 41}).status_code == 200
    assert patch(server, ACTIVE, {"expectedVersionId": 5}).status_code == 404


def test_put_invalid_state_is_422_naming_the_field_and_changes_nothing(server):
    before = server.get("/__specfake__/state").json()
    bad = {**before, "pathways": [dict(before["pathways"][0], status="deleted")]}
    response = server.put("/__specfake__/state", json=bad)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "/pathways/0/status"
    json_type = {"Content-Type": "application/json"}
    assert server.put("/__specfake__/state", content=b"{", headers=json_type).status_code == 400
    assert server.get("/__specfake__/state").json() == before


def test_invalid_fixture_file_is_a_startup_error_naming_file_and_field(tmp_path: Path):
    rows = yaml.safe_load((FIXTURES / "pathways.yaml").read_text())
    rows["pathways"][1]["versionId"] = "two"
    (tmp_path / "pathways.yaml").write_text(yaml.safe_dump(rows))
    spec = Path(__file__).parents[2] / "specs/plan-definitions.openapi.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "specfake", "serve", str(spec), "--fixtures", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "pathways.yaml: invalid fixture" in result.stderr
    assert "/pathways/1/versionId" in result.stderr


def test_subset_of_specs_with_the_bundled_fixtures_serves_and_ignores_other_sections():
    spec = Path(__file__).parents[2] / "specs/plan-definitions.openapi.yaml"
    with running_server(spec, "--fixtures", FIXTURES) as url:
        state = httpx.get(f"{url}/__specfake__/state").json()
    assert list(state) == ["pathways"]


def test_put_state_refused_by_one_fake_leaves_every_fake_unchanged(server):
    before = server.get("/__specfake__/state").json()
    broken = {
        **before,
        "pathways": [],
        "cohort_drafts": [{**before["cohort_drafts"][0], "department_ids": [str(uuid.uuid4())]}],
    }
    response = server.put("/__specfake__/state", json=broken)
    assert response.status_code == 422, response.text
    assert server.get("/__specfake__/state").json() == before
