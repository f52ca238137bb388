"""What flows from earlier real answers into later requests, so a recording made against the
fake replays against another server.

* Strings the server assigned (ids, ETags) are mapped: the recorded value → the real one, learnt
  where a recorded answer and the real answer hold different values at the same field; fixture
  ids are mapped up front with ``--id OLD=NEW``.
* Versions are kept as offsets per resource: a staging row starts at another version than the
  fixture, so what is compared is the change (+1 after a PATCH), not the number.
* Idempotency keys are made unique per run (``k1`` → ``k1-<run id>``), so replaying twice against
  the same server does not meet the first run's remembered answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

from specfake.verify.fields import is_idempotency_name, is_number, is_version_name
from specfake.verify.recording import Interaction

# Request headers never replayed: the client library sets them, or they are credentials.
_NOT_REPLAYED = frozenset({
    "host", "content-length", "connection", "accept-encoding", "cookie", "authorization",
    "proxy-authorization", "x-api-key", "api-key", "specfake-control-token", "origin", "referer",
})  # fmt: skip
ETAG_HEADERS = ("if-match", "if-none-match")


@dataclass(slots=True)
class Carried:
    """The values learnt so far; one per replay."""

    run_id: str
    values: dict[str, str] = field(default_factory=dict)
    # Per resource key (its id in the recording): the start offset (real - recorded), the
    # recorded versions' real values, and the last (recorded, real) pair seen.
    offsets: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, dict[Any, Any]] = field(default_factory=dict)
    last: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def real(self, recorded: Any) -> Any:
        """What ``recorded`` (a string the recording holds) is on the real server."""
        return self.values.get(recorded, recorded) if isinstance(recorded, str) else recorded

    def learn(self, recorded: str, real: str) -> None:
        if recorded != real:
            self.values.setdefault(recorded, real)

    def knows_version(self, key: str) -> bool:
        return key in self.offsets

    def real_version(self, key: str, recorded: Any) -> Any:
        """What the recording's version ``recorded`` of resource ``key`` is on the server: the
        value an answer gave for it, else the recorded one moved by the start offset."""
        known = self.versions.get(key, {})
        if recorded in known:
            return known[recorded]
        return recorded + self.offsets.get(key, 0)

    def sent_version(self, key: str, recorded: Any, accepted: bool) -> None:
        """A request sent the recording's version ``recorded`` of resource ``key``; if the
        server accepted it, its row was at that version, so the offset is known even before
        an answer holds a version."""
        real = self.real_version(key, recorded)
        if accepted and key not in self.offsets:
            self.offsets[key] = real - recorded
        self.last[key] = (recorded, real)

    def compare_version(self, key: str, recorded: Any, real: Any) -> str | None:
        """``None`` when the server's version moved as the recording's did, else how they
        moved; the first version seen of a resource sets its offset. Either way ``real`` is
        what later requests send where the recording sent ``recorded``."""
        if not (is_number(recorded) and is_number(real)):
            return None
        known = self.versions.setdefault(key, {})
        previous = self.last.get(key)
        if recorded in known:
            expected = known[recorded]
        elif previous is not None:
            expected = previous[1] + (recorded - previous[0])
        elif key in self.offsets:
            expected = recorded + self.offsets[key]
        else:  # the first version seen of this resource: where its row starts
            self.offsets[key] = real - recorded
            expected = real
        known[recorded] = real
        self.last[key] = (recorded, real)
        if real == expected:
            return None
        if previous is None:
            return f"recorded {recorded}, real {real}; expected {expected}"
        return (
            f"the recording went {previous[0]} → {recorded} ({recorded - previous[0]:+}), "
            f"the server {previous[1]} → {real} ({real - previous[1]:+}); expected {expected}"
        )

    def request(
        self, interaction: Interaction, key: str, token: str
    ) -> tuple[str, dict[str, str], bytes | None]:
        """The target, headers and body to send for ``interaction``, with everything learnt
        so far put in."""
        path, _, query = interaction.target.partition("?")
        target = "/".join(quote(str(self.real(unquote(part))), safe="") for part in path.split("/"))
        if query:
            pairs = [(name, self._key_or_real(name, value)) for name, value in parse_qsl(query)]
            target += "?" + urlencode(pairs)
        headers = {}
        for name, value in interaction.headers:
            lowered = name.lower()
            if lowered == "authorization":
                headers["Authorization"] = f"Bearer {self._credential(interaction, token)}"
            elif lowered in ETAG_HEADERS:
                headers[name] = self.real(value)
            elif lowered not in _NOT_REPLAYED and not lowered.startswith(":"):
                headers[name] = self._key_or_real(name, value)
        if interaction.raw_body is None:
            return target, headers, None
        if interaction.body is None:  # not JSON: sent as recorded
            return target, headers, interaction.raw_body.encode()
        body = self._body(interaction.body, key, "")
        return target, headers, json.dumps(body, ensure_ascii=False).encode()

    def _credential(self, interaction: Interaction, token: str) -> str:
        """The token to send where the recording's was redacted: ``token``, unless the
        recorded server refused the one sent (401), which only a token no server accepts
        reproduces."""
        return f"specfake-verify-refused-{self.run_id}" if interaction.status == 401 else token

    def _body(self, value: Any, key: str, name: str) -> Any:
        if isinstance(value, dict):
            return {item: self._body(child, key, item) for item, child in value.items()}
        if isinstance(value, list):
            return [self._body(child, key, name) for child in value]
        if is_version_name(name) and is_number(value):
            return self.real_version(key, value)
        return self._key_or_real(name, value)

    def _key_or_real(self, name: str, value: Any) -> Any:
        if isinstance(value, str) and is_idempotency_name(name) and value not in self.values:
            self.values[value] = f"{value}-{self.run_id}"
        return self.real(value)
