"""The resource plan of the test specs (the bookshop, the gadgets' refusals, the bundled pathways,
the bench's things, the corpus): what the tests of the fake's precomputed answers run over."""

from __future__ import annotations

from pathlib import Path

from specfake.fakes.resources.plan import Bound, plan_resources
from specfake.spec import compile_operations, load_spec

HERE = Path(__file__).parent
SPECS = [
    HERE / "bookshop.openapi.yaml",
    HERE / "refusals.openapi.yaml",
    HERE.parents[2] / "specs/plan-definitions.openapi.yaml",
    HERE.parents[2] / "bench/things.openapi.yaml",
    *sorted((HERE / "corpus").glob("*.yaml")),
]


def bounds() -> list[Bound]:
    """Every operation the resource fake answers in :data:`SPECS`, freshly planned."""
    loaded = [load_spec(path) for path in SPECS]
    operations = [operation for spec in loaded for operation in compile_operations(spec)]
    return plan_resources(operations, {spec.name: spec for spec in loaded})
