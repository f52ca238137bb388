"""Which operations act on which resource, read from the paths and the ``x-specfake``
declarations: the plan the resource fake answers by.

``/things`` lists (``GET``) and creates (``POST``); ``/things/{id}`` reads, replaces, merges
and deletes; ``/authors/{authorId}/books`` is a collection scoped to its parent;
``POST /things/{id}/verb`` is an action on the record. A literal after a collection name is a
collection when some path names its items (``/things/{id}``) or its ``GET`` answers a list;
otherwise it is a prefix (``/v1``) or, after an item, an action. Operations that fit none of
these, or declare ``stateful: false``, stay plain mocks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from specfake.errors import SpecfakeError
from specfake.fakes.resources.declarations import Declaration, Role, read_declaration
from specfake.fakes.resources.schemas import (
    is_list_answer,
    property_names,
    record_wrapper,
    view,
)
from specfake.pipeline.body import is_json_media
from specfake.spec import CompiledOperation, LoadedSpec

T = TypeVar("T")
_PARAMETER = re.compile(r"^\{([^{}]+)\}$")
_ITEM_ROLES: dict[str, Role] = {"GET": "read", "PUT": "replace", "PATCH": "merge",
                                "DELETE": "delete"}  # fmt: skip
_COLLECTION_ROLES: dict[str, Role] = {"GET": "list", "POST": "create"}


@dataclass(slots=True)
class Resource:
    """A collection of records, one state section (``name``)."""

    spec_name: str
    key: str  # the collection's path, parameters blanked: /authors/{}/books
    literal: str  # the collection's own path segment: books
    parent: Resource | None
    name: str = ""
    id_field: str = "id"
    version_field: str | None = None
    record_schema: dict[str, Any] | None = None
    declared_name: str | None = None
    fields: set[str] = field(default_factory=set)  # every property a schema gives a record
    children: list[Resource] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Bound:
    """An operation the resource fake answers, and how."""

    operation: CompiledOperation
    role: Role
    resource: Resource
    scope_parameters: tuple[str, ...]  # the path parameters naming the parents, outermost first
    item_parameter: str | None  # the one naming the record, for item roles and actions
    declaration: Declaration
    envelope: str | None  # the answer's property wrapping the record
    memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def memoized(self, key: Hashable, compute: Callable[..., T], *args: Any) -> T:
        """``compute(*args)`` once per ``key`` for this operation: what is read from its spec
        (an example, the properties a schema lists) does not change while it is served. The
        arguments are passed, not closed over: a closure made on every call (its cells, the
        function object) cost more than the look-up it guards."""
        try:
            return self.memo[key]  # type: ignore[no-any-return]
        except KeyError:  # the first request of its kind only
            value = self.memo[key] = compute(*args)
            return value

    def record_schema(self, answer_schema: Any) -> Any:
        """The record's schema inside the schema of one of this operation's answers: its
        envelope's property, or the answer's schema itself."""
        if self.envelope is None:
            return answer_schema
        return view(answer_schema, self.operation.schema_root).properties.get(self.envelope)

    def record_in(self, body: Any) -> Any:
        """The record inside one of this operation's answer bodies (or examples)."""
        if self.envelope is None:
            return body
        return body.get(self.envelope) if isinstance(body, dict) else None


@dataclass(frozen=True, slots=True)
class _Level:
    literal: str  # the collection's name segment: books
    parameter: str  # the item's path parameter: bookId
    key: str  # the collection's path, parameters blanked: /authors/{}/books


@dataclass(frozen=True, slots=True)
class _Shape:
    chain: tuple[_Level, ...]  # one level per collection/{item} pair
    tail: _Level | None  # the literals after the last pair (a collection or an action)


