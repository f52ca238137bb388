import pytest

from specfake.errors import Problem
from specfake.pipeline.preferences import parse_prefer


def test_no_header_means_no_preferences():
    assert not parse_prefer(None).bypasses_fake
    assert parse_prefer("").delay_ms == 0


def test_code_example_dynamic_and_delay():
    preferences = parse_prefer('code=409, example="stale-version"; dynamic=true, delay=300')
    assert preferences.code == 409
    assert preferences.example == "stale-version"
    assert preferences.dynamic is True
    assert preferences.delay_ms == 300
    assert preferences.bypasses_fake


def test_delay_alone_keeps_the_fake():
    assert not parse_prefer("delay=10").bypasses_fake


def test_unknown_preferences_are_ignored():
    assert parse_prefer("return=minimal, respond-async") == parse_prefer(None)


@pytest.mark.parametrize("header", ["code=abc", "code=99", "code=600", "delay=-1", "delay=999999"])
def test_malformed_known_preference_is_a_400_naming_prefer(header):
    with pytest.raises(Problem) as raised:
        parse_prefer(header)
    assert raised.value.status == 400
    assert raised.value.errors[0].path == "Prefer"
