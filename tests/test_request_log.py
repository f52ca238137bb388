"""The per-request log line: written in batches after the requests, each line as it was when
written one by one, and nothing at all under ``--quiet``."""

from __future__ import annotations

import asyncio
import logging

import pytest

from specfake import request_log
from specfake.errors import FieldError
from specfake.journal import JournalEntry
from specfake.request_log import RequestLog, log_line


def entry(path: str, detail: str | None = None, errors=()) -> JournalEntry:
    return JournalEntry(time=0.0, method="PATCH", path=path, status=409, seconds=0.00123,
                        operation_id=None, detail=detail, errors=tuple(errors))  # fmt: skip


def plain_line(item: JournalEntry) -> str:
    """The line as the journal logged it before batching: one ``logger.info`` per request."""
    if item.errors:
        first = item.errors[0]
        suffix = f"  {first.location} {first.path}: {first.message}"
    else:
        suffix = f"  {item.detail}" if item.detail else ""
    arguments = (item.method, item.path, item.status, item.duration_ms, suffix)
    line = "%s %s %d %.1fms%s"
    record = logging.LogRecord("specfake", logging.INFO, "", 0, line, arguments, None)
    return record.getMessage()


@pytest.mark.parametrize(
    "item",
    [
        entry("/a"),
        entry("/b", detail="expectedVersionId 6 does not match"),
        entry("/c", errors=[FieldError("body", "/title", "5 is not of type 'string'")]),
    ],
)
def test_a_line_reads_as_the_one_logged_per_request(item):
    assert log_line(item) == plain_line(item)


def test_lines_are_written_together_a_moment_after_the_requests(caplog):
    caplog.set_level(logging.INFO, logger="specfake")
    log = RequestLog()

    async def serve() -> list[str]:
        for index in range(3):
            log.add(entry(f"/{index}"))
        before = [record.getMessage() for record in caplog.records]
        await asyncio.sleep(request_log.FLUSH_SECONDS * 3)
        return before

    assert asyncio.run(serve()) == []  # nothing on the requests' path
    assert [record.getMessage() for record in caplog.records] == [
        "\n".join(log_line(entry(f"/{index}")) for index in range(3))
    ]


def test_without_an_event_loop_a_line_is_written_at_once(caplog):
    caplog.set_level(logging.INFO, logger="specfake")
    RequestLog().add(entry("/now"))
    assert [record.getMessage() for record in caplog.records] == [log_line(entry("/now"))]


def test_a_burst_is_written_when_the_batch_is_full(caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="specfake")
    monkeypatch.setattr(request_log, "MAX_PENDING", 2)
    log = RequestLog()

    async def burst() -> int:
        for index in range(5):
            log.add(entry(f"/{index}"))
        return len(caplog.records)

    assert asyncio.run(burst()) == 2  # two full batches; the fifth line waits
    log.flush()
    assert caplog.records[-1].getMessage() == log_line(entry("/4"))


def test_quiet_queues_nothing(caplog):
    caplog.set_level(logging.WARNING, logger="specfake")
    log = RequestLog()
    log.add(entry("/quiet"))
    log.flush()
    assert caplog.records == []
