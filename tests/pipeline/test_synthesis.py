"""Values synthesized from response schemas must validate against those schemas (jsonschema)."""

from __future__ import annotations

import base64
import ipaddress
import json
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from specfake.errors import SpecfakeError
from specfake.pipeline.synthesis import synthesize

ROOT: dict[str, Any] = {
    "components": {
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "integer", "format": "int64", "minimum": 1},
                    "name": {"type": "string", "minLength": 1},
                    "tag": {"type": "string"},
                    "owner": {"$ref": "#/components/schemas/Owner"},
                },
            },
            "Owner": {
                "type": "object",
                "required": ["email"],
                "properties": {"email": {"type": "string", "format": "email"}},
            },
            "Tree": {
                "type": "object",
                "required": ["value"],
                "properties": {
                    "value": {"type": "integer"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
                },
            },
            "LinkedList": {
                "type": "object",
                "required": ["next"],
                "properties": {
                    "next": {
                        "anyOf": [{"$ref": "#/components/schemas/LinkedList"}, {"type": "null"}]
                    }
                },
            },
            "Named": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}},
            },
            "a/b~c": {"type": "string", "format": "uuid"},
        }
    }
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def assert_valid(
    value: Any, schema: dict[str, Any], root: dict[str, Any] = ROOT, context: str = ""
) -> None:
    # jsonschema resolves "#/components/..." against the root schema, so embed the components.
    validator = Draft202012Validator(
        {**schema, "components": root.get("components", {})},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = [
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(value)
    ]
    assert not errors, f"{context} {value!r} is not valid against {schema!r}: {errors}"


FORMATS = ["date-time", "date", "time", "email", "uuid", "hostname", "ipv4", "ipv6", "uri", "byte"]

CASES = [
    *(pytest.param({"type": "string", "format": name}, id=f"format-{name}") for name in FORMATS),
    pytest.param({"type": "string", "format": "binary"}, id="format-binary"),
    pytest.param({"type": "string", "format": "url"}, id="format-url"),
    pytest.param({"type": "integer", "format": "int32"}, id="format-int32"),
    pytest.param({"type": "number", "format": "double"}, id="format-double"),
    pytest.param({"format": "int64", "minimum": 3}, id="untyped-int64"),
    pytest.param({"type": "string", "enum": ["red", "green"]}, id="enum"),
    pytest.param({"type": ["string", "null"], "enum": [None, "x"]}, id="enum-with-null"),
    pytest.param({"const": {"kind": "fixed"}}, id="const"),
    pytest.param({"type": "integer", "minimum": 10, "maximum": 12}, id="integer-bounds"),
    pytest.param({"type": "integer", "minimum": -20, "maximum": -10}, id="integer-negative"),
    pytest.param({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 2}, id="int-excl"),
    pytest.param({"type": "integer", "minimum": 5, "exclusiveMinimum": True}, id="openapi30-excl"),
    pytest.param({"type": "integer", "minimum": 1.5, "maximum": 2.5}, id="integer-float-bounds"),
    pytest.param({"type": "integer", "minimum": 10, "maximum": 20, "multipleOf": 7}, id="int-mult"),
    pytest.param({"type": "integer", "multipleOf": 2.5}, id="integer-multiple-of-float"),
    pytest.param({"type": "number", "exclusiveMinimum": 0, "maximum": 1}, id="number-excl"),
    pytest.param({"type": "number", "exclusiveMaximum": -0.5}, id="number-negative-excl"),
    pytest.param({"type": "number", "minimum": 0.25, "maximum": 0.95, "multipleOf": 0.1}, id="0.1"),
    pytest.param({"type": "number", "minimum": 1000.01, "multipleOf": 0.01}, id="number-0.01"),
    pytest.param({"type": "string", "minLength": 10}, id="min-length"),
    pytest.param({"type": "string", "maxLength": 3}, id="max-length"),
    pytest.param({"type": "string", "minLength": 0, "maxLength": 0}, id="empty-string"),
    pytest.param({"type": "string", "pattern": r"^[A-Z]{3}-\d{4}$"}, id="pattern-code"),
    pytest.param({"type": "string", "pattern": r"^[a-z]+$", "minLength": 20}, id="pattern-len"),
    pytest.param({"type": "string", "pattern": r"^\+?[1-9]\d{1,14}$"}, id="pattern-e164"),
    pytest.param({"type": "string", "pattern": r"^(foo|bar)(?:-[0-9a-f]{2})*$"}, id="alternation"),
    pytest.param({"type": "string", "pattern": r"^[^a-z]{2}\.[\w.-]+$"}, id="pattern-classes"),
    pytest.param({"type": "string", "pattern": r"v\d+"}, id="pattern-unanchored"),
    pytest.param({"type": "string", "pattern": r"(?i)^string$"}, id="pattern-unsupported"),
    pytest.param(ref("Pet"), id="ref-object"),
    pytest.param(ref("a~1b~0c"), id="ref-escaped-pointer"),
    pytest.param(ref("Tree"), id="ref-recursive-tree"),
    pytest.param(ref("LinkedList"), id="ref-recursive-required"),
    pytest.param({**ref("Pet"), "description": "3.1 sibling"}, id="ref-with-sibling"),
    pytest.param(
        {"allOf": [ref("Pet"), {"required": ["tag"], "properties": {"age": {"type": "integer"}}}]},
        id="allOf",
    ),
    pytest.param(
        {"allOf": [{"type": "number"}, {"type": "integer", "maximum": -3}]}, id="allOf-types"
    ),
    pytest.param({"oneOf": [{"type": "null"}, ref("Owner")]}, id="oneOf-null-first"),
    pytest.param({"anyOf": [{"type": "string", "maxLength": 2}, {"type": "integer"}]}, id="anyOf"),
    pytest.param(
        {
            "type": "object",
            "required": ["kind"],
            "properties": {"kind": {"type": "string"}},
            "oneOf": [
                {"properties": {"kind": {"const": "cat"}, "lives": {"type": "integer"}}},
                {"properties": {"kind": {"const": "dog"}}, "required": ["bark"]},
            ],
        },
        id="oneOf-merged-with-base",
    ),
    pytest.param({"type": ["null", "integer"], "minimum": 4}, id="type-list-null-first"),
    pytest.param({"type": "string", "nullable": True, "maxLength": 4}, id="openapi30-nullable"),
    pytest.param({"type": "array", "items": {"type": "string"}, "minItems": 3}, id="min-items"),
    pytest.param({"type": "array", "items": ref("Owner"), "maxItems": 0}, id="max-items-0"),
    pytest.param(
        {"type": "array", "items": {"type": "integer"}, "minItems": 5, "uniqueItems": True},
        id="unique-integers",
    ),
    pytest.param(
        {"type": "array", "items": {"enum": ["a", "b", "c"]}, "minItems": 3, "uniqueItems": True},
        id="unique-enum",
    ),
    pytest.param(
        {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "items": False},
        id="prefix-items",
    ),
    pytest.param(
        {"type": "object", "minProperties": 3, "additionalProperties": {"type": "integer"}},
        id="min-properties",
    ),
    pytest.param(
        {"type": "object", "maxProperties": 1, "properties": {"a": {}, "b": {}}}, id="maxp"
    ),
    pytest.param({"type": "string", "examples": ["ex"], "example": "old", "default": "d"}, id="ex"),
    pytest.param({}, id="empty-schema"),
]


@pytest.mark.parametrize("schema", CASES)
def test_synthesized_values_validate(schema: dict[str, Any]) -> None:
    for seed in [None, *range(8)]:
        value = synthesize(schema, ROOT, seed=seed)
        assert_valid(value, schema, context=f"seed={seed}")


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, "string"),
        ({"type": "integer"}, 0),
        ({"type": "number"}, 0.0),
        ({"type": "boolean"}, True),
        ({"type": "null"}, None),
        ({}, None),
        ({"type": "string", "format": "date-time"}, "2026-01-01T00:00:00.000Z"),
        ({"type": "string", "format": "date"}, "2026-01-01"),
        ({"type": "string", "format": "uuid"}, "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        ({"type": "string", "format": "email"}, "user@example.com"),
        ({"type": "string", "minLength": 10}, "stringstri"),
        ({"type": "string", "maxLength": 3}, "str"),
        ({"type": "string", "pattern": r"^[A-Z]{3}-\d{4}$"}, "AAA-0000"),
        ({"type": "string", "pattern": r"^(foo|bar)baz$"}, "foobaz"),
        ({"type": "string", "pattern": r"(?i)^string$"}, "string"),
        ({"type": "string", "examples": ["first"], "example": "old", "default": "d"}, "first"),
        ({"type": "string", "example": "old", "default": "d"}, "old"),
        ({"type": "string", "default": "d"}, "d"),
        ({"const": "c", "examples": ["first"]}, "c"),
        ({"enum": ["red", "green"]}, "red"),
        ({"enum": [None, "x"], "nullable": True}, "x"),
        ({"type": "integer", "exclusiveMinimum": 0}, 1),
        ({"type": "integer", "exclusiveMaximum": 0}, -1),
        ({"type": "integer", "minimum": 10, "maximum": 20, "multipleOf": 7}, 14),
        ({"type": "integer", "minimum": 5, "exclusiveMinimum": True}, 6),
        ({"type": "number", "exclusiveMinimum": 0}, 1.0),
        ({"type": ["null", "integer"]}, 0),
        ({"oneOf": [{"type": "null"}, {"type": "string"}]}, "string"),
        ({"anyOf": [{"type": "null"}]}, None),
        ({"type": "array", "items": {"type": "boolean"}}, [True]),
        ({"type": "array", "items": {"type": "integer"}, "minItems": 2}, [0, 0]),
        ({"type": "array", "items": {"type": "integer"}, "maxItems": 0}, []),
        ({**ref("a~1b~0c")}, "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        ({**ref("Owner"), "example": {"email": "me@example.org"}}, {"email": "me@example.org"}),
    ],
)
def test_static_mode_gives_nice_values(schema: dict[str, Any], expected: Any) -> None:
    value = synthesize(schema, ROOT)
    assert value == expected
    assert type(value) is type(expected)


