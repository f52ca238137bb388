"""Docs pages → OpenAPI: extract, assemble, overlay, render. ``import_docs`` is the entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from specfake.errors import SpecfakeError
from specfake.importer.assemble import DocsPage, assemble
from specfake.importer.overlay import apply_overlay

__all__ = ["DocsPage", "import_docs", "render_yaml"]


def import_docs(pages: list[Path], overlays: list[Path], title: str) -> dict[str, Any]:
    """Read ``pages``, assemble one OpenAPI document titled ``title``, apply ``overlays``."""
    document = assemble([DocsPage(page.name, _read(page)) for page in pages], title)
    for overlay in overlays:
        try:
            overlay_document = yaml.safe_load(_read(overlay))
        except yaml.YAMLError as error:
            raise SpecfakeError(f"{overlay}: not valid YAML: {error}") from error
        if not isinstance(overlay_document, dict):
            raise SpecfakeError(f"{overlay}: an overlay must be a YAML mapping")
        document = apply_overlay(document, overlay_document, overlay.name)
    return document


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
        raise SpecfakeError(f"cannot read {path}: {error.strerror}") from error
