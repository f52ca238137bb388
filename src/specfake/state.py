"""The fakes' state as one document, in the fixture format: check, dump, load, replace, and
what a reload can keep.

The state lives in the store; each fake reads and writes its own sections of it. Everything
here goes through the world's fakes, so a section means the same in a fixture file, in
``GET``/``PUT /__specfake__/state`` and across a reload.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from specfake.errors import FieldError, validation_failed
from specfake.fakes import Fake
from specfake.fixtures import state_errors as schema_errors
from specfake.spec.defects import SpecWarning
from specfake.world import World


def state_errors(world: World, state: Any) -> list[FieldError]:
    """Every way ``state`` breaks the sections' schemas, then the fakes' own checks (duplicate
    ids, references to unknown records), as JSON Pointers from the state root."""
    errors = schema_errors(state, world.state_schemas)
    if errors:
        return errors
    return [error for fake in world.checkers for error in fake.state_errors(state)]


async def dump_state(world: World) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for fake in world.fakes:
        state.update(await fake.dump())
    return state


async def load_state(world: World, state: Mapping[str, Any]) -> None:
    """Make checked ``state`` the whole state: every bound fake gets each of its sections,
    a missing one as its schema's ``default`` (empty)."""
    for fake in world.fakes:
        await fake.load(_every_section(fake, state))


def _every_section(fake: Fake, state: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: state[name] if name in state else schema.get("default")
        for name, schema in fake.state_schema().items()
    }


async def reset_state(world: World) -> None:
    """Back to the world's fixtures."""
    await load_state(world, world.fixtures)


async def replace_sections(world: World, given: Any) -> None:
    """``PUT /__specfake__/state``: replace the sections ``given`` names, keep the others.

    Checked whole before anything is written (422 naming each bad field; ``{}`` names nothing
    and is a 422 too). Each fake's load is one ``StateStore.restore``, which is all or nothing,
    so nothing needs putting back; the old state is not copied (a 100k-row state would be
    held twice).
    """
    if given == {}:
        message = "names no section; send the sections to replace, e.g. {\"pathways\": [...]}"
        raise validation_failed([FieldError("body", "", message)])
    # The schema check is most of the work for a big state: in a thread, so other clients
    # keep being answered meanwhile.
    errors = await asyncio.to_thread(schema_errors, given, world.state_schemas)
    if errors:
        raise validation_failed(errors)
    owners = [fake for fake in world.fakes if any(name in given for name in fake.state_schema())]
    merged = dict(given)
    for fake in owners:  # what the named sections are checked against (references)
        if not all(name in given for name in fake.state_schema()):
            merged = {**await fake.dump(), **merged}
    errors = [error for fake in world.checkers for error in fake.state_errors(merged)]
    if errors:
        raise validation_failed(errors)
    for fake in owners:  # only the named sections: a write to another one meanwhile stays
        await fake.load({name: given[name] for name in fake.state_schema() if name in given})


async def carry_state(old: World, new: World) -> list[SpecWarning]:
    """Move the live state from ``old`` to ``new`` (a reload): sections the new schemas still
    accept stay as they are, untouched in the store; the others, and sections new to this
    world, start from the new fixtures. Returns a warning for each section not kept."""
    current = await dump_state(old)
    warnings: list[SpecWarning] = []
    kept: dict[str, Any] = {}
    for name, value in current.items():
        if name not in new.state_schemas:
            warnings.append(SpecWarning(None, f"/{name}", "no fake of the new world holds this "
                                        "section; its records were dropped"))  # fmt: skip
            continue
        errors = schema_errors({name: value}, new.state_schemas)
        if errors:
            warnings.append(_reset_warning(name, errors[0]))
        else:
            kept[name] = value
    merged = {**new.fixtures, **kept}
    for error in [error for fake in new.checkers for error in fake.state_errors(merged)]:
        name = error.path.split("/")[1]
        if name in kept:  # a reference the new fixtures no longer satisfy
            warnings.append(_reset_warning(name, error))
            del kept[name]
    merged = {**new.fixtures, **kept}
    if any(fake.state_errors(merged) for fake in new.checkers):  # fixtures against kept state
        message = "the live state and the new fixtures do not fit together; all of it starts "
        warnings.append(SpecWarning(None, "", message + "again from the fixtures"))
        kept, merged = {}, dict(new.fixtures)
    for fake in new.fakes:
        if any(name not in kept for name in fake.state_schema()):
            await fake.load(_every_section(fake, merged))  # one neither kept nor given: empty
    return warnings


def stored_state_warnings(errors: list[FieldError]) -> list[SpecWarning]:
    """What a durable store holds that the current specs cannot: reported, not dropped (the
    store may be shared; ``POST /__specfake__/reset`` goes back to the fixtures)."""
    advice = "POST /__specfake__/reset to start again from the fixtures"
    return [
        SpecWarning(None, error.path, f"the stored state breaks the current schemas: "
                    f"{error.message}; {advice}")
        for error in errors
    ]


def _reset_warning(name: str, error: FieldError) -> SpecWarning:
    return SpecWarning(
        None,
        f"/{name}",
        f"the new schemas refuse the live state at {error.path} ({error.message}); this "
        "section starts again from the fixtures",
    )
