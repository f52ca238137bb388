"""``response_errors``: every way an answer breaks its documented response, each named."""

from __future__ import annotations

import pytest

from specfake.errors import FieldError
from specfake.pipeline.outcome import Outcome
from specfake.pipeline.response_check import response_errors
from specfake.spec import compile_operations, load_spec

SPEC = """
openapi: 3.1.0
info: {title: Responses, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: the thing
          headers:
            ETag: {required: true, schema: {type: string, pattern: '^"[0-9]+"$'}}
            X-Rate-Limit: {schema: {type: integer, minimum: 0}}
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties: {id: {type: string}, size: {type: integer}}
        "404":
          description: none
          content:
            application/problem+json:
              schema: {type: object, required: [title], properties: {title: {type: string}}}
        "204": {description: gone}
"""


@pytest.fixture(scope="module")
def operation(tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "responses.openapi.yaml"
    path.write_text(SPEC)
    (compiled,) = compile_operations(load_spec(path))
    return compiled


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (Outcome(200, {"id": "a"}, headers={"ETag": '"3"'}), []),
        (Outcome(200, {"id": "a"}, headers={"etag": '"3"', "x-rate-limit": "5"}), []),
        (Outcome(404, {"title": "no"}, "application/problem+json"), []),
        (Outcome(204, None), []),
        (
            Outcome(200, {"id": "a"}),
            [FieldError("header", "ETag", "required response header missing")],
        ),
        (
            Outcome(200, {"id": "a"}, headers={"ETag": "3"}),
            [FieldError("header", "ETag", '"3" does not match "^"[0-9]+"$"')],
        ),
        (
            Outcome(200, {"id": "a"}, headers={"ETag": '"3"', "X-Rate-Limit": "many"}),
            [FieldError("header", "X-Rate-Limit", '"many" is not of type "integer"')],
        ),
        (
            Outcome(200, {"size": "big"}, headers={"ETag": '"3"'}),
            [FieldError("body", "/id", '"id" is a required property'),
             FieldError("body", "/size", '"big" is not of type "integer"')],
        ),
        (
            Outcome(404, {"title": "no"}),
            [FieldError("header", "Content-Type",
                        "application/json is not documented (application/problem+json)")],
        ),
        (
            Outcome(500, {"title": "boom"}),
            [FieldError("body", "", "status 500 is not documented (200, 204, 404)")],
        ),
    ],
)  # fmt: skip
def test_each_breach_is_named(operation, outcome, expected):
    assert response_errors(operation, outcome) == expected
