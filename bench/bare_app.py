"""The ceiling: bare Starlette answering a fixed JSON body on specfake's routes.

No auth, no validation, no state: what one uvicorn worker costs with the same server settings
``specfake serve`` uses (uvloop, httptools, no access log, no lifespan). ``bench/run`` reports
specfake's throughput as a fraction of this.

    python bench/bare_app.py --port N
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# The spec's 200 example of update-draft.
BODY = {
    "data": {
        "id": "a1b2c3d4-e5f6-4789-9abc-def012345678",
        "versionId": 8,
        "status": "draft",
        "lastUpdated": "2026-05-13T14:21:00.000Z",
    },
    "message": "Draft updated successfully",
}


async def answer(request: Request) -> Response:
    return JSONResponse(BODY)


app = Starlette(
    routes=[
        Route("/v1/plan-definitions/{id}/draft", answer, methods=["PATCH"]),
        Route("/v1/plan-definitions/{id}/publish", answer, methods=["POST"]),
        Route("/cohort/draft", answer, methods=["POST"]),
        Route("/things", answer, methods=["POST"]),
        Route("/things/{thingId}", answer, methods=["GET"]),
        Route("/v1/{collection}", answer, methods=["POST"]),  # bench/big_spec.py's specs
        Route("/v1/{collection}/{id}", answer, methods=["GET"]),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=arguments.port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        lifespan="off",
    )


if __name__ == "__main__":
    main()
