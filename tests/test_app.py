"""The app's own shortcut against the plain version: a request without ``Origin`` skips
CORSMiddleware, and :func:`vary_origin` adds the one header the middleware would have."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from specfake.app import vary_origin

CORS = {"allow_origin_regex": r"http://localhost(:\d+)?", "allow_methods": ["*"],
        "allow_credentials": True, "expose_headers": ["Specfake-Warning"]}
SCOPE = {"type": "http", "method": "GET", "path": "/pets", "headers": [(b"host", b"localhost")]}
extra_headers = st.lists(
    st.tuples(st.sampled_from(["Vary", "ETag", "Allow", "vary"]),
              st.sampled_from(["Accept", '"3"', "GET", "Accept-Encoding, Prefer"])),
    max_size=4,
)


def _sent(app) -> list[dict]:
    messages: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        messages.append(message)

    asyncio.run(app(dict(SCOPE), receive, send))
    return messages


def _response(headers: list[tuple[str, str]]) -> Response:
    response = Response(b'{"a":1}', 200, media_type="application/json")
    for name, value in headers:
        response.raw_headers.append((name.lower().encode(), value.encode()))
    return response


@settings(max_examples=100, deadline=None)
@given(headers=extra_headers)
def test_vary_origin_adds_what_cors_middleware_adds_without_an_origin(headers):
    through_middleware = _sent(CORSMiddleware(_response(headers), **CORS))
    shortcut = _response(headers)
    vary_origin(shortcut)
    assert _sent(shortcut) == through_middleware
