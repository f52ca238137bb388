"""The cohort-draft API: ``POST /cohort/draft`` creates, patches and acknowledges drafts.

Rules (docs page 002 plus the decisions written down in ``docs/cohort-drafts.md``):

* A body with ``accept`` acknowledges the soft request whose ``idempotency_key`` it carries;
  one with ``draft_id`` (or its legacy alias ``input_draft_id``) patches that draft; any other
  body creates a draft.
* Every ``*_id``/``*_ids`` must name something of the right kind; department, simulation and
  profile names resolve against the catalog; every other value becomes a new resource. A draft
  stores ids only, under the request's id field names, and each answer renders them back into
  ``form_state``.
* ``soft`` stages a change instead of applying it: a proposal on the draft, or a whole dormant
  draft. The ack applies or discards it; while it waits, the draft takes no other change.
* An idempotency key is reserved with a compare-and-set before any work, so of N concurrent
  retries exactly one does the work and the others wait for its answer and replay it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from specfake.config import ServerConfig
from specfake.errors import FieldError, Problem, conflict, not_found, validation_failed
from specfake.fakes.base import Handler, OperationKey, OperationRequest, utc_now_iso
from specfake.pipeline.outcome import Outcome
from specfake.store.base import CollectionLimit, StateStore, Versioned

Json = dict[str, Any]
DraftChange = Callable[[Json], Json | None]  # the new draft, or None to delete it

CATALOG = "cohort_catalog"
DRAFTS = "cohort_drafts"
RESOURCES = "cohort_resources"
KEYS = "cohort_idempotency_keys"
_CATALOG_RECORD = "catalog"  # the whole catalog is one record: it is read as one

ACTIVE_FLAG = "cohort_active"
CATALOG_KINDS = ("departments", "simulations", "profiles")
RESOURCE_KINDS = (
    "name",
    "description",
    "simulation_position",
    "simulation_availability",
    "profile_persona",
)
EMPTY_CATALOG: Json = {kind: [] for kind in (*CATALOG_KINDS, "flags")}

# A duplicate of a running request polls this long for its answer before giving up with 409.
_WAIT_SECONDS = 2.0
_POLL_SECONDS = 0.02
# A draft write re-reads and retries a lost compare-and-set (another patch landed first).
_MAX_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class _Pair:
    """A request's value field and its id field (``departments``/``department_ids``).

    ``kind`` is a catalog section or a resource kind; the draft stores the id field.
    """

    values: str
    ids: str
    kind: str

    @property
    def many(self) -> bool:
        return self.ids.endswith("_ids")

    @property
    def in_catalog(self) -> bool:
        return self.kind in CATALOG_KINDS

    @property
    def noun(self) -> str:
        return self.kind.removesuffix("s").replace("_", " ")


PAIRS = (
    _Pair("name", "name_id", "name"),
    _Pair("description", "description_id", "description"),
    _Pair("departments", "department_ids", "departments"),
    _Pair("simulations", "simulation_ids", "simulations"),
    _Pair("profiles", "profile_ids", "profiles"),
    _Pair("simulation_positions", "simulation_position_ids", "simulation_position"),
    _Pair("simulation_availability", "simulation_availability_ids", "simulation_availability"),
    _Pair("profile_personas", "profile_persona_ids", "profile_persona"),
)
CHANGE_FIELDS = frozenset(
    {name for pair in PAIRS for name in (pair.values, pair.ids)}
    | {"flag_ids", "active", "pending_ids"}
)

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
        "state": {"enum": ["running", "done"]},
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


class CohortFake:
    """Stateful fake of ``patch-cohort-draft``, with bounded idempotency-key memory."""

    name = "cohorts"

    def __init__(self, store: StateStore, config: ServerConfig) -> None:
        self._store = store
        store.set_limit(
            KEYS,
            CollectionLimit(config.idempotency_max_keys, config.idempotency_max_age_seconds),
        )

    def handlers(self) -> Mapping[OperationKey, Handler]:
        return {("POST", "/cohort/draft"): self.patch_draft}

    def state_schema(self) -> Mapping[str, Json]:
        return {
            CATALOG: CATALOG_SCHEMA,
            DRAFTS: {"type": "array", "items": DRAFT_SCHEMA},
            RESOURCES: {"type": "array", "items": RESOURCE_SCHEMA},
            KEYS: {"type": "array", "items": KEY_SCHEMA},
        }

    async def load(self, sections: Mapping[str, Any]) -> None:
        catalog = sections.get(CATALOG, EMPTY_CATALOG)
        drafts, resources, keys = (sections.get(name, []) for name in (DRAFTS, RESOURCES, KEYS))
        # JSON Schema cannot say "this id names a resource", so references are checked here.
        errors = _state_reference_errors(catalog, drafts, resources)
        if errors:
            raise validation_failed(errors)
        await self._store.restore(
            {
                CATALOG: {_CATALOG_RECORD: catalog},
                DRAFTS: {draft["draft_id"]: draft for draft in drafts},
                RESOURCES: {resource["id"]: resource for resource in resources},
                KEYS: {entry["idempotency_key"]: entry for entry in keys},
            }
        )

    async def dump(self) -> dict[str, Any]:
        snapshot = await self._store.snapshot([CATALOG, DRAFTS, RESOURCES, KEYS])
        return {
            CATALOG: snapshot[CATALOG].get(_CATALOG_RECORD, EMPTY_CATALOG),
            **{name: list(snapshot[name].values()) for name in (DRAFTS, RESOURCES, KEYS)},
        }

    async def patch_draft(self, request: OperationRequest) -> Outcome:
        body: Json = request.body
        draft_id = _target_draft_id(body)
        if "accept" in body:
            return await self._acknowledge(body["idempotency_key"], body["accept"], draft_id)
        key = body.get("idempotency_key") or str(uuid4())
        soft = bool(body.get("soft")) and (draft_id is None or _has_changes(body))
        return await self._once(
            key, _fingerprint(body), soft, lambda: self._change(body, draft_id, key, soft)
        )

    # -- idempotency --------------------------------------------------------------------------

    async def _once(
        self, key: str, fingerprint: str, soft: bool, work: Callable[[], Awaitable[Json]]
    ) -> Outcome:
        """Do ``work`` once per key: reserve the key, or replay (or wait for) its first answer."""
        entry = _key_entry(key, fingerprint, soft)
        deadline = _deadline()
        while True:
            reserved = await self._store.compare_and_set(KEYS, key, None, entry)
            if reserved is not None:
                return await self._finish(
                    key,
                    reserved,
                    work(),
                    lambda response: {
                        **entry,
                        "state": "done",
                        "draft_id": response["draft_id"],
                        "response": response,
                    },
                    undone=None,
                )
            record = await self._store.get(KEYS, key)
            if record is None:  # its request failed and gave the key back: try again
                continue
            if record.value["fingerprint"] != fingerprint:
                raise conflict(
                    f"idempotency_key {key!r} was already used with a different request body; "
                    "send a new key for a new request."
                )
            if record.value["state"] == "done":
                return Outcome(200, record.value["response"])
            await _pause(deadline, key)

    async def _acknowledge(self, key: str, accept: bool, draft_id: str | None) -> Outcome:
        """Apply (``accept``) or discard the soft request ``key`` staged, exactly once."""
        deadline = _deadline()
        while True:
            record = await self._store.get(KEYS, key) or await self._adopt(key)
            if record is None:  # another request remembered the key first: read it again
                continue
            entry = record.value
            if entry["state"] == "running":
                await _pause(deadline, key)
                continue
            if not entry["soft"]:
                raise not_found(
                    f"The request with idempotency_key {key!r} was not soft; there is nothing "
                    "to accept or reject."
                )
            if draft_id not in (None, entry["draft_id"]):
                raise not_found(f"idempotency_key {key!r} staged nothing on draft {draft_id}.")
            if entry["ack"] is not None:
                return _replayed_ack(entry["ack"], accept, key)
            reserved = await self._store.compare_and_set(
                KEYS, key, record.revision, {**entry, "state": "running"}
            )
            if reserved is not None:
                break
            await _pause(deadline, key)
        return await self._finish(
            key,
            reserved,
            self._settle(entry["draft_id"], key, accept),
            lambda response: {**entry, "ack": {"accept": accept, "response": response}},
            undone=entry,
        )

    async def _adopt(self, key: str) -> Versioned | None:
        """Remember ``key`` again if a waiting proposal still carries it.

        Keys are forgotten by count and age; without this a proposal whose key was evicted
        could never be acknowledged, and its draft would refuse every change for good.
        """
        for draft_id, record in await self._store.list(DRAFTS):
            proposal = record.value["pending_proposal"]
            if proposal is not None and proposal["idempotency_key"] == key:
                # The first body is forgotten: an empty fingerprint matches no replay of it.
                entry = {**_key_entry(key, "", True), "state": "done", "draft_id": draft_id}
                return await self._store.compare_and_set(KEYS, key, None, entry)
        raise not_found(f"No soft request with idempotency_key {key!r} is remembered.")

    async def _finish(
        self,
        key: str,
        reserved: Versioned,
        work: Awaitable[Json],
        done: Callable[[Json], Json],
        undone: Json | None,
    ) -> Outcome:
        """Run ``work`` under a reservation: remember its answer, or undo the reservation
        (``undone``; ``None`` forgets the key) when it fails, so a corrected retry may reuse it."""
        try:
            response = await work
        except Exception:
            await self._store.compare_and_set(KEYS, key, reserved.revision, undone)
            raise
        # Fails only if the key was evicted meanwhile: the answer stands, it is just not kept.
        await self._store.compare_and_set(KEYS, key, reserved.revision, done(response))
        return Outcome(200, response)

    # -- drafts -------------------------------------------------------------------------------

    async def _change(self, body: Json, draft_id: str | None, key: str, soft: bool) -> Json:
        if draft_id is None:
            return await self._create(body, key, soft)
        if not _has_changes(body):
            draft = (await self._require_draft(draft_id)).value
            return await self._answer(draft_id, draft, key, "Nothing to change; the current draft.")
        return await self._patch(body, draft_id, key, soft)

    async def _create(self, body: Json, key: str, soft: bool) -> Json:
        updates = await self._updates_for(body)
        now = utc_now_iso()
        draft = _merged(_new_draft(str(uuid4()), now), updates)
        if soft:
            draft = {**draft, "status": "dormant", "pending_proposal": _proposal(key, body, None)}
        # A fresh UUID: nobody can have written it, so this compare-and-set cannot lose.
        await self._store.compare_and_set(DRAFTS, draft["draft_id"], None, draft)
        message = (
            f"Dormant draft created; send {{idempotency_key: {key!r}, accept: true}} to make it "
            "live, or accept: false to discard it."
            if soft
            else "Draft created."
        )
        return await self._answer(draft["draft_id"], draft, key, message)

    async def _patch(self, body: Json, draft_id: str, key: str, soft: bool) -> Json:
        _require_open((await self._require_draft(draft_id)).value)  # 404 and 409 before 422
        updates = await self._updates_for(body)
        now = utc_now_iso()

        def change(draft: Json) -> Json:
            _require_open(draft)
            if soft:
                return {**draft, "pending_proposal": _proposal(key, body, updates)}
            return _revised(_merged(draft, updates), now)

        draft = await self._update_draft(draft_id, change)
        message = (
            f"Change proposed; send {{idempotency_key: {key!r}, accept: true}} to apply it, or "
            "accept: false to discard it."
            if soft
            else "Draft updated."
        )
        return await self._answer(draft_id, draft, key, message)

    async def _settle(self, draft_id: str, key: str, accept: bool) -> Json:
        """Apply or discard the proposal ``key`` staged on ``draft_id`` (a dormant draft is one)."""
        dormant = (await self._require_draft(draft_id)).value["status"] == "dormant"
        now = utc_now_iso()

        def change(draft: Json) -> Json | None:
            proposal = draft["pending_proposal"]
            if proposal is None or proposal["idempotency_key"] != key:
                raise not_found(f"Draft {draft_id} has no proposal {key!r} waiting.")
            if not accept:
                return None if dormant else {**draft, "pending_proposal": None}
            applied = _merged(draft, proposal["updates"]) if proposal["updates"] else draft
            return _revised({**applied, "status": "live", "pending_proposal": None}, now)

        draft = await self._update_draft(draft_id, change)
        if accept:
            message = "The dormant draft is live." if dormant else "Proposal applied."
        else:
            message = (
                "The dormant draft was discarded; it no longer exists."
                if dormant
                else "Proposal discarded; the draft is unchanged."
            )
        return await self._answer(draft_id, draft, key, message)

    async def _update_draft(self, draft_id: str, change: DraftChange) -> Json | None:
        """Read, change and compare-and-set a draft, retrying when another write landed first."""
        for _ in range(_MAX_ATTEMPTS):
            record = await self._require_draft(draft_id)
            updated = change(record.value)
            if await self._store.compare_and_set(DRAFTS, draft_id, record.revision, updated):
                return updated
        raise conflict(f"Draft {draft_id} kept changing while this request ran; retry.")

    async def _require_draft(self, draft_id: str) -> Versioned:
        record = await self._store.get(DRAFTS, draft_id)
        if record is None:
            raise not_found(f"No cohort draft with id {draft_id!r}.")
        return record

    async def _updates_for(self, body: Json) -> Json:
        """The draft updates ``body`` asks for, with the resources its values create written."""
        updates, created = _resolve(body, await self._world(body))
        for resource in created:
            await self._store.compare_and_set(RESOURCES, resource["id"], None, resource)
        return updates

    async def _answer(self, draft_id: str, draft: Json | None, key: str, message: str) -> Json:
        """The 200 body; ``form_state`` is left out only when the draft no longer exists."""
        response: Json = {
            "success": True,
            "draft_id": draft_id,
            "idempotency_key": key,
            "message": message,
        }
        if draft is not None:
            response["form_state"] = _form_state(draft, await self._world(draft))
        return response

    async def _world(self, record: Json) -> _World:
        """The catalog, and every resource ``record`` (a body or a draft) may refer to."""
        catalog = await self._store.get(CATALOG, _CATALOG_RECORD)
        resources: dict[str, Json] = {}
        for name in (*(pair.ids for pair in PAIRS if not pair.in_catalog), "pending_ids"):
            for _, resource_id in _pointed(record, name):
                found = await self._store.get(RESOURCES, resource_id)
                if found is not None:
                    resources[resource_id] = found.value
        return _World(catalog.value if catalog else EMPTY_CATALOG, resources)


class _World:
    """What ids can name: the catalog, and the resources that were looked up."""

    def __init__(self, catalog: Json, resources: Mapping[str, Json]) -> None:
        self.catalog = catalog
        self.resources = resources
        self._entries = {kind: {e["id"]: e for e in catalog[kind]} for kind in CATALOG_KINDS}
        self.flag_of = {
            option["id"]: flag for flag in catalog["flags"] for option in flag["options"]
        }

    def find(self, pair: _Pair, item_id: str) -> Json | None:
        if pair.in_catalog:
            return self._entries[pair.kind].get(item_id)
        resource = self.resources.get(item_id)
        return resource if resource is not None and resource["kind"] == pair.kind else None

    def named(self, kind: str, name: str) -> list[Json]:
        """Catalog entries called ``name``, ignoring case and surrounding spaces."""
        wanted = name.strip().casefold()
        return [entry for entry in self.catalog[kind] if entry["name"].casefold() == wanted]

    def knows(self, item_id: str) -> bool:
        return (
            item_id in self.resources
            or item_id in self.flag_of
            or any(item_id in entries for entries in self._entries.values())
        )

    def active_options(self) -> list[Json]:
        return [
            option
            for flag in self.catalog["flags"]
            if flag["key"] == ACTIVE_FLAG
            for option in flag["options"]
        ]


def _resolve(body: Json, world: _World) -> tuple[Json, list[Json]]:
    """The updates ``body`` asks for and the resources to create, or a 422 listing each fault."""
    errors = _reference_errors(body, world)
    fields: Json = {}
    created: list[Json] = []
    for pair in PAIRS:
        if not pair.many and pair.values in body and pair.ids in body:
            errors.extend(
                FieldError("body", f"/{name}", f"send {pair.values} or {pair.ids}, not both")
                for name in (pair.values, pair.ids)
            )
        elif pair.values in body or pair.ids in body:
            ids = [item_id for _, item_id in _pointed(body, pair.ids)]
            for pointer, value in _pointed(body, pair.values):
                if not pair.in_catalog:
                    created.append(_new_resource(pair.kind, value))
                    ids.append(created[-1]["id"])
                    continue
                matches = world.named(pair.kind, value)
                if len(matches) == 1:
                    ids.append(matches[0]["id"])
                else:
                    errors.append(FieldError("body", pointer, _name_error(pair, value, matches)))
            fields[pair.ids] = list(dict.fromkeys(ids)) if pair.many else ids[0]
    for name in ("flag_ids", "pending_ids"):
        if name in body:
            fields[name] = list(dict.fromkeys(body[name]))
    active, contradictions = _active_update(body, world)
    errors.extend(contradictions)
    if errors:
        raise validation_failed(errors)
    return {"fields": fields, "active": active}, created


def _name_error(pair: _Pair, name: str, matches: list[Json]) -> str:
    if not matches:
        return f"no {pair.noun} is named {name!r}"
    ids = ", ".join(entry["id"] for entry in matches)
    return f"{name!r} names {len(matches)} {pair.kind} ({ids}); send {pair.ids} instead"


def _active_update(body: Json, world: _World) -> tuple[Json | None, list[FieldError]]:
    """``active: bool`` as the cohort_active option to add and its siblings to drop."""
    if "active" not in body:
        return None, []
    options = world.active_options()
    chosen = [option for option in options if option["value"] is body["active"]]
    if not chosen:
        return None, [
            FieldError(
                "body",
                "/active",
                f"the catalog has no {ACTIVE_FLAG} option for {json.dumps(body['active'])}",
            )
        ]
    siblings = [option["id"] for option in options if option is not chosen[0]]
    contradicting = [
        FieldError("body", pointer, f"contradicts active: {json.dumps(body['active'])}")
        for pointer, option_id in _pointed(body, "flag_ids")
        if option_id in siblings
    ]
    if contradicting:
        contradicting.insert(
            0, FieldError("body", "/active", f"contradicts the {ACTIVE_FLAG} option in flag_ids")
        )
    return {"add": chosen[0]["id"], "drop": siblings}, contradicting


def _reference_errors(record: Json, world: _World, prefix: str = "") -> list[FieldError]:
    """Every id in ``record`` (a body or a stored draft) that names nothing of its kind, and
    every flag given two options."""
    errors = [
        FieldError("body", pointer, f"no {pair.noun} has id {item_id!r}")
        for pair in PAIRS
        for pointer, item_id in _pointed(record, pair.ids, prefix)
        if world.find(pair, item_id) is None
    ]
    options: dict[str, list[tuple[str, str]]] = {}
    for pointer, option_id in _pointed(record, "flag_ids", prefix):
        flag = world.flag_of.get(option_id)
        if flag is None:
            errors.append(FieldError("body", pointer, f"no flag option has id {option_id!r}"))
        else:
            options.setdefault(flag["key"], []).append((pointer, option_id))
    for flag_key, chosen in options.items():
        distinct = list(dict.fromkeys(option_id for _, option_id in chosen))
        if len(distinct) > 1:
            message = f"flag {flag_key} takes one option, got {', '.join(distinct)}"
            errors.extend(FieldError("body", pointer, message) for pointer, _ in chosen)
    errors.extend(
        FieldError("body", pointer, f"{item_id!r} is neither a catalog entry nor a resource")
        for pointer, item_id in _pointed(record, "pending_ids", prefix)
        if not world.knows(item_id)
    )
    return errors


def _state_reference_errors(
    catalog: Json, drafts: list[Json], resources: list[Json]
) -> list[FieldError]:
    world = _World(catalog, {resource["id"]: resource for resource in resources})
    errors = []
    for number, draft in enumerate(drafts):
        where = f"/{DRAFTS}/{number}"
        errors.extend(_reference_errors(draft, world, where))
        proposal = draft["pending_proposal"]
        if proposal is not None and proposal["updates"] is not None:
            fields, at = proposal["updates"]["fields"], f"{where}/pending_proposal/updates/fields"
            errors.extend(_reference_errors(fields, world, at))
    return errors


def _pointed(record: Mapping[str, Any], name: str, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(JSON Pointer, item)`` for each item of the list field ``name``, or for the field
    itself when it is a single value; nothing when it is absent or null."""
    value = record.get(name)
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield f"{prefix}/{name}/{index}", item
    elif value is not None:
        yield f"{prefix}/{name}", value


