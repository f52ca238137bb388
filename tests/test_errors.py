"""Problem values: a field's JSON Pointer (RFC 6901) and a problem's JSON body."""

from __future__ import annotations

import pytest

from specfake.errors import FieldError, conflict, json_pointer, validation_failed


@pytest.mark.parametrize(
    ("parts", "pointer"),
    [
        ([], ""),
        (["title"], "/title"),
        (["a/b", "c"], "/a~1b/c"),  # RFC 6901, section 5's examples
        (["m~n"], "/m~0n"),
        (["~1"], "/~01"),  # "~" escaped first: a literal "~1" stays itself
        (["items", "0", ""], "/items/0/"),
    ],
)
def test_json_pointers_escape_tilde_then_slash(parts, pointer):
    assert json_pointer(parts) == pointer


def test_a_problem_body_lists_its_fields_and_extensions():
    errors = [FieldError("body", "/title", "5 is not of type 'string'")]
    assert validation_failed(errors).to_json() == {
        "type": "urn:specfake:problem:validation-failed",
        "title": "Request does not match the spec",
        "status": 422,
        "detail": "1 field failed validation; fix them and send the request again.",
        "errors": [{"in": "body", "path": "/title", "message": "5 is not of type 'string'"}],
    }
    assert conflict("stale", currentVersionId=7).to_json() == {
        "type": "urn:specfake:problem:conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "stale",
        "currentVersionId": 7,
    }
