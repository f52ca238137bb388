"""The contract spec of an API: the served spec without the choices specfake made where the
docs are silent.

The overlays mark each such choice with ``x-specfake-choice: true`` (the inner fields of the
cohort ``form_state``, ``errors[].in`` of problem bodies, the conflict body's ``currentStatus``).
The fake holds itself to the served spec, choices included; a real server is judged by the
contract, so ``specfake check`` and ``verify`` against staging do not cry wolf over what the
docs never promised.
"""

from __future__ import annotations

import copy
from typing import Any

CHOICE = "x-specfake-choice"
CONTRACT_NOTE = (
    " This is the contract spec: what the documentation promises, without the choices specfake "
    f"made where it is silent (marked `{CHOICE}` in the served spec). Judge real servers by it."
)


def contract_document(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with every node marked as a choice left out.

    A marked property leaves its object's ``properties`` and ``required``, and the object no
    longer refuses undocumented fields (``additionalProperties: false``): a real server may
    send the field or not. Any other marked member (a response, a schema) leaves its mapping.
    """
    contract = copy.deepcopy(document)
    _strip(contract)
    info = contract.get("info")
    if isinstance(info, dict):
        info["description"] = str(info.get("description", "")) + CONTRACT_NOTE
    return contract


def _strip(node: Any) -> None:
    if isinstance(node, list):
        node[:] = [item for item in node if not _chosen(item)]
        for item in node:
            _strip(item)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if isinstance(properties, dict):
        chosen = {name for name, schema in properties.items() if _chosen(schema)}
        if chosen:
            _open(node, chosen)
    for key in [key for key, value in node.items() if _chosen(value)]:
        del node[key]
    for value in node.values():
        _strip(value)


def _open(schema: dict[str, Any], chosen: set[str]) -> None:
    """``schema`` without the ``chosen`` properties, and open to them."""
    for name in chosen:
        del schema["properties"][name]
    required = schema.get("required")
    if isinstance(required, list):
        schema["required"] = [name for name in required if name not in chosen]
        if not schema["required"]:
            del schema["required"]
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        if schema.get(keyword) is False:
            del schema[keyword]


def _chosen(node: Any) -> bool:
    return isinstance(node, dict) and node.get(CHOICE) is True
