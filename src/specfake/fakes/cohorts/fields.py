"""What a request body's fields mean: which value field pairs with which id field, which
fields change a draft, and which draft the body targets.

Every other module of the fake reads bodies and drafts through these pairs, so they sit alone
at the bottom of the package and import nothing from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from specfake.errors import FieldError, Problem

Json = dict[str, Any]


CATALOG_KINDS = ("departments", "simulations", "profiles")


@dataclass(frozen=True, slots=True)
class _Pair:
    """A request's value field and its id field (``departments``/``department_ids``).

    ``kind`` is a catalog section or a resource kind; the draft stores the id field. The
    other attributes follow from these three, derived once: requests read them for every pair.
    """

    values: str
    ids: str
    kind: str
    many: bool = field(init=False)  # a list of ids, not one
    in_catalog: bool = field(init=False)  # names resolve against the catalog
    noun: str = field(init=False)  # one of the kind, as error messages name it

    def __post_init__(self) -> None:
        object.__setattr__(self, "many", self.ids.endswith("_ids"))
        object.__setattr__(self, "in_catalog", self.kind in CATALOG_KINDS)
        object.__setattr__(self, "noun", self.kind.removesuffix("s").replace("_", " "))


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
# The fields of a body or a draft that may hold resource ids (pending_ids: catalog ids too).
RESOURCE_ID_FIELDS = (*(pair.ids for pair in PAIRS if not pair.in_catalog), "pending_ids")
CHANGE_FIELDS = frozenset(
    {name for pair in PAIRS for name in (pair.values, pair.ids)}
    | {"flag_ids", "active", "pending_ids"}
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
