"""specfake's served path with the pipeline taken out (the floor under every scenario), or
with the pipeline alone (``--pipeline-only``).

``specfake serve`` as ``bench/run`` starts it (uvicorn with specfake's connection protocol and
corked transport, the Host/Origin guard, the ASGI layers, the collector's setting), except that
every served request is answered with one fixed 409 problem body, read and answered without
routing, auth, validation, a fake, the journal or the log line. What specfake costs over this
floor is its pipeline's; ``bench/report.py`` puts that beside what the pipeline may cost for
each ratio target to be met (bare / target - floor). The control API is left as it is.

``--pipeline-only`` answers with the whole pipeline (route, auth, validation, the fake, the
response check, render) but keeps no journal entry, writes no log line, tells no live feed and
skips the Host/Origin guard: what is left when every per-request feature that is not the
answer's own is taken away.

    python bench/floor_app.py [--pipeline-only] serve SPEC --port N ...   (serve's arguments)

It replaces :meth:`specfake.runtime.Specfake.handle` (and, ``--pipeline-only``, the guard's
check) before the server starts: the one way in without a switch in specfake that only a
benchmark would use.
"""

from __future__ import annotations

import sys

from starlette.responses import Response
from starlette.types import Receive, Scope

from specfake import guard, runtime
from specfake.cli import main as specfake_main
from specfake.errors import PROBLEM_CONTENT_TYPE
from specfake.pipeline.run import run_pipeline

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


async def pipeline_only(self: runtime.Specfake, scope: Scope, receive: Receive) -> Response:
    """The pipeline's answer, and nothing journaled, logged or fed to the dashboard."""
    answer = await run_pipeline(
        self.world, scope, receive, self.forwarder, self.overrides, self.faults
    )
    return answer.response


def no_refusal(self: guard.RequestGuard, scope: Scope) -> None:
    """The guard, not guarding: every Host and Origin let through."""


def main() -> None:
    arguments = sys.argv[1:]
    if arguments[:1] == ["--pipeline-only"]:
        del arguments[0]
        runtime.Specfake.handle = pipeline_only  # type: ignore[method-assign]
        guard.RequestGuard.refusal = no_refusal  # type: ignore[method-assign,assignment]
    else:
        runtime.Specfake.handle = fixed_answer  # type: ignore[method-assign]
    sys.exit(specfake_main(arguments))


if __name__ == "__main__":
    main()
