"""The bundled fake answering as another faithful implementation of the docs pages would
where they are silent: problem bodies with ``type: about:blank``, other titles and field
errors without ``in``; a ``form_state`` without ``draft_id``, ``status`` and ``version``; a
conflict without ``currentStatus``. What the docs promise is unchanged.

    python -m tests.contract.other_choices_server --port N

Response validation is off: the fake would refuse these answers, which break its own spec
(not the contract spec).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import uvicorn

from specfake import ServerConfig, create_app
from specfake.resources import bundled_fixtures, bundled_specs

Scope = dict[str, Any]


def rewritten(body: Any) -> Any:
    """``body`` with specfake's own choices replaced by another server's."""
    if not isinstance(body, dict):
        return body
    if "status" in body and "title" in body:  # a problem
        body = {**body, "type": "about:blank", "title": "Error"}
        body.pop("currentStatus", None)
        if isinstance(body.get("errors"), list):
            body["errors"] = [
                {key: value for key, value in error.items() if key != "in"}
                for error in body["errors"]
            ]
    if isinstance(body.get("form_state"), dict):
        chosen = ("draft_id", "status", "version")
        body["form_state"] = {k: v for k, v in body["form_state"].items() if k not in chosen}
    return body


class OtherChoices:
    """ASGI middleware: buffers each JSON answer and sends it rewritten."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/__specfake__/"):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                await self._send_rewritten(start, b"".join(chunks), send)

        await self.app(scope, receive, capture)

    @staticmethod
    async def _send_rewritten(start: dict[str, Any], body: bytes, send: Any) -> None:
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        content_type = dict(start["headers"]).get(b"content-type", b"")
        if b"json" in content_type and body:
            body = json.dumps(rewritten(json.loads(body))).encode()
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    config = ServerConfig(
        specs=bundled_specs(), fixtures=bundled_fixtures(), validate_responses=False
    )
    uvicorn.run(OtherChoices(create_app(config)), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
