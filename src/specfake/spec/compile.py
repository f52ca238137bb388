"""Compile each operation of a spec into what the request path needs, once, at start-up.

openapi-core reads the spec on every request (~1 ms each). Here every schema becomes a compiled
``jsonschema_rs`` validator and every path a regular expression, so a request costs a regex
match and a few microsecond validations, and no spec look-ups at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

from specfake.errors import (
    FieldLocation,
    SpecfakeError,
    json_pointer,
)
from specfake.spec.defects import SpecWarning
from specfake.spec.dialect import to_json_schema
from specfake.spec.loader import LoadedSpec
from specfake.spec.references import pointed, referenced
from specfake.spec.sanitize import (
    for_validation,
    sanitize_schemas,
)
from specfake.spec.validators import SPEC_URI, SchemaValidator, SharedValidators

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# OpenAPI: header parameters with these names "SHALL be ignored" (they are described elsewhere).
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
# The styles OpenAPI defines for each location.
_STYLES = {
    "query": frozenset({"form", "spaceDelimited", "pipeDelimited", "deepObject"}),
    "path": frozenset({"simple", "label", "matrix"}),
    "header": frozenset({"simple"}),
}
# Declared types that make a parameter's string value become another value.
_COERCED_TYPES = frozenset({"array", "object", "integer", "number", "boolean", "null"})
def _union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    """The types of all ``groups`` (tuples of type names), each once, in first-seen order."""
    return tuple(dict.fromkeys(kind for group in groups for kind in group))


def _declared_types(schema: dict[str, Any]) -> tuple[str, ...]:
    declared = schema.get("type", ())
    types = declared if isinstance(declared, list) else [declared]
    return tuple(kind for kind in types if isinstance(kind, str))


@dataclass(frozen=True, slots=True)
class ValueShape:
    """What a parameter's schema declares (``$ref``, ``allOf``, ``anyOf`` and ``oneOf``
    followed): the value's types, and those of its items or properties (``additional_types``
    for the ones not named), which the strings a request writes are turned into."""

    types: tuple[str, ...] = ()
    item_types: tuple[str, ...] = ()
    property_types: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    additional_types: tuple[str, ...] = ()
    kind: str = field(init=False)  # "array", "object" or "primitive": what the style writes
    # Nothing to turn the string into (ids, most headers): decided once, not per request.
    verbatim: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kind = next((kind for kind in ("array", "object") if kind in self.types), "primitive")
        object.__setattr__(self, "kind", kind)
        verbatim = kind == "primitive" and _COERCED_TYPES.isdisjoint(self.types)
        object.__setattr__(self, "verbatim", verbatim)


@dataclass(frozen=True, slots=True)
class CompiledParameter:
    """A path, query or header parameter (or a response header) with its validator.

    ``style`` is OpenAPI's (``simple``, ``form``, ``label``, ``deepObject``...) or ``content``
    for a parameter described by a media type (``media_type``); see
    :mod:`specfake.pipeline.parameters`.
    """

    name: str
    location: FieldLocation
    required: bool
    validator: SchemaValidator
    shape: ValueShape
    style: str
    explode: bool
    example: Any = None
    media_type: str | None = None  # a ``content`` parameter's, whose value it is written in
    # Decided once for pipeline/validation.py: the value is the text as sent (a string id in
    # a path, most headers), and every text passes the schema, so no validation call is made.
    plain_text: bool = field(init=False, repr=False, compare=False)
    any_text_valid: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        plain = self.style in ("simple", "form") and self.shape.verbatim
        object.__setattr__(self, "plain_text", plain)
        valid = plain and self.validator.accepts_any_string
        object.__setattr__(self, "any_text_valid", valid)


@dataclass(frozen=True, slots=True)
class CompiledMedia:
    """One media type of a body: its schema validator and named examples."""

    media_type: str
    validator: SchemaValidator | None
    examples: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CompiledResponse:
    status: str
    description: str
    media: dict[str, CompiledMedia]
    headers: list[CompiledParameter]


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    """One scheme of a security requirement, reduced to what is checked on a request."""

    kind: str  # "bearer", "basic", "apiKey" or "other"
    location: str = "header"
    name: str = "Authorization"


@dataclass(slots=True)
class CompiledOperation:
    """Everything the request path needs about one operation, looked up once."""

    spec_name: str
    operation_id: str
    method: str
    path_template: str
    # The template as one pattern and its parameters: the plain matcher that the router's
    # tree (pipeline/router.py) is tested and benchmarked against.
    path_regex: re.Pattern[str]
    path_parameter_names: list[str]
    security: list[list[SecurityScheme]]
    parameters: list[CompiledParameter]
    body_required: bool
    body_media: dict[str, CompiledMedia]
    responses: dict[str, CompiledResponse]
    produces: list[str]
    schema_root: dict[str, Any] = field(repr=False)  # the document the schemas' $refs resolve in
    requires_auth: bool = field(init=False, repr=False)  # asked on every request

    def __post_init__(self) -> None:
        self.requires_auth = bool(self.security) and all(self.security)

    @property
    def validation_status(self) -> int:
        """422 for schema violations, unless the spec documents 400 and not 422."""
        if "422" not in self.responses and "400" in self.responses:
            return 400
        return 422

    def response_for(self, status: int) -> CompiledResponse | None:
        """The documented response for ``status``: exact code, then ``4XX``, then ``default``."""
        return (
            self.responses.get(str(status))
            or self.responses.get(f"{str(status)[0]}XX")
            or self.responses.get("default")
        )


def compile_operations(spec: LoadedSpec) -> list[CompiledOperation]:
    """Every operation of ``spec``, compiled (its defects: :func:`compile_spec`)."""
    return compile_spec(spec)[0]


def compile_spec(spec: LoadedSpec) -> tuple[list[CompiledOperation], list[SpecWarning]]:
    """Compile every operation of ``spec``, serving around its defects: the operations, and a
    warning for each part that was left unconstrained or skipped."""
    document = spec.document
    compiler = _Compiler(spec)
    operations = []
    paths = document.get("paths")
    if paths is not None and not isinstance(paths, dict):
        compiler.warn("/paths", "paths is not a mapping; no operation is served")
    for path, raw_item in _mapping(paths).items():
        path_item = compiler.followed(raw_item, json_pointer(["paths", path]))
        if not isinstance(path_item, dict):
            continue
        for method in HTTP_METHODS:
            if isinstance(path_item.get(method), dict):
                operations.append(compiler.operation(path, method, path_item))
    return operations, compiler.warnings


class _Compiler:
    def __init__(self, spec: LoadedSpec) -> None:
        self.spec = spec
        self.document = spec.document
        self.warnings: list[SpecWarning] = []
        # Where each schema object sits in the document, to name it to the registry.
        self.pointers = _pointers(self.document)
        # One converted copy of the whole document: JSON Schema 2020-12 where it was 3.0, its
        # schemas made compilable (a warning for each change), registered once.
        self.converted = (
            to_json_schema(self.document, True) if spec.is_openapi_30 else _copied(self.document)
        )
        sanitize_schemas(self.converted, self.warn)
        registry = jsonschema_rs.Registry(
            [(SPEC_URI, for_validation(self.converted))], draft=jsonschema_rs.Draft202012
        )
        self.shared = SharedValidators(registry, self.converted, self.warn)
        self.schemes = _mapping(_mapping(self.document.get("components")).get("securitySchemes"))

    def warn(self, pointer: str, message: str) -> None:
        self.warnings.append(SpecWarning(self.spec.name, pointer, message))

    def validator(self, schema: Any) -> SchemaValidator:
        """The validator of ``schema``: named by its place in the document where it has one;
        unconstrained, with a warning, if it cannot be compiled."""
        pointer = self.pointers.get(id(schema))
        if pointer is not None:
            converted = pointed(self.converted, pointer)
            return SchemaValidator.in_document(converted, pointer, self.shared, self.converted)
        try:
            return SchemaValidator(to_json_schema(schema, self.spec.is_openapi_30), {})
        except SpecfakeError as error:
            self.warn("", f"{error}; not checked (unconstrained)")
            return SchemaValidator({}, {})

    def followed(self, node: Any, pointer: str) -> Any:
        """``node`` with its local ``$ref`` chain followed; ``{}`` and a warning when it
        points at nothing (the part is then left out)."""
        try:
            return _deref(node, self.document)
        except SpecfakeError as error:
            self.warn(pointer, f"{error}; left out")
            return {}

    def operation(self, path: str, method: str, path_item: dict[str, Any]) -> CompiledOperation:
        operation = path_item[method]
        where = json_pointer(["paths", path, method])
        parameters = self.parameters(
            [*_listed(path_item.get("parameters")), *_listed(operation.get("parameters"))],
            where,
        )
        regex, names = _path_regex(path)
        body = _mapping(self.followed(operation.get("requestBody", {}), f"{where}/requestBody"))
        responses = {}
        for status, raw in _mapping(operation.get("responses")).items():
            response = self.followed(raw, f"{where}/responses/{status}")
            if isinstance(response, dict):
                responses[str(status)] = self.response(str(status), response)
        produces = sorted({media for r in responses.values() for media in r.media})
        return CompiledOperation(
            spec_name=self.spec.name,
            operation_id=operation.get("operationId") or f"{method} {path}",
            method=method.upper(),
            path_template=path,
            path_regex=regex,
            path_parameter_names=names,
            security=self.security(
                operation.get("security", self.document.get("security")), where
            ),
            parameters=parameters,
            body_required=bool(body.get("required", False)),
            body_media=self.media(_mapping(body.get("content"))),
            responses=responses,
            produces=produces,
            schema_root=self.converted,
        )

    def parameters(self, raw: list[Any], where: str) -> list[CompiledParameter]:
        by_key: dict[tuple[str, str], dict[str, Any]] = {}
        for parameter in raw:
            parameter = self.followed(parameter, f"{where}/parameters")
            if not isinstance(parameter, dict) or not {"name", "in"} <= parameter.keys():
                continue
            by_key[(str(parameter["name"]), str(parameter["in"]))] = parameter
        compiled = []
        for (name, location), parameter in by_key.items():
            if location not in ("path", "query", "header") or (
                location == "header" and name.lower() in _IGNORED_HEADERS
            ):
                continue  # cookies are not checked
            compiled.append(self.parameter(name, location, parameter, f"{where}/parameters"))
        return compiled

    def parameter(
        self, name: str, location: str, parameter: dict[str, Any], where: str = ""
    ) -> CompiledParameter:
        schema = parameter.get("schema")
        media_type, example = None, parameter.get("example")
        if schema is None:  # described by a media type: the value is written in it
            media_type, media = next(iter(parameter.get("content", {}).items()), ("", {}))
            schema, style = media.get("schema", {}), "content"
            example = media.get("example", example)
        else:
            default = "form" if location == "query" else "simple"
            style = parameter.get("style", default)
            if style not in _STYLES[location]:
                self.warn(where, f"parameter {name!r}: style {style!r} is not defined for the "
                          f"{location}; read as {default!r}")  # fmt: skip
                style = default
        validator = self.validator(schema)
        return CompiledParameter(
            name=name,
            location=location,  # type: ignore[arg-type]
            required=bool(parameter.get("required", location == "path")),
            validator=validator,
            shape=self.shape(validator.schema),  # in JSON Schema's words, as validated
            style=style,
            explode=bool(parameter.get("explode", style == "form")),
            example=example,
            media_type=media_type and media_type.lower(),
        )

    def shape(self, schema: Any) -> ValueShape:
        """The types ``schema`` declares for a value, its items and its properties."""
        parts = self.alternatives(schema)
        types = _union(_declared_types(part) for part in parts)
        if not types and any("items" in part for part in parts):
            types = ("array",)
        elif not types and any("properties" in part for part in parts):
            types = ("object",)
        properties: dict[str, tuple[str, ...]] = {}
        for part in parts:
            named = part.get("properties")
            for name, subschema in (named if isinstance(named, dict) else {}).items():
                properties[name] = _union([properties.get(name, ()), self.types_of(subschema)])
        return ValueShape(
            types=types,
            item_types=_union(self.types_of(part.get("items")) for part in parts),
            property_types=properties,
            additional_types=_union(
                self.types_of(part.get("additionalProperties")) for part in parts
            ),
        )

    def types_of(self, schema: Any) -> tuple[str, ...]:
        return _union(_declared_types(part) for part in self.alternatives(schema))

    def alternatives(self, schema: Any, depth: int = 0) -> list[dict[str, Any]]:
        """``schema`` resolved, and the schemas it combines (``allOf``, ``anyOf``, ``oneOf``)."""
        schema = self.resolved(schema)
        found = [schema]
        for keyword in ("allOf", "anyOf", "oneOf"):
            members = schema.get(keyword)
            if isinstance(members, list) and depth < 8:
                for member in members:
                    found.extend(self.alternatives(member, depth + 1))
        return found

    def resolved(self, schema: Any) -> dict[str, Any]:
        """``schema`` with its ``$ref`` chain followed (``{}`` when it is no object)."""
        for _ in range(16):
            reference = schema.get("$ref") if isinstance(schema, dict) else None
            if not isinstance(reference, str) or not reference.startswith("#/"):
                break
            schema = referenced(self.converted, reference)
        return schema if isinstance(schema, dict) else {}

    def media(self, content: dict[str, Any]) -> dict[str, CompiledMedia]:
        compiled = {}
        for media_type, media in content.items():
            schema = media.get("schema")
            examples = {
                name: _mapping(self.followed(example, "")).get("value")
                for name, example in _mapping(media.get("examples")).items()
            }
            if not examples and "example" in media:
                examples["example"] = media["example"]
            compiled[media_type.lower()] = CompiledMedia(
                media_type=media_type.lower(),
                validator=self.validator(schema) if schema is not None else None,
                examples=examples,
            )
        return compiled

    def response(self, status: str, response: dict[str, Any]) -> CompiledResponse:
        headers = [
            self.parameter(
                name, "header", {"required": False, **_mapping(self.followed(header, ""))}
            )
            for name, header in _mapping(response.get("headers")).items()
            if name.lower() != "content-type"
        ]
        return CompiledResponse(
            status=status,
            description=response.get("description", ""),
            media=self.media(_mapping(response.get("content"))),
            headers=headers,
        )

    def security(self, requirements: Any, where: str) -> list[list[SecurityScheme]]:
        alternatives = []
        for requirement in _listed(requirements):
            alternative = []
            for scheme_name in _mapping(requirement):
                scheme = _mapping(self.followed(self.schemes.get(scheme_name, {}), where))
                if not scheme:
                    self.warn(f"{where}/security", f"security scheme {scheme_name!r} is not "
                              "defined; any credential is accepted for it")  # fmt: skip
                alternative.append(_security_scheme(scheme))
            alternatives.append(alternative)
        return alternatives


def _security_scheme(scheme: dict[str, Any]) -> SecurityScheme:
    kind = scheme.get("type")
    if kind == "http" and str(scheme.get("scheme", "")).lower() in {"bearer", "basic"}:
        return SecurityScheme(str(scheme["scheme"]).lower())
    if kind in {"oauth2", "openIdConnect"}:
        return SecurityScheme("bearer")
    if kind == "apiKey":
        return SecurityScheme("apiKey", scheme.get("in", "header"), scheme.get("name", ""))
    return SecurityScheme("other")


def _path_regex(template: str) -> tuple[re.Pattern[str], list[str]]:
    """``/a/{id}/b`` → a pattern over the raw (still percent-encoded) path, and ``["id"]``."""
    names: list[str] = []
    pattern = ""
    for literal, name in re.findall(r"([^{]*)(?:\{([^}]+)\})?", template):
        pattern += re.escape(literal)
        if name:
            pattern += f"(?P<p{len(names)}>[^/]+)"
            names.append(name)
    return re.compile(f"^{pattern}$"), names


def _mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else ``{}``: a spec's malformed part is skipped."""
    return value if isinstance(value, dict) else {}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _pointers(document: Any) -> dict[int, str]:
    """Each mapping of ``document`` by identity → its JSON Pointer (the first, for YAML
    aliases that put one object in several places)."""
    found: dict[int, str] = {}
    pending: list[tuple[Any, str]] = [(document, "")]
    while pending:
        node, pointer = pending.pop()
        if isinstance(node, dict):
            if id(node) in found:
                continue
            found[id(node)] = pointer
            pending.extend(
                (value, pointer + json_pointer([str(key)])) for key, value in node.items()
            )
        elif isinstance(node, list):
            pending.extend((item, f"{pointer}/{index}") for index, item in enumerate(node))
    return found


def _copied(node: Any) -> Any:
    """``node`` with every mapping and list copied (the leaves shared): a document the
    sanitizer may change without changing the served one."""
    if isinstance(node, dict):
        return {key: _copied(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_copied(item) for item in node]
    return node


def _deref(node: Any, document: dict[str, Any], depth: int = 0) -> Any:
    """Follow a local ``$ref`` (``#/components/...``) of a non-schema object."""
    if not isinstance(node, dict) or "$ref" not in node:
        return node
    ref = node["$ref"]
    if not isinstance(ref, str) or not ref.startswith("#/") or depth > 16:
        raise SpecfakeError(f"only local references are supported, got {ref!r}")
    target = referenced(document, ref)
    if target is None:
        raise SpecfakeError(f"reference {ref!r} points at nothing")
    return _deref(target, document, depth + 1)
