"""Spec defects served around instead of refused: what each one is, and where.

Specs written by others break the rules in ways that leave them readable: a ``type: date``, a
pattern the regex engine cannot compile, an example that breaks its own schema, a security
requirement naming no scheme. specfake serves them with a sensible behaviour (unconstrained,
tried with Python's ``re``, served as written, any credential) and says so: in the start-up
log, in ``GET /__specfake__/warnings`` and, for answers, in a ``Specfake-Warning`` header.
Only a file that is not YAML/JSON, or not OpenAPI, stops start-up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SpecWarning:
    """A defect served around instead of refused (``GET /__specfake__/warnings``).

    ``spec`` is the spec's name, or ``None`` for the state (a section a reload could not keep);
    ``pointer`` is a JSON Pointer into the spec (or the state).
    """

    spec: str | None
    pointer: str
    message: str

    def to_json(self) -> dict[str, str | None]:
        return {"spec": self.spec, "pointer": self.pointer, "message": self.message}
