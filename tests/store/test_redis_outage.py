"""A Redis that stops answering while the server runs: every request and control route is a
503 problem with ``Retry-After``, never a 500, and serving resumes when Redis is back."""

from __future__ import annotations

import asyncio
import subprocess

from specfake import ServerConfig
from tests.asgi import in_process
from tests.conftest import AUTH, DOCS_PATHWAY, FIXTURES, SPECS
from tests.redis_server import running_redis

DRAFT = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"


def test_requests_while_redis_is_paused_are_503_and_succeed_once_it_is_back():
    with running_redis() as url:
        port = url.rsplit(":", 1)[1]
        config = ServerConfig(
            specs=[SPECS / "plan-definitions.openapi.yaml"],
            fixtures=FIXTURES,
            store=f"{url}/0?prefix=outage:&socket_timeout=0.5",
        )

        async def scenario() -> list[tuple[int, str | None, str]]:
            async with in_process(config) as served:
                client = served.client
                seen = []
                pause = ["redis-cli", "-p", port, "client", "pause", "3000", "ALL"]
                subprocess.run(pause, check=True, capture_output=True)
                for response in (
                    await client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7}),
                    await client.get("/__specfake__/state"),
                ):
                    seen.append((response.status_code, response.headers.get("retry-after"),
                                 response.headers["content-type"]))  # fmt: skip
                await asyncio.sleep(3)
                after = await client.patch(DRAFT, headers=AUTH, json={"expectedVersionId": 7})
                seen.append((after.status_code, None, after.headers["content-type"]))
                return seen

        seen = asyncio.run(scenario())
    problem = "application/problem+json"
    assert seen == [(503, "1", problem), (503, "1", problem), (200, None, "application/json")]
