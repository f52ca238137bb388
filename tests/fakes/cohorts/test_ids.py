"""The fast UUID formatting against the standard library's ``UUID``."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from specfake.fakes.cohorts.ids import new_id, uuid4_text


@settings(max_examples=500)
@given(random=st.binary(min_size=16, max_size=16))
def test_the_text_is_what_the_standard_uuid_gives_for_the_same_bytes(random):
    assert uuid4_text(random) == str(uuid.UUID(bytes=random, version=4))


def test_new_ids_are_distinct_version_4_uuids():
    ids = [new_id() for _ in range(1000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
