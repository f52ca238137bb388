"""Docs pages → OpenAPI: extract, assemble, overlay, render. ``import_docs`` is the entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from specfake.errors import SpecfakeError
from specfake.importer.assemble import DocsPage, assemble
from specfake.importer.contract import contract_document
from specfake.importer.overlay import apply_overlay

__all__ = [
    "CONTRACT_DIRECTORY",
    "DocsPage",
    "import_docs",
    "manifest_outputs",
    "regenerate",
    "render_yaml",
]
# Where each API's contract spec goes, beside the served ones: a folder of its own, so that
# every `specs/*.openapi.yaml` (serve's bundled list, a shell glob) stays the served specs.
CONTRACT_DIRECTORY = "contract"


def import_docs(pages: list[Path], overlays: list[Path], title: str) -> dict[str, Any]:
    """Read ``pages``, assemble one OpenAPI document titled ``title``, apply ``overlays``."""
    document = assemble([DocsPage(page.name, _read(page)) for page in pages], title)
    for overlay in overlays:
        try:
            overlay_document = yaml.safe_load(_read(overlay))
        except yaml.YAMLError as error:
            raise SpecfakeError(f"{overlay}: not valid YAML: {error}", file=overlay) from error
        if not isinstance(overlay_document, dict):
            raise SpecfakeError(f"{overlay}: an overlay must be a YAML mapping", file=overlay)
        try:
            document = apply_overlay(document, overlay_document, overlay.name)
        except SpecfakeError as error:
            raise SpecfakeError(str(error), file=overlay, pointer=error.pointer) from error
    return without_ignored_headers(document)


# OpenAPI: header parameters with these names "SHALL be ignored"; the security scheme and the
# media types describe them. Declared anyway (as docs pages do), code generators make them a
# required argument of every call (openapi-typescript, openapi-python-client).
_IGNORED_HEADERS = {
    "authorization": "security",
    "accept": "responses",
    "content-type": "requestBody",
}


def without_ignored_headers(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` without the header parameters OpenAPI says to ignore, where what they
    would say is covered: ``Authorization`` by a security requirement, ``Accept`` by
    documented responses, ``Content-Type`` by a request body."""
    paths = document.get("paths")
    if not isinstance(paths, dict):
        return document
    for path_item in paths.values():
        if not isinstance(path_item, dict):
            continue
        for operation in path_item.values():
            if not isinstance(operation, dict) or not isinstance(operation.get("parameters"), list):
                continue
            operation["parameters"] = [
                parameter for parameter in operation["parameters"]
                if not _covered(parameter, operation, document)
            ]  # fmt: skip
            if not operation["parameters"]:
                del operation["parameters"]
    return document


def _covered(parameter: Any, operation: dict[str, Any], document: dict[str, Any]) -> bool:
    if not isinstance(parameter, dict) or parameter.get("in") != "header":
        return False
    covered_by = _IGNORED_HEADERS.get(str(parameter.get("name", "")).lower())
    if covered_by == "security":
        return bool(operation.get("security", document.get("security")))
    return covered_by is not None and bool(operation.get(covered_by))


def regenerate(manifest: Path) -> dict[Path, str]:
    """What every spec listed in ``manifest`` (``specs/manifest.yaml``) should contain, as
    YAML text by output path: its pages assembled, its overlays applied; and its contract
    spec (``contract/<name>.openapi.yaml``: without specfake's own choices)."""
    base = manifest.parent
    rendered = {}
    for name, entry in _manifest_entries(manifest).items():
        document = import_docs(
            [base / page for page in entry["pages"]],
            [base / overlay for overlay in entry.get("overlays", [])],
            entry.get("title", name),
        )
        contract = contract_document(document)
        rendered[base / f"{name}.openapi.yaml"] = render_yaml(document)
        rendered[base / CONTRACT_DIRECTORY / f"{name}.openapi.yaml"] = render_yaml(contract)
    return rendered


def manifest_outputs(manifest: Path) -> list[Path]:
    """The spec files ``manifest`` makes, without making them."""
    return [manifest.parent / f"{name}.openapi.yaml" for name in _manifest_entries(manifest)]


def _manifest_entries(manifest: Path) -> dict[str, Any]:
    try:
        entries = yaml.safe_load(manifest.read_text(encoding="utf-8"))["specs"]
        if not isinstance(entries, dict):
            raise TypeError("'specs' must be a mapping of spec names")
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        message = f"{manifest}: cannot read the manifest ({error})"
        raise SpecfakeError(message, file=manifest, pointer="/specs") from error
    return entries


def render_yaml(document: dict[str, Any]) -> str:
    """Deterministic YAML (key order kept), so regenerating a spec gives identical bytes."""

    class _NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return yaml.dump(document, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise SpecfakeError(f"cannot read {path}: {error.strerror}", file=path) from error
