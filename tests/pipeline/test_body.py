import asyncio

import pytest

from specfake.errors import Problem
from specfake.pipeline.body import MAX_NESTING, parse_json, read_limited


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
