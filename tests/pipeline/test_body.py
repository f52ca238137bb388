import asyncio
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.requests import ClientDisconnect, Request

from specfake.errors import Problem
from specfake.pipeline.body import (
    _LONG_DIGIT_RUN,
    MAX_NESTING,
    _nesting_depth,
    _parse_strictly,
    matched_media,
    may_hold_a_long_number,
    nests_within_the_limit,
    parse_json,
    read_limited,
    receive_limited,
    select_media,
)
from specfake.spec.compile import CompiledMedia


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b'{"a": 1', "line 1"),
        (b'{"a": 1,}', "line 1"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b'{"a": NaN}', "NaN is not valid JSON"),
        (b'{"a": Infinity}', "Infinity is not valid JSON"),
        (b'{"a": -Infinity}', "Infinity is not valid JSON"),
        (b"\xef\xbb\xbf{}", "byte-order mark"),
        (b"[" * (MAX_NESTING + 1) + b"]" * (MAX_NESTING + 1), "nests"),
        (b"[" * 100_000, "nests"),
        (b"1" * 5000, ""),  # longer than Python's int digit limit
    ],
)
def test_malformed_json_is_a_400_problem(raw: bytes, detail: str):
    with pytest.raises(Problem) as raised:
        parse_json(raw)
    assert raised.value.status == 400
    assert detail in raised.value.detail


def test_nesting_up_to_the_limit_parses():
    raw = b"[" * MAX_NESTING + b"]" * MAX_NESTING
    assert parse_json(raw) is not None


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = '{"a": "' + "[" * 500 + '"}'
    assert parse_json(text.encode()) == {"a": "[" * 500}


def test_valid_json_parses_strictly():
    assert parse_json('{"é": [1, 2.5, null, true]}'.encode()) == {"é": [1, 2.5, None, True]}


@pytest.mark.parametrize(
    "raw", [b"18446744073709551616", b"[-9223372036854775809]", b'{"n": 1' + b"0" * 300 + b"}"]
)
def test_integers_past_64_bits_stay_exact_integers(raw: bytes):
    assert json.dumps(parse_json(raw)) == json.dumps(json.loads(raw))


def _outcome(parse, raw: bytes) -> str:
    """What a parse makes of ``raw``, as comparable text: the value's JSON (an int and an equal
    float differ) or the 400's detail."""
    try:
        return "value " + json.dumps(parse(raw))
    except Problem as problem:
        return f"{problem.status} {problem.detail}"


json_texts = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=8,
).map(lambda value: json.dumps(value, ensure_ascii=False))
# Valid JSON, then cut, spliced with JSON's tricky bits, or escaped oddly.
tricky = st.sampled_from(
    ["NaN", "-Infinity", "1e400", "01", "\\ud800", "\\udc00\\ud800", "\ufeff", ",]", "\x01",
     "9" * 19, "-0", "1E5", "\\u0000", "[" * 70, "\u2028", " \t\n\r", "\x0c"]
)  # fmt: skip


@st.composite
def json_like_bodies(draw) -> bytes:
    text = draw(json_texts)
    mutation = draw(st.sampled_from(["none", "insert", "cut", "bytes"]))
    if mutation == "insert":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(tricky) + text[at:]
    elif mutation == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    raw = text.encode("utf-8", "surrogatepass")
    if mutation == "bytes":
        raw += draw(st.binary(max_size=3))
    return raw


@settings(max_examples=1500, deadline=None)
@given(
    raw=st.one_of(
        json_like_bodies(),
        st.binary(max_size=80),
        st.lists(
            st.sampled_from([b"1", b"0", b".", b" ", b"a", b",", b"99999999"]), max_size=40
        ).map(b"".join),
    )
)
def test_the_long_number_check_agrees_with_the_plain_pattern(raw: bytes):
    """The digit count before the pattern only skips bodies the pattern cannot match."""
    assert may_hold_a_long_number(raw) == (_LONG_DIGIT_RUN.search(raw) is not None)


@settings(max_examples=1500, deadline=None)
@given(raw=json_like_bodies())
def test_the_fast_parse_agrees_with_the_strict_one(raw: bytes):
    """orjson's fast path accepts exactly what the strict parse does, with equal values (and
    types); what it refuses gets the strict parse's 400."""
    assert _outcome(parse_json, raw) == _outcome(_parse_strictly, raw)


@st.composite
def nested_values(draw) -> object:
    """A value nested around the limit, with siblings (brackets in strings too) at each level."""
    value = draw(st.none() | st.integers() | st.text(max_size=3) | st.just([]) | st.just({}))
    for _ in range(draw(st.integers(0, MAX_NESTING + 3))):
        sibling = draw(st.none() | st.just([]) | st.just({}) | st.text("[]{}\"\\", max_size=3))
        if draw(st.booleans()):
            value = [sibling, value]
        else:
            value = {draw(st.text(max_size=2)): value, "sibling": sibling}
    return value


