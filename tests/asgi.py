"""The app in process: its lifespan driven explicitly (``httpx.ASGITransport`` runs none),
then an ``httpx.AsyncClient`` talking to it without a socket."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette

from specfake import ServerConfig, create_app
from specfake.runtime import Specfake


@dataclass
class InProcess:
    client: httpx.AsyncClient
    app: Starlette

    @property
    def specfake(self) -> Specfake:
        return self.app.state.specfake


@contextlib.asynccontextmanager
async def in_process(config: ServerConfig) -> AsyncIterator[InProcess]:
    app = create_app(config)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        base_url = "http://127.0.0.1:4010"
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield InProcess(client, app)
