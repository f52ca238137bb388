"""Where the bundled specs and fixtures are, installed or in a checkout.

A wheel carries them as ``specfake/_bundled/{specs,fixtures}`` (see ``pyproject.toml``); an
editable install reads the repository's top-level ``specs/`` and ``fixtures/`` directly.
"""

from __future__ import annotations

from pathlib import Path

from specfake.errors import SpecfakeError

_PACKAGED = Path(__file__).parent / "_bundled"
_CHECKOUT = Path(__file__).resolve().parents[2]


def bundled_root() -> Path:
    for root in (_PACKAGED, _CHECKOUT):
        if (root / "specs").is_dir() and (root / "fixtures").is_dir():
            return root
    raise SpecfakeError("the bundled specs and fixtures are missing from this installation")


def bundled_specs() -> list[Path]:
    """The served specs: what the fake answers by and holds itself to."""
    return sorted((bundled_root() / "specs").glob("*.openapi.yaml"))


def bundled_contract_specs() -> list[Path]:
    """The contract specs (``specs/contract/``): the served ones without specfake's own
    choices, what real servers are judged by (``specfake check``, ``verify``)."""
    return sorted((bundled_root() / "specs" / "contract").glob("*.openapi.yaml"))


def bundled_fixtures() -> Path:
    return bundled_root() / "fixtures"