def plan_resources(
    operations: Sequence[CompiledOperation],
    specs: Mapping[str, LoadedSpec],
    taken: Iterable[str] = (),
) -> list[Bound]:
    """The operations the resource fake answers. ``operations`` are those no other fake
    answers; ``taken`` are the state sections other fakes own. A declaration that names a
    field no schema has, or a resource name already taken, is a :class:`SpecfakeError`."""
    resources: dict[tuple[str, str], Resource] = {}
    planned: list[tuple[CompiledOperation, Role, Declaration, _Shape, bool]] = []
    shapes = {id(op): _parse(op.path_template) for op in operations}
    item_keys = {
        (op.spec_name, shape.chain[-1].key)
        for op in operations
        if (shape := shapes[id(op)]) is not None and shape.chain and shape.tail is None
    }
    # A literal path is a collection when a path names its items, or when it both lists (a
    # GET answering a list) and creates (a POST): a GET alone (/search) stays a mock.
    tail_keys = [(op, (op.spec_name, shape.tail.key)) for op in operations
                 if (shape := shapes[id(op)]) is not None and shape.tail is not None]  # fmt: skip
    listing = {key for op, key in tail_keys if op.method == "GET" and _answers_list(op)}
    creating = {key for op, key in tail_keys if op.method == "POST"}
    collections = item_keys | (listing & creating)
    for operation in operations:
        document = specs[operation.spec_name].document
        path_item = document.get("paths", {}).get(operation.path_template)
        raw = path_item.get(operation.method.lower()) if isinstance(path_item, dict) else None
        with _in_file(specs[operation.spec_name]):
            declaration = read_declaration(
                operation.path_template, operation.method.lower(), path_item, raw
            )
        shape = shapes[id(operation)]
        if not declaration.stateful or shape is None:
            continue
        collection = shape.tail is not None and (operation.spec_name, shape.tail.key) in collections
        role = declaration.role or _inferred_role(operation.method, shape, collection)
        if role is None:
            continue
        on_collection = role in ("create", "list")
        if on_collection and shape.tail is None:
            continue
        if not on_collection and not shape.chain:
            continue
        planned.append((operation, role, declaration, shape, on_collection))
    bound = []
    for operation, role, declaration, shape, on_collection in planned:
        chain = (*shape.chain, shape.tail) if on_collection and shape.tail else shape.chain
        resource = _resource(resources, operation.spec_name, chain)
        with _in_file(specs[operation.spec_name]):
            _declare(resource, declaration)
        scope = tuple(level.parameter for level in chain[:-1])
        item = None if on_collection else chain[-1].parameter
        bound.append(Bound(operation, role, resource, scope, item, declaration, None))
    _name_resources(list(resources.values()), set(taken))
    for resource in resources.values():
        _learn_fields(resource, [b for b in bound if b.resource is resource])
    planned_bound = [_with_envelope(entry) for entry in bound]
    for entry in planned_bound:
        with _in_file(specs[entry.operation.spec_name]):
            _check_fields(entry)
    return planned_bound


@contextmanager
def _in_file(spec: LoadedSpec) -> Iterator[None]:
    """A declaration's error, naming the spec file it is in."""
    try:
        yield
    except SpecfakeError as error:
        if error.file is not None:
            raise
        raise SpecfakeError(f"{spec.path}: {error}", file=spec.path, pointer=error.pointer) \
            from error


def _check_fields(entry: Bound) -> None:
    """Every record field a declaration names must be one some schema gives the record."""
    declaration, resource = entry.declaration, entry.resource
    named: list[tuple[str, str]] = [("version/field", declaration.version.field or "")]
    if declaration.id is not None:
        named.append(("id", declaration.id))
    named += [(f"requires/{name}", name) for name in declaration.requires]
    named += [(f"set/{name}", name) for name in declaration.set]
    named += [(f"conflict_fields/{name}", field) for name, field in
              declaration.conflict_fields.items()]  # fmt: skip
    if declaration.history is not None:
        named.append(("history/field", declaration.history.field))
        named += [(f"history/copy/{index}", name)
                  for index, name in enumerate(declaration.history.copy)]  # fmt: skip
    known = resource.fields | {resource.id_field}
    for where, name in named:
        if name and name not in known:
            pointer = f"{declaration.pointer}/{where}"
            raise SpecfakeError(
                f"{pointer}: no schema of resource {resource.name!r} has a field {name!r} "
                f"(its fields: {', '.join(sorted(known)) or 'none'}); fix the name, or "
                "declare the record's schema in x-specfake.record",
                pointer=pointer,
            )
    expected = declaration.version.expected
    if expected is not None and resource.version_field is None:
        pointer = f"{declaration.pointer}/version/expected"
        raise SpecfakeError(
            f"{pointer}: names where the expected version is read, but no operation of "
            f"resource {resource.name!r} declares version.field, the record's version",
            pointer=pointer,
        )
    body_field = expected.body_field if expected is not None else None
    if body_field is not None and body_field not in body_property_names(entry.operation):
        pointer = f"{declaration.pointer}/version/expected"
        raise SpecfakeError(
            f"{pointer}: the request body documents no field {body_field!r}",
            pointer=pointer,
        )