@settings(max_examples=500, deadline=None)
@given(value=nested_values())
def test_the_parsed_values_depth_agrees_with_the_texts_bracket_walk(value: object):
    """``nests_within_the_limit`` (a level at a time over the value) says what the plain
    character walk says of its JSON text, or no (the text decides) when strings hold brackets."""
    text = json.dumps(value)
    brackets = text.count("[") + text.count("{")
    within = nests_within_the_limit(value, brackets)
    assert within <= (_nesting_depth(text) <= MAX_NESTING)
    if not any(char in part for part in _strings(value) for char in "[{"):
        assert within == (_nesting_depth(text) <= MAX_NESTING)


def _strings(value: object) -> list[str]:
    """Every string in ``value``, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value, *(text for item in value.values() for text in _strings(item))]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def test_a_deep_value_under_a_key_given_twice_is_still_refused():
    deep = b"[" * (MAX_NESTING + 1) + b"]" * (MAX_NESTING + 1)
    with pytest.raises(Problem) as raised:
        parse_json(b'{"a":' + deep + b',"a":1}')
    assert raised.value.status == 400 and "nests 65 levels deep" in raised.value.detail


def test_a_big_shallow_body_parses_without_the_strict_path(monkeypatch: pytest.MonkeyPatch):
    rows = [{"id": f"row-{n}", "tags": ["a", {"b": []}]} for n in range(1000)]
    monkeypatch.setattr("specfake.pipeline.body._parse_strictly", None)  # would fail if called
    assert parse_json(json.dumps({"rows": rows}).encode()) == {"rows": rows}


def test_body_over_the_limit_is_413_without_reading_everything():
    consumed = []

    async def chunks():
        for _ in range(100):
            consumed.append(1)
            yield b"x" * 100

    with pytest.raises(Problem) as raised:
        asyncio.run(read_limited(chunks(), 250))
    assert raised.value.status == 413
    assert len(consumed) == 3


def test_a_fraction_never_parses_as_the_whole_number_a_double_rounds_it_to():
    assert parse_json(b"7.0000000000000001") > 7
    assert parse_json(b"6.99999999999999999") < 7
    assert parse_json(b"[7.0, 7e0, 70e-1]") == [7, 7, 7]
    assert parse_json(b"0.30000000000000004") == 0.1 + 0.2  # not whole: as a double reads it


MEDIA_TYPES = ["application/json", "application/merge-patch+json", "text/*", "*/*",
               "application/xml", "text/plain",
               # keys with parameters, as generated specs list them
               "application/json; charset=utf-8", "application/json;charset=utf-8"]
CONTENT_TYPES = [*MEDIA_TYPES, "Application/JSON", "application/json; charset=utf-8",
                 " application/json", "text/csv", "", "image/png", "application/json;"]


def _selected(select, content_type, media) -> str:
    try:
        return select(content_type, media).media_type
    except Problem as problem:
        return f"{problem.status} {problem.detail}"


@settings(max_examples=300, deadline=None)
@given(
    listed=st.lists(st.sampled_from(MEDIA_TYPES), min_size=1, unique=True),
    content_type=st.one_of(st.none(), st.sampled_from(CONTENT_TYPES), st.text(max_size=12)),
)
def test_the_exact_media_look_up_selects_what_matching_selects(listed, content_type):
    media = {name: CompiledMedia(name, None, {}) for name in listed}
    assert _selected(select_media, content_type, media) == _selected(
        matched_media, content_type, media
    )


chunk_lists = st.lists(st.binary(max_size=6), max_size=5)


def _read(read, chunks: list[bytes], limit: int, disconnect: bool) -> str:
    """What reading a body sent as ``chunks`` gives: the bytes, a 413 or a disconnect."""
    messages = [{"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks]
    messages.append({"type": "http.disconnect"} if disconnect else
                    {"type": "http.request", "body": b"", "more_body": False})

    async def receive() -> dict:
        return messages.pop(0)

    try:
        return "body " + asyncio.run(read(receive, limit)).hex()
    except Problem as problem:
        return f"{problem.status}"
    except ClientDisconnect:
        return "disconnect"


async def _through_stream(receive, limit: int) -> bytes:
    scope = {"type": "http", "method": "POST", "path": "/", "headers": []}
    return await read_limited(Request(scope, receive).stream(), limit)


@settings(max_examples=100, deadline=None)
@given(chunks=chunk_lists, limit=st.integers(0, 20), disconnect=st.booleans())
def test_receiving_the_messages_reads_what_starlettes_stream_reads(chunks, limit, disconnect):
    assert _read(receive_limited, chunks, limit, disconnect) == _read(
        _through_stream, chunks, limit, disconnect
    )
