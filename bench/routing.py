"""Routing cost as specs grow: the router's time for the first and the last path of generated
specs of 3, 200 and 650 operations (bench/big_spec.py), in process.

    python bench/routing.py

Each figure is the median of 5 timeit runs of 20,000 matches; the ratios are against the
3-operation spec in the same run. Routing cost should not grow with the operations.
"""

from __future__ import annotations

import statistics
import sys
import timeit
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from big_spec import generate  # noqa: E402

from specfake.pipeline.router import Router  # noqa: E402
from specfake.spec import compile_operations  # noqa: E402
from specfake.spec.loader import LoadedSpec  # noqa: E402

MATCHES = 20_000


def per_match_us(router: Router, method: str, path: str) -> float:
    runs = timeit.repeat(lambda: router.match(method, path), number=MATCHES, repeat=5)
    return statistics.median(runs) / MATCHES * 1e6


def scan_us(operations: list, method: str, path: str) -> float:
    """The router before the tree: every template's regex in turn (the baseline)."""
    ordered = sorted(operations, key=lambda op: (op.path_template.count("{"), op.path_template))

    def scan() -> None:
        for operation in ordered:
            if operation.path_regex.match(path) and operation.method == method:
                return

    runs = timeit.repeat(scan, number=MATCHES // 10, repeat=5)
    return statistics.median(runs) / (MATCHES // 10) * 1e6


def main() -> None:
    print("| operations | first path µs | last path µs | last / last at 3 ops | regex scan, "
          "last path µs (before) |\n|---|---|---|---|---|")  # fmt: skip
    baseline = None
    for operations in (3, 200, 650):
        document = generate(max(operations, 5))
        if operations == 3:  # one resource minus its list and delete: three operations
            paths = document["paths"]
            paths["/v1/resource0"].pop("get")
            paths["/v1/resource0/{id}"].pop("delete")
        spec = LoadedSpec("generated", Path("generated.yaml"), document)
        compiled = compile_operations(spec)
        router = Router(compiled)
        first, last = compiled[0], compiled[-1]
        concrete = last.path_template.replace("{id}", "3fa85f64-5717-4562-b3fc-2c963f66afa6")
        first_us = per_match_us(router, first.method, first.path_template)
        last_us = per_match_us(router, last.method, concrete)
        baseline = baseline or last_us
        scanned = scan_us(compiled, last.method, concrete)
        print(f"| {len(compiled)} | {first_us:.2f} | {last_us:.2f} | {last_us / baseline:.2f}x "
              f"| {scanned:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
