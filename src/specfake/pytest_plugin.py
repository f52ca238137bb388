"""The pytest plugin (entry point ``pytest11``, installed with the package).

Fixtures (docs/interface.md, "pytest plugin"):

* ``specfake_server`` (session): a real ``specfake serve`` on a free loopback port, stopped at
  the end of the session; ``.url``, ``.reset()``, ``.state()``, ``.put_state(dict)``,
  ``.requests()``.
* ``specfake`` (function): the same server, reset to its fixtures before the test.

Options: ``--specfake-spec PATH`` (repeatable) and ``--specfake-fixtures DIR``; without them,
the bundled specs and fixtures. Example::

    def test_stale_edit_is_refused(specfake):
        url = f"{specfake.url}/v1/plan-definitions/a1b2c3d4-e5f6-4789-9abc-def012345678/draft"
        stale = httpx.patch(url, json={"expectedVersionId": 6},
                            headers={"Authorization": "Bearer dev"})
        assert stale.status_code == 409
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

START_TIMEOUT = 30.0


class SpecfakeServer:
    """A running ``specfake serve`` and its control API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._control = httpx.Client(base_url=f"{url}/__specfake__", timeout=30)

    def reset(self) -> None:
        """Back to the fixtures."""
        self._control.post("/reset").raise_for_status()

    def state(self) -> dict[str, Any]:
        """The whole state, in the fixture format."""
        response = self._control.get("/state")
        response.raise_for_status()
        return response.json()

    def put_state(self, sections: dict[str, Any]) -> None:
        """Replace the sections ``sections`` names (422 problems raise ``HTTPStatusError``)."""
        self._control.put("/state", json=sections).raise_for_status()

    def requests(self) -> list[dict[str, Any]]:
        """The request journal, newest last."""
        response = self._control.get("/requests")
        response.raise_for_status()
        return response.json()["requests"]

    def close(self) -> None:
        self._control.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("specfake")
    group.addoption("--specfake-spec", action="append", default=[], metavar="PATH",
                    help="a spec for the specfake_server fixture (repeatable; default: bundled)")
    group.addoption("--specfake-fixtures", metavar="DIR",
                    help="fixtures for the specfake_server fixture (default: bundled)")  # fmt: skip


@pytest.fixture(scope="session")
def specfake_server(pytestconfig: pytest.Config) -> Iterator[SpecfakeServer]:
    """A real ``specfake serve`` on a free loopback port for the whole session."""
    specs = [str(Path(spec).resolve()) for spec in pytestconfig.getoption("specfake_spec")]
    fixtures = pytestconfig.getoption("specfake_fixtures")
    port = free_port()
    command = [sys.executable, "-m", "specfake", "serve", *specs, "--port", str(port),
               "--quiet", "--no-watch"]  # fmt: skip
    if fixtures:
        command += ["--fixtures", str(Path(fixtures).resolve())]
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(process, url, output)
            server = SpecfakeServer(url)
            yield server
            server.close()
        finally:
            stop_process(process)


@pytest.fixture
def specfake(specfake_server: SpecfakeServer) -> SpecfakeServer:
    """The session's server, reset to its fixtures before this test."""
    specfake_server.reset()
    return specfake_server


def stop_process(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it is still running after ``grace`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(
    process: subprocess.Popen[bytes], url: str, output: IO[bytes], timeout: float = START_TIMEOUT
) -> None:
    """Return once ``url``'s health check answers 200; a server that exits first, or is not
    healthy within ``timeout``, raises with its output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output.seek(0)
            raise RuntimeError(f"specfake serve exited with {process.returncode}:\n"
                               f"{output.read().decode(errors='replace')}")  # fmt: skip
        try:
            if httpx.get(f"{url}/__specfake__/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"specfake serve did not become healthy within {timeout:g} s")