def _parse(template: str) -> _Shape | None:
    """The collection/{item} pairs of a path; ``None`` for a path that is not one
    (a parameter not after a literal, ``/files/{name}.json``)."""
    chain: list[_Level] = []
    run: list[str] = []  # literals since the last parameter
    blanked: list[str] = []
    for segment in (segment for segment in template.split("/") if segment):
        parameter = _PARAMETER.match(segment)
        if parameter is None and "{" in segment:
            return None
        if parameter is None:
            run.append(segment)
            blanked.append(segment)
            continue
        if not run:
            return None
        chain.append(_Level(run[-1], parameter.group(1), "/" + "/".join(blanked)))
        blanked.append("{}")
        run = []
    tail = _Level(run[-1], "", "/" + "/".join(blanked)) if run else None
    return _Shape(tuple(chain), tail)


def _inferred_role(method: str, shape: _Shape, collection: bool) -> Role | None:
    if shape.tail is None:
        return _ITEM_ROLES.get(method)
    if collection:
        return _COLLECTION_ROLES.get(method)
    return "action" if method == "POST" and shape.chain else None


def _answers_list(operation: CompiledOperation) -> bool:
    response = success_response(operation)
    schema = json_schema_of(response)
    return schema is not None and is_list_answer(schema, operation.schema_root)


def success_response(operation: CompiledOperation) -> Any:
    """The documented 2xx response the fake answers with: 200, 201, then the lowest 2xx."""
    codes = sorted(code for code in operation.responses if code[:1] == "2")
    for preferred in ("200", "201"):
        if preferred in codes:
            return operation.responses[preferred]
    if codes:
        return operation.responses[codes[0]]
    return operation.responses.get("2XX") or operation.responses.get("default")


def body_property_names(operation: CompiledOperation) -> set[str]:
    """The top-level properties the request body's JSON schemas document."""
    names: set[str] = set()
    for media_type, media in operation.body_media.items():
        if media.validator is not None and media_type != "application/json-patch+json":
            names |= property_names(media.validator.schema, operation.schema_root)
    return names


def json_schema_of(response: Any) -> dict[str, Any] | None:
    """The JSON body schema of a compiled response, or ``None``."""
    if response is None:
        return None
    for media_type, media in response.media.items():
        if is_json_media(media_type) and media.validator is not None:
            return media.validator.schema
    return None


def _resource(
    resources: dict[tuple[str, str], Resource], spec_name: str, chain: Sequence[_Level]
) -> Resource:
    key = chain[-1].key
    found = resources.get((spec_name, key))
    if found is None:
        parent = _resource(resources, spec_name, chain[:-1]) if len(chain) > 1 else None
        found = Resource(spec_name, key, chain[-1].literal, parent)
        resources[(spec_name, key)] = found
        if parent is not None:
            parent.children.append(found)
    return found


