"""``create_app``: the served specs, their fakes and the control API as one Starlette app.

Each request runs Prism's pipeline, one stage per module:
route → authenticate → validate the request → fake or mock → validate the response.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import orjson
from starlette.applications import Starlette
from starlette.datastructures import Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from specfake.config import ServerConfig
from specfake.errors import (
    PROBLEM_CONTENT_TYPE,
    FieldError,
    Problem,
    not_acceptable,
    response_invalid,
    upstream_response_invalid,
    validation_failed,
)
from specfake.fakes import Fake, Handler, OperationKey, OperationRequest, build_fakes
from specfake.fixtures import load_fixture_dir, state_errors
from specfake.journal import JournalEntry, RequestJournal
from specfake.pipeline.auth import authenticate
from specfake.pipeline.body import is_json_media, parse_json, receive_limited, select_media
from specfake.pipeline.mocker import mock_response
from specfake.pipeline.negotiation import acceptable_success_media, choose_mock
from specfake.pipeline.outcome import Outcome
from specfake.pipeline.preferences import parse_prefer
from specfake.pipeline.response_check import response_errors
from specfake.pipeline.router import RouteMatch, Router
from specfake.pipeline.validation import body_errors, parameter_errors
from specfake.spec import CompiledOperation, LoadedSpec, compile_operations, load_spec
from specfake.store import MemoryStore

if TYPE_CHECKING:
    from specfake.pipeline.forwarder import Forwarder

logger = logging.getLogger("specfake")
# What answering one request yields: the response, its operation, a summary, the field errors.
_Handled = tuple[Response, "CompiledOperation | None", "str | None", "list[FieldError]"]

CONTROL_PREFIX = "/__specfake__"
_NO_QUERY = QueryParams()
# Characters Starlette's ``URL`` escapes or drops, so ``request.url.path`` differs from the path.
_URL_REWRITTEN = re.compile(r"[?#\\\t\r\n]")


class Specfake:
    """The loaded world: specs, compiled operations, bound fakes, their store and the journal."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.specs: list[LoadedSpec] = [load_spec(path) for path in config.specs]
        self.operations: list[CompiledOperation] = [
            operation for spec in self.specs for operation in compile_operations(spec)
        ]
        self.router = Router(self.operations)
        self.store = MemoryStore()
        served = {(op.method, op.path_template) for op in self.operations}
        self.fakes: list[Fake] = []
        self.handlers: dict[OperationKey, Handler] = {}
        known = build_fakes(self.store, config)
        for fake in known:
            bound = {key: handler for key, handler in fake.handlers().items() if key in served}
            if bound:
                self.fakes.append(fake)
                self.handlers.update(bound)
        # Every known section is checked, so the bundled fixtures work with a subset of the
        # specs; sections of fakes whose operations are not served are then ignored.
        self.state_schemas: dict[str, dict[str, Any]] = {
            name: schema for fake in known for name, schema in fake.state_schema().items()
        }
        self.fixtures: dict[str, Any] = (
            load_fixture_dir(config.fixtures, self.state_schemas) if config.fixtures else {}
        )
        self.journal = RequestJournal(config.journal_size)
        self.forwarder: Forwarder | None = None
        if config.upstream:
            # Imported here: it brings httpx, 0.13 s of every start-up, for proxy mode only.
            from specfake.pipeline.forwarder import Forwarder

            self.forwarder = Forwarder(config.upstream)
        self._loaded = False
        self._load_lock = asyncio.Lock()

    async def ensure_loaded(self) -> None:
        """Load the fixtures into the store once, before the first request is answered."""
        if self._loaded:
            return
        async with self._load_lock:
            if not self._loaded:
                await self.replace_state(self.fixtures)
                self._loaded = True

    async def reset(self) -> None:
        await self.replace_state(self.fixtures)
        self._loaded = True

    async def state(self) -> dict[str, Any]:
        state: dict[str, Any] = {}
        for fake in self.fakes:
            state.update(await fake.dump())
        return state

    async def replace_state(self, state: Any) -> None:
        """Validate ``state`` (422 naming each bad field) and load it into every fake.

        All or nothing: when a fake refuses its part (say, a reference to an unknown id), the
        fakes that already loaded theirs get the previous state back.
        """
        errors = state_errors(state, self.state_schemas)
        if errors:
            raise validation_failed(errors)
        previous = await self.state()
        try:
            await self._load(state)
        except Problem:
            await self._load(previous)
            raise

    async def _load(self, state: Mapping[str, Any]) -> None:
        for fake in self.fakes:
            await fake.load({name: state[name] for name in fake.state_schema() if name in state})

    async def handle(self, request: Request) -> Response:
        """Answer one request (or forward it, as a proxy) and journal what happened."""
        started = time.perf_counter()
        if self.forwarder is not None:
            response, operation, detail, errors = await self._proxy(request, self.forwarder)
        else:
            response, operation, detail, errors = await self._serve(request)
        self.journal.record(
            JournalEntry(
                time=time.time(),
                method=request.method,
                path=_url_path(request),
                status=response.status_code,
                seconds=time.perf_counter() - started,
                operation_id=operation.operation_id if operation else None,
                detail=detail,
                errors=tuple(errors),
            )
        )
        return response

    async def _serve(self, request: Request) -> _Handled:
        """Run one request through the pipeline; every failure becomes a problem response."""
        if not self._loaded:
            await self.ensure_loaded()
        operation: CompiledOperation | None = None
        try:
            match = self.router.match(request.method, _raw_path(request))
            operation = match.operation
            outcome = await self._answer(request, match)
        except Problem as problem:
            outcome, detail, errors = problem_outcome(problem), problem.detail, problem.errors
        except ClientDisconnect:  # nobody is left to answer; journal it as such
            problem = client_disconnected()
            outcome, detail, errors = problem_outcome(problem), problem.detail, []
        except Exception:  # a bug in specfake: say so in a problem body, never a bare 500
            problem = internal_error(request)
            outcome, detail, errors = problem_outcome(problem), problem.detail, []
        else:
            detail, errors = None, []
        return render(outcome), operation, detail, errors

    async def _proxy(self, request: Request, forwarder: Forwarder) -> _Handled:
        """Validate the request, forward it, validate the answer (``specfake proxy``).

        Violations are reported (journal, log, ``Specfake-Violations``) and the traffic passes;
        with ``--errors`` an invalid request is refused unforwarded and an invalid answer is
        replaced by a 502 naming the fields.
        """
        operation: CompiledOperation | None = None
        try:
            raw = await receive_limited(request.receive, self.config.max_body)
            try:
                match = self.router.match(request.method, _raw_path(request))
                operation = match.operation
                self._validated(request, match, raw)
            except Problem as problem:
                if self.config.proxy_errors:
                    raise
                violations = problem.errors or [
                    FieldError("path", _url_path(request), problem.detail)
                ]
            else:
                violations = []
            target = request.scope.get("raw_path") or request.scope["path"].encode()
            query = request.scope.get("query_string", b"")
            upstream = await forwarder.forward(
                request.method,
                target.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else ""),
                request.scope["headers"],  # bytes, as received: any byte goes through
                raw,
            )
            if operation is not None:
                answer_errors = response_errors(operation, upstream.outcome())
                if answer_errors and self.config.proxy_errors:
                    raise upstream_response_invalid(answer_errors, upstream.status)
                violations += answer_errors
        except Problem as problem:
            return render(problem_outcome(problem)), operation, problem.detail, problem.errors
        except ClientDisconnect:
            problem = client_disconnected()
            return render(problem_outcome(problem)), operation, problem.detail, []
        except Exception:  # a bug in specfake: a problem body, never a bare 500
            problem = internal_error(request)
            return render(problem_outcome(problem)), operation, problem.detail, []
        for violation in violations:
            logger.warning("spec violation: %s %s: %s", violation.location, violation.path,
                           violation.message)  # fmt: skip
        detail = f"{len(violations)} spec violations" if violations else None
        return upstream.response(len(violations)), operation, detail, violations

    async def _answer(self, request: Request, match: RouteMatch) -> Outcome:
        operation, path_parameters = match.operation, match.path_parameters
        headers = _RequestHeaders.of(request.scope)
        query_params = request.query_params if request.scope.get("query_string") else _NO_QUERY
        authenticate(operation, headers, query_params, self.config.tokens)
        preferences = parse_prefer(headers.get("prefer"))  # after auth: INTERFACE.md, "Auth"
        accept = headers.get("accept")
        if accept and operation.produces and not acceptable_success_media(operation, accept):
            offered = [media for media in operation.produces if media != PROBLEM_CONTENT_TYPE]
            if offered:
                raise not_acceptable(accept, offered)
        raw = await receive_limited(request.receive, self.config.max_body)
        values, query, body = self._validated(request, match, raw, headers, query_params)
        handler = self.handlers.get((operation.method, operation.path_template))
        if handler is not None and not preferences.bypasses_fake:
            fake_request = OperationRequest(
                operation=operation,
                path={  # declared ones typed; any other decoded
                    name: values[name] if name in values else unquote(raw_value)
                    for name, raw_value in path_parameters.items()
                },
                query={key: values[key] for key in query if key in values},
                headers=Headers(raw=request.scope["headers"]),  # request.headers copies them
                body=body,
            )
            try:
                outcome = await handler(fake_request)
            except Problem as problem:  # the fake's own answer: it must be documented too
                outcome = problem_outcome(problem)
        else:
            seed = random.randrange(2**32) if preferences.dynamic else self.config.seed
            outcome = mock_response(operation, choose_mock(operation, preferences, accept), seed)
        if self.config.validate_responses:
            invalid = response_errors(operation, outcome)
            if invalid:
                raise response_invalid(invalid, outcome.status)
        if preferences.delay_ms:
            await asyncio.sleep(preferences.delay_ms / 1000)
        return outcome

    def _validated(
        self,
        request: Request,
        match: RouteMatch,
        raw: bytes,
        headers: Mapping[str, str] | None = None,
        query_params: QueryParams | None = None,
    ) -> tuple[dict[str, Any], dict[str, list[str]], Any]:
        """Parse and check parameters and body: the coerced values, the query, the body.

        Raises the 400/415/422 problem that lists every failing field.
        """
        operation = match.operation
        headers = headers if headers is not None else _RequestHeaders.of(request.scope)
        if query_params is None:
            query_params = request.query_params if request.scope.get("query_string") else _NO_QUERY
        body, media = None, None
        if raw.strip() and operation.body_media:
            media = select_media(headers.get("content-type"), operation.body_media)
            body = parse_json(raw) if is_json_media(media.media_type) else None
        query = {key: query_params.getlist(key) for key in query_params}
        values, errors = parameter_errors(operation, match.path_parameters, query, headers)
        errors.extend(body_errors(operation, media, body))
        if errors:
            raise validation_failed(errors, operation.validation_status)
        return values, query, body

    def banner(self) -> str:
        """The start-up listing of what is served, and by what."""
        lines = []
        for operation in self.operations:
            key = (operation.method, operation.path_template)
            source = "stateful fake" if key in self.handlers else "mock from spec"
            lock = "  (bearer auth)" if operation.requires_auth else ""
            lines.append(
                f"  {operation.method:7} {operation.path_template:40} {operation.operation_id:24}"
                f" {source}{lock}"
            )
        return "\n".join(lines)


