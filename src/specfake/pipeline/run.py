"""The pipeline as one function: route → authenticate → validate the request → produce →
validate the response → render.

The producing stage is a fake's handler, the mocker (the spec's examples and synthesized
values) or, in proxy mode, the forwarder to the real server; everything around it is the same
code. In proxy mode the upstream authenticates, and spec violations are reported (journal,
log, ``Specfake-Violations``) while the traffic passes, unless ``--errors`` refuses them.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote

from starlette.datastructures import Headers, QueryParams
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import Receive, Scope

from specfake.config import ServerConfig
from specfake.errors import (
    PROBLEM_CONTENT_TYPE,
    FieldError,
    Problem,
    client_disconnected,
    connection_dropped,
    insufficient_storage,
    internal_error,
    not_acceptable,
    response_invalid,
    store_unavailable,
    upstream_response_invalid,
    validation_failed,
)
from specfake.pipeline.auth import authenticate
from specfake.pipeline.body import is_json_media, parse_json, receive_limited, select_media
from specfake.pipeline.faults import Dropped, Faults
from specfake.pipeline.mocker import checked_mock
from specfake.pipeline.negotiation import acceptable_success_media, choose_mock
from specfake.pipeline.outcome import (
    Handler,
    OperationRequest,
    Outcome,
    Refusal,
    problem_outcome,
)
from specfake.pipeline.overrides import Overrides
from specfake.pipeline.preferences import NO_PREFERENCES, Preferences, parse_prefer
from specfake.pipeline.render import DroppedResponse, render
from specfake.pipeline.response_check import response_errors
from specfake.pipeline.router import RouteMatch, Router
from specfake.pipeline.scope import RequestHeaders, raw_path, request_target, url_path
from specfake.pipeline.validation import body_errors, parameter_errors
from specfake.spec.compile import CompiledOperation
from specfake.store.base import CollectionFull, StoreUnavailable

if TYPE_CHECKING:  # it brings httpx, 0.13 s of every start-up, for proxy mode only
    from specfake.pipeline.forwarder import Forwarder

logger = logging.getLogger("specfake")
_NO_QUERY = QueryParams()
HandlerKey = tuple[str, str]  # (spec name, operationId): operationIds repeat across specs


class Served(Protocol):
    """What the pipeline answers from (a :class:`~specfake.world.World`)."""

    @property
    def config(self) -> ServerConfig: ...

    @property
    def router(self) -> Router: ...

    @property
    def handlers(self) -> Mapping[HandlerKey, Handler]: ...


@dataclass(slots=True)
class Answer:
    """What answering one request gave: the response, its operation, and for the journal a
    summary and the field errors (a problem's, or the violations a proxy let through)."""

    response: Response
    operation: CompiledOperation | None
    detail: str | None = None
    errors: Sequence[FieldError] = ()  # no list made for the answers without any
    request_body: bytes = b""  # as received (empty when refused before it was read)


@dataclass(slots=True)
class _Validated:
    values: dict[str, Any]  # declared parameters, coerced to their types
    query: dict[str, list[str]]
    body: Any


async def run_pipeline(
    served: Served,
    scope: Scope,
    receive: Receive,
    forwarder: Forwarder | None,
    overrides: Overrides,
    faults: Faults,
) -> Answer:
    """Answer one request; every failure becomes a problem response, never a bare 500.

    ``overrides`` and ``faults``: the running server's (``faults`` the server-wide latency and
    fail rate, which the dashboard can change)."""
    config = served.config
    # Proxy mode without --errors: violations are reported and the traffic passes.
    reporting = forwarder is not None and not config.proxy_errors
    operation: CompiledOperation | None = None
    violations: list[FieldError] = []
    produced_problem: Problem | None = None
    raw = b""
    try:
        match: RouteMatch | None = None
        try:
            match = served.router.match(scope["method"], raw_path(scope))
            operation = match.operation
        except Problem as problem:
            if not reporting:
                raise
            violations.append(FieldError("path", url_path(scope), problem.detail))
        headers = RequestHeaders.of(scope)
        query_string = scope.get("query_string")
        query_params = QueryParams(query_string) if query_string else _NO_QUERY
        preferences, accept = NO_PREFERENCES, headers.get("accept")
        if forwarder is None and match is not None:
            preferences = _admitted(match.operation, headers, query_params, config, accept)
        raw = await receive_limited(receive, config.max_body)
        validated: _Validated | None = None
        if match is not None:
            try:
                validated = _validated(match, raw, headers, query_params)
            except Problem as problem:
                if not reporting:
                    raise
                violations += problem.errors or [
                    FieldError("path", url_path(scope), problem.detail)
                ]
        if forwarder is None and match is not None:  # after auth and validation
            if overrides.may_be_pending():
                override = await overrides.take(match.operation.operation_id)
                if override is not None:
                    preferences = override.applied_to(preferences)
            if faults.active:
                preferences = faults.applied(preferences, match.operation)
        if forwarder is not None:
            target = request_target(scope)
            outcome = await forwarder.forward(scope["method"], target, scope["headers"], raw)
            checked = False
        else:
            assert match is not None and validated is not None  # not reporting: raised above
            outcome, produced_problem, checked = await _produce(
                served, match, validated, scope, preferences, accept
            )
        if operation is not None and not checked and (
            forwarder is not None or config.validate_responses
        ):
            invalid = response_errors(operation, outcome)
            if invalid and forwarder is None:
                raise response_invalid(invalid, outcome.status)
            if invalid and not reporting:
                raise upstream_response_invalid(invalid, outcome.status)
            violations += invalid
        if preferences.delay_ms:
            await asyncio.sleep(preferences.delay_ms / 1000)
    except Dropped:
        problem = connection_dropped()
        body = render(problem_outcome(problem)).body
        dropped = DroppedResponse(body, problem.status, media_type=PROBLEM_CONTENT_TYPE)
        answer = Answer(dropped, operation, problem.detail)
    except Problem as problem:
        answer = Answer(render(problem_outcome(problem)), operation, problem.detail, problem.errors)
    except CollectionFull as full:  # bounded memory: refused, never evicted (a lost write)
        problem = insufficient_storage(full.collection, full.capacity)
        answer = Answer(render(problem_outcome(problem)), operation, problem.detail)
    except StoreUnavailable as down:  # Redis restarting, say: worth a retry, not a bug
        problem = store_unavailable(str(down))
        answer = Answer(render(problem_outcome(problem)), operation, problem.detail)
    except ClientDisconnect:  # nobody is left to answer; journal it as such
        problem = client_disconnected()
        answer = Answer(render(problem_outcome(problem)), operation, problem.detail)
    except Exception:  # a bug in specfake: say so in a problem body, never a bare 500
        logger.exception("unexpected error for %s %s", scope["method"], url_path(scope))
        problem = internal_error()
        answer = Answer(render(problem_outcome(problem)), operation, problem.detail)
    else:
        if forwarder is not None:
            answer = _forwarded(outcome, operation, violations)
        elif produced_problem is not None:  # a fake's own 404/409/422: journaled like others
            detail, errors = produced_problem.detail, produced_problem.errors
            answer = Answer(render(outcome), operation, detail, errors)
        else:
            answer = Answer(render(outcome), operation)
    answer.request_body = raw
    return answer


def _admitted(
    operation: CompiledOperation,
    headers: RequestHeaders,
    query_params: QueryParams,
    config: ServerConfig,
    accept: str | None,
) -> Preferences:
    """Auth, then ``Prefer`` and ``Accept``: the checks before the body is read."""
    authenticate(operation, headers, query_params, config.tokens)
    preferences = parse_prefer(headers.get("prefer"))  # after auth: docs/interface.md, "Auth"
    if accept and operation.produces and not acceptable_success_media(operation, accept):
        offered = [media for media in operation.produces if media != PROBLEM_CONTENT_TYPE]
        if offered:
            raise not_acceptable(accept, offered)
    return preferences


def _validated(
    match: RouteMatch, raw: bytes, headers: RequestHeaders, query_params: QueryParams
) -> _Validated:
    """Parse and check parameters and body; raises the 400/415/422 listing every failing field."""
    operation = match.operation
    body, media = None, None
    if raw.strip() and operation.body_media:
        media = select_media(headers.get("content-type"), operation.body_media)
        body = parse_json(raw) if is_json_media(media.media_type) else None
    query = _query_lists(query_params)
    values, errors = parameter_errors(operation, match.path_parameters, query, headers)
    errors.extend(body_errors(operation, media, body, len(raw)))
    if errors:
        raise validation_failed(errors, operation.validation_status)
    return _Validated(values, query, body)


def _query_lists(query_params: QueryParams) -> dict[str, list[str]]:
    """Each query parameter's values, by name (none to walk for a request without a query)."""
    if query_params is _NO_QUERY:
        return {}
    return {key: query_params.getlist(key) for key in query_params}


async def _produce(
    served: Served,
    match: RouteMatch,
    validated: _Validated,
    scope: Scope,
    preferences: Preferences,
    accept: str | None,
) -> tuple[Outcome, Problem | None, bool]:
    """The fake's answer (its own problem too: it must be documented like any answer), or the
    mock's when no fake answers the operation or ``Prefer`` asks for the spec's answer; and
    whether it was checked against the spec already (the mock's is, and carries a warning
    instead of becoming a 500)."""
    operation = match.operation
    handler = served.handlers.get((operation.spec_name, operation.operation_id))
    if handler is None or preferences.bypasses_fake:
        seed = random.randrange(2**32) if preferences.dynamic else served.config.seed
        choice = choose_mock(operation, preferences, accept)
        return checked_mock(operation, choice, seed), None, True
    values = validated.values
    request = OperationRequest(
        operation=operation,
        path={  # declared ones typed; any other decoded
            name: values[name] if name in values else unquote(raw_value)
            for name, raw_value in match.path_parameters.items()
        },
        query={key: values[key] for key in validated.query if key in values},
        headers=Headers(raw=scope["headers"]),  # request.headers copies them
        body=validated.body,
    )
    try:
        outcome = await handler(request)
        return outcome, outcome.problem, outcome.checked
    except Refusal as refusal:  # a fake that raises its refusals
        return refusal.outcome, refusal.problem, refusal.outcome.checked
    except Problem as problem:
        return problem_outcome(problem), problem, False


def _forwarded(
    outcome: Outcome, operation: CompiledOperation | None, violations: list[FieldError]
) -> Answer:
    """The upstream's answer as received, plus ``Specfake-Violations``: how many spec
    violations the request and the answer had (details in the journal and the log)."""
    for violation in violations:
        logger.warning(
            "spec violation: %s %s: %s", violation.location, violation.path, violation.message
        )
    outcome.raw_headers = [
        *(outcome.raw_headers or []),
        (b"specfake-violations", str(len(violations)).encode()),
    ]
    detail = f"{len(violations)} spec violations" if violations else None
    return Answer(render(outcome), operation, detail, violations)
