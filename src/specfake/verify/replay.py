"""Replay a recording against a real server, in order, and compare every answer.

Staging safety, as in ``specfake check``: before anything is sent, every id the recording
sends to (path parameters, top-level ``…_id`` body fields) must either come from an earlier
recorded answer (the recording created it) or be named with ``--id OLD=NEW``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from specfake.errors import Problem, SpecfakeError
from specfake.pipeline.router import Router
from specfake.spec import CompiledOperation, compile_operations, load_spec
from specfake.verify.carry import Carried
from specfake.verify.compare import PROBLEM_TYPE, AnswerComparison, Difference
from specfake.verify.fields import is_id_name, is_number, is_version_name
from specfake.verify.recording import Interaction, parsed

CONFLICTS = (409, 412)


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    url: str
    interactions: list[Interaction]
    specs: list[Path]
    token: str = "dev"
    ids: dict[str, str] = field(default_factory=dict)  # --id OLD=NEW


@dataclass(slots=True)
class Replayed:
    """One interaction replayed: what came back and how it differs."""

    interaction: Interaction
    status: int | None = None
    differences: list[Difference] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Replay:
    """One run over the recording; ``outcomes`` in recording order."""

    def __init__(self, options: VerifyOptions) -> None:
        self.options = options
        operations = [op for path in options.specs for op in compile_operations(load_spec(path))]
        self.router = Router(operations)
        self.carried = Carried(uuid.uuid4().hex[:8], values=dict(options.ids))

    def unnamed_ids(self) -> list[str]:
        """The ids the recording sends to without having created them or the user naming
        them, as ``"ID (#N METHOD PATH)"``."""
        created: set[str] = set()
        refused: dict[str, str] = {}
        for interaction in self.options.interactions:
            for value in self._targets(interaction):
                if value not in created and value not in self.options.ids:
                    refused.setdefault(value, interaction.label)
            created.update(_id_values(interaction.answer))
        return [f"{value} ({label})" for value, label in refused.items()]

    def planned(self) -> Iterator[tuple[Interaction, str, dict[str, str], bytes | None]]:
        """What would be sent, with only what is known before any answer filled in."""
        for interaction in self.options.interactions:
            key = self._key(interaction)
            yield interaction, *self.carried.request(interaction, key, self.options.token)

    def run(self) -> list[Replayed]:
        unnamed = self.unnamed_ids()
        if unnamed:
            raise SpecfakeError(
                "the recording sends requests to ids it did not create: " + ", ".join(unnamed)
                + ". Name the server's id for each with --id OLD=NEW (a sandbox row on staging),"
                " or --id OLD=OLD to use it as it is."
            )  # fmt: skip
        base = self.options.url.rstrip("/")
        with httpx.Client(timeout=30.0) as client:
            return [self._one(client, base, each) for each in self.options.interactions]

    def _one(self, client: httpx.Client, base: str, interaction: Interaction) -> Replayed:
        outcome = Replayed(interaction)
        key = self._key(interaction)
        first_contact = not self.carried.knows_version(key)
        response = self._send(client, base, interaction, key)
        if first_contact and self._learnt_start(interaction, key, response, outcome):
            response = self._send(client, base, interaction, key)
        outcome.status = response.status_code
        sent = _first_version(interaction.body)
        if sent is not None:
            same = response.status_code == interaction.status
            self.carried.sent_version(key, sent, accepted=same and 200 <= interaction.status < 300)
        if response.status_code != interaction.status:
            outcome.differences.append(Difference(
                interaction.label, "status", interaction.status, response.status_code,
                f"recorded {interaction.status}, real {response.status_code}",
            ))  # fmt: skip
            return outcome  # the bodies of two different statuses are not comparable
        operation = self._operation(interaction)
        media = _documented_media(operation, interaction)
        if operation is None or media is None or interaction.answer is None:
            return outcome
        comparison = AnswerComparison(
            interaction.label, self.carried, operation.schema_root, key,
            problem=interaction.answer_type == PROBLEM_TYPE,
        )  # fmt: skip
        comparison.compare(media, interaction.answer, parsed(response.text))
        self._learn_etag(interaction, response)
        outcome.differences.extend(comparison.differences)
        return outcome

    def _send(
        self, client: httpx.Client, base: str, interaction: Interaction, key: str
    ) -> httpx.Response:
        target, headers, body = self.carried.request(interaction, key, self.options.token)
        try:
            return client.request(interaction.method, base + target, headers=headers, content=body)
        except httpx.TransportError as error:
            raise SpecfakeError(f"cannot reach {base}: {error}") from error

    def _learnt_start(
        self, interaction: Interaction, key: str, response: httpx.Response, outcome: Replayed
    ) -> bool:
        """A recorded success answered with a version conflict on the first request to a
        resource: the server's row starts at another version. Learn its offset from the
        conflict (which changed nothing) so the request can be sent again."""
        sent = _first_version(interaction.body)
        current = _first_version(parsed(response.text))
        if not (200 <= interaction.status < 300 and response.status_code in CONFLICTS):
            return False
        if sent is None or current is None:
            return False
        self.carried.offsets[key] = current - sent
        outcome.notes.append(
            f"start state learnt from a {response.status_code}: the server's version is "
            f"{current} where the recording's was {sent}; sent again"
        )
        return True

    def _learn_etag(self, interaction: Interaction, response: httpx.Response) -> None:
        recorded, real = interaction.answer_headers.get("etag"), response.headers.get("etag")
        if recorded and real:
            self.carried.learn(recorded, real)

    def _operation(self, interaction: Interaction) -> CompiledOperation | None:
        try:
            return self.router.match(interaction.method, interaction.path).operation
        except Problem:
            return None

    def _targets(self, interaction: Interaction) -> list[str]:
        """The ids a request acts on: its path parameters, its top-level ``…_id`` fields."""
        found = []
        with contextlib.suppress(Problem):
            found += self.router.match(
                interaction.method, interaction.path
            ).path_parameters.values()
        if isinstance(interaction.body, dict):
            found += [
                value for name, value in interaction.body.items()
                if isinstance(value, str) and value and is_id_name(name)
            ]  # fmt: skip
        return found

    def _key(self, interaction: Interaction) -> str:
        targets = self._targets(interaction)
        return targets[0] if targets else ""


def _documented_media(operation: CompiledOperation | None, interaction: Interaction) -> Any:
    if operation is None:
        return None
    response = operation.response_for(interaction.status)
    media = response.media.get(interaction.answer_type) if response else None
    return media.validator.schema if media and media.validator else None


def _first_version(body: Any) -> Any:
    """The first number in a field named like a version, depth first."""
    if isinstance(body, dict):
        for name, value in body.items():
            if is_version_name(name) and is_number(value):
                return value
        for value in body.values():
            found = _first_version(value)
            if found is not None:
                return found
    return None


def _id_values(body: Any) -> Iterator[str]:
    """Every string in a field named like an id, anywhere in ``body``."""
    if isinstance(body, dict):
        for name, value in body.items():
            if isinstance(value, str) and is_id_name(name):
                yield value
            else:
                yield from _id_values(value)
    elif isinstance(body, list):
        for value in body:
            yield from _id_values(value)