def internal_error(request: Request) -> Problem:
    """Log the exception being handled and describe it to the client: a bug in specfake."""
    logger.exception("unexpected error for %s %s", request.method, _url_path(request))
    return Problem(500, "internal-error", "specfake failed", "See the server log.")


def client_disconnected() -> Problem:
    return Problem(400, "client-disconnected", "Client disconnected", "The body never arrived.")


def problem_outcome(problem: Problem) -> Outcome:
    return Outcome(problem.status, problem.to_json(), PROBLEM_CONTENT_TYPE, dict(problem.headers))


def _to_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, by orjson (several times faster than ``json.dumps``); the few values
    it refuses (integers past 64 bits, which a body or fixture may hold; non-string keys) go
    through ``json``."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def render(outcome: Outcome) -> Response:
    if outcome.body is None:
        return Response(status_code=outcome.status, headers=outcome.headers)
    content = _to_json(outcome.body)
    # No headers (the usual case) as None: Response then skips two list walks over them.
    headers = outcome.headers or None
    return Response(content, outcome.status, headers, media_type=outcome.media_type)


def _raw_path(request: Request) -> str:
    raw: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
    return raw.decode("latin-1").split("?", 1)[0]


def _url_path(request: Request) -> str:
    """``request.url.path``, without building the URL when it is the ASGI path (most requests)."""
    scope = request.scope
    path: str = scope["path"]
    if path.startswith("/") and scope.get("server") and not _URL_REWRITTEN.search(path):
        return path
    return request.url.path


