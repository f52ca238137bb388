"""Multi-file specs: ``$ref``s into other files become references inside one document.

A spec split over files (``$ref: schemas/pet.yaml#/Pet``, ``$ref: ../paths/pets.yaml``, as
DigitalOcean's ~2,900 files are) is bundled at load: each referenced part of another file is
copied once under ``components/x-specfake-external``, keyed by its file (relative to the spec)
and pointer, and every reference to it, from any file, becomes a local one. References inside
the copied parts are treated the same way, relative to their own file, so cycles stay
references and nothing is inlined twice. A reference that cannot be followed (no such file, no
such pointer, a URL: nothing is fetched) is left out with a warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import yaml

from specfake.errors import json_pointer
from specfake.spec.defects import SpecWarning
from specfake.spec.references import pointed

EXTERNAL = "x-specfake-external"  # the components entry holding the other files' parts


def bundled(
    document: dict[str, Any], path: Path, spec_name: str
) -> tuple[dict[str, Any], list[SpecWarning]]:
    """``document`` (read from ``path``) with every external ``$ref`` made local."""
    bundler = _Bundler(path, spec_name)
    result = bundler.walk(document, path.resolve(), "")
    if bundler.parts:
        components = result.setdefault("components", {})
        if isinstance(components, dict):
            components[EXTERNAL] = bundler.parts
    return result, bundler.warnings


class _Bundler:
    def __init__(self, path: Path, spec_name: str) -> None:
        self.root = path.resolve()
        self.spec_name = spec_name
        self.files: dict[Path, Any] = {}
        self.parts: dict[str, Any] = {}
        self.warnings: list[SpecWarning] = []

    def walk(self, node: Any, base: Path, pointer: str) -> Any:
        """A copy of ``node`` (found in file ``base``) with its references rewritten; nodes
        without an external reference below them are returned as they are."""
        if isinstance(node, list):
            items = [self.walk(item, base, f"{pointer}/{n}") for n, item in enumerate(node)]
            return node if all(a is b for a, b in zip(items, node, strict=True)) else items
        if not isinstance(node, dict):
            return node
        reference = node.get("$ref")
        if isinstance(reference, str) and (base != self.root or not reference.startswith("#")):
            rewritten = self.local(reference, base, pointer)
            rest = {key: self.walk(value, base, pointer + json_pointer([str(key)]))
                    for key, value in node.items() if key != "$ref"}  # fmt: skip
            return {**rest, "$ref": rewritten} if rewritten else rest
        values = {key: self.walk(value, base, pointer + json_pointer([str(key)]))
                  for key, value in node.items()}  # fmt: skip
        if all(values[key] is value for key, value in node.items()):
            return node
        return values

    def local(self, reference: str, base: Path, where: str) -> str | None:
        """The local reference for ``reference`` (in file ``base``), hoisting its target."""
        file_part, _, fragment = reference.partition("#")
        if "://" in file_part:
            self.warn(where, f"$ref {reference!r} is a URL; specfake fetches nothing, so it is "
                      "unconstrained")  # fmt: skip
            return None
        target_file = (base.parent / unquote(file_part)).resolve() if file_part else base
        pointer = unquote(fragment)
        if target_file == self.root:
            return "#" + quote(pointer, safe="/~")
        key = f"{_relative(target_file, self.root)}#{pointer}"
        if key not in self.parts:
            document = self.read(target_file, reference, where)
            target = pointed(document, pointer) if document is not None else None
            if target is None:
                if document is not None:
                    self.warn(where, f"$ref {reference!r}: {pointer or '/'} is not in "
                              f"{target_file.name}; left unconstrained")  # fmt: skip
                return None
            self.parts[key] = {}  # reserved first: a cycle back to it stays a reference
            self.parts[key] = self.walk(target, target_file, pointer)
        return "#" + quote(json_pointer(["components", EXTERNAL, key]), safe="/~")

    def read(self, file: Path, reference: str, where: str) -> Any:
        if file not in self.files:
            try:
                text = file.read_text(encoding="utf-8")
                self.files[file] = yaml.load(text, Loader=yaml.CSafeLoader)
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
                self.warn(where, f"$ref {reference!r}: cannot read {file}: {error}; left "
                          "unconstrained")  # fmt: skip
                self.files[file] = None
        return self.files[file]

    def warn(self, pointer: str, message: str) -> None:
        self.warnings.append(SpecWarning(self.spec_name, pointer, message))


def _relative(file: Path, root: Path) -> str:
    try:
        return file.relative_to(root.parent).as_posix()
    except ValueError:  # outside the spec's folder
        return file.as_posix()
