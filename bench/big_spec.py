"""Generate a large, densely cross-linked OpenAPI 3.0 spec, like real ones but bigger.

    python bench/big_spec.py --operations 200 --out /tmp/big.openapi.yaml

Resources of five operations each (list, create, read, replace, delete) over component
schemas that refer to each other (properties, arrays of references, ``allOf`` compositions,
nullable fields, enums, formats, patterns), shared parameters and error responses, and long
descriptions, so the file reaches about 1.5 MB at 200 operations. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

import yaml

WORDS = [
    "account", "balance", "invoice", "customer", "ledger", "payment", "refund", "subscription",
    "plan", "usage", "event", "webhook", "address", "region", "carrier", "shipment", "parcel",
    "label", "rate", "quote",
]


def text(rng: random.Random, words: int) -> str:
    words *= 2  # real specs document at length
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def schema_for(rng: random.Random, index: int, count: int) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": {"type": "string", "format": "uuid", "description": text(rng, 12)},
        "created_at": {"type": "string", "format": "date-time", "description": text(rng, 10)},
    }
    for n in range(rng.randint(6, 12)):
        roll = rng.random()
        name = f"{rng.choice(WORDS)}_{n}"
        if roll < 0.25:
            properties[name] = {"$ref": f"#/components/schemas/Model{rng.randrange(count)}"}
        elif roll < 0.4:
            properties[name] = {"type": "array", "description": text(rng, 15), "items": {
                "$ref": f"#/components/schemas/Model{rng.randrange(count)}"}}  # fmt: skip
        elif roll < 0.55:
            properties[name] = {"type": "string", "enum": rng.sample(WORDS, 4),
                                "description": text(rng, 20)}  # fmt: skip
        elif roll < 0.7:
            properties[name] = {"type": "integer", "minimum": 0, "maximum": 10_000,
                                "nullable": True, "description": text(rng, 20)}  # fmt: skip
        elif roll < 0.85:
            properties[name] = {"type": "string", "pattern": "^[A-Z]{2}[0-9]{4,8}$",
                                "maxLength": 10, "description": text(rng, 25)}  # fmt: skip
        else:
            properties[name] = {"type": "number", "format": "double", "description": text(rng, 25)}
    schema: dict[str, Any] = {
        "type": "object",
        "description": text(rng, 400),
        "required": ["id"],
        "properties": properties,
    }
    if index % 7 == 0 and index > 0:
        return {"allOf": [{"$ref": f"#/components/schemas/Model{rng.randrange(index)}"}, schema]}
    return schema


def generate(operations: int, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    resources = max(1, operations // 5)
    count = resources * 3
    schemas = {f"Model{i}": schema_for(rng, i, count) for i in range(count)}
    schemas["Error"] = {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}}}  # fmt: skip
    errors = {status: {"description": text(rng, 8), "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for status in ("400", "404")}
    paths: dict[str, Any] = {}
    for r in range(resources):
        model = {"$ref": f"#/components/schemas/Model{r * 3}"}
        body = {"required": True, "content": {"application/json": {"schema": model}}}
        ok = {"description": text(rng, 10), "content": {"application/json": {"schema": model}}}
        listing = {"description": text(rng, 10), "content": {"application/json": {"schema": {
            "type": "object", "properties": {"data": {"type": "array", "items": model},
                                             "total": {"type": "integer"}}}}}}  # fmt: skip
        paged = [{"$ref": f"#/components/parameters/{name}"} for name in ("limit", "offset")]
        paths[f"/v1/resource{r}"] = {
            "get": {"operationId": f"list{r}", "description": text(rng, 30), "parameters": paged,
                    "responses": {"200": listing, **errors}},
            "post": {"operationId": f"create{r}", "description": text(rng, 30),
                     "requestBody": body, "responses": {"201": ok, **errors}},
        }  # fmt: skip
        item = {"name": "id", "in": "path", "required": True,
                "schema": {"type": "string", "format": "uuid"}}  # fmt: skip
        paths[f"/v1/resource{r}/{{id}}"] = {
            "parameters": [item],
            "get": {"operationId": f"read{r}", "description": text(rng, 30),
                    "responses": {"200": ok, **errors}},
            "put": {"operationId": f"replace{r}", "description": text(rng, 30),
                    "requestBody": body, "responses": {"200": ok, **errors}},
            "delete": {"operationId": f"delete{r}", "description": text(rng, 30),
                       "responses": {"204": {"description": "deleted"}, **errors}},
        }  # fmt: skip
    return {
        "openapi": "3.0.3",
        "info": {"title": f"generated ({operations} operations)", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": {
                "limit": {"name": "limit", "in": "query", "schema": {
                    "type": "integer", "minimum": 1, "maximum": 100}},
                "offset": {"name": "offset", "in": "query", "schema": {
                    "type": "integer", "minimum": 0}},
            },
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--operations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args()
    document = generate(arguments.operations, arguments.seed)
    arguments.out.write_text(yaml.safe_dump(document, sort_keys=False, width=100))


if __name__ == "__main__":
    main()
