"""Write the bench-only fixtures directory: the bundled fixtures plus many generated drafts.

The valid-PATCH scenario needs far more drafts than wrk has connections, so that each
connection edits a draft nobody else is editing (``lua/valid_patch.lua`` hands them out).
Generated, not committed: ``bench/run`` calls this before starting specfake.

    python bench/fixtures.py OUT_DIR [--drafts N]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "fixtures"
DRAFT_PREFIX = "bench-draft-"  # lua/valid_patch.lua builds the same ids
DEFAULT_DRAFTS = 400


def draft_id(number: int) -> str:
    return f"{DRAFT_PREFIX}{number:06d}"


def bench_draft(number: int) -> dict[str, Any]:
    """A draft shaped like the docs' example row, at version 1."""
    return {
        "id": draft_id(number),
        "versionId": 1,
        "status": "draft",
        "title": f"Bench pathway {number}",
        "description": "Generated for bench/run: edited over and over by the valid-PATCH scenario.",
        "decisionTree": {
            "root": "age-check",
            "nodes": {
                "age-check": {
                    "question": "Is the patient 18 or older?",
                    "whenYes": "approve",
                    "whenNo": "review",
                },
                "approve": {"outcome": "covered"},
                "review": {"outcome": "manual-review"},
            },
        },
        "lastUpdated": "2026-05-13T14:00:00.000Z",
        "publishedAt": None,
        "publishedVersions": [],
    }


def write_fixtures(out: Path, drafts: int) -> None:
    """``out`` = every bundled fixture file, with ``drafts`` generated drafts added to pathways."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for path in sorted(BUNDLED.glob("*.yaml")):
        if path.name != "pathways.yaml":
            shutil.copy(path, out / path.name)
    pathways = yaml.safe_load((BUNDLED / "pathways.yaml").read_text(encoding="utf-8"))
    pathways["pathways"].extend(bench_draft(number) for number in range(drafts))
    text = yaml.dump(pathways, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True,
                     width=120)  # libyaml's: 4,000 drafts in well under a second
    (out / "pathways.yaml").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--drafts", type=int, default=DEFAULT_DRAFTS)
    arguments = parser.parse_args()
    write_fixtures(arguments.out, arguments.drafts)


if __name__ == "__main__":
    main()