FORMAT_CHECKS: dict[str, Callable[[str], bool]] = {
    "date-time": lambda value: datetime.fromisoformat(value).tzinfo is not None,
    "date": lambda value: date.fromisoformat(value).year == 2026,
    "time": lambda value: re.fullmatch(r"\d\d:\d\d:\d\dZ", value) is not None,
    "email": lambda value: re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", value) is not None,
    "uuid": lambda value: uuid.UUID(value).version == 4,
    "hostname": lambda value: re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", value) is not None,
    "ipv4": lambda value: ipaddress.IPv4Address(value).version == 4,
    "ipv6": lambda value: ipaddress.IPv6Address(value).version == 6,
    "uri": lambda value: urlsplit(value).scheme == "https" and urlsplit(value).netloc != "",
    "byte": lambda value: isinstance(base64.b64decode(value, validate=True), bytes),
}


@pytest.mark.parametrize("format_name", FORMATS)
def test_formats_hold_beyond_what_jsonschema_checks(format_name: str) -> None:
    # The default format checker skips uri and hostname (optional dependencies), so check here.
    for seed in [None, *range(10)]:
        value = synthesize({"type": "string", "format": format_name}, {}, seed=seed)
        assert FORMAT_CHECKS[format_name](value), (format_name, seed, value)


