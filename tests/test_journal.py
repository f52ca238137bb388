"""The journal numbers its entries and finds one by id while it is kept."""

from __future__ import annotations

from specfake.journal import JournalEntry, RequestJournal


def entry(path: str) -> JournalEntry:
    return JournalEntry(time=0.0, method="GET", path=path, status=200, seconds=0.001,
                        operation_id=None, detail=None, errors=())  # fmt: skip


def test_entries_are_numbered_and_found_until_they_drop_off():
    journal = RequestJournal(size=3)
    for index in range(5):
        journal.record(entry(f"/{index}"))
    assert [item["id"] for item in journal.entries()] == [3, 4, 5]
    assert journal.find(4).path == "/3"
    assert journal.find(2) is None and journal.find(6) is None


def test_ids_keep_counting_after_a_clear():
    journal = RequestJournal()
    journal.record(entry("/a"))
    journal.clear()
    assert journal.find(1) is None
    journal.record(entry("/b"))
    assert journal.entries()[0]["id"] == 2 and journal.find(2).path == "/b"
