"""An independent implementation of the pathway and cohort-draft docs pages, to verify
recordings made against the fake: faithful to what the docs and the spec document, different
in everything that is the server's to choose (ids, timestamps, messages, problem ``type``
URIs, its start version, its catalog's ids).

    python -m tests.verify.independent_server --port N

Pathway ``SANDBOX`` starts as a draft at version 41.
"""

from __future__ import annotations

import argparse
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SANDBOX = "0f0f0f0f-1111-4222-8333-444444444444"
CATALOG = {"cardiology": {"id": str(uuid.uuid4()), "name": "Cardiology"}}
ACTIVE_OPTION = str(uuid.uuid4())


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")  # "+00:00", not the fake's "Z"


def problem(status: int, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": "Request failed", "status": status,
            "detail": detail, **extra}  # fmt: skip
    return JSONResponse(body, status, media_type="application/problem+json")


class Pathways:
    def __init__(self) -> None:
        self.rows = {SANDBOX: {"versionId": 41, "status": "draft"}}

    async def update(self, request: Request) -> JSONResponse:
        row = self.rows.get(request.path_params["id"])
        if row is None:
            return problem(404, "no such pathway")
        body = json.loads(await request.body())
        if row["status"] != "draft" or body.get("expectedVersionId") != row["versionId"]:
            return problem(409, "stale", currentVersionId=row["versionId"],
                           currentStatus=row["status"])  # fmt: skip
        row["versionId"] += 1
        data = {"id": request.path_params["id"], "versionId": row["versionId"],
                "status": "draft", "lastUpdated": now()}  # fmt: skip
        return JSONResponse({"data": data, "message": "Saved."})

    async def publish(self, request: Request) -> JSONResponse:
        row = self.rows.get(request.path_params["id"])
        if row is None:
            return problem(404, "no such pathway")
        if row["status"] != "draft":
            return problem(409, "not a draft", currentVersionId=row["versionId"],
                           currentStatus=row["status"])  # fmt: skip
        row.update(versionId=row["versionId"] + 1, status="active")
        data = {"id": request.path_params["id"], "versionId": row["versionId"],
                "status": "active", "publishedAt": now()}  # fmt: skip
        return JSONResponse({"data": data, "message": "Now live."})


class Cohorts:
    """Live drafts only: create (with a name and departments) and patch by ``draft_id``."""

    def __init__(self) -> None:
        self.drafts: dict[str, dict[str, Any]] = {}

    async def post(self, request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        draft_id = body.get("draft_id") or str(uuid.uuid4())
        if body.get("draft_id") and draft_id not in self.drafts:
            return problem(404, "no such draft")
        state = self.drafts.setdefault(draft_id, self._empty(draft_id))
        if "name" in body:
            state["name"] = {"id": str(uuid.uuid4()), "value": body["name"]}
        if "departments" in body:
            state["departments"] = [CATALOG[name.lower()] for name in body["departments"]]
        if "active" in body:
            state["active"] = body["active"]
            state["flag_ids"] = [ACTIVE_OPTION] if body["active"] else []
        state["version"] += 1
        return JSONResponse({"success": True, "draft_id": draft_id,
                             "idempotency_key": body.get("idempotency_key") or str(uuid.uuid4()),
                             "message": "ok", "form_state": state})  # fmt: skip

    @staticmethod
    def _empty(draft_id: str) -> dict[str, Any]:
        lists = (
            "departments", "simulations", "profiles", "simulation_positions",
            "simulation_availability", "profile_personas", "pending_ids", "flag_ids",
        )  # fmt: skip
        return {"draft_id": draft_id, "status": "live", "version": 0, "name": None,
                "description": None, "active": False, "pending_proposal": None,
                **{name: [] for name in lists}}  # fmt: skip


def app() -> Starlette:
    pathways, cohorts = Pathways(), Cohorts()
    return Starlette(routes=[
        Route("/v1/plan-definitions/{id}/draft", pathways.update, methods=["PATCH"]),
        Route("/v1/plan-definitions/{id}/publish", pathways.publish, methods=["POST"]),
        Route("/cohort/draft", cohorts.post, methods=["POST"]),
        # What tests/servers.py waits for before the test starts.
        Route("/__specfake__/health", lambda request: JSONResponse({"status": "ok"})),
    ])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    uvicorn.run(app(), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
