"""Route a request to the operation whose path and method match (unknown path 404, method 405).

The templates are kept in a tree of path segments, so finding one costs a walk down the
request's segments, whatever the number of operations: a 650-operation spec routes its last
path as fast as its first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from specfake.errors import method_not_allowed, not_found
from specfake.spec.compile import CompiledOperation


@dataclass(slots=True)  # not frozen: made per request, and a frozen __init__ costs twice
class RouteMatch:
    operation: CompiledOperation
    path_parameters: dict[str, str]  # each path parameter's text as sent, still encoded


@dataclass(slots=True)
class _Segment:
    """One level of the tree: children by literal segment, then by segment template
    (``{id}``, ``{name}.json``) with the pattern that reads its parameters from a raw segment
    (``None`` for a lone parameter, which is the whole segment), and the operations of the
    template that ends here, by method, with that template's parameter names."""

    literal: dict[str, _Segment] = field(default_factory=dict)
    patterns: dict[str, tuple[re.Pattern[str] | None, _Segment]] = field(default_factory=dict)
    methods: dict[str, CompiledOperation] | None = None
    names: tuple[str, ...] = ()

    def child(self, segment: str) -> _Segment:
        """The child for template ``segment``, made if new."""
        if "{" not in segment:
            return self.literal.setdefault(segment, _Segment())
        if segment not in self.patterns:
            self.patterns[segment] = (_segment_pattern(segment), _Segment())
            # The most specific first: {name}.json before {id}.
            ordered = sorted(self.patterns.items(), key=lambda item: -_literal_length(item[0]))
            self.patterns = dict(ordered)
        return self.patterns[segment][1]


class Router:
    """Matches raw paths (``%2F`` stays inside one segment) against every served operation.

    Literal segments win over templated ones, level by level, as OpenAPI asks
    (``/pets/mine`` before ``/pets/{id}``), and among templated ones the one with more literal
    text (``{name}.json`` before ``{id}``). A path that is a whole literal template is found
    in one look-up (:meth:`_static_match`); the others by a walk that reads the parameters on
    its way down, remembered for the paths lately asked for (:meth:`_recalled`).
    """

    def __init__(self, operations: list[CompiledOperation]) -> None:
        self._root = _Segment()
        self._static: dict[str, dict[str, CompiledOperation]] = {}
        self._walks: dict[str, tuple[dict[str, CompiledOperation], dict[str, str]]] = {}
        for operation in operations:
            node = self._root
            segments = operation.path_template.split("/")[1:]
            for segment in segments:
                node = node.child(segment)
            if node.methods is None:
                node.methods = {}
                node.names = tuple(name for part in segments for name in _parameters_in(part))
                if "{" not in operation.path_template:
                    self._static[operation.path_template] = node.methods
            if operation.method in node.methods:
                raise ValueError(
                    f"{operation.method} {operation.path_template} is served by two specs "
                    f"({node.methods[operation.method].spec_name}, {operation.spec_name})"
                )
            node.methods[operation.method] = operation

    def match(self, method: str, raw_path: str) -> RouteMatch:
        """The operation for ``method`` on ``raw_path``, or a 404/405 :class:`Problem`."""
        methods, parameters = self._static_match(raw_path), {}
        if methods is None:
            methods, parameters = self._recalled(raw_path)
        if methods is None:
            raise not_found(f"No operation of the served specs matches the path {raw_path!r}.")
        operation = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
        if operation is None:
            raise method_not_allowed(method, sorted(methods))
        return RouteMatch(operation, parameters)

    def _static_match(self, raw_path: str) -> dict[str, CompiledOperation] | None:
        """The walk's answer for a path that is a whole literal template: the walk tries the
        literal child first at every level, so it ends at that template too."""
        return self._static.get(raw_path)

    def _recalled(
        self, raw_path: str
    ) -> tuple[dict[str, CompiledOperation] | None, dict[str, str]]:
        """:meth:`_walked`, remembered for the served paths lately asked for: a client asks
        for the same few again and again (its drafts, its resources), and a walk costs a
        split, a look-up per segment and a dict. Each answer gets its own parameters. At most
        :data:`REMEMBERED_PATHS`, none longer than :data:`REMEMBERED_LENGTH`; when full, it
        starts again (bounded whatever the traffic, and it follows what is asked now)."""
        known = self._walks.get(raw_path)
        if known is None:
            known = self._walked(raw_path)
            if known[0] is None or len(raw_path) > REMEMBERED_LENGTH:
                return known  # an unknown path is walked each time: a scan fills nothing
            if len(self._walks) >= REMEMBERED_PATHS:
                self._walks.clear()
            self._walks[raw_path] = known
        return known[0], known[1].copy()

    def _walked(self, raw_path: str) -> tuple[dict[str, CompiledOperation] | None, dict[str, str]]:
        """The operations of the template the tree finds for ``raw_path``, and its path
        parameters' raw texts by name."""
        if raw_path[:1] != "/":
            return None, {}
        segments = raw_path.split("/")[1:]
        values: list[str] = []
        node = _descended(self._root, segments, values)
        if node is None:  # a dead end on the first way down: search every way
            values = []
            node = _find(self._root, segments, 0, values)
        if node is None:
            return None, {}
        # As many values as names: each parameter of the template is one group of its pattern.
        return node.methods, dict(zip(node.names, values))  # noqa: B905 - strict costs 0.4 µs


