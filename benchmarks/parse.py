"""The cost of reading one cell text with the one input grammar, per distinct text.

Batch parses each distinct cell text once, so on a realistic file (tens of thousands of
distinct doses, thousands of distinct weights) the grammar's cost per text is part of the
cost per row. This times, over the distinct dose and weight texts of a mixed orders file:

* ``parse_dose(text, amounts=True)`` and ``parse_weight(text)`` (what convert calls);
* batch's cell readers (``batch.cells``), which call them and keep what a row needs;

each against a floor measured in the same round: ``float()`` of the number part of the same
texts (what a script that trusts its input would do). Rounds alternate the sides and the
medians are printed, so a machine busy for a moment slows both alike. Ratios only; the
absolute times are for the reader (timing never goes in the test suite).

    python benchmarks/parse.py                   # a generated 100,000-row mixed file
    python benchmarks/parse.py orders.csv --rounds 9

Uses only the public parsers and the cell readers, so the same script times another
checkout's installed package (run it with that environment's python) for a before/after.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from infuse_calc.batch import cells
from infuse_calc.quantities import parse_dose, parse_weight

HERE = Path(__file__).resolve().parent


def distinct(path: Path) -> tuple[list[str], list[str]]:
    """The distinct dose and weight texts of an orders file, in file order."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    doses = list(dict.fromkeys(row["dose"] for row in rows))
    weights = list(dict.fromkeys(row["weight"] for row in rows))
    return doses, weights


def generated(directory: Path, rows: int) -> Path:
    """benchmarks/run.py's mixed file (clean and warning orders)."""
    sys.path.insert(0, str(HERE))
    import run

    path = directory / "mixed.csv"
    run.generate(path, rows, drugs=run.MIXED)
    return path


def per_text(read: Callable[[str], object], texts: list[str]) -> float:
    """Microseconds per text of one pass of ``read`` over ``texts``."""
    start = time.perf_counter()
    for text in texts:
        read(text)
    return (time.perf_counter() - start) / len(texts) * 1e6


def floor(text: str) -> float:
    return float(text.partition(" ")[0])


def dose(text: str) -> object:
    return parse_dose(text, amounts=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("orders", nargs="?", type=Path, help="an orders CSV (dose, weight)")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of a generated file")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        path = args.orders or generated(Path(directory), args.rows)
        doses, weights = distinct(path)
    sides: dict[str, tuple[Callable[[str], object], list[str]]] = {
        "parse_dose": (dose, doses),
        "dose cell (batch)": (cells._dose_cell, doses),
        "parse_weight": (parse_weight, weights),
        "weight cell (batch)": (cells._weight_cell, weights),
    }
    for read, texts in sides.values():
        per_text(read, texts)  # warm: first-time imports and factors are not counted
    times: dict[str, list[float]] = {name: [] for name in sides}
    floors: dict[str, list[float]] = {"doses": [], "weights": []}
    for _ in range(args.rounds):
        floors["doses"].append(per_text(floor, doses))
        floors["weights"].append(per_text(floor, weights))
        for name, (read, texts) in sides.items():
            times[name].append(per_text(read, texts))
    print(f"{len(doses):,} distinct doses, {len(weights):,} distinct weights, {args.rounds} rounds")
    print(f"{'reader':<22}{'us/text':>9}{'x float()':>11}")
    for name, values in times.items():
        base = floors["doses" if "dose" in name else "weights"]
        ratios = [value / low for value, low in zip(values, base, strict=True)]
        print(f"{name:<22}{statistics.median(values):9.2f}{statistics.median(ratios):11.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
