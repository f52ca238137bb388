"""Reading recordings: HAR entries become interactions; anything else is a usage error."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from specfake.cli import main
from specfake.errors import SpecfakeError
from specfake.verify import read_recording


def entry(method: str, url: str, status: int, answer: str = "", body: str | None = None):
    request = {"method": method, "url": url, "headers": [{"name": "Accept", "value": "*/*"}]}
    if body is not None:
        request["postData"] = {"mimeType": "application/json", "text": body}
    content = {"mimeType": "application/json; charset=utf-8", "text": answer}
    response = {"status": status, "headers": [{"name": "ETag", "value": '"3"'}], "content": content}
    return {"request": request, "response": response}


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "session.har"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_entries_become_interactions_and_control_requests_are_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, {"log": {"entries": [
        entry("GET", "http://127.0.0.1:4010/__specfake__/state", 200, "{}"),
        entry("patch", "http://127.0.0.1:4010/rows/1?x=2", 200, '{"ok": true}', '{"v": 1}'),
    ]}})  # fmt: skip
    [only] = read_recording(path)
    assert (only.number, only.method, only.target, only.path) == (
        1,
        "PATCH",
        "/rows/1?x=2",
        "/rows/1",
    )
    assert (only.body, only.answer, only.answer_type) == (
        {"v": 1},
        {"ok": True},
        "application/json",
    )
    assert only.answer_headers == {"etag": '"3"'}


@pytest.mark.parametrize(
    ("content", "expected"),
    [("not json", "is not a HAR recording"), ('{"log": {}}', "is not a HAR recording"),
     ('{"log": {"entries": [{"request": {}}]}}', "entry 0 is not a HAR entry")],
)  # fmt: skip
def test_what_is_no_recording_is_a_usage_error(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "bad.har"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SpecfakeError, match=expected):
        read_recording(path)


def test_the_cli_exits_2_on_a_bad_recording_or_id(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "missing.har"
    assert main(["verify", "--url", "http://127.0.0.1:9", "--recording", str(missing)]) == 2
    assert "cannot read recording" in capsys.readouterr().err
    good = write(tmp_path, {"log": {"entries": []}})
    assert main(["verify", "--url", "http://x", "--recording", str(good), "--id", "nope"]) == 2
    assert "write it as OLD=NEW" in capsys.readouterr().err


def test_an_unreachable_server_is_exit_2(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, {"log": {"entries": [
        entry("POST", "http://127.0.0.1:4010/cohort/draft", 200, "{}", "{}"),
    ]}})  # fmt: skip
    assert main(["verify", "--url", "http://127.0.0.1:9", "--recording", str(path)]) == 2
    assert "cannot reach http://127.0.0.1:9" in capsys.readouterr().err


def test_a_base64_response_body_is_decoded(tmp_path: Path) -> None:
    har = entry("GET", "http://h/rows/1", 200)
    har["response"]["content"] = {"mimeType": "application/json", "encoding": "base64",
                                  "text": base64.b64encode(b'{"ok": 1}').decode()}  # fmt: skip
    [only] = read_recording(write(tmp_path, {"log": {"entries": [har]}}))
    assert only.answer == {"ok": 1}
