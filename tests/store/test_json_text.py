"""The SQLite store's orjson encoder writes texts that read back as exactly what ``json`` wrote."""

from __future__ import annotations

import dataclasses
import datetime
import json
import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from specfake.store.json_text import decode, encode, plain_encode


@dataclasses.dataclass
class _Point:
    x: int


def _exact(value: Any) -> str:
    """A decoded value as comparable text: an int and an equal float differ, keys keep order."""
    return json.dumps(value)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()  # past 64 bits too: orjson refuses those
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.sampled_from(["\ud800", "é ✓ \u2028", "\x00", ""])  # a lone surrogate: orjson refuses
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(datetime.UTC))
    | st.times()
    | st.uuids()
    | st.builds(_Point, st.integers(0, 9))
)
keys = st.text(max_size=4) | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.tuples(children, children)
    | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=1500, deadline=None)
@given(value=values)
def test_the_fast_encoder_reads_back_as_the_plain_one(value: Any):
    assert _exact(decode(encode(value))) == _exact(decode(plain_encode(value)))


def test_nesting_past_orjson_s_limit_goes_the_plain_way():
    value: Any = 1
    for _ in range(300):
        value = [value]
    assert decode(encode(value)) == value


def test_what_json_has_no_type_for_is_written_as_its_string():
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5)
    assert decode(encode({"at": moment, "id": uuid.UUID(int=1)})) == {
        "at": "2026-01-02 03:04:05",
        "id": "00000000-0000-0000-0000-000000000001",
    }
