"""spec/loader.py: what a spec file must be before anything is compiled from it."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from specfake.errors import SpecfakeError
from specfake.spec.loader import load_spec, non_finite_numbers

SPEC_WITH_INFINITE_EXAMPLE = """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /scores:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: number}
              example: .inf
"""


def test_non_finite_numbers_are_found_anywhere_and_named_by_json_pointer() -> None:
    document = {"a": [1.5, {"b/c": math.nan}], "d": -math.inf, "e": "nan", "f": 10**400}
    assert non_finite_numbers(document) == ["/a/1/b~1c", "/d"]


def test_a_spec_whose_example_is_infinite_is_refused_naming_where(tmp_path: Path) -> None:
    path = tmp_path / "scores.openapi.yaml"
    path.write_text(SPEC_WITH_INFINITE_EXAMPLE)
    with pytest.raises(SpecfakeError) as refused:
        load_spec(path)
    message = str(refused.value)
    assert "/paths/~1scores/get/responses/200/content/application~1json/example" in message
    assert "cannot be written in JSON" in message


def test_the_same_spec_with_a_finite_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "scores.openapi.yaml"
    path.write_text(SPEC_WITH_INFINITE_EXAMPLE.replace(".inf", "1.5"))
    assert load_spec(path).name == "scores"