class _RequestHeaders(dict[str, str]):
    """A request's headers by lower-case name, the first value winning as in Starlette's
    ``Headers``, whose every ``get`` scans the header list again; the pipeline reads several.
    ``get`` is case-insensitive, which is all the pipeline stages use."""

    __slots__ = ()

    @classmethod
    def of(cls, scope: Scope) -> _RequestHeaders:
        headers = cls()
        for key, value in reversed(scope["headers"]):
            headers[key.decode("latin-1")] = value.decode("latin-1")
        return headers

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return dict.get(self, key.lower(), default)


class _PipelineEndpoint:
    """The pipeline as an ASGI app.

    ``vary_origin``: CORS is on but the request has no ``Origin``, so the answer gets the one
    header CORSMiddleware would add (``Vary: Origin``, merged with any ``Vary`` already there)
    without the middleware's per-message wrapper around ``send``.
    """

    def __init__(self, specfake: Specfake, *, vary_origin: bool = False) -> None:
        self._specfake = specfake
        self._vary_origin = vary_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._specfake.handle(Request(scope, receive))
        if self._vary_origin:
            _vary_origin(response)
        await response(scope, receive, send)


def _vary_origin(response: Response) -> None:
    """Add ``Origin`` to ``Vary`` exactly as CORSMiddleware does for a request without one."""
    raw = response.raw_headers
    if all(key != b"vary" for key, _ in raw):
        raw.append((b"vary", b"Origin"))  # what MutableHeaders.__setitem__ does when absent
        return
    headers = response.headers
    headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])


