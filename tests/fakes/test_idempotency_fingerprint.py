"""``canonical_json``: orjson's shortcut gives the bytes of the plain ``json`` text, so every
fingerprint (stored on SQLite and Redis across restarts) keeps its digest."""

from __future__ import annotations

import datetime
import enum
import hashlib
from collections import OrderedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specfake.fakes.idempotency import canonical_json, fingerprint, plain_canonical_json

_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text()
)
_JSON = st.recursive(
    _LEAVES,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=1500, deadline=None)
@given(content=_JSON)
def test_the_shortcut_gives_the_plain_bytes(content):
    try:
        plain = plain_canonical_json(content)
    except UnicodeEncodeError:  # a lone surrogate: neither path can encode it
        with pytest.raises(UnicodeEncodeError):
            canonical_json(content)
        return
    assert canonical_json(content) == plain


class _Colour(enum.Enum):
    RED = "red"


@pytest.mark.parametrize(
    "content",
    [
        {"when": 1e-7, "big": 1e16, "nan": float("nan"), "inf": float("-inf")},
        {"ints": [2**64, -(2**63) - 1, 2**63]},
        {3: "non-string key"},
        {"a": (1, 2)},
        OrderedDict(b=1.5, a=[OrderedDict(z=1e-5)]),
        {"ok": True, "nested": {"deeper": [None, "é\u2028\x00"]}},
    ],
)
def test_values_orjson_would_write_otherwise_take_the_plain_path(content):
    assert canonical_json(content) == plain_canonical_json(content)


@pytest.mark.parametrize("content", [{"when": datetime.date(2026, 5, 1)}, [_Colour.RED]])
def test_what_json_refuses_is_still_refused(content):
    with pytest.raises(TypeError):
        canonical_json(content)


def test_a_lone_surrogate_fails_as_it_did():
    with pytest.raises(UnicodeEncodeError):
        canonical_json({"name": "\ud800"})


def test_a_digest_is_the_one_stored_keys_were_written_with():
    body = {"name": "Émilie", "ids": [3, 1], "active": True, "note": None}
    text = '{"active":true,"ids":[3,1],"name":"Émilie","note":null}'
    assert fingerprint(body) == hashlib.sha256(text.encode()).hexdigest()
