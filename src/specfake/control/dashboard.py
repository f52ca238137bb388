"""The dashboard: ``GET /__specfake__/`` and its static files (HTML, CSS and plain JavaScript
modules shipped in the package, no build step), and ``GET /__specfake__/operations``, what it
lists as served.

The page holds no data of its own: it reads the control API (the journal live from
``/__specfake__/events``) and writes through it like any script, so whatever it shows a test
can read too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.responses import FileResponse
from starlette.staticfiles import StaticFiles

from specfake.pipeline.overrides import example_names

if TYPE_CHECKING:
    from specfake.world import World

STATIC_DIR = Path(__file__).parent / "static"
# Asked again on every load: a new specfake version must not meet an old page in the cache.
_NO_CACHE = {"Cache-Control": "no-cache"}


def dashboard_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", headers=_NO_CACHE)


class DashboardFiles(StaticFiles):
    """The page's CSS and scripts, revalidated on every load like the page."""

    def __init__(self) -> None:
        super().__init__(directory=STATIC_DIR)

    def file_response(self, *arguments: Any, **keywords: Any) -> Any:
        response = super().file_response(*arguments, **keywords)
        response.headers.update(_NO_CACHE)
        return response


def served_operations(world: World, reload_error: str | None) -> dict[str, Any]:
    """What is served and by what, each operation's documented statuses and their named
    examples (the override form offers them), and the last watched edit that broke."""
    return {
        "specs": [spec.name for spec in world.specs],
        "operations": [
            {
                "spec": operation.spec_name,
                "method": operation.method,
                "path": operation.path_template,
                "operationId": operation.operation_id,
                "answered_by": world.answered_by(operation),
                "auth": operation.requires_auth,
                "responses": {
                    code: sorted(example_names(operation, code))
                    for code in sorted(operation.responses)
                },
            }
            for operation in world.operations
        ],
        "reload_error": reload_error,
    }
