"""The catalog "world" a request is resolved against: names become ids, every id must name
something of its kind, and a stored draft renders back into ``form_state``.

A draft stores ids only; this module is the one place that knows what they point to.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from specfake.errors import FieldError, validation_failed
from specfake.fakes.cohorts.catalog import ACTIVE_FLAG, CatalogIndex
from specfake.fakes.cohorts.fields import PAIRS, Json, _Pair
from specfake.fakes.cohorts.ids import new_id
from specfake.fakes.cohorts.schemas import DRAFTS


class _World:
    """What ids can name: the catalog (indexed), and the resources that were looked up."""

    def __init__(self, index: CatalogIndex, resources: Mapping[str, Json]) -> None:
        self.index = index
        self.resources = resources

    def find(self, pair: _Pair, item_id: str) -> Json | None:
        if pair.in_catalog:
            return self.index.entries[pair.kind].get(item_id)
        resource = self.resources.get(item_id)
        return resource if resource is not None and resource["kind"] == pair.kind else None

    def knows(self, item_id: str) -> bool:
        return item_id in self.resources or item_id in self.index.known_ids

    def with_resources(self, created: list[Json]) -> _World:
        """This world and the resources just ``created``."""
        if not created:
            return self
        return _World(self.index, {**self.resources, **{item["id"]: item for item in created}})


def _resolve(body: Json, world: _World, now: str) -> tuple[Json, list[Json]]:
    """The updates ``body`` asks for and the resources to create (at ``now``), or a 422
    listing each fault."""
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
            ids = list(_items(body, pair.ids))
            for number, value in enumerate(_items(body, pair.values)):
                if not pair.in_catalog:
                    created.append(_new_resource(pair.kind, value, now))
                    ids.append(created[-1]["id"])
                    continue
                matches = world.index.named(pair.kind, value)
                if len(matches) == 1:
                    ids.append(matches[0]["id"])
                else:
                    pointer = _pointer(body, pair.values, number)
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


def _name_error(pair: _Pair, name: str, matches: Sequence[Json]) -> str:
    if not matches:
        return f"no {pair.noun} is named {name!r}"
    ids = ", ".join(entry["id"] for entry in matches)
    return f"{name!r} names {len(matches)} {pair.kind} ({ids}); send {pair.ids} instead"


def _active_update(body: Json, world: _World) -> tuple[Json | None, list[FieldError]]:
    """``active: bool`` as the cohort_active option to add and its siblings to drop."""
    if "active" not in body:
        return None, []
    value = body["active"]
    choice = world.index.active_choices.get(value) if isinstance(value, bool) else None
    if choice is None:
        return None, [
            FieldError(
                "body",
                "/active",
                f"the catalog has no {ACTIVE_FLAG} option for {json.dumps(body['active'])}",
            )
        ]
    add, drop = choice
    contradicting = [
        FieldError("body", pointer, f"contradicts active: {json.dumps(value)}")
        for pointer, option_id in _pointed(body, "flag_ids")
        if option_id in drop
    ]
    if contradicting:
        contradicting.insert(
            0, FieldError("body", "/active", f"contradicts the {ACTIVE_FLAG} option in flag_ids")
        )
    return {"add": add, "drop": list(drop)}, contradicting


def _reference_errors(record: Json, world: _World, prefix: str = "") -> list[FieldError]:
    """Every id in ``record`` (a body or a stored draft) that names nothing of its kind, and
    every flag given two options."""
    errors = [
        FieldError("body", pointer, f"no {pair.noun} has id {item_id!r}")
        for pair in PAIRS
        if pair.ids in record
        for pointer, item_id in _pointed(record, pair.ids, prefix)
        if world.find(pair, item_id) is None
    ]
    options: dict[str, list[tuple[str, str]]] = {}
    for pointer, option_id in _pointed(record, "flag_ids", prefix):
        flag = world.index.flag_of.get(option_id)
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
    world = _World(CatalogIndex.of(catalog), {resource["id"]: resource for resource in resources})
    errors = []
    for number, draft in enumerate(drafts):
        where = f"/{DRAFTS}/{number}"
        errors.extend(_reference_errors(draft, world, where))
        proposal = draft["pending_proposal"]
        if proposal is not None and proposal["updates"] is not None:
            fields, at = proposal["updates"]["fields"], f"{where}/pending_proposal/updates/fields"
            errors.extend(_reference_errors(fields, world, at))
    return errors


def _pointed(record: Mapping[str, Any], name: str, prefix: str = "") -> list[tuple[str, Any]]:
    """``(JSON Pointer, item)`` for each item of the list field ``name``, or for the field
    itself when it is a single value; nothing when it is absent or null."""
    items = _items(record, name)
    if not items:  # most fields of most bodies
        return []
    return [(_pointer(record, name, number, prefix), item) for number, item in enumerate(items)]


def _pointer(record: Mapping[str, Any], name: str, number: int, prefix: str = "") -> str:
    """The JSON Pointer :func:`_pointed` gives the ``number``-th item of the field ``name``."""
    if isinstance(record[name], list):
        return f"{prefix}/{name}/{number}"
    return f"{prefix}/{name}"


def _items(record: Mapping[str, Any], name: str) -> Sequence[Any]:
    """The items of the list field ``name``, or the field itself when it is a single value:
    what :func:`_pointed` yields, without the pointers nobody reads when nothing is wrong."""
    value = record.get(name)
    if isinstance(value, list):
        return value
    return () if value is None else (value,)


def _form_state(draft: Json, world: _World) -> Json:
    """The draft as the response shows it: every id with its name or value."""
    state: Json = {key: draft[key] for key in ("draft_id", "status", "version")}
    for pair in PAIRS:
        stored = draft[pair.ids]
        if pair.many:
            state[pair.values] = [_rendered(pair, item_id, world) for item_id in stored]
        else:
            state[pair.values] = None if stored is None else _rendered(pair, stored, world)
    proposal = draft["pending_proposal"]
    return {
        **state,
        "flag_ids": draft["flag_ids"],
        "active": not world.index.active_true.isdisjoint(draft["flag_ids"]),
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


def _new_resource(kind: str, value: Any, now: str) -> Json:
    return {"id": new_id(), "kind": kind, "value": value, "created_at": now}
