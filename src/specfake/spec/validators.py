"""``SchemaValidator``: a compiled JSON Schema (jsonschema-rs) that reports failures as
:class:`~specfake.errors.FieldError` values, and ``SharedValidators``: one spec's validators,
compiled on first use from one registry (see ``spec/compile.py`` for where they are made).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, unquote

import jsonschema_rs

from specfake.errors import (
    MAX_FIELD_ERRORS,
    FieldError,
    FieldLocation,
    SpecfakeError,
    json_pointer,
    shortened,
)
from specfake.spec.references import child, pointed, referenced
from specfake.spec.sanitize import PYTHON_PATTERN, PythonPattern

# Keywords whose failure is about the value itself, reported the same by ``evaluate`` and
# ``iter_errors`` (see :meth:`SchemaValidator.errors`); ``type`` only with a single type.
_LEAF_ASSERTIONS = frozenset({
    "type", "enum", "const", "format", "pattern", "minLength", "maxLength", "minimum",
    "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems",
    "uniqueItems", "minProperties", "maxProperties",
})  # fmt: skip
SPEC_URI = "urn:specfake:spec"  # what a spec's document is registered under
_IN_SPEC = SPEC_URI + "#"  # how evaluate() names a location in it
# Every validator: formats checked (unknown ones ignored), Python's re for the patterns the
# regex engine cannot compile (spec/sanitize.py), nothing fetched over the network.
_OPTIONS: dict[str, Any] = {
    "validate_formats": True,
    "keywords": {PYTHON_PATTERN: PythonPattern},
}
# Keywords that combine other failures; a failure under one is reported differently.
_COMPOSITIONS = frozenset({"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "contains"})


class SchemaValidator:
    """A compiled JSON Schema that reports failures as :class:`FieldError` values."""

    __slots__ = (
        "_compile", "_document", "_plain_failures", "_start", "_validator", "accepts_any_string",
        "schema",
    )

    def __init__(self, schema: Any, components: dict[str, Any]) -> None:
        """A validator for ``schema`` alone, its ``$ref``s resolved in ``components``."""
        root = {**schema, "components": components} if isinstance(schema, dict) else schema
        try:
            validator = jsonschema_rs.validator_for(root, **_OPTIONS)
        except (ValueError, jsonschema_rs.ValidationError) as error:
            raise SpecfakeError(f"schema cannot be compiled: {error}") from error
        self._setup(schema, validator, None, root, root)

    @classmethod
    def in_document(
        cls, schema: Any, pointer: str, shared: SharedValidators, document: Any
    ) -> SchemaValidator:
        """A validator for ``schema``, the one at ``pointer`` of the spec's ``document``,
        compiled on first use by ``shared``, which makes one per schema the spec's references
        lead to (see :class:`SharedValidators`)."""
        target = shared.target(pointer)
        start = {"$ref": "#" + quote(target, safe="/~")}
        instance = cls.__new__(cls)
        instance._setup(schema, None, lambda: shared.compiled(target), start, document)
        return instance

    def _setup(
        self,
        schema: Any,
        validator: Any,
        compile_: Callable[[], Any] | None,
        start: Any,
        document: Any,
    ) -> None:
        self.schema = schema
        # Every string passes: a text parameter under it needs no call (pipeline/validation.py).
        self.accepts_any_string = accepts_any_string(schema)
        self._validator = validator
        self._compile = compile_
        self._start = start  # where evaluate()'s schema locations start, resolved in ``document``
        self._document = document
        # Failing keyword's location → whether evaluate() reports it as iter_errors does; None
        # when the schema combines others somewhere, and evaluate()'s list is never used.
        self._plain_failures: dict[str, bool] | None = (
            None if _combines(schema, document) else {}
        )

    def _compiled(self) -> Any:
        validator = self._validator
        if validator is None:
            assert self._compile is not None
            validator = self._validator = self._compile()
        return validator

    def is_valid(self, instance: Any) -> bool:
        return (self._validator or self._compiled()).is_valid(instance)

    def errors(
        self,
        instance: Any,
        location: FieldLocation,
        name: str = "",
        *,
        text_size: int | None = None,
    ) -> list[FieldError]:
        """Every failure, located by JSON Pointer (body) or by parameter ``name`` (others).

        ``text_size``: the length of the JSON text ``instance`` was parsed from, when known.
        A text holds at most as many values as it has characters, so one no longer than
        :data:`LARGE_INSTANCE` spares the count of a failing value's values (:func:`_is_large`).

        ``evaluate`` lists failures as JSON Pointers and messages without building a Python
        error object per failure, which ``iter_errors`` does (about 3x the cost on a 422).
        Its list differs from ``iter_errors`` where a keyword's failure is made of others
        (``anyOf``: it lists each branch), points at the parent (``required``) or is worded
        differently (a ``type`` list), so for schemas that combine others, and unless every
        failure is a plain assertion, the answer comes from :meth:`_iterated_errors`.
        """
        validator = self._validator or self._compiled()
        if validator.is_valid(instance):  # the common case, several times faster
            return []
        if (text_size is None or text_size > LARGE_INSTANCE) and _is_large(instance):
            # jsonschema-rs lists every failure before the first is read (a 1 MB array under
            # a oneOf: 34 s and 4 GB), so a large value gets its first failure only.
            return self._first_failure(instance, location, name)
        if self._plain_failures is None:
            return self._iterated_errors(instance, location, name)
        failures = validator.evaluate(instance).errors()[: MAX_FIELD_ERRORS + 1]
        if not all(self._is_plain(unit["schemaLocation"]) for unit in failures):
            return self._iterated_errors(instance, location, name)
        if location == "body":
            return [
                FieldError(location, unit["instanceLocation"], shortened(unit["error"]))
                for unit in failures
            ]
        named = []  # docs/interface.md: a parameter is named, whatever part of it failed
        for unit in failures:
            pointer, message = unit["instanceLocation"], shortened(unit["error"])
            named.append(
                FieldError(location, name, f"{pointer}: {message}" if pointer else message)
            )
        return named

    def _is_plain(self, schema_location: str) -> bool:
        """Whether the keyword at ``schema_location`` (``/properties/id/minimum``) asserts
        something about the value itself, in the words ``iter_errors`` uses. The answers are
        kept: at most one per keyword of the schema."""
        known = self._plain_failures
        assert known is not None  # only called for schemas that combine nothing
        plain = known.get(schema_location)
        if plain is None:
            keyword = schema_location.rpartition("/")[2]
            plain = keyword in _LEAF_ASSERTIONS and (
                keyword != "type"
                or isinstance(_located(self._start, schema_location, self._document), str)
            )
            known[schema_location] = plain
        return plain

    def _first_failure(
        self, instance: Any, location: FieldLocation, name: str
    ) -> list[FieldError]:
        try:
            self._compiled().validate(instance)
        except jsonschema_rs.ValidationError as error:
            found = self._described([error], location, name)
        else:  # not reached: the value was found invalid
            found = []
        note = (f"only the first failure is listed: the value holds over {LARGE_INSTANCE} "
                "values; fix it and send it again to see the next")  # fmt: skip
        return [*found[:1], FieldError(location, found[0].path if found else name, note)]

    def _iterated_errors(
        self, instance: Any, location: FieldLocation, name: str
    ) -> list[FieldError]:
        return self._described(self._compiled().iter_errors(instance), location, name)

    @staticmethod
    def _described(
        errors: Iterable[Any], location: FieldLocation, name: str
    ) -> list[FieldError]:
        """jsonschema-rs errors as field errors: a missing field and each unexpected one
        named by its own pointer; stops past the cap."""
        found: list[FieldError] = []
        for error in errors:
            parts = [str(part) for part in error.instance_path]
            kind = error.kind.name
            if kind == "required":  # point at the missing field, not at its parent
                targets = [[*parts, str(error.kind.as_dict()["property"])]]
                message = error.message
            elif kind == "additionalProperties":  # one entry per unexpected field
                targets = [[*parts, str(name)] for name in error.kind.as_dict()["unexpected"]]
                message = "is not allowed here (additionalProperties is false)"
            else:
                targets, message = [parts], shortened(error.message)
            for target in targets:
                if location == "body":
                    path = json_pointer(target)
                else:  # docs/interface.md: a parameter is named, whatever part of it failed
                    path = name
                    message = f"{json_pointer(target)}: {message}" if target else message
                found.append(FieldError(location, path, message))
            if len(found) > MAX_FIELD_ERRORS:  # validation_failed lists no more
                break
        return found


# Keywords that do not change what a schema accepts: a ``$ref`` beside only these validates
# exactly as its target does, so the two share one compiled validator.
_ANNOTATIONS = frozenset({
    "$ref", "description", "summary", "title", "example", "examples", "deprecated", "readOnly",
    "writeOnly", "externalDocs", "xml",
})  # fmt: skip


# What a schema may hold and still accept every string: annotations, and a type naming it.
_STRING_NEUTRAL = (_ANNOTATIONS - {"$ref"}) | {"type", "default", "$comment"}


def accepts_any_string(schema: Any) -> bool:
    """Whether ``schema`` (JSON Schema) accepts every string: it asserts nothing but maybe
    ``type: string``. Conservative: a ``$ref`` or any other keyword says no."""
    if schema is True:
        return True
    if not isinstance(schema, dict) or not _STRING_NEUTRAL.issuperset(schema):
        return False
    declared = schema.get("type", "string")
    return declared == "string" or (isinstance(declared, list) and "string" in declared)


_COMPILE_ERRORS = (ValueError, jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError)


class SharedValidators:
    """The compiled validators of one spec: one per schema its operations' references lead
    to, compiled on first use.

    jsonschema-rs compiles a validator's whole reference graph and shares nothing between
    validators, so in a densely cross-linked spec each one costs about as much as all the
    schemas it can reach. Compiling one per distinct target (not one per operation, response
    and media type) and only when a request needs it keeps a 200-operation spec's memory and
    start-up near its size: bench/spec_scale.py, RESULTS.md.
    """

    def __init__(
        self, registry: jsonschema_rs.Registry, document: Any, warn: Callable[[str, str], None]
    ) -> None:
        self._registry = registry
        self._document = document
        self._warn = warn
        self._compiled: dict[str, Any] = {}

    def target(self, pointer: str) -> str:
        """Where ``pointer``'s chain of bare ``$ref``s (annotations aside) ends."""
        seen = {pointer}
        node = pointed(self._document, pointer)
        while (
            isinstance(node, dict)
            and isinstance(node.get("$ref"), str)
            and node["$ref"].startswith("#")
            and _ANNOTATIONS.issuperset(node)
        ):
            following = unquote(node["$ref"][1:])
            if following in seen:
                break
            seen.add(following)
            pointer, node = following, pointed(self._document, following)
        return pointer

    def compiled(self, target: str) -> Any:
        validator = self._compiled.get(target)
        if validator is None:
            reference = {"$ref": SPEC_URI + "#" + quote(target, safe="/~")}
            try:
                validator = jsonschema_rs.validator_for(
                    reference, registry=self._registry, **_OPTIONS
                )
            except _COMPILE_ERRORS as error:
                self._warn(target, f"schema cannot be compiled ({shortened(str(error))}); "
                           "not checked (unconstrained)")  # fmt: skip
                validator = jsonschema_rs.validator_for({})
            self._compiled[target] = validator
        return validator