def _form_state(draft: Json, world: _World) -> Json:
    """The draft as the response shows it: every id with its name or value."""
    state: Json = {key: draft[key] for key in ("draft_id", "status", "version")}
    for pair in PAIRS:
        items = [_rendered(pair, item_id, world) for _, item_id in _pointed(draft, pair.ids)]
        state[pair.values] = items if pair.many else next(iter(items), None)
    active = {option["id"] for option in world.active_options() if option["value"] is True}
    proposal = draft["pending_proposal"]
    return {
        **state,
        "flag_ids": draft["flag_ids"],
        "active": bool(active.intersection(draft["flag_ids"])),
        "pending_ids": draft["pending_ids"],
        "pending_proposal": None
        if proposal is None
        else {key: proposal[key] for key in ("idempotency_key", "created_at", "changes")},
    }


def _rendered(pair: _Pair, item_id: str, world: _World) -> Json:
    # Every stored id was checked when it was written (or loaded), so it is found.
    found = world.find(pair, item_id)
    assert found is not None, f"{pair.ids} {item_id} is dangling"
    if pair.in_catalog:
        return {"id": item_id, "name": found["name"]}
    return {"id": item_id, "value": found["value"]}


def _merged(draft: Json, updates: Json) -> Json:
    """``draft`` with the resolved fields replaced and the cohort_active option swapped in."""
    merged = {**draft, **updates["fields"]}
    active = updates["active"]
    if active is not None:
        flags = [option for option in merged["flag_ids"] if option not in active["drop"]]
        merged["flag_ids"] = flags if active["add"] in flags else [*flags, active["add"]]
    return merged


