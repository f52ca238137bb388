"""The store collections the fake keeps, and the JSON Schema of each state section.

The app checks each section against these before the fake loads it, so a bad fixture fails
with a pointer to its field; the references between sections, which a schema cannot express,
are checked in ``resolution``.
"""

from __future__ import annotations

from specfake.fakes.cohorts.fields import CATALOG_KINDS, PAIRS, Json

CATALOG = "cohort_catalog"
DRAFTS = "cohort_drafts"
RESOURCES = "cohort_resources"
KEYS = "cohort_idempotency_keys"
_CATALOG_RECORD = "catalog"  # the whole catalog is one record: it is read as one


RESOURCE_KINDS = (
    "name",
    "description",
    "simulation_position",
    "simulation_availability",
    "profile_persona",
)
EMPTY_CATALOG: Json = {kind: [] for kind in (*CATALOG_KINDS, "flags")}


_UUID: Json = {"type": "string", "format": "uuid"}
_UUIDS: Json = {"type": "array", "items": _UUID}
_TIME: Json = {"type": "string", "format": "date-time"}
_JSON_OBJECT: Json = {"type": "object"}
_CATALOG_ENTRY: Json = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name"],
    "properties": {
        "id": _UUID,
        "name": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
    },
}
_FLAG: Json = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "key", "options"],
    "properties": {
        "id": _UUID,
        "key": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "name": {"type": "string"},
        "options": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "value"],
                "properties": {
                    "id": _UUID,
                    "value": {"type": ["string", "boolean", "number"]},
                    "label": {"type": "string"},
                },
            },
        },
    },
}
CATALOG_SCHEMA: Json = {
    "type": "object",
    "additionalProperties": False,
    "required": [*CATALOG_KINDS, "flags"],
    "properties": {
        **{kind: {"type": "array", "items": _CATALOG_ENTRY} for kind in CATALOG_KINDS},
        "flags": {"type": "array", "items": _FLAG},
    },
}
RESOURCE_SCHEMA: Json = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "kind", "value", "created_at"],
    "properties": {
        "id": _UUID,
        "kind": {"enum": list(RESOURCE_KINDS)},
        "value": {},
        "created_at": _TIME,
    },
    "if": {"properties": {"kind": {"enum": ["name", "description"]}}},
    "then": {"properties": {"value": {"type": "string"}}},
    "else": {"properties": {"value": _JSON_OBJECT}},
}
_UPDATES: Json = {
    "type": "object",
    "additionalProperties": False,
    "required": ["fields", "active"],
    "properties": {
        "fields": _JSON_OBJECT,
        "active": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["add", "drop"],
                    "properties": {"add": _UUID, "drop": _UUIDS},
                },
            ]
        },
    },
}
DRAFT_SCHEMA: Json = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "draft_id",
        "status",
        "version",
        *(pair.ids for pair in PAIRS),
        "flag_ids",
        "pending_ids",
        "pending_proposal",
        "created_at",
        "updated_at",
    ],
    "properties": {
        "draft_id": _UUID,
        "status": {"enum": ["live", "dormant"]},
        "version": {"type": "integer", "minimum": 1},
        **{
            pair.ids: _UUIDS if pair.many else {"oneOf": [{"type": "null"}, _UUID]}
            for pair in PAIRS
        },
        "flag_ids": _UUIDS,
        "pending_ids": _UUIDS,
        "pending_proposal": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["idempotency_key", "created_at", "changes", "updates"],
                    "properties": {
                        "idempotency_key": {"type": "string", "minLength": 1},
                        "created_at": _TIME,
                        "changes": _JSON_OBJECT,
                        # null for a soft create: the dormant draft already holds its changes
                        "updates": {"oneOf": [{"type": "null"}, _UPDATES]},
                    },
                },
            ]
        },
        "created_at": _TIME,
        "updated_at": _TIME,
    },
}
KEY_SCHEMA: Json = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "idempotency_key",
        "fingerprint",
        "soft",
        "state",
        "draft_id",
        "response",
        "ack",
        "created_at",
    ],
    "properties": {
        "idempotency_key": {"type": "string", "minLength": 1, "maxLength": 200},
        "fingerprint": {"type": "string"},
        "soft": {"type": "boolean"},
        # Only the request that reserved a key finishes it: a "running" key loaded from state
        # has no such request, and would make every retry with it wait and fail with 409.
        "state": {"enum": ["done"]},
        "draft_id": {"oneOf": [{"type": "null"}, _UUID]},
        "response": {"type": ["object", "null"]},
        "ack": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["accept", "response"],
                    "properties": {"accept": {"type": "boolean"}, "response": _JSON_OBJECT},
                },
            ]
        },
        "created_at": _TIME,
    },
}
