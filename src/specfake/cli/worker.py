"""What a worker process of ``serve --workers N`` runs.

uvicorn spawns each worker as a fresh interpreter and hands it import strings only, so the
app factory and the HTTP protocol are named here and read their settings from the
environment, where the supervisor put them (:func:`worker_environment`). Each worker then
builds its own world over the shared store.
"""

from __future__ import annotations

import base64
import functools
import os
import pickle
from dataclasses import dataclass

from starlette.applications import Starlette

from specfake.app import create_app
from specfake.cli.connections import GuardedHttpProtocol
from specfake.cli.garbage import collect_garbage_less_often
from specfake.cli.logs import configure_logging
from specfake.config import ConnectionLimits, ServerConfig

ENVIRONMENT = "SPECFAKE_WORKER_SETTINGS"
APP = "specfake.cli.worker:create_worker_app"
HTTP_PROTOCOL = "specfake.cli.worker:WorkerHttpProtocol"


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    config: ServerConfig
    limits: ConnectionLimits
    quiet: bool


def worker_environment(settings: WorkerSettings) -> dict[str, str]:
    """The environment variable that carries ``settings`` to the spawned workers (a pickle:
    written by this process for its own children, never read from elsewhere)."""
    return {ENVIRONMENT: base64.b64encode(pickle.dumps(settings)).decode("ascii")}


@functools.cache
def worker_settings() -> WorkerSettings:
    encoded = os.environ.get(ENVIRONMENT)
    if encoded is None:
        raise RuntimeError(f"{ENVIRONMENT} is not set: workers are started by specfake serve")
    return pickle.loads(base64.b64decode(encoded))


def create_worker_app() -> Starlette:
    """uvicorn's app factory in each worker."""
    settings = worker_settings()
    configure_logging(settings.quiet)
    collect_garbage_less_often()
    return create_app(settings.config)


class WorkerHttpProtocol(GuardedHttpProtocol):
    """The guarded protocol with the limits the supervisor was given."""

    @property
    def limits(self) -> ConnectionLimits:  # type: ignore[override]
        return worker_settings().limits
