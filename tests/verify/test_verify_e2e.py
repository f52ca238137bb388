"""``specfake verify`` end to end: a session recorded against a real ``specfake serve`` (HAR
export), replayed against a second, fresh one, against an independent implementation of the
docs pages and against the fake with planted faults."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from specfake.cli import main
from tests.conftest import AUTH, DOCS_PATHWAY, SPECS
from tests.servers import running_faulty_server, running_server, running_test_server
from tests.verify.independent_server import SANDBOX

pytestmark = pytest.mark.e2e
DRAFT = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"
PUBLISH = f"/v1/plan-definitions/{DOCS_PATHWAY}/publish"
SAME_ID = f"{DOCS_PATHWAY}={DOCS_PATHWAY}"


def record_session(client: httpx.Client) -> None:
    """What a frontend does: edit a draft twice, hit a stale version, publish, try to edit
    the published row, then create a cohort draft and rename it by the id it got."""
    assert client.patch(DRAFT, json={"expectedVersionId": 7, "title": "T"}).status_code == 200
    assert client.patch(DRAFT, json={"expectedVersionId": 8}).status_code == 200
    assert client.patch(DRAFT, json={"expectedVersionId": 8}).status_code == 409
    assert client.post(PUBLISH).status_code == 200
    assert client.patch(DRAFT, json={"expectedVersionId": 10}).status_code == 409
    created = client.post("/cohort/draft", json={
        "name": "Spring residents", "departments": ["Cardiology"], "active": True,
        "idempotency_key": "create-1",
    })  # fmt: skip
    assert created.status_code == 200
    renamed = client.post("/cohort/draft", json={
        "draft_id": created.json()["draft_id"], "name": "Summer residents",
        "idempotency_key": "rename-1",
    })  # fmt: skip
    assert renamed.status_code == 200


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("verify") / "session.har"
    with running_server() as url, httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
        record_session(client)
        har = client.get("/__specfake__/requests", params={"format": "har"})
        path.write_text(har.text, encoding="utf-8")
    return path


@pytest.fixture
def fresh(bundled_server: str) -> Iterator[str]:
    """The session's bundled server, back at its fixtures and with an empty journal."""
    assert httpx.post(f"{bundled_server}/__specfake__/reset").status_code == 204
    assert httpx.delete(f"{bundled_server}/__specfake__/requests").status_code == 204
    yield bundled_server


def verify(url: str, recording: Path, *extra: str) -> int:
    return main(["verify", "--url", url, "--recording", str(recording), *extra])


def journal(url: str) -> list[dict]:
    return httpx.get(f"{url}/__specfake__/requests").json()["requests"]


def test_a_fresh_fake_behaves_as_recorded(fresh: str, recording: Path, capsys) -> None:
    assert verify(fresh, recording, "--id", SAME_ID) == 0
    out = capsys.readouterr().out
    assert "7 interaction(s) replayed, 0 with differences" in out
    # The rename went to the draft id the fresh server assigned, not the recorded one.
    bodies = [entry for entry in journal(fresh) if entry["path"] == "/cohort/draft"]
    assert [entry["status"] for entry in bodies] == [200, 200]


def test_an_independent_server_with_other_ids_times_and_messages_passes(
    recording: Path, capsys
) -> None:
    with running_test_server("tests.verify.independent_server") as url:
        assert verify(url, recording, "--id", f"{DOCS_PATHWAY}={SANDBOX}") == 0
    out = capsys.readouterr().out
    # Its sandbox row starts at version 41, learnt from the first conflict.
    assert "start state learnt from a 409: the server's version is 41 where the recording's " \
           "was 7; sent again" in out  # fmt: skip
    assert "0 with differences" in out


@pytest.mark.parametrize(
    ("fault", "interaction", "field", "message"),
    [
        ("bump-version-by-two", "#1 PATCH", "/data/versionId",
         "the recording went 7 → 8 (+1), the server 7 → 9 (+2); expected 8"),
        ("edit-published-rows", "#5 PATCH", "status", "recorded 409, real 200"),
        ("drop-required-field", "#1 PATCH", "/message",
         "documented field missing from the real answer"),
    ],
)  # fmt: skip
def test_a_faulty_server_is_caught_with_interaction_and_field_named(
    recording: Path, tmp_path: Path, capsys, fault: str, interaction: str, field: str, message: str
) -> None:
    report = tmp_path / "verify.xml"
    with running_faulty_server(fault) as url:
        assert verify(url, recording, "--id", SAME_ID, "--junit", str(report)) == 1
    lines = capsys.readouterr().out.splitlines()
    flagged = next(i for i, line in enumerate(lines) if f"DIFF  {interaction} " in line)
    assert f"          {field}: {message}" in lines[flagged + 1:]
    cases = ElementTree.parse(report).getroot().findall("testcase")
    assert len(cases) == 7
    failed = [case for case in cases if case.find("failure") is not None]
    assert failed[0].get("name").startswith(interaction)
    assert f"{field}: {message}" in failed[0].find("failure").text


def test_dry_run_sends_nothing(fresh: str, recording: Path, capsys) -> None:
    assert verify(fresh, recording, "--id", SAME_ID, "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"#1 PATCH {fresh}{DRAFT}" in out
    assert '{"expectedVersionId": 7, "title": "T"}' in out
    assert journal(fresh) == []


def test_ids_the_recording_did_not_create_are_refused_unless_named(
    fresh: str, recording: Path, capsys
) -> None:
    assert verify(fresh, recording) == 2
    error = capsys.readouterr().err
    assert f"ids it did not create: {DOCS_PATHWAY} (#1 PATCH {DRAFT})" in error
    assert "--id OLD=NEW" in error
    assert journal(fresh) == []  # refused before anything was sent


def test_a_server_that_differs_only_where_the_docs_are_silent_passes(
    recording: Path, capsys
) -> None:
    """Judged by the contract spec (the default), a server without specfake's own choices
    (other problem bodies, a sparser form_state) behaves as recorded; judged by the served
    spec, the choices it lacks are named."""
    served = [str(path) for path in sorted(SPECS.glob("*.openapi.yaml"))]
    with running_test_server("tests.contract.other_choices_server") as url:
        assert verify(url, recording, "--id", SAME_ID) == 0
        capsys.readouterr()
        assert verify(url, recording, *served, "--id", SAME_ID) == 1
    out = capsys.readouterr().out
    assert "/form_state/status: documented field missing from the real answer" in out
    assert "/currentStatus: documented field missing from the real answer" in out


def test_a_schemathesis_har_report_replays_too(fresh: str, tmp_path: Path, capsys) -> None:
    """``schemathesis run --report har`` writes the same format: its run replays against a
    server back at the same start."""
    command = [
        sys.executable, "-m", "schemathesis.cli", "run",
        str(SPECS / "plan-definitions.openapi.yaml"), "--url", fresh,
        "-H", "Authorization: Bearer dev", "--phases", "examples",
        "--report", "har", "--report-dir", str(tmp_path),
    ]  # fmt: skip
    subprocess.run(command, cwd=tmp_path, capture_output=True, timeout=300, check=False)
    [report] = tmp_path.glob("har-*.json")
    assert httpx.post(f"{fresh}/__specfake__/reset").status_code == 204
    assert verify(fresh, report, "--id", SAME_ID) == 0
    out = capsys.readouterr().out
    assert "#1 PATCH /v1/plan-definitions/" in out and "0 with differences" in out
