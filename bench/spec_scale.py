"""Start-up time and memory as specs grow: generated specs of 20 and 200 operations
(bench/big_spec.py) and any spec given, each served by ``specfake serve``.

    python bench/spec_scale.py [SPEC ...] [--runs 3]

Per spec: the time from start to the first answer and the RSS then, with the spec-validation
cache warm (one start before the measured ones), and the RSS after every operation has been
answered once (its validators used). Medians of ``--runs`` starts. Targets (issue 15): a
20-operation spec within 1 s and 100 MB, a 200-operation, 1.5 MB one within 3 s and 300 MB.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from big_spec import generate  # noqa: E402
from corpus import first_answer, tree_rss_mb  # noqa: E402

from specfake.pytest_plugin import free_port, stop_process  # noqa: E402

SPECFAKE = BENCH.parent / ".venv" / "bin" / "specfake"


def every_operation(spec: Path) -> list[tuple[str, str]]:
    document = yaml.load(spec.read_text(), Loader=yaml.CSafeLoader)
    calls = []
    for path, item in document.get("paths", {}).items():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                concrete = path.replace("{", "").replace("}", "")
                calls.append((method.upper(), concrete))
    return calls


def one_start(spec: Path, exercise: bool) -> tuple[float, float, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(SPECFAKE), "serve", str(spec), "--port", str(port), "--quiet"]
    with tempfile.TemporaryFile() as log:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            seconds = first_answer(process, url, started)
            if seconds is None:
                log.seek(0)
                raise RuntimeError(log.read().decode()[-2000:])
            rss = tree_rss_mb(process.pid)
            after = rss
            if exercise:
                with httpx.Client(base_url=url, timeout=30) as client:
                    for method, path in every_operation(spec):
                        client.request(method, path, json={} if method != "GET" else None)
                after = tree_rss_mb(process.pid)
            return seconds, rss, after
        finally:
            stop_process(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="specfake-scale-"))
    specs = []
    for operations in (20, 200):
        path = work / f"generated-{operations}.openapi.yaml"
        path.write_text(yaml.safe_dump(generate(operations), sort_keys=False, width=100))
        specs.append(path)
    specs += [spec.resolve() for spec in arguments.specs]
    print("| spec | size | operations | start to first answer | RSS then | RSS after every "
          "operation once |\n|---|---|---|---|---|---|")  # fmt: skip
    for spec in specs:
        one_start(spec, exercise=False)  # warms the spec-validation cache
        runs = [one_start(spec, exercise=True) for _ in range(arguments.runs)]
        seconds, rss, after = (statistics.median(values) for values in zip(*runs, strict=True))
        size = spec.stat().st_size / 1024 / 1024
        print(f"| {spec.name} | {size:.2f} MB | {len(every_operation(spec))} | {seconds:.2f} s "
              f"| {rss:.0f} MB | {after:.0f} MB |", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
