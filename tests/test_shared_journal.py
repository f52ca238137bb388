"""The journal shared through the store, over every store: what two processes (two journals on
one store) recorded is listed by either, ordered by time, bounded to the newest written,
cleared for both; an entry keeps everything the HAR export needs."""

from __future__ import annotations

from specfake.errors import FieldError
from specfake.journal import JournalEntry, Recorded
from specfake.shared_journal import SharedJournal


def entry(when: float, path: str, recorded: Recorded | None = None) -> JournalEntry:
    errors = (FieldError("body", "/title", "too long"),)
    return JournalEntry(when, "PATCH", path, 422, 0.002, "update-draft", "bad", errors, recorded)


def test_two_processes_entries_are_listed_by_either_oldest_first(store, run):
    one, two = SharedJournal(store, size=3), SharedJournal(store, size=3)

    async def record():
        one.add(entry(1.0, "/a"))
        two.add(entry(2.0, "/b"))
        one.add(entry(3.0, "/c"))
        await two.flush()  # "/b" is in the store; "/a" and "/c" are still one's own
        seen_by_two = [e.path for e in await two.entries()]
        seen_by_one = [e.path for e in await one.entries()]  # writes its own first
        return seen_by_two, seen_by_one, [e.path for e in await two.entries()]

    assert run(record()) == (["/b"], ["/a", "/b", "/c"], ["/a", "/b", "/c"])


def test_the_shared_journal_keeps_its_size_and_clears_for_everybody(store, run):
    one, two = SharedJournal(store, size=3), SharedJournal(store, size=3)

    async def record():
        for number in range(5):  # each written before the next comes, as 50 ms apart would be
            journal = one if number % 2 else two
            journal.add(entry(float(number), f"/{number}"))
            await journal.flush()
        kept = [e.path for e in await one.entries()]
        await two.clear()
        return kept, await one.entries()

    assert run(record()) == (["/2", "/3", "/4"], [])


def test_an_entry_comes_back_whole_with_its_recording(store, run):
    request_headers = [(b"authorization", b"Bearer dev"), (b"x-latin", "é".encode("latin-1"))]
    response_headers = [(b"content-type", b"application/json")]
    recorded = Recorded("http", "127.0.0.1:4010", "/v1/x?y=1", "1.1", request_headers,
                        b"\x00\xffbinary", 9, response_headers, b"{}", 2)  # fmt: skip
    journal = SharedJournal(store, size=10)
    original = entry(5.5, "/v1/x", recorded)

    async def round_trip():
        journal.add(original)
        return await journal.entries()

    assert run(round_trip()) == [original]
