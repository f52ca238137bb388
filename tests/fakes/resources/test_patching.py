"""A top-level PATCH (``patching.top_level_patched``) changes a record exactly as the plain
merge-then-filter reading of its rule, key order included, on many random records and bodies."""

from __future__ import annotations

import random
from typing import Any

import pytest

from specfake.fakes.resources.patching import patched, top_level_patched

NAMES = ["id", "title", "status", "versionId", "tags", "note"]
VALUES: list[Any] = [None, 0, 1, "", "x", False, [], {}, {"a": None}, [None]]


def plain_patched(record: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The rule as written: merge, then drop the nulls the record did not hold."""
    merged = {**record, **body}
    return {name: value for name, value in merged.items()
            if value is not None or record.get(name, 0) is None}  # fmt: skip


def random_object(rng: random.Random) -> dict[str, Any]:
    names = rng.sample(NAMES, rng.randint(0, len(NAMES)))
    return {name: rng.choice(VALUES) for name in names}


def test_a_top_level_patch_is_the_plain_merge():
    rng = random.Random(21)
    for _ in range(5000):
        record, body = random_object(rng), random_object(rng)
        before = dict(record)
        got = top_level_patched(record, body)
        expected = plain_patched(record, body)
        assert got == expected and list(got) == list(expected), (record, body)
        assert record == before  # the stored record is not changed in place


def test_the_default_mode_is_the_top_level_patch():
    record = {"id": "a", "title": "t", "note": None}
    body = {"title": None, "note": None, "tags": None, "status": "draft"}
    assert patched(record, body, "top-level") == {"id": "a", "note": None, "status": "draft"}


@pytest.mark.parametrize(
    ("body", "mode"),
    [(["not", "an object"], "top-level"), ("text", "merge-patch"), (3, "merge-patch")],
)
def test_a_body_that_changes_nothing_still_gives_a_new_record(body: object, mode: str) -> None:
    record = {"id": "a", "title": "kept"}
    result = patched(record, body, mode)
    assert result == record and result is not record  # the caller may change it
