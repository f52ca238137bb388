"""The wheel carries the bundled specs and fixtures and the dashboard's files, and the public
API is what __all__ says."""

import subprocess
import sys
import zipfile
from pathlib import Path

import specfake
from specfake.control.dashboard import STATIC_DIR
from tests.conftest import FIXTURES, SPECS


def test_public_api():
    assert specfake.__all__ == [
        "FieldError", "Problem", "ServerConfig", "Specfake", "SpecfakeError", "create_app",
    ]  # fmt: skip
    assert all(hasattr(specfake, name) for name in specfake.__all__)


def test_wheel_ships_the_bundled_specs_fixtures_and_dashboard(tmp_path: Path):
    root = SPECS.parent
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(root)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("specfake-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"specfake/_bundled/specs/{p.name}" for p in SPECS.glob("*.openapi.yaml")}
    contracts = (SPECS / "contract").glob("*.openapi.yaml")
    expected |= {f"specfake/_bundled/specs/contract/{p.name}" for p in contracts}
    expected |= {f"specfake/_bundled/fixtures/{p.name}" for p in FIXTURES.glob("*.yaml")}
    expected |= {f"specfake/control/static/{p.name}" for p in STATIC_DIR.iterdir()}
    assert {"index.html", "dashboard.js", "dashboard.css"} <= {p.name for p in STATIC_DIR.iterdir()}
    assert expected <= names, sorted(expected - names)
    assert "specfake/py.typed" in names