class _CorsDispatch:
    """CORSMiddleware for requests with an ``Origin`` header; the pipeline adds the only header
    it gives the others (most non-browser clients)."""

    def __init__(self, specfake: Specfake, cors: dict[str, Any]) -> None:
        self._with_origin = CORSMiddleware(_PipelineEndpoint(specfake), **cors)
        self._without_origin = _PipelineEndpoint(specfake, vary_origin=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        for key, _ in scope["headers"]:
            if key == b"origin":
                await self._with_origin(scope, receive, send)
                return
        await self._without_origin(scope, receive, send)


class _SpecfakeStarlette(Starlette):
    """Starlette for the control API; requests for the served APIs skip its router.

    A path without ``/__specfake__`` can only end up at the router's default, the pipeline, so
    it goes there directly (through CORS, when on). That skips Starlette's error and exception
    middleware, which the pipeline never needs (it turns every failure into a problem response),
    and the route matching: about a sixth of the time a request took (bench/RESULTS.md).
    """

    def __init__(self, api: ASGIApp, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and CONTROL_PREFIX not in scope["path"]:
            scope["app"] = self
            await self._api(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


async def _control_http_error(request: Request, error: Exception) -> Response:
    """The control API's own 404/405 (unknown route, wrong method) as problem+json too."""
    assert isinstance(error, HTTPException)
    phrase = HTTPStatus(error.status_code).phrase
    problem = Problem(
        error.status_code,
        phrase.lower().replace(" ", "-"),
        phrase,
        f"{request.method} {request.url.path}: {error.detail}; see GET /__specfake__/.",
        headers=dict(error.headers or {}),
    )
    return render(problem_outcome(problem))


def create_app(config: ServerConfig) -> Starlette:
    """Build the ASGI app for ``config``; a bad spec or fixture raises ``SpecfakeError`` here."""
    from specfake.control import control_routes

    specfake = Specfake(config)
    pipeline = _PipelineEndpoint(specfake)
    api: ASGIApp = pipeline
    middleware = []
    if config.cors_origin_regex:
        cors: dict[str, Any] = {
            "allow_origin_regex": config.cors_origin_regex,
            "allow_methods": ["*"],
            "allow_headers": ["Authorization", "Content-Type", "Prefer", "Accept"],
            "expose_headers": ["WWW-Authenticate", "Allow", "Retry-After"],
            "allow_credentials": True,
            "max_age": 600,
        }
        middleware.append(Middleware(CORSMiddleware, **cors))
        api = _CorsDispatch(specfake, cors)
    app = _SpecfakeStarlette(
        api,
        routes=[Mount(CONTROL_PREFIX, routes=control_routes(specfake))],
        middleware=middleware,
        exception_handlers={HTTPException: _control_http_error},
    )
    # Everything the control routes don't claim goes to the pipeline, which answers 404/405
    # from the specs itself. (A catch-all `/{path:path}` route would miss paths holding a
    # decoded newline, and Starlette would answer those with a plain-text 404.)
    app.router.default = pipeline
    app.state.specfake = specfake
    return app