def _declare(resource: Resource, declaration: Declaration) -> None:
    """Resource-wide declarations (name, id, version field, record schema) from one
    operation; two operations declaring different values is an error."""
    for attribute, value in (
        ("declared_name", declaration.resource),
        ("version_field", declaration.version.field),
        ("record_schema", declaration.record),
    ):
        if value is None:
            continue
        current = getattr(resource, attribute)
        if current is not None and current != value:
            raise SpecfakeError(
                f"{declaration.pointer}: declares {attribute.replace('declared_', '')} "
                f"{value!r} for {resource.key}, which another operation declares as {current!r}",
                pointer=declaration.pointer,
            )
        setattr(resource, attribute, value)
    if declaration.id is not None:
        resource.id_field = declaration.id


def _name_resources(resources: list[Resource], taken: set[str]) -> None:
    """Each resource's state section: declared, else its path segment, qualified by its
    parent or its spec where that is taken already."""
    for resource in (r for r in resources if r.declared_name):
        if resource.declared_name in taken:
            raise SpecfakeError(
                f"resource name {resource.declared_name!r} (spec {resource.spec_name!r}, "
                f"{resource.key}) is already a state section; declare another x-specfake.resource"
            )
        resource.name = resource.declared_name or ""
        taken.add(resource.name)
    for resource in (r for r in resources if not r.declared_name):
        candidates = [resource.literal]
        if resource.parent is not None:
            candidates.append(f"{resource.parent.literal}.{resource.literal}")
        candidates.append(f"{resource.spec_name}.{candidates[-1]}")
        resource.name = next((c for c in candidates if c not in taken), resource.key)
        taken.add(resource.name)


def _learn_fields(resource: Resource, bound: list[Bound]) -> None:
    """The record's field names from every schema about it, and its id field: declared, else
    ``id``, ``<name>Id`` or the item parameter's name, the first a schema has."""
    root: dict[str, Any] = {}
    for entry in bound:
        root = entry.operation.schema_root
        schema = json_schema_of(success_response(entry.operation))
        for part in _record_schemas(entry, schema):
            resource.fields |= property_names(part, root)
        if entry.role in ("create", "replace", "merge"):
            resource.fields |= body_property_names(entry.operation)
    if resource.record_schema is not None:
        resource.fields |= property_names(resource.record_schema, root)
    if any(entry.declaration.id for entry in bound):
        return
    one = singular(resource.literal)
    parameters = [entry.item_parameter for entry in bound if entry.item_parameter]
    by_lower = {name.lower(): name for name in sorted(resource.fields)}
    for candidate in ("id", f"{one}Id", f"{one}_id", *parameters):
        if candidate.lower() in by_lower:  # Twilio's {Sid} names the field sid
            resource.id_field = by_lower[candidate.lower()]
            return


def _record_schemas(entry: Bound, schema: Any) -> list[Any]:
    """The schemas describing the record in ``entry``'s answer (a list's items, a wrapped
    record's inner schema, or the answer itself)."""
    if schema is None:
        return []
    root = entry.operation.schema_root
    outer = view(schema, root)
    if outer.is_array:
        return [outer.items or {}]
    parts = [schema]
    for name, sub in outer.properties.items():
        inner = view(sub, root)
        if inner.is_array and entry.role == "list":
            parts.append(inner.items or {})
        elif inner.is_object and name in ("data", "result", "item", "resource"):
            parts.append(sub)
    return parts


def singular(literal: str) -> str:
    """``plan-definitions`` → ``planDefinition``, ``categories`` → ``category``."""
    words = [word for word in re.split(r"[-_.\s]+", literal) if word]
    if not words:
        return literal
    last = words[-1]
    if last.endswith("ies") and len(last) > 3:
        last = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    words[-1] = last
    return words[0] + "".join(word[:1].upper() + word[1:] for word in words[1:])


def _with_envelope(entry: Bound) -> Bound:
    declared = entry.declaration.envelope
    if declared is not None or entry.role == "list":
        return replace(entry, envelope=declared)
    schema = json_schema_of(success_response(entry.operation))
    if schema is None:
        return entry
    wrapper = record_wrapper(schema, entry.operation.schema_root, entry.resource.id_field)
    return replace(entry, envelope=wrapper)
