"""``create_app``: the served specs, their fakes and the control API as one ASGI app.

This module is the ASGI plumbing only: CORS, the split between the control API (Starlette's
router) and the served APIs (straight to the pipeline, :mod:`specfake.pipeline.run`), and the
lifespan. What is served lives in :mod:`specfake.world`, the running server in
:mod:`specfake.runtime`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from specfake.config import CONTROL_PREFIX, ServerConfig
from specfake.control import control_routes
from specfake.errors import control_route_error, store_unavailable
from specfake.guard import GuardPolicy, RequestGuard
from specfake.pipeline.outcome import problem_outcome
from specfake.pipeline.render import render
from specfake.pipeline.scope import RequestHeaders
from specfake.runtime import Specfake
from specfake.store import StoreUnavailable


class _ServedApis:
    """The pipeline as an ASGI app, behind CORSMiddleware when CORS is on (``cors``) and the
    request has an ``Origin``. Without one (most non-browser clients) the middleware would only
    add ``Vary: Origin``: :func:`vary_origin` adds it, without the middleware's per-message
    wrapper around ``send``."""

    def __init__(self, specfake: Specfake, cors: dict[str, Any] | None = None) -> None:
        self._specfake = specfake
        self._cors = CORSMiddleware(self._answer, **cors) if cors else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cors = self._cors
        if cors is not None and "origin" in RequestHeaders.of(scope):
            await cors(scope, receive, send)
            return
        response = await self._specfake.handle(scope, receive)
        if cors is not None:
            vary_origin(response)
        await response(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        """What CORSMiddleware wraps: the answer as it is."""
        response = await self._specfake.handle(scope, receive)
        await response(scope, receive, send)


def vary_origin(response: Response) -> None:
    """Add ``Origin`` to ``Vary`` exactly as CORSMiddleware does for a request without one."""
    raw = response.raw_headers
    for key, _ in raw:
        if key == b"vary":
            headers = response.headers
            headers["Vary"] = ", ".join([*headers.getlist("Vary"), "Origin"])
            return
    raw.append((b"vary", b"Origin"))  # what MutableHeaders.__setitem__ does when absent


class _SpecfakeStarlette(Starlette):
    """Starlette for the control API; requests for the served APIs skip its router.

    A path without ``/__specfake__`` can only end up at the router's default, the pipeline, so
    it goes there directly (through CORS, when on). That skips Starlette's error and exception
    middleware, which the pipeline never needs (it turns every failure into a problem response),
    and the route matching: about a sixth of the time a request took (bench/RESULTS.md).
    """

    def __init__(self, api: ASGIApp, guard: RequestGuard, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._api = api
        self._guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self._guard.refusal(scope)  # Host, Origin, control token
            if refusal is not None:
                await render(problem_outcome(refusal))(scope, receive, send)
                return
            if CONTROL_PREFIX not in scope["path"]:
                scope["app"] = self
                await self._api(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


async def _control_http_error(request: Request, error: Exception) -> Response:
    """The control API's own 404/405 (unknown route, wrong method) as problem+json too."""
    assert isinstance(error, HTTPException)
    problem = control_route_error(
        error.status_code,
        f"{request.method} {request.url.path}: {error.detail}; see GET {CONTROL_PREFIX}/.",
        dict(error.headers or {}),
    )
    return render(problem_outcome(problem))


async def _store_down(request: Request, error: Exception) -> Response:
    """A control route (reset, state) on a store that does not answer: 503, like a request."""
    return render(problem_outcome(store_unavailable(str(error))))


def create_app(config: ServerConfig) -> Starlette:
    """Build the ASGI app for ``config``; a bad spec or fixture raises ``SpecfakeError`` here.

    Run its lifespan (uvicorn does; in tests, ``app.router.lifespan_context(app)``): that is
    where the store opens and the fixtures load.
    """
    specfake = Specfake(config)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with specfake.lifespan():
            yield

    pipeline = _ServedApis(specfake)
    api: ASGIApp = pipeline
    middleware = []
    if config.cors_origin_regex:
        cors: dict[str, Any] = {
            "allow_origin_regex": config.cors_origin_regex,
            "allow_methods": ["*"],
            "allow_headers": ["Authorization", "Content-Type", "Prefer", "Accept"],
            "expose_headers": ["WWW-Authenticate", "Allow", "Retry-After", "Specfake-Warning"],
            "allow_credentials": True,
            "max_age": 600,
        }
        middleware.append(Middleware(CORSMiddleware, **cors))
        api = _ServedApis(specfake, cors)
    guard = RequestGuard(
        GuardPolicy(
            bound_host=config.host,
            allowed_hosts=config.allowed_hosts,
            origin_pattern=config.cors_origin_regex,
            control_token=config.control_token,
        )
    )
    app = _SpecfakeStarlette(
        api,
        guard,
        routes=[Mount(CONTROL_PREFIX, routes=control_routes(specfake))],
        middleware=middleware,
        exception_handlers={HTTPException: _control_http_error, StoreUnavailable: _store_down},
        lifespan=lifespan,
    )
    # Everything the control routes don't claim goes to the pipeline, which answers 404/405
    # from the specs itself. (A catch-all `/{path:path}` route would miss paths holding a
    # decoded newline, and Starlette would answer those with a plain-text 404.)
    app.router.default = pipeline
    app.state.specfake = specfake
    return app
