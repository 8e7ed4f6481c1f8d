"""Performance benchmarks for infuse-calc: start-up, batch throughput and batch memory.

    python benchmarks/run.py              # the full run (1,000,000-row batch file)
    python benchmarks/run.py --rows 100000 --repeat 3   # a quick run

Each comparison runs its two sides alternately, several times, as separate processes, and
reports medians, so a machine that is busy for a moment slows both sides alike. Prints a
table of ratios against targets and exits 0 (the targets are reported, not enforced: timing
belongs in a benchmark, not in the test suite). Uses only the standard library and the
installed package.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (dose spelling, lowest, highest dose, concentrations): doses in clinical ranges, so pump
# rates are mostly plausible, as in real orders.
DRUGS: list[tuple[str, float, float, list[str]]] = [
    ("mcg/kg/min", 2, 20, ["400 mg/250 mL", "800 mg/250 mL"]),
    ("mcg/kg/minute", 0.02, 1, ["4 mg/250 mL"]),
    ("micrograms/kg/min", 5, 80, ["10 mg/mL"]),
    ("mcg/kg/h", 0.2, 1.5, ["200 mcg/50 mL"]),
    ("mg/kg/h", 0.1, 3, ["500 mg/250 mL"]),
    ("mg/h", 1, 20, ["100 mg/100 mL"]),
    ("mg/hr", 1, 10, ["250 mg/250 mL"]),
    ("mcg/min", 1, 50, ["4 mg/250 mL"]),
    ("ng/kg/min", 1, 40, ["1 mg/100 mL"]),
    ("units/kg/h", 10, 25, ["25000 units/250 mL"]),
    ("units/h", 0.5, 10, ["100 units/100 mL"]),
    ("milliunits/min", 1, 20, ["30 units in 500 mL"]),
    ("mmol/h", 1, 20, ["1 mmol/mL"]),
    ("mEq/h", 5, 20, ["40 mEq/100 mL"]),
    ("mL/h", 1, 200, ["10 mg/mL", "25000 units/250 mL"]),
]


def decimal_text(value: float, places: int) -> str:
    """A plain decimal without trailing zeros, as a person types it."""
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write a varied orders CSV: id, dose, weight, concentration."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("id,dose,weight,concentration\n")
        lines: list[str] = []
        for number in range(rows):
            unit, low, high, concentrations = DRUGS[number % len(DRUGS)]
            dose = decimal_text(rng.uniform(low, high), rng.choice((0, 1, 2)))
            if dose in ("0", "0.0"):
                dose = decimal_text(high, 0)
            kg = rng.uniform(30, 120)
            style = rng.randrange(4)
            if style == 0:
                weight = decimal_text(kg, 0)
            elif style == 1:
                weight = f"{decimal_text(kg, 1)} kg"
            elif style == 2:
                weight = f"{decimal_text(kg / 0.45359237, 0)} lb"
            else:
                weight = decimal_text(kg, 1)
            lines.append(f"{number},{dose} {unit},{weight},{rng.choice(concentrations)}\n")
            if len(lines) >= 10_000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)


@dataclass
class Run:
    seconds: float
    max_rss_kb: int


def run(command: Sequence[str]) -> Run:
    """Run a command to completion; its wall time and peak resident memory."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    )
    assert process.stderr is not None
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {errors}")
    return Run(elapsed, int(usage.ru_maxrss))


def alternate(first: Sequence[str], second: Sequence[str], times: int) -> tuple[Run, Run]:
    """Run the two commands alternately ``times`` times each; the median run of each."""
    firsts: list[Run] = []
    seconds: list[Run] = []
    run(first)  # warm the file cache and .pyc files; not counted
    run(second)
    for _ in range(times):
        firsts.append(run(first))
        seconds.append(run(second))
    return _median(firsts), _median(seconds)


def _median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.seconds for r in runs),
        int(statistics.median(r.max_rss_kb for r in runs)),
    )


