"""The three ways a PATCH body changes a record: top-level fields (the default for
``application/json``, as the seed API needs: a nested object is replaced whole, ``null``
removes the field), RFC 7396
merge patch (``application/merge-patch+json``: nested objects merge, ``null`` removes) and
RFC 6902 JSON Patch (``application/json-patch+json``, applied by the ``jsonpatch`` library).
"""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch

from specfake.errors import FieldError, validation_failed

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"


def merge_mode(content_type: str | None, declared: str | None) -> str:
    """``top-level``, ``merge-patch`` or ``json-patch``: the media type decides, then the
    declaration (``x-specfake.merge``)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media == MERGE_PATCH:
        return "merge-patch"
    if media == JSON_PATCH:
        return "json-patch"
    return declared or "top-level"


def patched(record: dict[str, Any], body: Any, mode: str) -> dict[str, Any]:
    """A new record: ``record`` with ``body`` applied (never ``record`` itself, which may be
    the store's own object: the caller changes what this returns). A JSON Patch that cannot
    apply is a 422 naming the operation at fault."""
    if mode == "json-patch":
        return _json_patched(record, body)
    if not isinstance(body, dict):
        return dict(record)
    if mode == "merge-patch":
        merged = merge_patch(record, body)
        return merged if isinstance(merged, dict) else dict(record)
    return top_level_patched(record, body)


def top_level_patched(record: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """``record`` with ``body``'s top-level members: a ``null`` removes the field, unless the
    record held ``null`` there already (it stays). One copy of the record, changed in place."""
    result = dict(record)
    for name, value in body.items():
        if value is None and record.get(name, 0) is not None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396, section 2, as written."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result


def _json_patched(record: dict[str, Any], body: Any) -> dict[str, Any]:
    """RFC 6902, one operation at a time on one copy (linear in the patch's length), so the
    one that fails is named by its index."""
    if not isinstance(body, list):
        raise validation_failed([FieldError("body", "", "a JSON Patch is an array of operations "
                                            "(RFC 6902), e.g. [{\"op\": \"replace\", ...}]")])
    result: Any = copy.deepcopy(record)
    for index, operation in enumerate(body):
        try:
            result = jsonpatch.JsonPatch([operation]).apply(result, in_place=True)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError,
                KeyError, IndexError, ValueError) as error:  # fmt: skip
            raise validation_failed([FieldError(
                "body", f"/{index}", f"this JSON Patch operation cannot apply: {error}"
            )]) from error  # fmt: skip
    if not isinstance(result, dict):
        raise validation_failed([FieldError("body", "", "the patch must leave an object")])
    return result
