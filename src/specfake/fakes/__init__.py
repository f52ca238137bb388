"""The stateful fakes, one module per API, all over one :class:`~specfake.store.StateStore`."""

from __future__ import annotations

from specfake.config import ServerConfig
from specfake.fakes.base import Fake, Handler, OperationKey, OperationRequest
from specfake.fakes.cohorts import CohortFake
from specfake.fakes.pathways import PathwayFake
from specfake.store.base import StateStore

__all__ = [
    "CohortFake",
    "Fake",
    "Handler",
    "OperationKey",
    "OperationRequest",
    "PathwayFake",
    "build_fakes",
]


def build_fakes(store: StateStore, config: ServerConfig) -> list[Fake]:
    """Every fake specfake ships; the app binds those whose operations a served spec has."""
    return [PathwayFake(store), CohortFake(store, config)]
