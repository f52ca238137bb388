"""Apply an OpenAPI Overlay 1.0 document (https://spec.openapis.org/overlay/v1.0.0).

Each action selects nodes with an RFC 9535 JSONPath (``jsonpath-rfc9535``) and either removes
them or merges ``update`` into them: objects merge recursively, an array target gets the update
appended, and any other value is replaced.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonpath_rfc9535 as jsonpath

from specfake.errors import SpecfakeError


def apply_overlay(document: dict[str, Any], overlay: dict[str, Any], source: str) -> dict[str, Any]:
    """Return a copy of ``document`` with every action of ``overlay`` applied in order."""
    if not str(overlay.get("overlay", "")).startswith("1."):
        raise SpecfakeError(f"{source}: not an Overlay 1.x document (missing 'overlay: 1.0.0')")
    result = copy.deepcopy(document)
    for number, action in enumerate(overlay.get("actions", []), start=1):
        target = action.get("target")
        where = f"{source}: action {number} ({target})"
        if not isinstance(target, str):
            raise SpecfakeError(f"{where}: 'target' must be a JSONPath string")
        try:
            nodes = jsonpath.find(target, result)
        except jsonpath.JSONPathError as error:
            raise SpecfakeError(f"{where}: invalid JSONPath: {error}") from error
        if not nodes:
            raise SpecfakeError(f"{where}: the target matches nothing in the document")
        if action.get("remove"):
            for node in reversed(list(nodes)):
                _remove(result, node.location)
        elif "update" in action:
            for node in nodes:
                _update(node.value, action["update"], where)
        else:
            raise SpecfakeError(f"{where}: an action needs 'update' or 'remove: true'")
    return result


def _update(target: Any, update: Any, where: str) -> None:
    if isinstance(target, list):
        target.extend(
            copy.deepcopy(update) if isinstance(update, list) else [copy.deepcopy(update)]
        )
    elif isinstance(target, dict) and isinstance(update, dict):
        _merge(target, update)
    else:
        raise SpecfakeError(f"{where}: can only update objects and arrays")


def _merge(target: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _remove(document: Any, location: tuple[str | int, ...]) -> None:
    parent = document
    for key in location[:-1]:
        parent = parent[key]
    del parent[location[-1]]
