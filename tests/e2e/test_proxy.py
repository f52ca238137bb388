"""`specfake proxy` in front of a real server (here the fake itself, or a faulty fake)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import httpx

from tests.conftest import AUTH, DOCS_PATHWAY
from tests.servers import free_port, running_faulty_server, running_process, running_server

PATCH_URL = f"/v1/plan-definitions/{DOCS_PATHWAY}/draft"


@contextlib.contextmanager
def proxy(upstream: str, *options: str) -> Iterator[httpx.Client]:
    port = free_port()
    command = [sys.executable, "-m", "specfake", "proxy", "--upstream", upstream,
               "--port", str(port), "--quiet", *options]  # fmt: skip
    with running_process(command, port) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


def test_valid_traffic_passes_through_to_the_upstream():
    with running_server() as upstream, proxy(upstream) as client:
        response = client.patch(PATCH_URL, json={"expectedVersionId": 7}, headers=AUTH)
        assert response.status_code == 200
        assert response.json()["data"]["versionId"] == 8
        assert response.headers["specfake-violations"] == "0"
        again = client.patch(PATCH_URL, json={"expectedVersionId": 7}, headers=AUTH)
        assert again.status_code == 409  # the upstream's state, not the proxy's
        assert httpx.get(f"{upstream}/__specfake__/state").json()["pathways"][0]["versionId"] == 8


def test_upstream_auth_is_the_upstreams_business():
    with running_server() as upstream, proxy(upstream) as client:
        response = client.patch(PATCH_URL, json={"expectedVersionId": 7})
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_invalid_request_is_forwarded_and_reported_without_errors_flag():
    with running_server() as upstream, proxy(upstream) as client:
        response = client.patch(PATCH_URL, json={"title": 3}, headers=AUTH)
        assert response.status_code == 422  # the upstream's own answer
        assert response.headers["specfake-violations"] == "2"
        entry = client.get("/__specfake__/requests").json()["requests"][-1]
        assert {error["path"] for error in entry["errors"]} == {"/title", "/expectedVersionId"}


def test_errors_flag_refuses_invalid_requests_without_forwarding():
    with running_server() as upstream, proxy(upstream, "--errors") as client:
        httpx.delete(f"{upstream}/__specfake__/requests")
        response = client.patch(PATCH_URL, json={"title": 3}, headers=AUTH)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert httpx.get(f"{upstream}/__specfake__/requests").json()["requests"] == []


def test_a_response_that_breaks_the_spec_is_reported_or_refused():
    with running_faulty_server("drop-required-field") as upstream:
        with proxy(upstream) as client:
            response = client.patch(PATCH_URL, json={"expectedVersionId": 7}, headers=AUTH)
            assert response.status_code == 200
            assert response.headers["specfake-violations"] == "1"
            entry = client.get("/__specfake__/requests").json()["requests"][-1]
            assert entry["errors"][0]["path"] == "/message"
        with proxy(upstream, "--errors") as client:
            response = client.patch(PATCH_URL, json={"expectedVersionId": 8}, headers=AUTH)
            assert response.status_code == 502
            assert response.json()["errors"][0]["path"] == "/message"


def test_unreachable_upstream_is_a_502_problem():
    with proxy(f"http://127.0.0.1:{free_port()}") as client:
        response = client.patch(PATCH_URL, json={"expectedVersionId": 7}, headers=AUTH)
        assert response.status_code == 502
        assert "upstream" in response.json()["detail"]


def test_any_header_bytes_are_forwarded_not_a_500():
    with running_server() as upstream, proxy(upstream) as client:
        headers = {**AUTH, "X-Note": "caf\u00e9".encode()}  # raw UTF-8 bytes on the wire
        response = client.patch(PATCH_URL, json={"expectedVersionId": 7}, headers=headers)
        assert response.status_code == 200