def _revised(draft: Json, now: str) -> Json:
    return {**draft, "version": draft["version"] + 1, "updated_at": now}


def _new_draft(draft_id: str, now: str) -> Json:
    return {
        "draft_id": draft_id,
        "status": "live",
        "version": 1,
        **{pair.ids: [] if pair.many else None for pair in PAIRS},
        "flag_ids": [],
        "pending_ids": [],
        "pending_proposal": None,
        "created_at": now,
        "updated_at": now,
    }


def _new_resource(kind: str, value: Any) -> Json:
    return {"id": str(uuid4()), "kind": kind, "value": value, "created_at": utc_now_iso()}


def _proposal(key: str, body: Json, updates: Json | None) -> Json:
    changes = {name: value for name, value in body.items() if name in CHANGE_FIELDS}
    return {
        "idempotency_key": key,
        "created_at": utc_now_iso(),
        "changes": changes,
        "updates": updates,
    }


def _require_open(draft: Json) -> None:
    """409 while a soft change waits for its ack: it was staged against the draft as it is."""
    proposal = draft["pending_proposal"]
    if proposal is None:
        return
    waiting = (
        "is dormant: its soft create waits for an ack"
        if draft["status"] == "dormant"
        else "has a proposal waiting for an ack"
    )
    raise conflict(
        f"Draft {draft['draft_id']} {waiting}; send {{idempotency_key: "
        f"{proposal['idempotency_key']!r}, accept: true|false}} first."
    )


