"""The resource fake: every operation :func:`plan_resources` binds, answered from the store.

Create stores the body plus the fields the server makes; read answers what is stored; list
answers the stored records, paged; PATCH merges, PUT replaces, DELETE removes (a bounded
tombstone then answers 404) and takes the nested records with it; an action applies what
its declaration says (``requires``, ``set``, the version, ``history``). Each write is one
compare-and-set on the store, retried on a lost race after reading the record again, so the
checks (a stale version, a state that forbids it) are made against what really is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any
from urllib.parse import quote

from specfake.config import ServerConfig
from specfake.errors import FieldError, Problem, conflict, not_found
from specfake.fakes.base import Binding, utc_now_iso
from specfake.fakes.idempotency import fingerprint
from specfake.fakes.resources import answers, inputs, records, state
from specfake.fakes.resources.facts import OperationFacts, facts_of
from specfake.fakes.resources.patching import merge_mode, patched
from specfake.fakes.resources.plan import Bound, Resource, singular
from specfake.fakes.resources.refusals import refusal, undocumented_404
from specfake.fakes.resources.stored import Exhausted, StoredResource
from specfake.pipeline.outcome import Handler, OperationRequest, Outcome, Refusal
from specfake.spec.defects import SpecWarning
from specfake.store.base import StateStore, Versioned

Record = dict[str, Any]
_MAX_ATTEMPTS = 8  # a write lost to a concurrent one is read and tried again this often


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
        self._plan = tuple(facts_of(bound) for bound in plan)
        self._resources = list({id(b.resource): b.resource for b in plan}.values())
        self._stored = {
            resource.name: StoredResource(store, resource, config)
            for resource in self._resources
        }
        self._warnings = warnings  # the world's list: tombstoned 404s the spec does not document
        self.descriptions = {  # for the banner and the dashboard
            (b.operation.spec_name, b.operation.operation_id): f"resource {b.resource.name} "
            f"({b.role})"
            for b in plan
        }

    # --- the Fake protocol --------------------------------------------------------------

    def bindings(self) -> Sequence[Binding]:
        return ()  # bound by (spec, operationId) through handlers(): ids repeat across specs

    def handlers(self) -> dict[tuple[str, str], Handler]:
        """The handler of each planned operation, by (spec name, operationId)."""
        return {
            (facts.bound.operation.spec_name, facts.bound.operation.operation_id):
                partial(self.answer, facts)  # no wrapper's frame on every request
            for facts in self._plan
        }  # fmt: skip

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
                snapshot.update(self._stored[resource.name].cleared())
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
        return state.example_seeds([facts.bound for facts in self._plan], self._resources)

    # --- answering ----------------------------------------------------------------------

    async def answer(self, facts: OperationFacts, request: OperationRequest) -> Outcome:
        """The answer to ``request``; a refusal in the shape its status is documented in,
        returned with its problem (``Outcome.problem``). The checks of a write return theirs;
        a lookup deep in a write raises :class:`Refusal`, answered here."""
        source = facts.bound.declaration.idempotency
        key = source.read(request) if source is not None else None
        try:
            if key is None:
                return await self._answer(facts, request)
            return await self._replayed(facts, request, key)
        except Refusal as refused:
            return refused.outcome
        except Problem as problem:  # a JSON Patch that cannot apply, a key used twice...
            return refusal(facts.bound, problem)
        except Exhausted:
            return refusal(facts.bound, conflict("Other requests kept writing this record; retry."))

    async def _replayed(
        self, facts: OperationFacts, request: OperationRequest, key: Any
    ) -> Outcome:
        """The first answer to the idempotency ``key`` again (the shared engine): the same key
        with the same request (path, query, body, the version it expects)."""
        bound = facts.bound
        expected = bound.declaration.version.expected
        request_print = fingerprint([
            bound.operation.operation_id, dict(request.path), dict(request.query), request.body,
            expected.read(request) if expected is not None else None,
        ])  # fmt: skip

        async def work() -> dict[str, Any]:
            outcome = await self._answer(facts, request)
            if outcome.problem is not None:  # a refusal is not remembered: the key stays free
                raise Refusal(outcome.problem, outcome)
            return {"status": outcome.status, "body": outcome.body,
                    "media_type": outcome.media_type, "headers": outcome.headers}  # fmt: skip

        kept = await self._stored[bound.resource.name].keys.once(str(key), request_print, work)
        replayed = Outcome(kept["status"], kept["body"], kept["media_type"], dict(kept["headers"]))
        return answers.checked(bound, replayed)

    async def _answer(self, facts: OperationFacts, request: OperationRequest) -> Outcome:
        bound = facts.bound
        request = inputs.documented_only(request, facts.body_names)
        scope: tuple[Any, ...] = ()
        if facts.ancestors:  # a nested record: its parents must be stored
            scope = tuple(request.path[name] for name in bound.scope_parameters)
            if not await self._parents_found(facts, scope):
                return answers.example_answer(bound)
        role = bound.role
        if role == "list":
            return await self._list(facts, request, scope)
        if role == "create":
            return await self._create(facts, request, scope)
        assert bound.item_parameter is not None
        record_id = request.path[bound.item_parameter]
        if role == "read":
            found = await self._lookup(facts, bound.resource, scope, record_id)
            if found is None:
                return answers.example_answer(bound, str(record_id))
            return self._record_answer(facts, found.value, facts.read_status)
        if role == "delete":
            return await self._delete(facts, scope, record_id)
        return await self._write(facts, request, scope, record_id)

    async def _list(
        self, facts: OperationFacts, request: OperationRequest, scope: tuple[Any, ...]
    ) -> Outcome:
        resource = facts.bound.resource
        prefix = [str(part) for part in scope]
        rows = [
            record.value
            for key, record in await self._store.list(resource.name)
            if state.key_parts(resource, key)[:-1] == prefix
        ]
        page = inputs.page_of(rows, request.query)
        return answers.list_answer(facts.bound, page, len(rows), facts.read_status)

    async def _create(
        self, facts: OperationFacts, request: OperationRequest, scope: tuple[Any, ...]
    ) -> Outcome:
        bound = facts.bound
        resource = bound.resource
        stored = self._stored[resource.name]
        body = inputs.storable(request.body, facts.control_fields)
        now = utc_now_iso()
        given = body.get(resource.id_field)
        if not isinstance(given, str | int) or isinstance(given, bool):
            given = None  # an id the client may choose is text or a number; else the server's
        for _ in range(_MAX_ATTEMPTS):
            record_id = given if given is not None else await self._new_id(bound, stored)
            made = records.server_fields(bound, body, now)
            record = {**body, **made, resource.id_field: record_id}
            record = records.written(bound, record, {}, now)
            key = state.record_key(scope, record_id)
            if await stored.insert(key, record):
                await self._unless_orphaned(facts, scope, key)
                headers = {}
                if facts.documents_location:
                    collection = inputs.request_path(bound, request)
                    headers["Location"] = f"{collection}/{quote(str(record_id), safe='')}"
                return self._record_answer(facts, record, facts.created_status, headers)
            if given is not None:
                _refuse(bound, conflict(
                    f"A {singular(resource.name)} with {resource.id_field} {given!r} exists "
                    "already; send another id or update that record."
                ))  # fmt: skip
        raise Exhausted()

    async def _new_id(self, bound: Bound, stored: StoredResource) -> Any:
        schema = bound.memoized("id schema", records.id_schema, bound)
        if records.is_integer(schema):
            return await stored.next_integer()
        return records.new_id(bound, schema)

    async def _unless_orphaned(
        self, facts: OperationFacts, scope: tuple[Any, ...], key: str
    ) -> None:
        """A nested record whose parent was deleted while it was created is removed again,
        and the create answered 404: a record must never outlive its parent."""
        for depth, parent in enumerate(facts.ancestors):
            parent_key = state.record_key(scope[:depth], scope[depth])
            if await self._stored[parent.name].get(parent_key) is None:
                await self._cascade(self._stored[facts.bound.resource.name], key)
                _refuse(facts.bound, not_found(
                    f"The {singular(parent.name)} {str(scope[depth])!r} was deleted meanwhile."
                ))  # fmt: skip

    async def _delete(
        self, facts: OperationFacts, scope: tuple[Any, ...], record_id: Any
    ) -> Outcome:
        stored = self._stored[facts.bound.resource.name]
        key = state.record_key(scope, record_id)
        for _ in range(_MAX_ATTEMPTS):
            found = await self._lookup(facts, facts.bound.resource, scope, record_id)
            if found is None:  # never stored, and the spec documents no 404: gone from now on
                await stored.bury(key)
                return self._deleted_answer(facts, None)
            if await stored.remove(key, found.revision):
                await self._bury_children(stored, key)
                return self._deleted_answer(facts, found.value)
        raise Exhausted()

    async def _cascade(self, stored: StoredResource, key: str) -> None:
        """Delete ``key`` (whatever its revision) and everything nested under it, buried."""
        for _ in range(_MAX_ATTEMPTS):
            found = await stored.get(key)
            if found is None or await stored.remove(key, found.revision):
                break
        else:
            raise Exhausted()
        await self._bury_children(stored, key)

    async def _bury_children(self, stored: StoredResource, key: str) -> None:
        for child in stored.resource.children:
            child_stored = self._stored[child.name]
            for child_key, _ in await stored.children_of(child_stored, key):
                await self._cascade(child_stored, child_key)

    async def _write(
        self,
        facts: OperationFacts,
        request: OperationRequest,
        scope: tuple[Any, ...],
        record_id: Any,
    ) -> Outcome:
        """Replace, merge or an action: read, check, change, compare-and-set; again on a
        lost race (the checks then see the winner's write)."""
        bound = facts.bound
        resource = bound.resource
        stored = self._stored[resource.name]
        key = state.record_key(scope, record_id)
        for _ in range(_MAX_ATTEMPTS):
            found = await stored.get(key)  # :meth:`_lookup`, its common case without a frame
            if found is None:
                found = await self._missing(facts, stored, key, record_id)
            # Never stored, and the spec documents no 404: the write starts from its example.
            base = found.value if found is not None else answers.example_record(bound, record_id)
            problem = records.refused(bound, facts.version_check, request, base, str(record_id))
            if problem is not None:
                return refusal(bound, problem)
            now = utc_now_iso()  # after the checks: a refused write needs no time
            changed = self._changed(facts, request, base, now)
            changed[resource.id_field] = base.get(resource.id_field, record_id)
            record = records.written(bound, changed, base, now)
            revision = found.revision if found is not None else None
            if await stored.replace(key, revision, record):
                return self._write_answer(facts, record, created=found is None)
        raise Exhausted()

    def _changed(
        self, facts: OperationFacts, request: OperationRequest, base: Record, now: str
    ) -> Record:
        """The record's new content: the body replacing it (the fields the server made kept),
        merged into it, or (an action) the record as it is."""
        bound = facts.bound
        if bound.role == "action":
            return dict(base)
        body = inputs.storable(request.body, facts.control_fields)
        if bound.role == "replace":
            made = records.server_fields(bound, body, now)
            return {**body, **{name: base.get(name, value) for name, value in made.items()}}
        mode = merge_mode(request.headers.get("content-type"), bound.declaration.merge)
        return patched(base, request.body if mode == "json-patch" else body, mode)

    # --- answers ------------------------------------------------------------------------

    def _write_answer(self, facts: OperationFacts, record: Record, created: bool) -> Outcome:
        """The record as the write's status documents it (no body where it documents none:
        :func:`answers.record_answer`), or an action's own answer (a job, a message)."""
        bound = facts.bound
        replaced_new = created and bound.role == "replace"
        status = facts.replaced_new_status if replaced_new else facts.written_status
        if bound.role == "action" and not facts.action_answers_record:
            return answers.example_answer(bound, str(record[bound.resource.id_field]))
        return self._record_answer(facts, record, status)

    def _record_answer(
        self,
        facts: OperationFacts,
        record: Record,
        status: int,
        headers: dict[str, str] | None = None,
    ) -> Outcome:
        headers = {} if headers is None else headers  # the caller's own, made for this answer
        if facts.documents_etag:
            tag = records.version_header(facts.bound.resource, record)
            if tag is not None:
                headers["ETag"] = tag
        return answers.record_answer(facts.bound, record, status, headers)

    def _deleted_answer(self, facts: OperationFacts, record: Record | None) -> Outcome:
        bound = facts.bound
        status = facts.deleted_status
        if status is None:
            return answers.warned(
                answers.checked(bound, Outcome(204, None)),
                "the operation documents no 2xx; the record was deleted and 204 answered",
            )
        response = bound.operation.response_for(status)
        if record is None or response is None or not response.media:
            return answers.checked(bound, Outcome(status, None))
        return self._record_answer(facts, record, status)

    async def _lookup(
        self, facts: OperationFacts, resource: Resource, scope: tuple[Any, ...], record_id: Any
    ) -> Versioned | None:
        """The stored record, else a 404 where the operation documents one or the record was
        deleted, else ``None`` (an id never stored: the spec's example answers)."""
        stored = self._stored[resource.name]
        key = state.record_key(scope, record_id)
        found = await stored.get(key)
        return found if found is not None else await self._missing(facts, stored, key, record_id)

    async def _missing(
        self, facts: OperationFacts, stored: StoredResource, key: str, record_id: Any
    ) -> None:
        """:meth:`_lookup` of a record not stored: a 404 raised where the operation documents
        one or the record was deleted, else ``None``."""
        bound, resource = facts.bound, stored.resource
        problem = not_found(f"No {singular(resource.name)} with {resource.id_field} "
                            f"{str(record_id)!r}.")  # fmt: skip
        if facts.documents_404:  # deleted or never stored, the same 404: no tombstone read
            _refuse(bound, problem)
        if await stored.is_buried(key):
            warning = undocumented_404(bound.operation)
            if warning not in self._warnings:
                self._warnings.append(warning)
            outcome = answers.warned(
                answers.checked(bound, refusal(bound, problem)),
                "the record was deleted; 404 answered, which this operation does not document",
            )
            raise Refusal(problem, outcome)
        return None

    async def _parents_found(self, facts: OperationFacts, scope: tuple[Any, ...]) -> bool:
        """Whether every parent of the record is stored; a 404 (raised) for one that is not,
        ``False`` for one never stored when the operation documents no 404."""
        for depth, parent in enumerate(facts.ancestors):
            if await self._lookup(facts, parent, scope[:depth], scope[depth]) is None:
                return False
        return True


def _refuse(bound: Bound, problem: Problem) -> None:
    raise Refusal(problem, refusal(bound, problem))