def script() -> list[str]:
    """The installed console script (what users run), else ``python -m infuse_calc``."""
    found = shutil.which("infuse-calc", path=os.path.dirname(sys.executable))
    return [found] if found else [sys.executable, "-m", "infuse_calc"]


@dataclass
class Row:
    name: str
    ours: str
    floor: str
    ratio: float
    target: str
    met: bool


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the big file")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side for the batch")
    parser.add_argument("--startup-repeat", type=int, default=15, help="runs per side")
    args = parser.parse_args(argv)
    python = sys.executable
    cli = script()
    rows: list[Row] = []
    began = time.perf_counter()

    def compare(
        name: str,
        ours: Sequence[str],
        floor: Sequence[str],
        target: float,
        times: int,
    ) -> None:
        mine, base = alternate(ours, floor, times)
        ratio = mine.seconds / base.seconds
        rows.append(
            Row(
                name,
                f"{mine.seconds * 1000:.0f} ms",
                f"{base.seconds * 1000:.0f} ms",
                ratio,
                f"<= {target}x",
                ratio <= target,
            )
        )

    convert = [*cli, "convert", "7", "mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--format", "json"]
    compare(
        "start-up: convert --format json vs import pint, click",
        convert,
        [python, "-c", "import pint, click"],
        1.3,
        args.startup_repeat,
    )
    click_floor = [python, "-c", "import click"]
    compare(
        "start-up: --help vs import click", [*cli, "--help"], click_floor, 1.5, args.startup_repeat
    )
    compare(
        "start-up: --version vs import click",
        [*cli, "--version"],
        click_floor,
        1.5,
        args.startup_repeat,
    )

    with tempfile.TemporaryDirectory(prefix="infuse-calc-bench-") as tmp:
        directory = Path(tmp)
        big = directory / "orders-big.csv"
        small = directory / "orders-small.csv"
        small_rows = max(args.rows // 10, 1)
        generate(big, args.rows)
        generate(small, small_rows)
        batch_big = [*cli, "batch", str(big), "-o", str(directory / "ours.csv")]
        baseline = [python, str(HERE / "baseline.py"), str(big), str(directory / "base.csv")]
        mine, base = alternate(batch_big, baseline, args.repeat)
        ours_rate = args.rows / mine.seconds
        base_rate = args.rows / base.seconds
        share = ours_rate / base_rate
        rows.append(
            Row(
                f"batch throughput, {args.rows:,} rows (rows/s) vs plain-Python floor",
                f"{ours_rate:,.0f}/s",
                f"{base_rate:,.0f}/s",
                share,
                ">= 0.33x",
                share >= 1 / 3,
            )
        )
        batch_small = [*cli, "batch", str(small), "-o", str(directory / "small.csv")]
        small_runs = [run(batch_small) for _ in range(max(args.repeat, 2))]
        small_rss = _median(small_runs).max_rss_kb
        memory = mine.max_rss_kb / small_rss
        rows.append(
            Row(
                f"batch peak RSS, {args.rows:,} vs {small_rows:,} rows",
                f"{mine.max_rss_kb / 1024:.1f} MB",
                f"{small_rss / 1024:.1f} MB",
                memory,
                "<= 1.2x",
                memory <= 1.2,
            )
        )

    print_table(rows, time.perf_counter() - began)
    return 0


def print_table(rows: list[Row], elapsed: float) -> None:
    headers = ("measure", "infuse-calc", "reference", "ratio", "target", "met")
    cells = [
        (r.name, r.ours, r.floor, f"{r.ratio:.2f}x", r.target, "yes" if r.met else "NO")
        for r in rows
    ]
    widths = [max(len(str(c[i])) for c in [headers, *cells]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(v).ljust(widths[i]) for i, v in enumerate(cells)) + " |"

    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for c in cells:
        print(line(c))
    cores = os.cpu_count()
    print(f"\n{cores} CPU cores, Python {sys.version.split()[0]}, {elapsed:.0f} s in all")


if __name__ == "__main__":
    sys.exit(main())