LARGE_INSTANCE = 10_000  # values: past this many, a failing value gets its first failure only


def _is_large(instance: Any) -> bool:
    """Whether ``instance`` holds more than :data:`LARGE_INSTANCE` values (counting stops
    there)."""
    count, pending = 0, [instance]
    while pending:
        node = pending.pop()
        count += 1
        if count > LARGE_INSTANCE:
            return True
        if isinstance(node, dict):
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return False


def _located(start: Any, location: str, document: Any) -> Any:
    """The node at an ``evaluate()`` schema location: a JSON Pointer from ``start`` that goes
    through ``$ref``s (``/$ref/properties/id/type``), resolved in ``document``, or, for a
    schema reached through the registry, the spec's URI and a pointer into ``document``
    (``urn:specfake:spec#/components/schemas/A/properties/id/type``)."""
    node = start
    if location.startswith(_IN_SPEC):
        node, location = document, unquote(location[len(_IN_SPEC) :])
    for part in location.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if part == "$ref" and isinstance(node, dict) and isinstance(node.get("$ref"), str):
            node = referenced(document, node["$ref"].removeprefix(SPEC_URI))
        else:
            node = child(node, part)
        if node is None:
            return None
    return node


def _combines(schema: Any, root: Any) -> bool:
    """Whether ``schema``, or a schema it references in ``root``, combines others (``anyOf``,
    ``not``...).

    ``evaluate`` lists a failed branch's failures as the value's own, and through a ``$ref``
    their locations do not even name the combining keyword. Conservative: any key of that name
    counts (a property called ``not``, too), and so does a reference it cannot follow.
    """
    seen: set[str] = set()
    pending = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            if not _COMPOSITIONS.isdisjoint(node):
                return True
            reference = node.get("$ref")
            if isinstance(reference, str) and reference not in seen:
                seen.add(reference)
                target = referenced(root, reference)
                if target is None:
                    return True
                pending.append(target)
            pending.extend(node.values())
    return False
