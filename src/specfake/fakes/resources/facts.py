"""What answering one bound operation needs from its spec, worked out once when the fake is
built: which 2xx each kind of answer uses, which headers the answers document, which body
members a write may store. The spec does not change while a world serves it, so the request
path reads these instead of walking the responses and schemas again for every request.
"""

from __future__ import annotations

from dataclasses import dataclass

from specfake.fakes.resources.answers import answers_record, documents_header, success_status
from specfake.fakes.resources.plan import Bound, Resource, body_property_names
from specfake.fakes.resources.records import VersionCheck, version_check
from specfake.fakes.resources.state import ancestors


@dataclass(frozen=True, slots=True)
class OperationFacts:
    """One bound operation and what its spec says about answering it."""

    bound: Bound
    ancestors: tuple[Resource, ...]  # the resource's parents, outermost first
    body_names: frozenset[str]  # the request body members its schemas document
    control_fields: frozenset[str]  # body members that say how to write (version, key)
    read_status: int  # a read's or a list's answer
    created_status: int  # a create's answer
    written_status: int  # a replace's, a merge's or an action's, on a stored record
    replaced_new_status: int  # a replace's that made the record
    deleted_status: int | None  # ``None``: the operation documents no 2xx
    documents_etag: bool  # some documented response declares ``ETag``
    documents_location: bool  # the create's answer declares ``Location``
    documents_404: bool  # a refused lookup answers its documented 404
    action_answers_record: bool  # an action's answer is the record, not a job or a message
    version_check: VersionCheck | None  # the declared version a write must name


def facts_of(bound: Bound) -> OperationFacts:
    """The facts of ``bound``, read from its operation and declaration."""
    operation, declaration = bound.operation, bound.declaration
    created = success_status(operation, (201, 200)) or 201
    written = success_status(operation, (200, 201)) or 200
    sources = (declaration.version.expected, declaration.idempotency)
    return OperationFacts(
        bound=bound,
        ancestors=tuple(ancestors(bound.resource)),
        body_names=frozenset(body_property_names(operation)),
        control_fields=frozenset(
            name for source in sources if source is not None
            if (name := source.body_field) is not None
        ),
        read_status=success_status(operation, (200,)) or 200,
        created_status=created,
        written_status=written,
        replaced_new_status=success_status(operation, (201, 200)) or 200,
        deleted_status=success_status(operation, (204, 200, 202)),
        documents_etag=any(
            documents_header(bound, int(code), "etag")
            for code in operation.responses if code.isdigit()
        ),
        documents_location=documents_header(bound, created, "location"),
        documents_404=operation.response_for(404) is not None,
        action_answers_record=answers_record(bound, written),
        version_check=version_check(declaration, bound.resource),
    )
