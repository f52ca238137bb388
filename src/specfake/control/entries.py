"""``GET /__specfake__/requests/{id}``: one journal entry with what the request and its answer
carried, for the dashboard's expanded row and its "copy as curl".

Headers are shown as they were sent, ``Authorization`` included: this is the developer's own
traffic on their own machine, behind the same guard as the rest of the control API (the HAR
export, a file meant to be shared, redacts them). Bodies are text (UTF-8, undecodable bytes
replaced), cut at the journal's limit, which ``truncated`` says.
"""

from __future__ import annotations

from typing import Any

from specfake.journal import JournalEntry, Recorded


def entry_detail(entry: JournalEntry) -> dict[str, Any]:
    detail = entry.to_json()
    recorded = entry.recorded
    if recorded is not None:
        detail["request"] = _recorded_request(recorded)
        detail["response"] = _part(recorded.response_headers, recorded.response_body,
                                   recorded.response_size)  # fmt: skip
    return detail


def _recorded_request(recorded: Recorded) -> dict[str, Any]:
    return {
        "url": f"{recorded.scheme}://{recorded.host}{recorded.target}",
        **_part(recorded.request_headers, recorded.request_body, recorded.request_size),
    }


def _part(headers: list[tuple[bytes, bytes]], body: bytes, size: int) -> dict[str, Any]:
    return {
        "headers": [[key.decode("latin-1"), value.decode("latin-1")] for key, value in headers],
        "body": body.decode("utf-8", "replace"),
        "body_size": size,
        "truncated": len(body) < size,
    }
