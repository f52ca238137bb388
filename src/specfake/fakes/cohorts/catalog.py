"""The catalog as the fake looks it up: entries by id and by name, each flag option's flag,
and the ``cohort_active`` options, built once per catalog rather than walked per request.

The catalog is read-only over the API and changes only through the control API (state PUT,
reset, reload), so :class:`CatalogIndexes` keeps the index of the catalog's current store
revision: every store gives each write a new revision, so any change to the catalog is seen
by the next request, in this process or another sharing the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from specfake.fakes.cohorts.fields import CATALOG_KINDS, Json
from specfake.store.base import Versioned

ACTIVE_FLAG = "cohort_active"


@dataclass(frozen=True, slots=True)
class CatalogIndex:
    """What one catalog can name, indexed; build it with :meth:`of`."""

    entries: Mapping[str, Mapping[str, Json]]  # kind → id → entry
    by_name: Mapping[str, Mapping[str, Sequence[Json]]]  # kind → casefolded name → entries
    flag_of: Mapping[str, Json]  # option id → its flag
    known_ids: frozenset[str]  # every entry and flag option id
    # active: true|false → the cohort_active option it adds and the sibling options it drops
    active_choices: Mapping[bool, tuple[str, tuple[str, ...]]]
    active_true: frozenset[str]  # ids of the cohort_active options whose value is true

    @classmethod
    def of(cls, catalog: Json) -> CatalogIndex:
        entries = {kind: {entry["id"]: entry for entry in catalog[kind]} for kind in CATALOG_KINDS}
        by_name: dict[str, dict[str, list[Json]]] = {kind: {} for kind in CATALOG_KINDS}
        for kind in CATALOG_KINDS:
            for entry in catalog[kind]:
                by_name[kind].setdefault(entry["name"].casefold(), []).append(entry)
        flag_of = {option["id"]: flag for flag in catalog["flags"] for option in flag["options"]}
        active_options = tuple(
            option
            for flag in catalog["flags"]
            if flag["key"] == ACTIVE_FLAG
            for option in flag["options"]
        )
        return cls(
            entries=entries,
            by_name=by_name,
            flag_of=flag_of,
            known_ids=frozenset(flag_of).union(*(ids.keys() for ids in entries.values())),
            active_choices={
                value: choice
                for value in (True, False)
                if (choice := _active_choice(active_options, value)) is not None
            },
            active_true=frozenset(
                option["id"] for option in active_options if option["value"] is True
            ),
        )

    def named(self, kind: str, name: str) -> Sequence[Json]:
        """Catalog entries called ``name``, ignoring case and surrounding spaces."""
        return self.by_name[kind].get(name.strip().casefold(), ())


def _active_choice(options: tuple[Json, ...], value: bool) -> tuple[str, tuple[str, ...]] | None:
    """The first option for ``value`` and the ids of every other option, or ``None``."""
    chosen = [option for option in options if option["value"] is value]
    if not chosen:
        return None
    return chosen[0]["id"], tuple(option["id"] for option in options if option is not chosen[0])


class CatalogIndexes:
    """The index of the catalog record last read, rebuilt when its revision changes."""

    def __init__(self, empty: Json) -> None:
        self._empty = CatalogIndex.of(empty)  # no catalog record: the empty catalog
        self._last: tuple[int, CatalogIndex] | None = None

    def index_of(self, record: Versioned | None) -> CatalogIndex:
        """The index of ``record`` (the catalog as just read from the store)."""
        if record is None:
            return self._empty
        last = self._last
        if last is not None and last[0] == record.revision:
            return last[1]
        index = CatalogIndex.of(record.value)
        self._last = (record.revision, index)
        return index
