"""``specfake import-docs``: documentation pages (+ overlays) → a committed OpenAPI file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from specfake.errors import SpecfakeError
from specfake.importer import import_docs, regenerate, render_yaml


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "import-docs",
        help="generate an OpenAPI spec from documentation pages",
        description=(
            "Assemble PAGEs into one OpenAPI 3.1 document, apply each --overlay in order, "
            "write --out. Or regenerate every spec listed in a --manifest."
        ),
    )
    parser.add_argument("pages", nargs="*", type=Path, metavar="PAGE")
    parser.add_argument("--out", type=Path, help="where to write the spec (.openapi.yaml)")
    parser.add_argument(
        "--overlay",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="an OpenAPI Overlay 1.0 file to apply; repeatable, applied in order",
    )
    parser.add_argument("--title", help="info.title when no page has one (default: from --out)")
    parser.add_argument(
        "--manifest",
        type=Path,
        metavar="FILE",
        help="regenerate every spec listed in this manifest (specs/manifest.yaml)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="with --manifest: write nothing, exit 1 if a committed spec differs",
    )
    parser.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    if arguments.manifest:
        if arguments.pages or arguments.out:
            raise SpecfakeError("import-docs: give either --manifest or PAGEs with --out, not both")
        return _run_manifest(arguments.manifest, check=arguments.check)
    if not arguments.pages or not arguments.out:
        raise SpecfakeError("import-docs: give PAGE ... and --out FILE (or --manifest FILE)")
    title = arguments.title or arguments.out.name.split(".")[0]
    arguments.out.write_text(render_yaml(import_docs(arguments.pages, arguments.overlay, title)))
    print(f"wrote {arguments.out}", file=sys.stderr)
    return 0


def _run_manifest(manifest: Path, check: bool) -> int:
    stale = []
    for out, text in regenerate(manifest).items():
        current = out.read_text(encoding="utf-8") if out.exists() else None
        if current == text:
            continue
        if check:
            stale.append(out)
            print(
                f"{out} differs from its sources; run: specfake import-docs --manifest {manifest}",
                file=sys.stderr,
            )
            if current is not None:
                print(_what_it_would_break(out, current, text), file=sys.stderr)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            print(f"wrote {out}", file=sys.stderr)
    return 1 if stale else 0


def _what_it_would_break(out: Path, committed: str, regenerated: str) -> str:
    """The breaking changes regenerating ``out`` would make for clients of the committed one."""
    from specfake.diff import diff_specs
    from specfake.spec import load_spec

    changes = diff_specs(load_spec(out, committed), load_spec(out, regenerated))
    breaking = [change for change in changes if change.breaking]
    if not breaking:
        return f"  regenerating it breaks no client ({len(changes)} non-breaking change(s))"
    lines = [f"  regenerating it would break clients ({len(breaking)} change(s)):"]
    lines += [f"    {c.operation}: {c.message} ({c.rule} at {c.pointer})" for c in breaking]
    return "\n".join(lines)
