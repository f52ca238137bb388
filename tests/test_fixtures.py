"""fixtures.py: the start state read from YAML and checked before any request sees it."""

from __future__ import annotations

from pathlib import Path

import pytest

from specfake.errors import SpecfakeError
from specfake.fixtures import load_fixture_dir, state_errors

SCHEMAS = {"scores": {"type": "array", "items": {"type": "number"}}}


def test_every_nan_or_infinite_number_of_a_fixture_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "scores.yaml").write_text("scores: [1.0, .nan, -.inf]\n")
    with pytest.raises(SpecfakeError) as refused:
        load_fixture_dir(tmp_path, SCHEMAS)
    message = "is NaN or infinite, which JSON cannot write; use a finite number"
    assert str(refused.value).splitlines()[1:] == [
        f"  /scores/1: {message}",
        f"  /scores/2: {message}",
    ]


def test_finite_numbers_load(tmp_path: Path) -> None:
    (tmp_path / "scores.yaml").write_text("scores: [1.0, 2]\n")
    assert load_fixture_dir(tmp_path, SCHEMAS) == {"scores": [1.0, 2]}
    assert state_errors({"scores": [1.0, 2]}, SCHEMAS) == []


def test_a_fixture_file_with_yaml_nan_is_a_load_error_naming_file_and_field(
    tmp_path: Path,
) -> None:
    (tmp_path / "scores.yaml").write_text("scores: [1.5, .nan]\n")
    with pytest.raises(SpecfakeError) as refused:
        load_fixture_dir(tmp_path, SCHEMAS)
    assert "scores.yaml" in str(refused.value)
    assert "/scores/1: is NaN or infinite" in str(refused.value)


def test_a_section_no_served_operation_holds_is_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "state.yaml").write_text("scores: [1]\npathways: []\n")
    warnings = []
    assert load_fixture_dir(tmp_path, SCHEMAS, warnings.append) == {"scores": [1]}
    assert [warning.pointer for warning in warnings] == ["/pathways"]


def test_a_section_named_like_a_known_one_is_a_typo_and_an_error(tmp_path: Path) -> None:
    (tmp_path / "state.yaml").write_text("score: [1]\n")
    with pytest.raises(SpecfakeError, match="unknown section 'score'; did you mean 'scores'"):
        load_fixture_dir(tmp_path, SCHEMAS)


def test_a_fixture_file_that_is_not_yaml_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "scores.yaml").write_text("scores: [1, 2\nother: 3\n")
    with pytest.raises(SpecfakeError) as refused:
        load_fixture_dir(tmp_path, SCHEMAS)
    message = str(refused.value)
    assert message.startswith(f"{tmp_path / 'scores.yaml'}: cannot read fixture file: ")
    assert "line 2" in message


def test_a_fixture_file_that_is_not_utf8_is_an_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "scores.yaml").write_bytes(b"scores: [1]\nname: caf\xe9\n")  # Latin-1
    with pytest.raises(SpecfakeError) as refused:
        load_fixture_dir(tmp_path, SCHEMAS)
    assert str(refused.value).startswith(
        f"{tmp_path / 'scores.yaml'}: a fixture file must be UTF-8 text: "
    )


def test_a_fixture_file_that_cannot_be_read_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "scores.yaml").mkdir()  # what the glob finds, and no file to read
    with pytest.raises(SpecfakeError) as refused:
        load_fixture_dir(tmp_path, SCHEMAS)
    assert str(refused.value).startswith(f"{tmp_path / 'scores.yaml'}: cannot read fixture file: ")
