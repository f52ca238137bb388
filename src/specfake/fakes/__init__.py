"""The stateful fakes, one module per API, all over one :class:`~specfake.store.StateStore`."""

from __future__ import annotations

from importlib.metadata import entry_points

from specfake.config import ServerConfig
from specfake.errors import SpecfakeError
from specfake.fakes.base import Binding, Fake, FakeFactory
from specfake.store.base import StateStore

__all__ = ["ENTRY_POINT_GROUP", "Binding", "Fake", "FakeFactory", "build_fakes"]

ENTRY_POINT_GROUP = "specfake.fakes"


def fake_factories() -> dict[str, FakeFactory]:
    """Every installed fake by entry-point name: specfake's own (``pyproject.toml``) and any
    other package's."""
    factories = {}
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda entry: entry.name):
        try:
            factories[entry.name] = entry.load()
        except Exception as error:  # a broken plugin names itself instead of a traceback
            raise SpecfakeError(
                f"fake {entry.name!r} ({entry.value}, entry point group {ENTRY_POINT_GROUP}) "
                f"cannot be loaded: {error!r}"
            ) from error
    return factories


def build_fakes(store: StateStore, config: ServerConfig) -> list[Fake]:
    """One instance of every installed fake over ``store``; the world binds those whose
    operations a served spec has."""
    return [factory(store, config) for factory in fake_factories().values()]
