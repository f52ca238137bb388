"""The resource fake: every operation :func:`plan_resources` binds, answered from the store.

Create stores the body plus the fields the server makes; read answers what is stored; list
answers the stored records, paged; PATCH merges, PUT replaces, DELETE removes (a bounded
tombstone then answers 404) and takes the nested records with it; an action applies what
its declaration says (``requires``, ``set``, the version, ``history``). Each write is one
compare-and-set on the store, retried on a lost race after reading the record again, so the
checks (a stale version, a state that forbids it) are made against what really is stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from specfake.config import ServerConfig
from specfake.errors import FieldError, Problem, conflict, not_found
from specfake.fakes.base import Binding, utc_now_iso
from specfake.fakes.idempotency import IdempotencyKeys, fingerprint
from specfake.fakes.resources import answers, inputs, records, state
from specfake.fakes.resources.patching import merge_mode, patched
from specfake.fakes.resources.plan import Bound, Resource, singular
from specfake.pipeline.outcome import Handler, OperationRequest, Outcome, Refusal
from specfake.spec.defects import SpecWarning
from specfake.store.base import CollectionLimit, StateStore, Versioned

Record = dict[str, Any]
_MAX_ATTEMPTS = 8  # a write lost to a concurrent one is read and tried again this often
TOMBSTONES = CollectionLimit(max_items=10_000)
KEYS = CollectionLimit(max_items=10_000, max_age_seconds=24 * 3600)


class ResourceFake:
    """Stateful answers for the generic resources of the served specs."""

    name = "resources"

    def __init__(
        self,
        store: StateStore,
        plan: Sequence[Bound],
        config: ServerConfig,
        warnings: list[SpecWarning],
    ) -> None:
        self._store = store
        self._plan = tuple(plan)
        self._resources = list({id(b.resource): b.resource for b in plan}.values())
        self._warnings = warnings  # the world's list: tombstoned 404s the spec does not document
        self._keys: dict[str, IdempotencyKeys] = {}
        for resource in self._resources:
            store.set_limit(_tombstones(resource), TOMBSTONES)
            self._keys[resource.name] = IdempotencyKeys(store, f"{resource.name}#keys", KEYS)
        for resource in self._resources:  # bounded: past it a create is a 507, never an eviction
            store.set_limit(resource.name, CollectionLimit(capacity=config.max_records))

    # --- the Fake protocol --------------------------------------------------------------

    def bindings(self) -> Sequence[Binding]:
        return ()  # bound by (spec, operationId) through handlers(): ids repeat across specs

    def handlers(self) -> dict[tuple[str, str], Handler]:
        """The handler of each planned operation, by (spec name, operationId)."""
        return {
            (b.operation.spec_name, b.operation.operation_id): _handler(self, b)
            for b in self._plan
        }

    def roles(self) -> dict[tuple[str, str], str]:
        """What each planned operation is, for the banner: ``resource things (create)``."""
        return {
            (b.operation.spec_name, b.operation.operation_id): f"resource {b.resource.name} "
            f"({b.role})"
            for b in self._plan
        }

    def state_schema(self) -> Mapping[str, dict[str, Any]]:
        return {resource.name: state.section_schema(resource) for resource in self._resources}

    def state_errors(self, sections: Mapping[str, Any]) -> list[FieldError]:
        errors = []
        for resource in self._resources:
            if resource.name not in sections:
                continue
            known: set[str] = set()
            if resource.parent is not None:
                known = {state.stored_key(resource.parent, row)
                         for row in sections.get(resource.parent.name, [])}  # fmt: skip
            errors += state.section_errors(resource, sections[resource.name], known)
        return errors

    async def load(self, sections: Mapping[str, Any]) -> None:
        snapshot: dict[str, dict[str, Any]] = {}
        for resource in self._resources:
            if resource.name in sections:
                rows = sections[resource.name] or []
                snapshot[resource.name] = {
                    state.stored_key(resource, row): state.loaded(row) for row in rows
                }
                snapshot[_tombstones(resource)] = {}
        if snapshot:
            await self._store.restore(snapshot)

    async def dump(self) -> dict[str, Any]:
        return {
            resource.name: [
                state.dumped(resource, key, record.value)
                for key, record in await self._store.list(resource.name)
            ]
            for resource in self._resources
        }

    def seeds(self) -> dict[str, list[Record]]:
        """The records the spec's examples give each top-level collection."""
        return state.example_seeds(list(self._plan), self._resources)

    # --- answering ----------------------------------------------------------------------

    async def answer(self, bound: Bound, request: OperationRequest) -> Outcome:
        """The answer to ``request``; a refusal in the shape its status is documented in."""
        try:
            return await self._replayed(bound, request)
        except Problem as problem:  # a JSON Patch that cannot apply, a key used twice...
            raise Refusal(problem, answers.refusal(bound, problem)) from None

    async def _replayed(self, bound: Bound, request: OperationRequest) -> Outcome:
        """With a declared idempotency key, the first answer to it again (the shared engine)."""
        source = bound.declaration.idempotency
        key = source.read(request) if source is not None else None
        if key is None:
            return await self._answer(bound, request)
        request_print = fingerprint(
            [bound.operation.operation_id, dict(request.path), request.body]
        )

        async def work() -> dict[str, Any]:
            outcome = await self._answer(bound, request)
            return {"status": outcome.status, "body": outcome.body,
                    "media_type": outcome.media_type, "headers": outcome.headers}  # fmt: skip

        kept = await self._keys[bound.resource.name].once(str(key), request_print, work)
        replayed = Outcome(kept["status"], kept["body"], kept["media_type"], dict(kept["headers"]))
        return answers.checked(bound, replayed)

    async def _answer(self, bound: Bound, request: OperationRequest) -> Outcome:
        request = inputs.documented_only(bound, request)
        scope = tuple(request.path[name] for name in bound.scope_parameters)
        unknown_parent = await self._missing_parent(bound, scope)
        if unknown_parent is not None:
            return unknown_parent
        role = bound.role
        if role == "list":
            return await self._list(bound, request, scope)
        if role == "create":
            return await self._create(bound, request, scope)
        assert bound.item_parameter is not None
        record_id = request.path[bound.item_parameter]
        if role == "read":
            found = await self._found(bound, scope, record_id)
            if found is None:
                return answers.example_answer(bound, str(record_id), bound.resource.id_field)
            return self._record_answer(bound, found.value, 200)
        if role == "delete":
            return await self._delete(bound, scope, record_id)
        return await self._write(bound, request, scope, record_id)

    async def _list(
        self, bound: Bound, request: OperationRequest, scope: tuple[Any, ...]
    ) -> Outcome:
        resource = bound.resource
        prefix = [str(part) for part in scope]
        rows = [
            record.value
            for key, record in await self._store.list(resource.name)
            if state.key_parts(resource, key)[:-1] == prefix
        ]
        page = inputs.page_of(rows, request.query)
        status = answers.success_status(bound.operation, (200,)) or 200
        return answers.list_answer(bound, page, len(rows), status)

    async def _create(
        self, bound: Bound, request: OperationRequest, scope: tuple[Any, ...]
    ) -> Outcome:
        resource = bound.resource
        body = request.body if isinstance(request.body, dict) else {}
        now = utc_now_iso()
        given = body.get(resource.id_field)
        id_schema = bound.memoized("id schema", lambda: records.id_schema(bound))
        for _ in range(_MAX_ATTEMPTS):
            if given is not None:
                record_id = given
            else:
                taken: set[Any] = set()
                if records.needs_taken_ids(id_schema):  # a UUID needs no look at the others
                    ids = (r.value.get(resource.id_field) for _, r in await self._store.list(
                        resource.name))  # fmt: skip
                    taken = {value for value in ids if isinstance(value, str | int)}
                record_id = records.new_id(bound, id_schema, taken)
            made = records.server_fields(bound, body, now)
            record = {resource.id_field: record_id, **body, **made}
            record = records.written(bound, record, {}, now, str(uuid.uuid4()))
            key = state.record_key(scope, record_id)
            if await self._store.compare_and_set(resource.name, key, None, record) is not None:
                await self._unbury(resource, key)
                status = answers.success_status(bound.operation, (201, 200)) or 201
                headers = {}
                if answers.documents_header(bound, status, "location"):
                    collection = inputs.request_path(bound, request)
                    headers["Location"] = f"{collection}/{quote(str(record_id), safe='')}"
                return self._record_answer(bound, record, status, headers)
            if given is not None:
                self._refuse(bound, conflict(
                    f"A {resource.name} record with {resource.id_field} {given!r} exists "
                    "already; send another id or update that record."
                ))  # fmt: skip
        self._refuse(bound, conflict(f"{resource.name} kept changing; retry."))
        raise AssertionError("unreachable")

    async def _delete(self, bound: Bound, scope: tuple[Any, ...], record_id: Any) -> Outcome:
        resource = bound.resource
        key = state.record_key(scope, record_id)
        found = await self._found(bound, scope, record_id)
        if found is None:  # never stored, and the spec documents no 404: gone from now on
            await self._bury(resource, key)
            return self._deleted_answer(bound, None)
        if await self._store.compare_and_set(resource.name, key, found.revision, None) is None:
            return await self._delete(bound, scope, record_id)  # written meanwhile: again
        await self._bury(resource, key)
        return self._deleted_answer(bound, found.value)

    async def _unbury(self, resource: Resource, key: str) -> None:
        """The tombstone of ``key`` gone: a record was created under it again."""
        tombstone = await self._store.get(_tombstones(resource), key)
        if tombstone is not None:
            await self._store.compare_and_set(_tombstones(resource), key, tombstone.revision, None)

    async def _bury(self, resource: Resource, key: str) -> None:
        """A tombstone for ``key``, and its nested records deleted (and buried) too."""
        await self._store.compare_and_set(_tombstones(resource), key, None, True)
        ids = state.key_parts(resource, key)
        for child in resource.children:
            for child_key, record in await self._store.list(child.name):
                if state.key_parts(child, child_key)[:-1] == ids:
                    await self._store.compare_and_set(child.name, child_key, record.revision, None)
                    await self._bury(child, child_key)

    async def _write(
        self, bound: Bound, request: OperationRequest, scope: tuple[Any, ...], record_id: Any
    ) -> Outcome:
        """Replace, merge or an action: read, check, change, compare-and-set; again on a
        lost race (the checks then see the winner's write)."""
        resource = bound.resource
        key = state.record_key(scope, record_id)
        now = utc_now_iso()
        for _ in range(_MAX_ATTEMPTS):
            found = await self._found(bound, scope, record_id)
            if found is None:
                base = {resource.id_field: record_id}
            else:
                base = found.value
                self._check(bound, request, base, str(record_id))
            changed = self._changed(bound, request, base)
            changed[resource.id_field] = base.get(resource.id_field, record_id)
            record = records.written(bound, changed, base, now, str(uuid.uuid4()))
            revision = found.revision if found is not None else None
            if await self._store.compare_and_set(resource.name, key, revision, record):
                return self._write_answer(bound, request, record, created=found is None)
        self._refuse(bound, conflict(f"{record_id} kept changing while this request ran; retry."))
        raise AssertionError("unreachable")

    def _changed(self, bound: Bound, request: OperationRequest, base: Record) -> Record:
        """The record's new content: the body replacing it, merged into it, or (an action)
        the record as it is; the body field carrying the expected version is never stored."""
        body = request.body
        expected = bound.declaration.version.expected
        never_stored = expected.body_field if expected is not None else None
        if isinstance(body, dict) and never_stored is not None:
            body = {name: value for name, value in body.items() if name != never_stored}
        if bound.role == "replace":
            return dict(body) if isinstance(body, dict) else dict(base)
        if bound.role == "action":
            return dict(base)
        mode = merge_mode(request.headers.get("content-type"), bound.declaration.merge)
        return patched(base, body, mode)

    def _check(self, bound: Bound, request: OperationRequest, record: Record, name: str) -> None:
        """The declared checks, the record's state first, then its version."""
        problem = records.refused_state(bound.declaration, record, name)
        if problem is None:
            problem = records.refused_version(bound.declaration, bound.resource, record, request)
        if problem is not None:
            self._refuse(bound, problem)

    # --- answers ------------------------------------------------------------------------

    def _write_answer(
        self, bound: Bound, request: OperationRequest, record: Record, created: bool
    ) -> Outcome:
        preferred = (201, 200) if created and bound.role == "replace" else (200, 201)
        status = answers.success_status(bound.operation, preferred) or 200
        response = bound.operation.response_for(status)
        if bound.role == "action" and not answers.answers_record(bound, status):
            return answers.example_answer(bound, str(record[bound.resource.id_field]),
                                          bound.resource.id_field)  # fmt: skip
        if response is not None and not response.media:
            return answers.checked(bound, Outcome(status, None, headers=self._etag(bound, record)))
        return self._record_answer(bound, record, status)

    def _record_answer(
        self, bound: Bound, record: Record, status: int, headers: dict[str, str] | None = None
    ) -> Outcome:
        headers = {**(headers or {}), **self._etag(bound, record)}
        return answers.record_answer(bound, record, status, headers)

    def _etag(self, bound: Bound, record: Record) -> dict[str, str]:
        tag = records.version_header(bound.resource, record)
        documented = bound.memoized("etag", lambda: any(
            answers.documents_header(bound, int(code), "etag")
            for code in bound.operation.responses if code.isdigit()
        ))  # fmt: skip
        return {"ETag": tag} if tag is not None and documented else {}

    def _deleted_answer(self, bound: Bound, record: Record | None) -> Outcome:
        status = answers.success_status(bound.operation, (204, 200, 202))
        if status is None:
            return answers.warned(
                answers.checked(bound, Outcome(204, None)),
                "the operation documents no 2xx; the record was deleted and 204 answered",
            )
        response = bound.operation.response_for(status)
        if record is None or response is None or not response.media:
            return answers.checked(bound, Outcome(status, None))
        return self._record_answer(bound, record, status)

    async def _found(
        self, bound: Bound, scope: tuple[Any, ...], record_id: Any
    ) -> Versioned | None:
        """The stored record; ``None`` for one never stored when the operation documents no
        404. Raises the 404 otherwise, always for a deleted one."""
        return await self._lookup(bound, bound.resource, scope, record_id)

    async def _lookup(
        self, bound: Bound, resource: Resource, scope: tuple[Any, ...], record_id: Any
    ) -> Versioned | None:
        key = state.record_key(scope, record_id)
        found = await self._store.get(resource.name, key)
        if found is not None:
            return found
        problem = not_found(f"No {singular(resource.name)} with {resource.id_field} "
                            f"{str(record_id)!r}.")  # fmt: skip
        if await self._store.get(_tombstones(resource), key) is not None:
            if bound.operation.response_for(404) is None:
                self._undocumented_404(bound)
                outcome = answers.warned(
                    answers.checked(bound, answers.refusal(bound, problem)),
                    "the record was deleted; 404 answered, which this operation does not document",
                )
                raise Refusal(problem, outcome)
            self._refuse(bound, problem)
        if bound.operation.response_for(404) is not None:
            self._refuse(bound, problem)
        return None

    async def _missing_parent(self, bound: Bound, scope: tuple[Any, ...]) -> Outcome | None:
        """A 404 (raised) for a parent that is not stored; the example answer for one never
        stored when the operation documents no 404."""
        for depth, parent in enumerate(state.ancestors(bound.resource)):
            found = await self._lookup(bound, parent, scope[:depth], scope[depth])
            if found is None:
                return answers.example_answer(bound, "", "")
        return None

    def _refuse(self, bound: Bound, problem: Problem) -> None:
        raise Refusal(problem, answers.refusal(bound, problem))

    def _undocumented_404(self, bound: Bound) -> None:
        operation = bound.operation
        pointer = f"/paths/{operation.path_template.replace('~', '~0').replace('/', '~1')}" \
                  f"/{operation.method.lower()}/responses"  # fmt: skip
        warning = SpecWarning(
            operation.spec_name,
            pointer,
            "a deleted record is answered 404, which this operation does not document; "
            "document the 404",
        )
        if warning not in self._warnings:
            self._warnings.append(warning)


def _handler(fake: ResourceFake, bound: Bound) -> Callable[[OperationRequest], Awaitable[Outcome]]:
    async def handle(request: OperationRequest) -> Outcome:
        return await fake.answer(bound, request)

    return handle


def _tombstones(resource: Resource) -> str:
    return f"{resource.name}#deleted"
