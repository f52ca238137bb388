"""Where the fakes keep their state: the :class:`StateStore` protocol and its implementations."""

from specfake.store.base import (
    CollectionFull,
    CollectionLimit,
    StateStore,
    StoreUnavailable,
    Versioned,
)
from specfake.store.factory import open_store
from specfake.store.memory import MemoryStore

__all__ = [
    "CollectionFull",
    "CollectionLimit",
    "MemoryStore",
    "StateStore",
    "StoreUnavailable",
    "Versioned",
    "open_store",
]
