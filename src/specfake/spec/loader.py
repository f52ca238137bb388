"""Read an OpenAPI 3.0/3.1 file, bundle the files it refers to, and check it with
openapi-spec-validator, once, at start-up. What the validator finds is a warning, not a
refusal (``spec/defects.py``): only a file that is not YAML/JSON or not OpenAPI stops start-up."""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml import CSafeLoader

from specfake.errors import SpecfakeError, json_pointer, shortened
from specfake.spec.bundle import EXTERNAL, bundled
from specfake.spec.defects import SpecWarning
from specfake.spec.references import pointed

_SUFFIXES = (".openapi.yaml", ".openapi.yml", ".openapi.json", ".yaml", ".yml", ".json")


# The validator's findings kept per spec; a spec written by others can have hundreds.
MAX_VALIDATION_WARNINGS = 50


@dataclass(frozen=True, slots=True)
class LoadedSpec:
    """A checked OpenAPI document, the short name it is served under, and its defects."""

    name: str
    path: Path
    document: dict[str, Any]
    warnings: tuple[SpecWarning, ...] = ()

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
    """Parse, bundle and validate ``path`` (or ``text``, its content made in memory: a spec
    regenerated from its docs pages). What the validator finds is a warning; a file that is
    not YAML/JSON or not OpenAPI is a :class:`SpecfakeError` naming it."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            message = f"cannot read spec {path}: {error.strerror}"
            raise SpecfakeError(message, file=path) from error
    try:
        # The C loader reads a 400 KB spec about 8x faster than the pure-Python one.
        document = json.loads(text) if path.suffix == ".json" else yaml.load(text, CSafeLoader)
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
    name = spec_name(path)
    document, warnings = bundled(document, path, name)
    warnings += _validation_warnings(document, text, name)
    return LoadedSpec(name, path, document, tuple(warnings))


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


def _validation_warnings(document: dict[str, Any], text: str, name: str) -> list[SpecWarning]:
    """What openapi-spec-validator finds wrong, as warnings; remembered per spec text.

    Importing the validator (~1 s) and running it (~0.7 s per spec) was most of the start-up
    time (bench/RESULTS.md); its findings for this exact text (and validator version) are kept
    in the user's cache directory, so an unchanged spec starts without either.
    """
    validator_version = _version("openapi-spec-validator")
    # What was validated: the file's text, and the parts bundled from other files (an edit
    # to one of those changes the findings too).
    external = pointed(document, f"/components/{EXTERNAL}")
    bundled_text = json.dumps(external, sort_keys=True, default=str) if external else ""
    key = f"{validator_version}\n{text}\n{bundled_text}"
    digest = hashlib.sha256(key.encode()).hexdigest()
    cached = _cache_dir() / "validated" / f"{digest}.json"
    try:
        found = json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found = _validate(document)
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps(found), encoding="utf-8")
        except OSError:
            pass  # a read-only home only costs the next start its validation
    return [SpecWarning(name, pointer, message) for pointer, message in found]


def _validate(document: dict[str, Any]) -> list[tuple[str, str]]:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    openapi_30 = str(document.get("openapi", "")).startswith("3.0")
    validator_class = OpenAPIV30SpecValidator if openapi_30 else OpenAPIV31SpecValidator
    found: list[tuple[str, str]] = []
    try:
        for error in validator_class(document).iter_errors():
            pointer = json_pointer([str(part) for part in error.absolute_path])
            found.append((pointer, "not valid OpenAPI: " + shortened(error.message)))
            if len(found) >= MAX_VALIDATION_WARNINGS:
                break
    except Exception as error:
        found.append(("", f"openapi-spec-validator could not check the spec: {error!r}"))
    return found


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "specfake"


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"