def _target_draft_id(body: Json) -> str | None:
    """``draft_id`` or its legacy alias; a 400 when both are given and name different drafts."""
    draft_id, alias = body.get("draft_id"), body.get("input_draft_id")
    if draft_id is not None and alias is not None and draft_id != alias:
        message = "draft_id and input_draft_id name different drafts; send one of them"
        raise Problem(
            400,
            "conflicting-draft-ids",
            "Conflicting draft ids",
            f"draft_id {draft_id!r} and its legacy alias input_draft_id {alias!r} differ.",
            errors=[
                FieldError("body", "/draft_id", message),
                FieldError("body", "/input_draft_id", message),
            ],
        )
    return draft_id if draft_id is not None else alias


def _has_changes(body: Json) -> bool:
    return not CHANGE_FIELDS.isdisjoint(body)


def _fingerprint(body: Json) -> str:
    """What "the same body" means: everything but the key, whether the client sent one or not."""
    content = {name: value for name, value in body.items() if name != "idempotency_key"}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _key_entry(key: str, fingerprint: str, soft: bool) -> Json:
    """A key just reserved: ``running`` until its request finishes."""
    return {
        "idempotency_key": key,
        "fingerprint": fingerprint,
        "soft": soft,
        "state": "running",
        "draft_id": None,
        "response": None,
        "ack": None,
        "created_at": utc_now_iso(),
    }


def _replayed_ack(ack: Json, accept: bool, key: str) -> Outcome:
    if ack["accept"] != accept:
        given = "accepted" if ack["accept"] else "rejected"
        raise conflict(f"idempotency_key {key!r} was already {given}; that cannot be undone.")
    return Outcome(200, ack["response"])


def _deadline() -> float:
    return asyncio.get_running_loop().time() + _WAIT_SECONDS


async def _pause(deadline: float, key: str) -> None:
    """Wait a moment for another request on ``key``; 409 once the wait has run out."""
    if asyncio.get_running_loop().time() >= deadline:
        raise conflict(f"A request with idempotency_key {key!r} is still in progress; retry.")
    await asyncio.sleep(_POLL_SECONDS)
