"""``/__specfake__/`` routes (docs/interface.md, "Control API"): health, reset, state, journal
(and its live feed), specs, reload, warnings, overrides, faults, and the dashboard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from specfake.config import CONTROL_PREFIX
from specfake.control.dashboard import DashboardFiles, dashboard_page, served_operations
from specfake.control.entries import entry_detail
from specfake.control.events import EventStream
from specfake.errors import (
    Problem,
    SpecfakeError,
    not_found,
    reload_failed,
    too_many_event_streams,
    unsupported_media_type,
)
from specfake.feed import FeedFull
from specfake.har import har_log
from specfake.pipeline.body import is_json_media, media_type_of, parse_json, read_limited
from specfake.pipeline.outcome import problem_outcome
from specfake.pipeline.render import render

if TYPE_CHECKING:
    from specfake.runtime import Specfake


def problem_response(problem: Problem) -> Response:
    return render(problem_outcome(problem))


def control_routes(specfake: Specfake) -> list[BaseRoute]:
    """The control routes, bound to one running :class:`~specfake.runtime.Specfake`."""

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def reset(request: Request) -> Response:
        await specfake.reset()
        return Response(status_code=204)

    async def state(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse(await specfake.state())
        try:
            await specfake.replace_state(await _json_body(request, specfake.config.max_body * 64))
        except Problem as problem:
            return problem_response(problem)
        return Response(status_code=204)

    async def requests(request: Request) -> Response:
        if request.method == "DELETE":
            await specfake.clear_requests()
            specfake.feed.changed("requests")
            return Response(status_code=204)
        entries = await specfake.requests()
        if request.query_params.get("format") == "har":
            headers = {"Content-Disposition": 'attachment; filename="specfake.har"'}
            return JSONResponse(har_log(entries), headers=headers)
        return JSONResponse({"requests": [entry.to_json() for entry in entries]})

    async def spec(request: Request) -> Response:
        name = request.path_params["name"]
        specs = specfake.world.specs
        for loaded in specs:
            if loaded.name == name:
                return JSONResponse(loaded.document)
        known = ", ".join(f"{loaded.name}.json" for loaded in specs)
        return problem_response(not_found(f"No served spec is named {name!r}; served: {known}."))

    async def one_request(request: Request) -> Response:
        entry = specfake.journal.find(request.path_params["id"])
        if entry is None:
            return problem_response(not_found(
                f"No journal entry has id {request.path_params['id']}; it may have dropped off "
                f"the journal's end. See GET {CONTROL_PREFIX}/requests."))  # fmt: skip
        return JSONResponse(entry_detail(entry))

    async def events(request: Request) -> Response | ASGIApp:
        try:
            return EventStream(specfake.feed.subscribe())
        except FeedFull as full:
            return problem_response(too_many_event_streams(full.args[0]))

    async def dashboard(request: Request) -> Response:
        return dashboard_page()

    async def operations(request: Request) -> Response:
        return JSONResponse(served_operations(specfake.world, specfake.last_reload_error))

    async def reload(request: Request) -> Response:
        try:
            warnings = await specfake.reload()
        except SpecfakeError as error:
            return problem_response(reload_failed(error))
        headers = {"Specfake-Warning": f"{len(warnings)} state sections not kept; see GET "
                   f"{CONTROL_PREFIX}/warnings"} if warnings else None  # fmt: skip
        return Response(status_code=204, headers=headers)

    async def overrides(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse({"overrides": await specfake.overrides.listed()})
        if request.method == "DELETE":
            await specfake.overrides.delete()
            specfake.feed.changed("overrides")
            return Response(status_code=204)
        try:
            body = await _json_body(request, specfake.config.max_body)
            override = await specfake.overrides.add(body, list(specfake.world.operations))
        except Problem as problem:
            return problem_response(problem)
        specfake.feed.changed("overrides")
        return JSONResponse(override.to_json(), status_code=201)

    async def one_override(request: Request) -> Response:
        override_id = request.path_params["id"]
        if not await specfake.overrides.delete(override_id):
            return problem_response(not_found(f"No override has id {override_id!r}."))
        specfake.feed.changed("overrides")
        return Response(status_code=204)

    async def faults(request: Request) -> Response:
        if request.method == "PUT":
            try:
                body = await _json_body(request, specfake.config.max_body)
                specfake.faults = specfake.faults.updated(body)
            except Problem as problem:
                return problem_response(problem)
            specfake.feed.changed("faults")
        return JSONResponse(specfake.faults.to_json())

    async def warnings(request: Request) -> Response:
        return JSONResponse({"warnings": [warning.to_json() for warning in specfake.warnings()]})

    return [
        Route("/", dashboard, methods=["GET"]),
        Mount("/static", DashboardFiles(), name="static"),
        Route("/events", events, methods=["GET"]),
        Route("/operations", operations, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/reset", reset, methods=["POST"]),
        Route("/state", state, methods=["GET", "PUT"]),
        Route("/requests", requests, methods=["GET", "DELETE"]),
        Route("/requests/{id:int}", one_request, methods=["GET"]),
        Route("/specs/{name}.json", spec, methods=["GET"]),
        Route("/reload", reload, methods=["POST"]),
        Route("/warnings", warnings, methods=["GET"]),
        Route("/overrides", overrides, methods=["GET", "POST", "DELETE"]),
        Route("/overrides/{id}", one_override, methods=["DELETE"]),
        Route("/faults", faults, methods=["GET", "PUT"]),
    ]


async def _json_body(request: Request, limit: int) -> Any:
    """The request's JSON body, strictly parsed; 415 for another media type, 413 past ``limit``."""
    content_type = request.headers.get("content-type")
    if not is_json_media(media_type_of(content_type)):
        raise unsupported_media_type(content_type or "(none)", ["application/json"])
    return parse_json(await read_limited(request.stream(), limit))
