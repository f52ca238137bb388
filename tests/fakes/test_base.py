"""The fakes' timestamps and UUIDs: the fast formatting gives exactly what the standard
library's objects give (``datetime.isoformat``, ``str(uuid.UUID)``), on many inputs."""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, datetime

from specfake.fakes.base import iso_millis, new_uuid, utc_now_iso, uuid_text

NS = 1_000_000_000


def plain_iso_millis(ns: int) -> str:
    """The timestamp through a ``datetime``, as the fakes made it before."""
    seconds, rest = divmod(ns, NS)
    moment = datetime.fromtimestamp(seconds, UTC).replace(microsecond=rest // 1000)
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"


def test_a_timestamp_is_the_one_datetime_formats():
    chosen = random.Random(21)
    edges = [0, NS - 1, 951_782_400 * NS, 4_102_444_799 * NS + NS - 1]  # leap day, 2099's end
    moments = edges + [chosen.randrange(4_102_444_800 * NS) for _ in range(20_000)]
    moments += [moment + step for moment in moments[:2000] for step in (1, 999_999, NS)]
    for ns in moments:
        assert iso_millis(ns) == plain_iso_millis(ns), ns


def test_now_is_now():
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = utc_now_iso()
    after = datetime.now(UTC)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp)
    assert before <= datetime.fromisoformat(stamp.replace("Z", "+00:00")) <= after


def test_a_uuid_is_the_one_the_uuid_module_formats():
    chosen = random.Random(4)
    samples = [bytes(16), b"\xff" * 16] + [chosen.randbytes(16) for _ in range(50_000)]
    for random_bytes in samples:
        assert uuid_text(random_bytes) == str(uuid.UUID(bytes=random_bytes, version=4))


def test_new_uuids_are_version_4_and_differ():
    made = {new_uuid() for _ in range(1000)}
    assert len(made) == 1000
    assert all(uuid.UUID(text).version == 4 and str(uuid.UUID(text)) == text for text in made)
