"""Read an OpenAPI 3.0/3.1 file and check it with openapi-spec-validator, once, at start-up."""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from specfake.errors import SpecfakeError, json_pointer

_SUFFIXES = (".openapi.yaml", ".openapi.yml", ".openapi.json", ".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class LoadedSpec:
    """A checked OpenAPI document and the short name it is served under."""

    name: str
    path: Path
    document: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.document.get("openapi", ""))

    @property
    def is_openapi_30(self) -> bool:
        return self.version.startswith("3.0")


def spec_name(path: Path) -> str:
    """``specs/plan-definitions.openapi.yaml`` → ``plan-definitions``."""
    for suffix in _SUFFIXES:
        if path.name.endswith(suffix):
            return path.name[: -len(suffix)]
    return path.stem


def load_spec(path: Path, text: str | None = None) -> LoadedSpec:
    """Parse and validate ``path`` (or ``text``, its content made in memory: a spec
    regenerated from its docs pages); any problem is a :class:`SpecfakeError` naming the file."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            message = f"cannot read spec {path}: {error.strerror}"
            raise SpecfakeError(message, file=path) from error
    try:
        document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise SpecfakeError(f"{path} is not valid YAML/JSON: {error}", file=path) from error
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3."):
        raise SpecfakeError(
            f"{path} is not an OpenAPI 3.0/3.1 document (no 'openapi: 3.x' field)",
            file=path,
            pointer="/openapi",
        )
    non_finite = non_finite_numbers(document)
    if non_finite:
        raise SpecfakeError(
            f"{path}: {', '.join(non_finite)}: NaN and infinite numbers (YAML .nan, .inf) cannot "
            "be written in JSON; use a finite number, or a string",
            file=path,
            pointer=non_finite[0],
        )
    _validate_once(document, text, path)
    return LoadedSpec(spec_name(path), path, document)


def non_finite_numbers(document: Any) -> list[str]:
    """JSON Pointers to the NaN and infinite numbers in ``document``.

    YAML (``.nan``, ``.inf``) and Python's ``json`` read them, but JSON cannot write them: an
    example or fixture holding one would be answered as ``null``, so it is refused at load.
    """
    found = []
    pending: list[tuple[list[str], Any]] = [([], document)]
    while pending:
        parts, value = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            found.append(json_pointer(parts))
        elif isinstance(value, dict):
            pending.extend(([*parts, str(key)], item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend(([*parts, str(index)], item) for index, item in enumerate(value))
    return sorted(found)


def _validate_once(document: dict[str, Any], text: str, path: Path) -> None:
    """Validate with openapi-spec-validator, unless this exact text already passed.

    Importing the validator (~1 s) and running it (~0.7 s per spec) was most of the start-up
    time (bench/RESULTS.md); a spec that passed is remembered by its hash and the validator's
    version in the user's cache directory, so an unchanged spec starts without either.
    """
    validator_version = _version("openapi-spec-validator")
    digest = hashlib.sha256(f"{validator_version}\n{text}".encode()).hexdigest()
    marker = _cache_dir() / "validated" / digest
    if marker.exists():
        return
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(document)
    except OpenAPIValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise SpecfakeError(
            f"{path} is not a valid OpenAPI document at {where}: {error.message}",
            file=path,
            pointer=json_pointer([str(part) for part in error.absolute_path]),
        ) from error
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass  # a read-only home only costs the next start its validation


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "specfake"


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"