def _descended(node: _Segment, segments: list[str], values: list[str]) -> _Segment | None:
    """:func:`_find`'s first way down, in a loop: the literal child, else the first template
    that matches, at every level. When it ends at a template, that is the one :func:`_find`
    finds (it tries the same way first); ``None`` leaves the search with backtracking to it."""
    for segment in segments:
        child = node.literal.get(segment)
        if child is None:
            child = _first_template(node, segment, values)
            if child is None:
                return None
        node = child
    return node if node.methods is not None else None


def _first_template(node: _Segment, segment: str, values: list[str]) -> _Segment | None:
    """The child of the first of ``node``'s templates that ``segment`` matches, its
    parameters appended to ``values``."""
    if not segment:  # a parameter is never empty
        return None
    for pattern, child in node.patterns.values():
        if pattern is None:
            values.append(segment)
            return child
        matched = pattern.fullmatch(segment)
        if matched is not None:
            values.extend(matched.groups())
            return child
    return None


def _find(node: _Segment, segments: list[str], depth: int, values: list[str]) -> _Segment | None:
    """The node where a template matching ``segments[depth:]`` ends below ``node``; the
    parameters it read are appended to ``values`` (and taken off again on a dead end)."""
    if depth == len(segments):
        return node if node.methods is not None else None
    segment = segments[depth]
    child = node.literal.get(segment)
    if child is not None:
        found = _find(child, segments, depth + 1, values)
        if found is not None:
            return found
    if segment:  # a parameter is never empty
        read = len(values)
        for pattern, child in node.patterns.values():
            if pattern is None:
                values.append(segment)
            else:
                matched = pattern.fullmatch(segment)
                if matched is None:
                    continue
                values.extend(matched.groups())
            found = _find(child, segments, depth + 1, values)
            if found is not None:
                return found
            del values[read:]
    return None


REMEMBERED_PATHS = 1024  # Router._recalled: a few hundred kB at most
REMEMBERED_LENGTH = 256

_PARTS = re.compile(r"([^{]*)(?:\{([^}]+)\})?")  # a literal, then maybe {a parameter}
_LONE_PARAMETER = re.compile(r"\{[^}]+\}")


def _literal_length(segment: str) -> int:
    """How much of ``segment`` is literal text (``{name}.json``: 5)."""
    return len(re.sub(r"\{[^}]*\}", "", segment))


def _parameters_in(segment: str) -> list[str]:
    """The names of the parameters in template ``segment``, in order (a group of its pattern
    each)."""
    return [name for _, name in _PARTS.findall(segment) if name] if "{" in segment else []


def _segment_pattern(segment: str) -> re.Pattern[str] | None:
    """``{name}.json`` → a pattern for one raw segment (parameters never hold ``/``), a group
    per parameter; ``None`` for a lone parameter (``{id}``), which any non-empty segment is."""
    if _LONE_PARAMETER.fullmatch(segment):
        return None
    pattern = ""
    for literal, name in _PARTS.findall(segment):
        pattern += re.escape(literal) + ("([^/]+)" if name else "")
    return re.compile(pattern)
