"""``specfake diff`` compares whatever a loaded spec holds: specs that break OpenAPI (which
the loader only warns about) never crash it."""

from __future__ import annotations

import copy
import random
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from specfake.diff.operations import compare_documents
from specfake.diff.render import FORMATS, render
from tests.conftest import SPECS

BUNDLED = [
    yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted(SPECS.glob("*.openapi.yaml"))
]
ODD_VALUES = [None, 1, 2.5, "x", True, [], {}, ["a", 3], [{}], {"a": 1},
              {"$ref": "#/nope"}, {"$ref": "#/paths"}, {"$ref": 3}]  # fmt: skip


def places(node: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key) in ``node``."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(
        node, list) else ()  # fmt: skip
    for key, value in items:
        found.append((node, key))
        places(value, found)
    return found


@settings(max_examples=150, deadline=None)
@given(
    which=st.sampled_from(range(len(BUNDLED))), seed=st.integers(0, 2**32), edits=st.integers(1, 6)
)
def test_odd_values_anywhere_never_crash_the_diff(which: int, seed: int, edits: int) -> None:
    old = BUNDLED[which]
    new = copy.deepcopy(old)
    chooser = random.Random(seed)
    for _ in range(edits):
        container, key = chooser.choice(places(new, []))
        container[key] = copy.deepcopy(chooser.choice(ODD_VALUES))
    for before, after in ((old, new), (new, old)):
        changes = compare_documents(before, after).found
        for output_format in FORMATS:
            assert render(changes, "old", "new", output_format)