def test_static_mode_includes_optional_properties_except_write_only() -> None:
    schema = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "integer"},
            "note": {"type": "string"},
            "secret": {"type": "string", "writeOnly": True},
            "owner": ref("Owner"),
        },
    }
    assert synthesize(schema, ROOT) == {
        "id": 0,
        "note": "string",
        "owner": {"email": "user@example.com"},
    }


def test_all_of_accumulates_required_and_properties() -> None:
    schema = {"allOf": [ref("Pet"), ref("Named"), {"required": ["tag"]}]}
    value = synthesize(schema, ROOT, seed=5)
    assert {"id", "name", "tag"} <= value.keys()
    assert_valid(value, schema)


def test_recursive_schema_is_cut_with_the_smallest_valid_value() -> None:
    tree = synthesize(ref("Tree"), ROOT)
    depth = 1
    while "children" in tree:
        (tree,) = tree["children"]
        depth += 1
    assert 5 <= depth <= 12
    assert tree == {"value": 0}

    linked = synthesize(ref("LinkedList"), ROOT)
    assert "next" in linked
    while linked is not None:
        linked = linked["next"]


def test_unsatisfiable_required_cycle_terminates() -> None:
    root = {
        "components": {"schemas": {"Loop": {"required": ["a"], "properties": {"a": ref("Loop")}}}}
    }
    value = synthesize(ref("Loop"), root)
    hops = 0
    while isinstance(value, dict):
        value, hops = value["a"], hops + 1
    assert value is None
    assert hops < 40


def test_self_referencing_alias_terminates() -> None:
    root = {"components": {"schemas": {"Alias": ref("Alias")}}}
    assert synthesize(ref("Alias"), root) is None


@pytest.mark.parametrize(
    "reference", ["#/components/schemas/Missing", "other.yaml#/Pet", "#/components/schemas/Pet/x"]
)
def test_unresolvable_references_raise(reference: str) -> None:
    with pytest.raises(SpecfakeError, match="reference"):
        synthesize({"$ref": reference}, ROOT)


