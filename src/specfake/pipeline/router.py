"""Route a request to the operation whose path and method match (unknown path 404, method 405)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from specfake.errors import method_not_allowed, not_found
from specfake.spec.compile import CompiledOperation


@dataclass(frozen=True, slots=True)
class RouteMatch:
    operation: CompiledOperation
    path_parameters: dict[str, str]


class Router:
    """Matches raw paths (``%2F`` stays inside one segment) against every served operation.

    Templates without parameters win over templated ones, as OpenAPI requires
    (``/pets/mine`` before ``/pets/{id}``).
    """

    def __init__(self, operations: list[CompiledOperation]) -> None:
        by_template: dict[str, dict[str, CompiledOperation]] = {}
        for operation in operations:
            methods = by_template.setdefault(operation.path_template, {})
            if operation.method in methods:
                raise ValueError(
                    f"{operation.method} {operation.path_template} is served by two specs "
                    f"({methods[operation.method].spec_name}, {operation.spec_name})"
                )
            methods[operation.method] = operation
        ordered = sorted(by_template.items(), key=lambda item: (item[0].count("{"), item[0]))
        self._routes: list[tuple[re.Pattern[str], dict[str, CompiledOperation]]] = [
            (next(iter(methods.values())).path_regex, methods) for _, methods in ordered
        ]

    def match(self, method: str, raw_path: str) -> RouteMatch:
        """The operation for ``method`` on ``raw_path``, or a 404/405 :class:`Problem`."""
        for regex, methods in self._routes:
            found = regex.match(raw_path)
            if found is None:
                continue
            operation = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
            if operation is None:
                raise method_not_allowed(method, sorted(methods))
            return RouteMatch(operation, operation.path_parameters(found))
        raise not_found(f"No operation of the served specs matches the path {raw_path!r}.")
