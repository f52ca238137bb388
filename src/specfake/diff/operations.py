"""Compare two spec documents operation by operation: what exists, what a request must
carry (parameters, body, security), and what each documented response holds."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from specfake.diff.changes import Changes
from specfake.diff.schemas import Direction, SchemaDiff
from specfake.errors import json_pointer
from specfake.spec.references import followed

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAMETER_NAME = re.compile(r"\{[^}/]*\}")


def compare_documents(old: dict[str, Any], new: dict[str, Any]) -> Changes:
    """Every change from ``old`` to ``new``, operations matched by method and path (path
    parameter names aside: renaming ``{id}`` to ``{draftId}`` changes nothing for clients)."""
    changes = Changes()
    old_operations, new_operations = _operations(old), _operations(new)
    for key in sorted(set(old_operations) | set(new_operations)):
        if key not in new_operations:
            gone = old_operations[key]
            changes.add("api-operation-removed", True, gone.label, gone.pointer,
                        f"{gone.label} removed")  # fmt: skip
        elif key not in old_operations:
            added = new_operations[key]
            changes.add("api-operation-added", False, added.label, added.pointer,
                        f"{added.label} added")  # fmt: skip
        else:
            _OperationDiff(old, new, changes, old_operations[key], new_operations[key]).run()
    return changes


class Located(NamedTuple):
    """An operation, where it is, and the parameters its path item gives every operation."""

    label: str  # "PATCH /items/{id}"
    path: str
    pointer: str
    operation: dict[str, Any]
    shared_parameters: list[Any]


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], Located]:
    found: dict[tuple[str, str], Located] = {}
    paths = document.get("paths")
    for path, item in paths.items() if isinstance(paths, dict) else ():
        item_pointer = f"/paths/{json_pointer([path])[1:]}"
        item, item_pointer = followed(document, item, item_pointer)
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters") if isinstance(item.get("parameters"), list) else []
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                key = (method, _PARAMETER_NAME.sub("{}", path))
                found[key] = Located(
                    f"{method.upper()} {path}", path, f"{item_pointer}/{method}", operation, shared
                )
    return found


class _OperationDiff:
    """One operation present in both versions."""

    def __init__(
        self,
        old_document: dict[str, Any],
        new_document: dict[str, Any],
        changes: Changes,
        old: Located,
        new: Located,
    ) -> None:
        self.old_document, self.new_document = old_document, new_document
        self.changes = changes
        self.label = old.label
        self.old_located, self.new_located = old, new
        self.old_pointer, self.old = old.pointer, old.operation
        self.new_pointer, self.new = new.pointer, new.operation

    def run(self) -> None:
        self._parameters()
        self._request_body()
        self._responses()
        self._security()

    def add(self, rule: str, breaking: bool, pointer: str, message: str) -> None:
        self.changes.add(rule, breaking, self.label, pointer, message)

    def schemas(self, direction: Direction, where: str) -> SchemaDiff:
        return SchemaDiff(
            self.old_document, self.new_document, self.changes, self.label, direction, where
        )

    def _parameters(self) -> None:
        old = _parameters(self.old_document, self.old_located)
        new = _parameters(self.new_document, self.new_located)
        for key in sorted(set(old) | set(new)):
            name = (new.get(key) or old[key])[0]["name"]
            where = f"{key[0]} parameter {name}"
            if key not in new:
                self.add("request-parameter-removed", False, old[key][1], f"{where} removed")
                continue
            parameter, pointer = new[key]
            required = parameter.get("required") is True
            if key not in old:
                kind = "required" if required else "optional"
                self.add(f"new-{kind}-request-parameter", required, pointer,
                         f"{where} added as {kind}")  # fmt: skip
                continue
            before, before_pointer = old[key]
            was_required = before.get("required") is True
            if was_required != required:
                made = "required" if required else "optional"
                self.add(f"request-parameter-became-{made}", required, f"{pointer}/required",
                         f"{where} became {made}")  # fmt: skip
            self.schemas("request", where).compare(
                before.get("schema"), f"{before_pointer}/schema",
                parameter.get("schema"), f"{pointer}/schema", "",
            )  # fmt: skip

    def _request_body(self) -> None:
        old, old_pointer = followed(
            self.old_document, self.old.get("requestBody"), f"{self.old_pointer}/requestBody"
        )
        new, new_pointer = followed(
            self.new_document, self.new.get("requestBody"), f"{self.new_pointer}/requestBody"
        )
        if not isinstance(new, dict):
            if isinstance(old, dict):
                self.add("request-body-removed", False, old_pointer, "request body removed")
            return
        required = new.get("required") is True
        if not isinstance(old, dict):
            kind = "required" if required else "optional"
            self.add("request-body-added", required, new_pointer, f"request body added as {kind}")
            return
        if (old.get("required") is True) != required:
            made = "required" if required else "optional"
            self.add(f"request-body-became-{made}", required, f"{new_pointer}/required",
                     f"request body became {made}")  # fmt: skip
        self._media(old, old_pointer, new, new_pointer, "request", "request body")

    def _responses(self) -> None:
        old, new = _mapping(self.old.get("responses")), _mapping(self.new.get("responses"))
        for status in sorted(set(old) | set(new), key=str):
            old_pointer = f"{self.old_pointer}/responses/{status}"
            new_pointer = f"{self.new_pointer}/responses/{status}"
            if status not in new:
                self.add("response-status-removed", True, old_pointer,
                         f"documented {status} response removed")  # fmt: skip
                continue
            if status not in old:
                self.add("response-status-added", False, new_pointer, f"{status} response added")
                continue
            before, before_pointer = followed(self.old_document, old[status], old_pointer)
            after, after_pointer = followed(self.new_document, new[status], new_pointer)
            if isinstance(before, dict) and isinstance(after, dict):
                where = f"{status} response"
                self._media(before, before_pointer, after, after_pointer, "response", where)
                self._response_headers(before, before_pointer, after, after_pointer, where)

    def _media(
        self,
        old: dict[str, Any], old_pointer: str,
        new: dict[str, Any], new_pointer: str,
        direction: Direction, where: str,
    ) -> None:  # fmt: skip
        old_content, new_content = _mapping(old.get("content")), _mapping(new.get("content"))
        for media_type in sorted(set(old_content) | set(new_content)):
            escaped = json_pointer([media_type])[1:]
            if media_type not in new_content:
                self.add(f"{direction}-media-type-removed", True,
                         f"{old_pointer}/content/{escaped}",
                         f"{where} media type {media_type} removed")  # fmt: skip
            elif media_type not in old_content:
                self.add(f"{direction}-media-type-added", False,
                         f"{new_pointer}/content/{escaped}",
                         f"{where} media type {media_type} added")  # fmt: skip
            else:
                before, after = old_content[media_type], new_content[media_type]
                if isinstance(before, dict) and isinstance(after, dict):
                    self.schemas(direction, where).compare(
                        before.get("schema"), f"{old_pointer}/content/{escaped}/schema",
                        after.get("schema"), f"{new_pointer}/content/{escaped}/schema", "",
                    )  # fmt: skip

    def _response_headers(
        self,
        old: dict[str, Any], old_pointer: str,
        new: dict[str, Any], new_pointer: str,
        where: str,
    ) -> None:  # fmt: skip
        old_headers = {str(k).lower(): str(k) for k in _mapping(old.get("headers"))}
        new_headers = {str(k).lower(): str(k) for k in _mapping(new.get("headers"))}
        for name in sorted(set(old_headers) - set(new_headers)):
            pointer = f"{old_pointer}/headers/{json_pointer([old_headers[name]])[1:]}"
            self.add("response-header-removed", True, pointer,
                     f"{where} header {old_headers[name]} removed")  # fmt: skip
        for name in sorted(set(new_headers) - set(old_headers)):
            pointer = f"{new_pointer}/headers/{json_pointer([new_headers[name]])[1:]}"
            self.add("response-header-added", False, pointer,
                     f"{where} header {new_headers[name]} added")  # fmt: skip

    def _security(self) -> None:
        old = _security(self.old_document, self.old)
        new = _security(self.new_document, self.new)
        if old == new:
            return
        pointer = f"{self.new_pointer}/security"
        # A client that satisfied one of the old alternatives keeps working if some new
        # alternative asks for no more than it.
        stranded = [alt for alt in old if not any(other <= alt for other in new)]
        if stranded:
            needed = "; ".join(" + ".join(sorted(alt)) or "none" for alt in new) or "none"
            self.add("api-security-added", True, pointer,
                     f"security now requires {needed} (before: {_alternatives(old)})")  # fmt: skip
        else:
            message = f"security relaxed to {_alternatives(new)} (before: {_alternatives(old)})"
            self.add("api-security-relaxed", False, pointer, message)


def _parameters(
    document: dict[str, Any], located: Located
) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
    """The operation's parameters by (location, name), the path item's ones first so the
    operation's override them; header names compare ignoring case, path parameters by their
    place in the path (their name is not sent)."""
    found = {}
    operation = located.operation
    own = operation.get("parameters") if isinstance(operation.get("parameters"), list) else []
    item_pointer = located.pointer.rsplit("/", 1)[0]
    places = {name[1:-1]: f"#{index}" for index, name in enumerate(
        _PARAMETER_NAME.findall(located.path)
    )}  # fmt: skip
    sources = [
        (located.shared_parameters, f"{item_pointer}/parameters"),
        (own, f"{located.pointer}/parameters"),
    ]
    for parameters, base in sources:
        for index, parameter in enumerate(parameters):
            parameter, at = followed(document, parameter, f"{base}/{index}")
            if isinstance(parameter, dict) and "name" in parameter:
                location = str(parameter.get("in", ""))
                name = str(parameter["name"])
                if location == "header":
                    name = name.lower()
                elif location == "path":
                    name = places.get(name, name)
                found[(location, name)] = (parameter, at)
    return found


def _security(document: dict[str, Any], operation: dict[str, Any]) -> list[frozenset[str]]:
    """The operation's security alternatives as sets of scheme names; ``[frozenset()]``
    (one alternative asking for nothing) when it needs none."""
    declared = operation.get("security", document.get("security"))
    if not isinstance(declared, list) or not declared:
        return [frozenset()]
    return sorted(
        {frozenset(map(str, alt)) for alt in declared if isinstance(alt, dict)}, key=sorted
    )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _alternatives(alternatives: list[frozenset[str]]) -> str:
    return " or ".join(" + ".join(sorted(alt)) or "none" for alt in alternatives)
