"""``render``: how an outcome becomes the HTTP response."""

from __future__ import annotations

import json

from specfake.pipeline.outcome import Outcome
from specfake.pipeline.render import render


def test_bodies_render_as_compact_utf8_json():
    response = render(Outcome(200, {"name": "Émilie", "ids": [1, 2.5, None]}, "application/json"))
    assert response.body == '{"name":"Émilie","ids":[1,2.5,null]}'.encode()
    assert response.headers["content-type"] == "application/json"


def test_values_orjson_refuses_still_render_exactly():
    body = {"big": 2**70, "negative": -(2**64), 3: "non-string key"}
    response = render(Outcome(200, body, "application/json"))
    assert json.loads(response.body) == {"big": 2**70, "negative": -(2**64), "3": "non-string key"}


def test_an_outcome_without_a_body_has_none():
    response = render(Outcome(204, None, None, {"ETag": '"7"'}))
    assert response.body == b""
    assert response.headers["etag"] == '"7"'
