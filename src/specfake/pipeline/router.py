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


@dataclass(frozen=True, slots=True)
class RouteMatch:
    operation: CompiledOperation
    path_parameters: dict[str, str]


@dataclass(slots=True)
class _Segment:
    """One level of the tree: children by literal segment, then by segment pattern (``{id}``,
    ``{name}.json``), and the operations of the template that ends here, by method."""

    literal: dict[str, _Segment] = field(default_factory=dict)
    patterns: dict[str, tuple[re.Pattern[str], _Segment]] = field(default_factory=dict)
    methods: dict[str, CompiledOperation] | None = None

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
    text (``{name}.json`` before ``{id}``).
    """

    def __init__(self, operations: list[CompiledOperation]) -> None:
        self._root = _Segment()
        for operation in operations:
            node = self._root
            for segment in operation.path_template.split("/")[1:]:
                node = node.child(segment)
            if node.methods is None:
                node.methods = {}
            if operation.method in node.methods:
                raise ValueError(
                    f"{operation.method} {operation.path_template} is served by two specs "
                    f"({node.methods[operation.method].spec_name}, {operation.spec_name})"
                )
            node.methods[operation.method] = operation

    def match(self, method: str, raw_path: str) -> RouteMatch:
        """The operation for ``method`` on ``raw_path``, or a 404/405 :class:`Problem`."""
        methods = _find(self._root, raw_path.split("/")[1:], 0) if raw_path[:1] == "/" else None
        if methods is None:
            raise not_found(f"No operation of the served specs matches the path {raw_path!r}.")
        operation = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
        if operation is None:
            raise method_not_allowed(method, sorted(methods))
        found = operation.path_regex.match(raw_path)
        assert found is not None  # the tree matched the same template segment by segment
        return RouteMatch(operation, operation.path_parameters(found))


def _find(node: _Segment, segments: list[str], depth: int) -> dict[str, CompiledOperation] | None:
    if depth == len(segments):
        return node.methods
    segment = segments[depth]
    child = node.literal.get(segment)
    if child is not None:
        found = _find(child, segments, depth + 1)
        if found is not None:
            return found
    if segment:  # a parameter is never empty
        for pattern, child in node.patterns.values():
            if pattern.fullmatch(segment):
                found = _find(child, segments, depth + 1)
                if found is not None:
                    return found
    return None


def _literal_length(segment: str) -> int:
    """How much of ``segment`` is literal text (``{name}.json``: 5)."""
    return len(re.sub(r"\{[^}]*\}", "", segment))


def _segment_pattern(segment: str) -> re.Pattern[str]:
    """``{name}.json`` → a pattern for one raw segment (parameters never hold ``/``)."""
    pattern = ""
    for literal, name in re.findall(r"([^{]*)(?:\{([^}]+)\})?", segment):
        pattern += re.escape(literal) + ("[^/]+" if name else "")
    return re.compile(pattern)