def test_unique_items_are_distinct_in_static_mode() -> None:
    schema = {"type": "array", "items": {"type": "integer"}, "minItems": 5, "uniqueItems": True}
    value = synthesize(schema, ROOT)
    assert len(set(value)) == 5
    assert synthesize(schema, ROOT) == value


def test_result_does_not_share_objects_with_the_spec() -> None:
    schema = {"type": "object", "example": {"tags": ["a"]}}
    synthesize(schema, ROOT)["tags"].append("b")
    assert schema["example"] == {"tags": ["a"]}


@pytest.mark.parametrize("schema", CASES)
def test_same_input_gives_the_same_value(schema: dict[str, Any]) -> None:
    assert synthesize(schema, ROOT) == synthesize(schema, ROOT)
    assert synthesize(schema, ROOT, seed=42) == synthesize(schema, ROOT, seed=42)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string"},
        {"type": "integer"},
        {"type": "number", "minimum": 0, "maximum": 1},
        {"type": "string", "format": "uuid"},
        {"type": "string", "pattern": r"^[A-Z]{3}-\d{4}$"},
        {"enum": ["a", "b", "c"]},
        ref("Pet"),
    ],
)
def test_dynamic_mode_varies_with_the_seed(schema: dict[str, Any]) -> None:
    values = {json.dumps(synthesize(schema, ROOT, seed=seed), sort_keys=True) for seed in range(10)}
    assert len(values) >= 2


def test_dynamic_mode_skips_examples() -> None:
    schema = {"type": "string", "example": "fixed", "minLength": 2}
    values = [synthesize(schema, ROOT, seed=seed) for seed in range(10)]
    assert "fixed" not in values
    assert all(len(value) >= 2 for value in values)


# Property test: random but satisfiable schemas from a small hand-written strategy.

PATTERNS = [r"^[A-Z]{3}-\d{4}$", r"^[a-z]+$", r"^\d{2,5}$", r"^(foo|bar)-[0-9a-f]{4}$", r"ab+c"]


