"""``render``: how an outcome becomes the HTTP response."""

from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.responses import Response

from specfake.errors import PROBLEM_CONTENT_TYPE
from specfake.pipeline.body import is_json_media
from specfake.pipeline.outcome import Outcome
from specfake.pipeline.render import render, response_headers, to_json


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


_MEDIA_TYPES = [None, "application/json", "application/problem+json", "text/plain",
                "text/html; charset=latin-1", "text/csv;CHARSET=utf-8", "image/png"]  # fmt: skip
_HEADER_SETS = [{}, {"ETag": '"7"'}, {"Content-Type": "application/xml"},
                {"content-length": "3", "X-Ünicode": "café"}, {"WWW-Authenticate": "Bearer"},
                {"Location": "/things/1", "Content-Length": "0"}]  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(
    status=st.sampled_from([100, 101, 199, 200, 201, 204, 206, 304, 400, 409, 500, 599]),
    body=st.binary(max_size=40),
    media_type=st.sampled_from(_MEDIA_TYPES),
    headers=st.sampled_from(_HEADER_SETS),
)
def test_response_headers_are_those_starlette_builds(status, body, media_type, headers):
    """The header list built directly is Starlette's ``Response(...).raw_headers`` exactly."""
    starlette = Response(body, status, headers, media_type=media_type)
    assert response_headers(status, body, media_type, headers) == starlette.raw_headers


@pytest.mark.parametrize(
    "outcome",
    [
        Outcome(409, {"type": "urn:x", "status": 409, "detail": "stale"}, PROBLEM_CONTENT_TYPE),
        Outcome(401, {"title": "no"}, PROBLEM_CONTENT_TYPE, {"WWW-Authenticate": "Bearer"}),
        Outcome(200, {"name": "Émilie"}, "application/json", {"ETag": '"3"'}),
        Outcome(200, "plain text", "text/plain"),
        Outcome(200, b"\x89PNG", "image/png", {"Cache-Control": "no-store"}),
        Outcome(200, "a string as JSON", "application/json"),
        Outcome(204, None, None, {"ETag": '"7"'}),
        Outcome(200, None),
        Outcome(304, None, None),
    ],
)
def test_a_rendered_response_sends_what_starlettes_would(outcome):
    """``render`` answers what it answered when it built Starlette's ``Response``."""
    sent, expected = _sent(render(outcome)), _sent(_starlette_render(outcome))
    assert sent == expected


def test_a_forwarded_answer_is_sent_as_received_with_its_length():
    upstream = [(b"content-type", b"application/json"), (b"x-up", b"1")]
    outcome = Outcome(201, {"id": 1}, content=b'{"id": 1}', raw_headers=upstream)
    assert _sent(render(outcome)) == [
        {"type": "http.response.start", "status": 201, "headers": [
            (b"content-type", b"application/json"), (b"x-up", b"1"), (b"content-length", b"9")]},
        {"type": "http.response.body", "body": b'{"id": 1}'},
    ]  # fmt: skip


def _starlette_render(outcome: Outcome) -> Response:
    """How ``render`` answered before it built the header list itself (the reference)."""
    if outcome.body is None:
        return Response(status_code=outcome.status, headers=outcome.headers)
    if isinstance(outcome.body, str | bytes) and not is_json_media(outcome.media_type):
        content = outcome.body.encode() if isinstance(outcome.body, str) else outcome.body
        return Response(content, outcome.status, outcome.headers, media_type=outcome.media_type)
    return Response(to_json(outcome.body), outcome.status, outcome.headers or None,
                    media_type=outcome.media_type)  # fmt: skip


def _sent(response: Response) -> list[dict]:
    """The ASGI messages ``response`` sends."""
    messages: list[dict] = []

    async def send(message: dict) -> None:
        messages.append(message)

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    asyncio.run(response({"type": "http"}, receive, send))
    return messages
