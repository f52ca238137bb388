"""The journal numbers its entries and finds one by id while it is kept; what it records of a
request and its answer, and what it counts an entry's bytes as, are what the plain
computations give."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from specfake.errors import FieldError
from specfake.journal import MAX_RECORDED_BODY, JournalEntry, Recorded, RequestJournal, entry_size


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


def plain_recorded(scope, target, request_body, response_headers, response_body) -> Recorded:
    """``Recorded.of`` as first written: keyword fields, the host found by a generator."""
    host = next((value.decode("latin-1") for key, value in scope["headers"]
                 if key == b"host"), "127.0.0.1")  # fmt: skip
    return Recorded(
        scheme=scope.get("scheme", "http"),
        host=host,
        target=target,
        http_version=scope.get("http_version", "1.1"),
        request_headers=list(scope["headers"]),
        request_body=request_body[:MAX_RECORDED_BODY],
        request_size=len(request_body),
        response_headers=list(response_headers),
        response_body=response_body[:MAX_RECORDED_BODY],
        response_size=len(response_body),
    )


def plain_size(recorded: Recorded) -> int:
    """``Recorded.size`` as first written: one generator over both header lists."""
    headers = sum(len(k) + len(v) for k, v in (*recorded.request_headers,
                                              *recorded.response_headers))  # fmt: skip
    return len(recorded.target) + len(recorded.request_body) + len(recorded.response_body) + headers


_names = st.sampled_from([b"host", b"Host", b"authorization", b"content-type", b"x-\xe9"])
_headers = st.lists(st.tuples(_names, st.binary(max_size=30)), max_size=6)
_bodies = st.one_of(st.binary(max_size=50), st.just(b"x" * (MAX_RECORDED_BODY + 3)))


@st.composite
def scopes(draw) -> dict:
    scope = {"type": "http", "method": "GET", "path": "/x", "headers": draw(_headers)}
    for key, values in (("scheme", ["http", "https"]), ("http_version", ["1.0", "1.1", "2"])):
        if draw(st.booleans()):
            scope[key] = draw(st.sampled_from(values))
    return scope


@settings(max_examples=500, deadline=None)
@given(scope=scopes(), target=st.text(max_size=30), request_body=_bodies,
       response_headers=_headers, response_body=_bodies)  # fmt: skip
def test_a_recording_and_its_size_are_the_plain_computations(
    scope, target, request_body, response_headers, response_body
):
    recorded = Recorded.of(scope, target, request_body, response_headers, response_body)
    assert recorded == plain_recorded(scope, target, request_body, response_headers, response_body)
    assert recorded.size() == plain_size(recorded)
    response_headers.append((b"vary", b"Origin"))  # added to the response after the journal
    assert (b"vary", b"Origin") not in recorded.response_headers


def test_an_entrys_size_counts_its_strings_and_recording():
    recorded = Recorded.of({"headers": [(b"host", b"h")]}, "/t?q", b"ab", [(b"k", b"vv")], b"xyz")
    errors = (FieldError("body", "/title", "too long"),)
    item = JournalEntry(0.0, "PATCH", "/t", 422, 0.001, None, "bad", errors, recorded)
    assert recorded.size() == len("/t?q") + 2 + 3 + len(b"hosth") + len(b"kvv")
    assert entry_size(item) == 300 + len("/t") + len("bad") + recorded.size() + 100 + 6 + 8
