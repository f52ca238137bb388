"""The pathway plan-definitions API: drafts with optimistic locking, and publishing.

Rules (docs pages 000 and 001 plus what the real server does):

* ``PATCH /v1/plan-definitions/{id}/draft`` applies only the supplied fields when
  ``expectedVersionId`` equals the row's ``versionId``; any other value is a 409 carrying
  ``currentVersionId``. Only drafts are editable.
* ``POST /v1/plan-definitions/{id}/publish`` turns a draft ``active`` for good; the content of
  every published version is kept in ``publishedVersions`` for sessions pinned to it.
* Each check-and-write is one compare-and-set, so of N concurrent PATCHes carrying the same
  ``expectedVersionId`` exactly one wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from specfake.config import ServerConfig
from specfake.errors import FieldError, Problem, conflict, not_found
from specfake.fakes.base import Binding, utc_now_iso
from specfake.pipeline.outcome import OperationRequest, Outcome
from specfake.store.base import StateStore, Versioned

COLLECTION = "pathways"
EDITABLE_FIELDS = ("title", "description", "decisionTree")
# Publishing re-reads and retries a lost compare-and-set (a PATCH may have landed first).
_MAX_ATTEMPTS = 8

_VERSION_CONTENT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["versionId", "title", "publishedAt"],
    "properties": {
        "versionId": {"type": "integer", "minimum": 1},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "decisionTree": {"type": "object"},
        "publishedAt": {"type": "string", "format": "date-time"},
    },
}
PATHWAY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "versionId", "status", "title", "lastUpdated"],
    "properties": {
        "id": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"},
        "versionId": {"type": "integer", "minimum": 1},
        "status": {"enum": ["draft", "active", "retired"]},
        "title": {"type": "string"},
        "description": {"type": "string"},
        "decisionTree": {"type": "object"},
        "lastUpdated": {"type": "string", "format": "date-time"},
        "publishedAt": {"type": ["string", "null"], "format": "date-time"},
        "publishedVersions": {"type": "array", "items": _VERSION_CONTENT},
    },
}


class PathwayFake:
    """Stateful fake of ``update-draft`` and ``publish``."""

    name = "pathways"

    def __init__(self, store: StateStore, config: ServerConfig) -> None:
        self._store = store  # the config holds nothing this fake needs

    def bindings(self) -> Sequence[Binding]:
        return (
            Binding("update-draft", "PATCH", "/v1/plan-definitions/{id}/draft", self.update_draft),
            Binding("publish", "POST", "/v1/plan-definitions/{id}/publish", self.publish),
        )

    def state_schema(self) -> Mapping[str, dict[str, Any]]:
        return {"pathways": {"type": "array", "items": PATHWAY_SCHEMA, "default": []}}

    def state_errors(self, sections: Mapping[str, Any]) -> list[FieldError]:
        first_index: dict[str, int] = {}
        return [
            FieldError("body", f"/pathways/{index}/id", f"duplicate of /pathways/{first}/id")
            for index, row in enumerate(sections.get("pathways", []))
            if (first := first_index.setdefault(row["id"], index)) != index
        ]

    async def load(self, sections: Mapping[str, Any]) -> None:
        if COLLECTION in sections:
            rows = sections[COLLECTION]
            await self._store.restore({COLLECTION: {row["id"]: row for row in rows}})

    async def dump(self) -> dict[str, Any]:
        return {"pathways": [record.value for _, record in await self._store.list(COLLECTION)]}

    async def update_draft(self, request: OperationRequest) -> Outcome:
        pathway_id = request.path["id"]
        expected = request.body["expectedVersionId"]
        changes = {key: request.body[key] for key in EDITABLE_FIELDS if key in request.body}
        record = await self._require(pathway_id)
        row = record.value
        _require_draft(row, "edited")
        if expected != row["versionId"]:
            raise _conflict(
                row,
                f"expectedVersionId {_number(expected)} does not match the current versionId "
                f"{row['versionId']}; refetch the draft and retry.",
            )
        updated = {
            **row,
            **changes,
            "versionId": row["versionId"] + 1,
            "lastUpdated": utc_now_iso(),
        }
        if not await self._store.compare_and_set(COLLECTION, pathway_id, record.revision, updated):
            # Another request wrote the row between our read and our write, so the client's
            # version is stale now: the same answer it would get had it arrived a moment later.
            current = (await self._require(pathway_id)).value
            raise _conflict(
                current,
                f"Pathway {pathway_id} changed while this request ran (now version "
                f"{current['versionId']}); refetch the draft and retry.",
            )
        data = {key: updated[key] for key in ("id", "versionId", "status", "lastUpdated")}
        return Outcome(200, {"data": data, "message": "Draft updated successfully"})

    async def publish(self, request: OperationRequest) -> Outcome:
        pathway_id = request.path["id"]
        for _ in range(_MAX_ATTEMPTS):
            record = await self._require(pathway_id)
            row = record.value
            _require_draft(row, "published")
            now = utc_now_iso()
            version = row["versionId"] + 1
            content = {key: row[key] for key in EDITABLE_FIELDS if key in row}
            published = {
                **row,
                "versionId": version,
                "status": "active",
                "lastUpdated": now,
                "publishedAt": now,
                "publishedVersions": [
                    *row.get("publishedVersions", []),
                    {"versionId": version, **content, "publishedAt": now},
                ],
            }
            if await self._store.compare_and_set(
                COLLECTION, pathway_id, record.revision, published
            ):
                data = {
                    "id": pathway_id,
                    "versionId": version,
                    "status": "active",
                    "publishedAt": now,
                }
                return Outcome(200, {"data": data, "message": "Pathway published successfully"})
        raise _conflict(
            row, f"Pathway {pathway_id} kept changing while it was being published; retry."
        )

    async def _require(self, pathway_id: str) -> Versioned:
        record = await self._store.get(COLLECTION, pathway_id)
        if record is None:
            raise not_found(f"No pathway with id {pathway_id!r}.")
        return record


def _require_draft(row: dict[str, Any], action: str) -> None:
    if row["status"] != "draft":
        raise _conflict(
            row, f"Pathway {row['id']} is {row['status']}; only drafts can be {action}."
        )


def _conflict(row: dict[str, Any], detail: str) -> Problem:
    return conflict(detail, currentVersionId=row["versionId"], currentStatus=row["status"])


def _number(value: int | float) -> str:
    """``7`` and ``7.0`` read as 7, ``7.5`` as 7.5."""
    return str(int(value)) if isinstance(value, int) or value.is_integer() else str(value)