@st.composite
def string_schemas(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": draw(st.sampled_from(["string", ["string", "null"]]))}
    kind = draw(st.sampled_from(["lengths", "format", "pattern", "enum"]))
    if kind == "lengths":
        schema["minLength"] = draw(st.integers(0, 12))
        if draw(st.booleans()):
            schema["maxLength"] = schema["minLength"] + draw(st.integers(0, 12))
    elif kind == "format":
        schema["format"] = draw(st.sampled_from(FORMATS))
    elif kind == "pattern":
        schema["pattern"] = draw(st.sampled_from(PATTERNS))
    else:
        schema["enum"] = draw(st.lists(st.text(max_size=5), min_size=1, max_size=4, unique=True))
    return schema


@st.composite
def numeric_schemas(draw: st.DrawFn) -> dict[str, Any]:
    integer = draw(st.booleans())
    kind = "integer" if integer else "number"
    schema: dict[str, Any] = {"type": draw(st.sampled_from([kind, ["null", kind]]))}
    bounds = st.integers(-10_000, 10_000) if integer else st.floats(-10_000, 10_000)
    # Wide enough for two multiples even with both bounds exclusive.
    width = draw(st.integers(12, 500) if integer else st.floats(5, 500))
    low = draw(st.none() | bounds)
    if low is not None:
        schema[draw(st.sampled_from(["minimum", "exclusiveMinimum"]))] = low
    if draw(st.booleans()):
        high = (draw(bounds) if low is None else low) + width
        schema[draw(st.sampled_from(["maximum", "exclusiveMaximum"]))] = high
    if draw(st.booleans()):
        schema["multipleOf"] = draw(st.sampled_from([2, 3, 5, 10] if integer else [0.1, 0.25, 2]))
    return schema


UNIQUE_ITEMS = [{"type": "integer", "minimum": 0}, {"type": "string", "minLength": 2}]


def object_schemas(children: st.SearchStrategy[Any], prefix: str) -> st.SearchStrategy[Any]:
    """Objects whose property names start with ``prefix``; each property is required or not."""
    names = st.text("abcdef", min_size=1, max_size=3).map(lambda name: prefix + name)
    members = st.dictionaries(names, st.tuples(children, st.booleans()), max_size=4)
    return members.map(
        lambda members: {
            "type": "object",
            "properties": {name: schema for name, (schema, _) in members.items()},
            "required": [name for name, (_, required) in members.items() if required],
        }
    )


def compound_schemas(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        object_schemas(children, ""),
        st.builds(
            lambda items, low, extra: {
                "type": "array",
                "items": items,
                "minItems": low,
                "maxItems": low + extra,
            },
            children,
            st.integers(0, 3),
            st.integers(0, 3),
        ),
        children.map(lambda schema: {"anyOf": [{"type": "null"}, schema]}),
        st.builds(
            lambda first, second: {"allOf": [first, second]},
            object_schemas(children, "x"),
            object_schemas(children, "y"),
        ),
    )


SCHEMAS = st.recursive(
    st.one_of(
        string_schemas(),
        numeric_schemas(),
        st.sampled_from([{"type": "boolean"}, {"type": "null"}]),
        st.builds(
            lambda items, size: {
                "type": "array",
                "items": items,
                "minItems": size,
                "uniqueItems": True,
            },
            st.sampled_from(UNIQUE_ITEMS),
            st.integers(0, 4),
        ),
    ),
    compound_schemas,
    max_leaves=5,
)


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(schema=SCHEMAS, seed=st.none() | st.integers(0, 2**32), via_ref=st.booleans())
def test_random_schemas_get_valid_values(
    schema: dict[str, Any], seed: int | None, via_ref: bool
) -> None:
    root = {"components": {"schemas": {"Generated": schema}}}
    target = ref("Generated") if via_ref else schema
    assert_valid(synthesize(target, root, seed=seed), target, root)


property_schemas = st.sampled_from(
    [{"type": "string"}, {"type": "integer", "minimum": 3}, {"type": "boolean"},
     {"type": "string", "enum": ["a", "b"]}, {"type": "array", "items": {"type": "integer"}}]
)  # fmt: skip
names = st.sampled_from(["id", "name", "kind", "size", "tags"])


@st.composite
def closed_all_of(draw) -> dict[str, Any]:
    """``allOf`` of an open object and a closed sibling naming a subset of its properties."""
    open_properties = draw(st.dictionaries(names, property_schemas, min_size=1, max_size=4))
    kept = draw(st.lists(st.sampled_from(sorted(open_properties)), unique=True, min_size=1))
    required = draw(st.lists(st.sampled_from(kept), unique=True))
    closed = {"type": "object", "properties": {name: {} for name in kept},
              "additionalProperties": False}  # fmt: skip
    first = {"type": "object", "properties": open_properties, "required": required}
    return {"allOf": draw(st.permutations([first, closed]))}


@st.composite
def discriminated(draw) -> tuple[dict[str, Any], dict[str, Any]]:
    """A ``oneOf`` of component schemas with a discriminator (and maybe a mapping)."""
    kinds = draw(st.lists(st.sampled_from(["Cat", "Dog", "Fish"]), unique=True, min_size=2))
    schemas = {
        kind: {"type": "object", "required": ["petType", kind.lower()],
               "properties": {"petType": {"type": "string"},
                              kind.lower(): draw(property_schemas)}}
        for kind in kinds
    }  # fmt: skip
    discriminator: dict[str, Any] = {"propertyName": "petType"}
    if draw(st.booleans()):
        discriminator["mapping"] = {k.lower(): f"#/components/schemas/{k}" for k in kinds}
    schema = {"oneOf": [{"$ref": f"#/components/schemas/{k}"} for k in kinds],
              "discriminator": discriminator}  # fmt: skip
    return schema, {"components": {"schemas": schemas}}


@settings(max_examples=200, deadline=None)
@given(schema=closed_all_of(), seed=st.one_of(st.none(), st.integers(0, 1000)))
def test_all_of_with_a_closed_sibling_synthesizes_valid_values(schema, seed) -> None:
    value = synthesize(schema, {}, seed=seed)
    assert Draft202012Validator(schema).is_valid(value), value


@settings(max_examples=200, deadline=None)
@given(case=discriminated(), seed=st.one_of(st.none(), st.integers(0, 1000)))
def test_a_discriminated_one_of_names_the_branch_it_synthesized(case, seed) -> None:
    schema, root = case
    value = synthesize(schema, root, seed=seed)
    assert Draft202012Validator({**schema, **root}).is_valid(value), value
    mapping = schema["discriminator"].get("mapping")
    branch = next(kind for kind in root["components"]["schemas"] if kind.lower() in value)
    assert value["petType"] == (branch.lower() if mapping else branch)
