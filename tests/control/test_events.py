"""``GET /__specfake__/events``: the journal and every change as Server-Sent Events; a slow
reader is told to refetch; shutdown ends the stream. The ASGI response driven directly (an
in-process client buffers whole responses), then over a real server."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from specfake.control.events import EventStream
from specfake.feed import Feed
from specfake.journal import JournalEntry, RequestJournal
from tests.conftest import AUTH, DOCS_PATHWAY
from tests.servers import running_server


def parsed(chunks: list[bytes]) -> list[tuple[str, object]]:
    """(event, data) of each SSE message in ``chunks``; comments and ``retry`` skipped."""
    messages = []
    for block in b"".join(chunks).decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line
                      and not line.startswith((":", "retry")))  # fmt: skip
        if "event" in fields:
            messages.append((fields["event"], json.loads(fields["data"])))
    return messages


class Client:
    """An ASGI client side: what was sent, and a disconnect it can trigger."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.started: dict | None = None
        self.ended = False
        self._leave = asyncio.Event()

    async def receive(self) -> dict:
        await self._leave.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.started = message
        else:
            self.chunks.append(message["body"])
            self.ended = not message.get("more_body", False)

    def leave(self) -> None:
        self._leave.set()


def recorded(journal: RequestJournal, path: str) -> JournalEntry:
    entry = JournalEntry(time=0.0, method="PATCH", path=path, status=422, seconds=0.001,
                         operation_id="update-draft", detail="bad", errors=())  # fmt: skip
    journal.record(entry)
    return entry


def test_the_stream_says_refetch_then_carries_entries_and_changes_and_ends_with_bye():
    async def scenario():
        feed, journal, client = Feed(), RequestJournal(), Client()
        stream = asyncio.create_task(EventStream(feed.subscribe())({}, client.receive, client.send))
        await asyncio.sleep(0.01)
        feed.request(recorded(journal, "/a"))
        feed.changed("overrides")
        await asyncio.sleep(0.01)
        feed.close()
        await asyncio.wait_for(stream, 1)
        return client

    client = asyncio.run(scenario())
    assert dict(client.started["headers"])[b"content-type"].startswith(b"text/event-stream")
    messages = parsed(client.chunks)
    assert [event for event, _ in messages] == ["refetch", "request", "changed", "bye"]
    assert messages[1][1]["path"] == "/a" and messages[1][1]["id"] == 1
    assert messages[2][1] == {"what": "overrides"}
    assert client.ended


def test_a_reader_that_fell_behind_is_told_how_many_it_missed():
    async def scenario():
        feed, journal, client = Feed(), RequestJournal(), Client()
        subscription = feed.subscribe()
        for index in range(600):  # before the stream reads anything
            feed.request(recorded(journal, f"/{index}"))
        stream = asyncio.create_task(EventStream(subscription)({}, client.receive, client.send))
        await asyncio.sleep(0.01)
        client.leave()
        await asyncio.wait_for(stream, 1)
        return client, feed

    client, feed = asyncio.run(scenario())
    events = parsed(client.chunks)
    assert events[0] == ("refetch", {"missed": 0})
    assert events[1][0] == "refetch" and events[1][1]["missed"] > 300
    assert feed.subscribers == 0  # the client left: unsubscribed


@pytest.mark.e2e
def test_a_request_appears_on_the_stream_of_a_real_server():
    with (
        running_server() as url,
        httpx.Client(base_url=url, timeout=10) as client,
        client.stream("GET", "/__specfake__/events") as stream,
    ):
        lines = stream.iter_lines()
        assert next(lines) == "retry: 1000"
        client.patch(f"/v1/plan-definitions/{DOCS_PATHWAY}/draft", headers=AUTH, json={})
        client.post("/__specfake__/reset")
        seen = []
        for line in lines:
            if line.startswith("data: "):
                seen.append(json.loads(line[6:]))
            if len(seen) == 3:
                break
    assert seen[0] == {"missed": 0}
    assert seen[1]["status"] == 422 and seen[1]["errors"][0]["path"] == "/expectedVersionId"
    assert seen[2] == {"what": "state"}
