"""Turn OpenAPI schema objects into plain JSON Schema 2020-12 for the validators.

OpenAPI 3.1 schemas already are JSON Schema 2020-12. OpenAPI 3.0 schemas differ in a few
keywords (``nullable``, boolean ``exclusiveMinimum``/``exclusiveMaximum``); they are rewritten
here once, at start-up, so the request path only ever sees one dialect.
"""

from __future__ import annotations

from typing import Any


def to_json_schema(schema: Any, openapi_30: bool) -> Any:
    """A 2020-12 equivalent of ``schema`` (returned unchanged for OpenAPI 3.1)."""
    if not openapi_30:
        return schema
    return _convert_30(schema)


def _convert_30(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _convert_30(value) for key, value in node.items()}
    if converted.pop("nullable", False) is True:
        if "type" in converted:
            types = (
                converted["type"] if isinstance(converted["type"], list) else [converted["type"]]
            )
            converted["type"] = [*types, "null"]
        elif "$ref" not in converted and "enum" not in converted:
            pass
        else:
            converted = {"anyOf": [converted, {"type": "null"}]}
        if "enum" in converted and None not in converted["enum"]:
            converted["enum"] = [*converted["enum"], None]
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if converted.get(exclusive) is True and bound in converted:
            converted[exclusive] = converted.pop(bound)
        elif converted.get(exclusive) is False:
            del converted[exclusive]
    return converted
