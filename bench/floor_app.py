"""specfake's served path with the pipeline taken out: the floor under every scenario.

``specfake serve`` as ``bench/run`` starts it (uvicorn with specfake's connection protocol and
corked transport, the Host/Origin guard, the ASGI layers, the collector's setting), except that
every served request is answered with one fixed 409 problem body, read and answered without
routing, auth, validation, a fake, the journal or the log line. What specfake costs over this
floor is its pipeline's; ``bench/report.py`` puts that beside what the pipeline may cost for
each ratio target to be met (bare / target - floor). The control API is left as it is.

    python bench/floor_app.py serve SPEC --port N ...   (specfake serve's own arguments)

It replaces :meth:`specfake.runtime.Specfake.handle` before the server starts: the one way in
without a switch in specfake that only a benchmark would use.
"""

from __future__ import annotations

import sys

from starlette.responses import Response
from starlette.types import Receive, Scope

from specfake import runtime
from specfake.cli import main as specfake_main
from specfake.errors import PROBLEM_CONTENT_TYPE

# The 409 scenario's answer, byte for byte: the floor sends what that scenario sends.
ANSWER = (
    b'{"type":"urn:specfake:problem:conflict","title":"Conflict","status":409,'
    b'"detail":"expectedVersionId 6 does not match the current versionId 7; fetch the record '
    b'again and retry with its version.","currentVersionId":7,"currentStatus":"draft"}'
)


async def fixed_answer(self: runtime.Specfake, scope: Scope, receive: Receive) -> Response:
    """Read the request's body, as every server must, and answer :data:`ANSWER`."""
    more_body = True
    while more_body:
        message = await receive()
        more_body = message.get("more_body", False)
    return Response(ANSWER, 409, media_type=PROBLEM_CONTENT_TYPE)


def main() -> None:
    runtime.Specfake.handle = fixed_answer  # type: ignore[method-assign]
    sys.exit(specfake_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
