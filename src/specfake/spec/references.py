"""JSON Pointers and local ``$ref``s: one resolver for the loader, the compiler and synthesis."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote


def pointed(document: Any, pointer: str) -> Any:
    """The node at JSON Pointer ``pointer`` (``/components/schemas/A``) in ``document``, or
    ``None`` if there is none."""
    target = document
    for part in pointer.split("/")[1:] if pointer else []:
        target = child(target, part.replace("~1", "/").replace("~0", "~"))
        if target is None:
            return None
    return target


def child(node: Any, part: str) -> Any:
    """``node``'s member named by one (unescaped) JSON Pointer segment, or ``None``."""
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return None


MAX_REFERENCE_CHAIN = 32


def followed(document: Any, node: Any, pointer: str = "") -> tuple[Any, str]:
    """``node`` (at ``pointer`` in ``document``) with its chain of local ``$ref``s followed,
    and the pointer of the node it ends at; a reference to nothing ends the chain."""
    for _ in range(MAX_REFERENCE_CHAIN):
        reference = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(reference, str):
            break
        target = referenced(document, reference)
        if target is None:
            break
        node, pointer = target, unquote(reference[1:])
    return node, pointer


def referenced(document: Any, reference: str) -> Any:
    """What a local ``$ref`` (``#/components/schemas/A%20B``, a URI fragment, so
    percent-encoded) points at in ``document``; ``None`` for another document or nothing."""
    if not reference.startswith("#"):
        return None
    return pointed(document, unquote(reference[1:]))
