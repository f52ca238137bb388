"""Schemathesis's stateful phase against the resource fake, with links Schemathesis infers
from the specs: ``use_after_free`` (a deleted record must be gone) and
``ensure_resource_availability`` (a created one must be there) pass on the fake and fail on
a plain mock, which is the difference state makes.

The specs: the bookshop written for these tests, and two public specs with CRUD shapes copied
from the corpus (``corpus/``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import running_server

HERE = Path(__file__).parent
STATE_CHECKS = "not_a_server_error,response_schema_conformance,use_after_free," \
               "ensure_resource_availability"  # fmt: skip
# The bookshop documents its 400 and 422; the public specs do not, so the status and media
# type of specfake's answers to malformed requests are their defect, not checked there.
ALL_CHECKS = f"{STATE_CHECKS},status_code_conformance,content_type_conformance," \
             "response_headers_conformance"  # fmt: skip
SPECS = [
    (HERE / "bookshop.openapi.yaml", ALL_CHECKS),
    (HERE / "corpus/readme-3.0-petstore-expanded.yaml", STATE_CHECKS),
    (HERE / "corpus/oai-link-example.yaml", STATE_CHECKS),
]

pytestmark = pytest.mark.e2e


def stateful_phase(
    spec: Path, url: str, tmp_path: Path, checks: str
) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "run", str(spec), "--url", url,
        "--phases", "stateful", "--checks", checks, "--max-examples", "25",
        "--seed", "1", "--no-color",
    ]  # fmt: skip
    # From an empty directory: the project's schemathesis.toml tunes the seed APIs' runs.
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(("spec", "checks"), SPECS, ids=[spec.stem for spec, _ in SPECS])
def test_the_stateful_phase_passes_on_the_fake(spec, checks, tmp_path):
    with running_server(spec, "--no-watch") as url:
        result = stateful_phase(spec, url, tmp_path, checks)
    assert result.returncode == 0, result.stdout[-6000:]
    assert "covered" in result.stdout and " 0 covered" not in result.stdout, result.stdout[-3000:]


def test_a_plain_mock_fails_use_after_free(tmp_path):
    spec = HERE / "bookshop.openapi.yaml"
    with running_server(spec, "--no-watch", "--stateless") as url:
        result = stateful_phase(spec, url, tmp_path, STATE_CHECKS)
    assert result.returncode == 1
    assert "Deleted resource still available" in result.stdout, result.stdout[-3000:]
