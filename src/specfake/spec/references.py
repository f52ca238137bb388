"""JSON Pointers and local ``$ref``s: one resolver for the loader, the compiler and synthesis."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote


def pointed(document: Any, pointer: str) -> Any:
    """The node at JSON Pointer ``pointer`` (``/components/schemas/A``) in ``document``, or
    ``None`` if there is none."""
    target = document
    for part in pointer.split("/")[1:] if pointer else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and part in target:
            target = target[part]
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            return None
    return target


def referenced(document: Any, reference: str) -> Any:
    """What a local ``$ref`` (``#/components/schemas/A%20B``, a URI fragment, so
    percent-encoded) points at in ``document``; ``None`` for another document or nothing."""
    if not reference.startswith("#"):
        return None
    return pointed(document, unquote(reference[1:]))
