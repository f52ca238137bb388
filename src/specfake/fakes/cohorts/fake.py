"""``CohortFake``: routes a ``POST /cohort/draft`` body to an ack, a patch or a create, under
an idempotency key (reserved first when the client sent it), and writes drafts with
compare-and-set."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any

from specfake.config import ServerConfig
from specfake.errors import FieldError, conflict, not_found
from specfake.fakes.base import Binding, utc_now_iso
from specfake.fakes.cohorts.catalog import CatalogIndexes
from specfake.fakes.cohorts.drafts import (
    _merged,
    _new_draft,
    _proposal,
    _require_open,
    _revised,
)
from specfake.fakes.cohorts.fields import (
    RESOURCE_ID_FIELDS,
    Json,
    _has_changes,
    _target_draft_id,
)
from specfake.fakes.cohorts.idempotency import (
    KEY_FIELD,
    _entry_fields,
    _fingerprint,
    _finished_fields,
    _key_entry,
    _remembered,
    _replayed_ack,
)
from specfake.fakes.cohorts.ids import new_id
from specfake.fakes.cohorts.resolution import (
    _form_state,
    _items,
    _resolve,
    _state_reference_errors,
    _World,
)
from specfake.fakes.cohorts.schemas import (
    _CATALOG_RECORD,
    CATALOG,
    CATALOG_SCHEMA,
    DRAFT_SCHEMA,
    DRAFTS,
    EMPTY_CATALOG,
    KEY_SCHEMA,
    KEYS,
    RESOURCE_SCHEMA,
    RESOURCES,
)
from specfake.fakes.idempotency import IdempotencyKeys
from specfake.pipeline.outcome import OperationRequest, Outcome
from specfake.store.base import CollectionLimit, StateStore, Versioned

DraftChange = Callable[[Json], Json | None]  # the new draft, or None to delete it


# A draft write re-reads and retries a lost compare-and-set (another patch landed first).
_MAX_ATTEMPTS = 8


class CohortFake:
    """Stateful fake of ``patch-cohort-draft``, with bounded idempotency-key memory."""

    name = "cohorts"

    def __init__(self, store: StateStore, config: ServerConfig) -> None:
        self._store = store
        self._catalogs = CatalogIndexes(EMPTY_CATALOG)
        capacity = CollectionLimit(capacity=config.max_records)
        store.set_limit(DRAFTS, capacity)
        store.set_limit(RESOURCES, capacity)
        self._keys = IdempotencyKeys(
            store,
            KEYS,
            CollectionLimit(config.idempotency_max_keys, config.idempotency_max_age_seconds),
            label=KEY_FIELD,
            lease_seconds=config.idempotency_lease_seconds,
        )

    def bindings(self) -> Sequence[Binding]:
        return (Binding("patch-cohort-draft", "POST", "/cohort/draft", self.patch_draft),)

    def state_schema(self) -> Mapping[str, Json]:
        return {
            CATALOG: {**CATALOG_SCHEMA, "default": EMPTY_CATALOG},
            DRAFTS: {"type": "array", "items": DRAFT_SCHEMA, "default": []},
            RESOURCES: {"type": "array", "items": RESOURCE_SCHEMA, "default": []},
            KEYS: {"type": "array", "items": KEY_SCHEMA, "default": []},
        }

    def state_errors(self, sections: Mapping[str, Any]) -> list[FieldError]:
        # JSON Schema cannot say "this id names a resource", so references are checked here.
        return _state_reference_errors(
            sections.get(CATALOG, EMPTY_CATALOG),
            sections.get(DRAFTS, []),
            sections.get(RESOURCES, []),
        )

    async def load(self, sections: Mapping[str, Any]) -> None:
        keyed_by = {DRAFTS: "draft_id", RESOURCES: "id", KEYS: "idempotency_key"}
        restored = {
            name: {row[field]: row for row in sections[name]}
            for name, field in keyed_by.items()
            if name in sections
        }
        if CATALOG in sections:
            restored[CATALOG] = {_CATALOG_RECORD: sections[CATALOG]}
        await self._store.restore(restored)

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
        soft = bool(body.get("soft")) and (draft_id is None or _has_changes(body))
        given = body.get("idempotency_key")
        key = given or new_id()
        fingerprint = _fingerprint(body)
        work = partial(self._change, body, draft_id, key, soft)
        if given:
            return await self._once(key, fingerprint, soft, work)
        return await self._once_unshared(key, fingerprint, soft, work)

    # -- idempotency --------------------------------------------------------------------------

    async def _once(
        self, key: str, fingerprint: str, soft: bool, work: Callable[[], Awaitable[Json]]
    ) -> Outcome:
        """Do ``work`` once per key: reserve the key, or replay (or wait for) its first answer."""
        response = await self._keys.once(
            key,
            fingerprint,
            work,
            fields=_entry_fields(soft),
            finished=_finished_fields,
        )
        return Outcome(200, response)

    async def _once_unshared(
        self, key: str, fingerprint: str, soft: bool, work: Callable[[], Awaitable[Json]]
    ) -> Outcome:
        """:meth:`_once` for a key this request generated: nobody can send it before the
        answer names it, so no other request can race for it and there is nothing to reserve;
        the key is remembered, as :meth:`_once` leaves it, once the answer exists (one write
        instead of two). A failed request leaves nothing, as a released reservation does."""
        response = await work()
        await self._store.compare_and_set(
            KEYS, key, None, _remembered(key, fingerprint, soft, response)
        )
        return Outcome(200, response)

    async def _acknowledge(self, key: str, accept: bool, draft_id: str | None) -> Outcome:
        """Apply (``accept``) or discard the soft request ``key`` staged, exactly once."""
        deadline = self._keys.deadline()
        while True:
            record = await self._store.get(KEYS, key) or await self._adopt(key)
            if record is None:  # another request remembered the key first: read it again
                continue
            entry = record.value
            if entry["state"] == "running":
                if not await self._keys.reclaim(key, record):
                    await self._keys.pause(deadline, key)
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
                KEYS, key, record.revision, self._keys.running(entry)
            )
            if reserved is not None:
                break
            await self._keys.pause(deadline, key)
        response = await self._keys.finish(
            key,
            reserved,
            self._settle(entry["draft_id"], key, accept),
            lambda response: {**entry, "ack": {"accept": accept, "response": response}},
            undone=entry,
        )
        return Outcome(200, response)

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

    # -- drafts -------------------------------------------------------------------------------

    async def _change(self, body: Json, draft_id: str | None, key: str, soft: bool) -> Json:
        if draft_id is None:
            return await self._create(body, key, soft)
        if not _has_changes(body):
            draft = (await self._require_draft(draft_id)).value
            return await self._answer(draft_id, draft, key, "Nothing to change; the current draft.")
        return await self._patch(body, draft_id, key, soft)

    async def _create(self, body: Json, key: str, soft: bool) -> Json:
        now = utc_now_iso()
        updates, world = await self._updates_for(body, now)
        draft = _merged(_new_draft(new_id(), now), updates)
        if soft:
            draft = {
                **draft,
                "status": "dormant",
                "pending_proposal": _proposal(key, body, None, now),
            }
        # A fresh UUID: nobody can have written it, so this compare-and-set cannot lose.
        await self._store.compare_and_set(DRAFTS, draft["draft_id"], None, draft)
        message = (
            f"Dormant draft created; send {{idempotency_key: {key!r}, accept: true}} to make it "
            "live, or accept: false to discard it."
            if soft
            else "Draft created."
        )
        # The new draft names only what the body named and the resources it created.
        return await self._answer(draft["draft_id"], draft, key, message, world)

    async def _patch(self, body: Json, draft_id: str, key: str, soft: bool) -> Json:
        _require_open((await self._require_draft(draft_id)).value)  # 404 and 409 before 422
        now = utc_now_iso()
        updates, world = await self._updates_for(body, now)

        def change(draft: Json) -> Json:
            _require_open(draft)
            if soft:
                return {**draft, "pending_proposal": _proposal(key, body, updates, now)}
            return _revised(_merged(draft, updates), now)

        draft = await self._update_draft(draft_id, change)
        message = (
            f"Change proposed; send {{idempotency_key: {key!r}, accept: true}} to apply it, or "
            "accept: false to discard it."
            if soft
            else "Draft updated."
        )
        return await self._answer(draft_id, draft, key, message, await self._world(draft, world))

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

    async def _updates_for(self, body: Json, now: str) -> tuple[Json, _World]:
        """The draft updates ``body`` asks for, with the resources its values create written
        (at ``now``), and the world they were resolved in, those resources included."""
        world = await self._world(body)
        updates, created = _resolve(body, world, now)
        if created:  # fresh UUIDs nobody uses: one round-trip for all of them
            await self._store.append(RESOURCES, {resource["id"]: resource for resource in created})
        return updates, world.with_resources(created)

    async def _answer(
        self,
        draft_id: str,
        draft: Json | None,
        key: str,
        message: str,
        world: _World | None = None,
    ) -> Json:
        """The 200 body; ``form_state`` is left out only when the draft no longer exists.
        ``world``: one that knows everything ``draft`` names (read now when not given)."""
        response: Json = {
            "success": True,
            "draft_id": draft_id,
            "idempotency_key": key,
            "message": message,
        }
        if draft is not None:
            response["form_state"] = _form_state(
                draft, world if world is not None else await self._world(draft)
            )
        return response

    async def _world(self, record: Json, known: _World | None = None) -> _World:
        """The catalog, and every resource ``record`` (a body or a draft) may refer to; with
        ``known``, its catalog and resources, and only the resources it lacks read."""
        if known is None:
            index = self._catalogs.index_of(await self._store.get(CATALOG, _CATALOG_RECORD))
            resources: dict[str, Json] = {}
        else:
            index, resources = known.index, dict(known.resources)
        for name in RESOURCE_ID_FIELDS:
            for resource_id in _items(record, name):
                if resource_id in resources:
                    continue
                found = await self._store.get(RESOURCES, resource_id)
                if found is not None:
                    resources[resource_id] = found.value
        return _World(index, resources)
