"""Shared fixtures: the bundled server as a real process, and spec/response checking."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from specfake.pipeline.outcome import Outcome
from specfake.pipeline.response_check import response_errors
from specfake.spec import CompiledOperation, compile_operations, load_spec
from tests.redis_server import running_redis
from tests.servers import running_server

pytest_plugins = ["pytester", "tests.store.implementations"]

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "specs"
FIXTURES = ROOT / "fixtures"
DOCS_PATHWAY = "a1b2c3d4-e5f6-4789-9abc-def012345678"
AUTH = {"Authorization": "Bearer dev"}


@pytest.fixture(scope="session")
def bundled_server() -> Iterator[str]:
    """``specfake serve`` on the bundled specs and fixtures, one process for the session."""
    with running_server() as base_url:
        yield base_url


@pytest.fixture
def server(bundled_server: str) -> Iterator[httpx.Client]:
    """An HTTP client for the bundled server, reset to the fixtures before each test."""
    with httpx.Client(base_url=bundled_server, timeout=10) as client:
        assert client.post("/__specfake__/reset").status_code == 204
        yield client


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server for the session; tests keep apart by key prefix or database."""
    with running_redis() as url:
        yield url


@pytest.fixture(scope="session")
def bundled_operations() -> dict[str, CompiledOperation]:
    return {
        operation.operation_id: operation
        for path in sorted(SPECS.glob("*.openapi.yaml"))
        for operation in compile_operations(load_spec(path))
    }


@pytest.fixture
def assert_conforms(bundled_operations: dict[str, CompiledOperation]):
    """Assert that an HTTP response matches what the spec documents for the operation."""

    def check(operation_id: str, response: httpx.Response) -> None:
        media_type = response.headers.get("content-type", "").split(";")[0]
        outcome = Outcome(
            response.status_code,
            response.json() if response.content else None,
            media_type,
            dict(response.headers),
        )
        errors = response_errors(bundled_operations[operation_id], outcome)
        assert not errors, f"{operation_id} {response.status_code} breaks the spec: {errors}"

    return check
