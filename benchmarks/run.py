"""Performance benchmarks for infuse-calc: start-up, batch throughput and batch memory.

    python benchmarks/run.py              # the full run (1,000,000-row batch files)
    python benchmarks/run.py --rows 100000 --repeat 3   # a quick run
    python benchmarks/run.py --peer /path/to/drugdose   # also time the peer CLI

Each comparison runs its two sides alternately, several times, as separate processes, and
reports medians, so a machine that is busy for a moment slows both sides alike. Prints a
table of ratios against targets and exits 0 (the targets are reported, not enforced: timing
belongs in a benchmark, not in the test suite). Uses only the standard library and the
installed package.

Runs use a factor cache of their own (``INFUSE_CALC_CACHE_DIR`` in a temporary directory):
the first, uncounted, run of each command fills it, as a user's first run does, so the
counted runs are warm; "cold" rows point it at a file, so that no run can keep a factor.
"""

from __future__ import annotations

import argparse
import csv
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

Drug = tuple[str, float, float, list[str]]

# (dose spelling, lowest, highest dose, concentrations): doses in clinical ranges, so pump
# rates are mostly plausible, as in real orders; fewer than 1 row in 500 gets a warning.
DRUGS: list[Drug] = [
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

# Orders whose pump rate draws a warning at 0.1 mL/h steps: it rounds to 0, rounding
# changes the dose by more than 5%, or it is above 999 mL/h (a concentrate run neat, a
# tiny dose from a strong bag).
WARNING_DRUGS: list[Drug] = [
    ("mcg/kg/min", 0.01, 0.05, ["40 mg/mL"]),  # 0.0005-0.009 mL/h: rounds to 0
    ("mg/h", 0.2, 0.9, ["10 mg/mL"]),  # 0.02-0.09 mL/h: 0, or 0.1 (+11% and more)
    ("units/h", 0.1, 0.9, ["100 units/mL"]),  # 0.001-0.009 mL/h: rounds to 0
    ("mg/kg/h", 30, 40, ["1 mg/mL"]),  # 900-4,800 mL/h: mostly above 999
    ("mcg/kg/h", 0.1, 0.3, ["200 mcg/mL"]),  # 0.015-0.18 mL/h: 0, or far off
    ("mcg/min", 0.5, 1.5, ["1 mg/mL"]),  # 0.03-0.09 mL/h: 0, or 0.1 (+11% and more)
]

#: The warning orders whose warning comes from rounding, which finer steps take away.
ROUNDING_DRUGS = [drug for drug in WARNING_DRUGS if drug[0] != "mg/kg/h"]

#: The mixed file: the clean orders and the warning orders, in turn (6 in 21: ~29%).
MIXED: list[Drug] = [*DRUGS, *WARNING_DRUGS]


def decimal_text(value: float, places: int) -> str:
    """A plain decimal without trailing zeros, as a person types it."""
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def generate(path: Path, rows: int, seed: int = 7, drugs: Sequence[Drug] = DRUGS) -> None:
    """Write a varied orders CSV: id, dose, weight, concentration."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("id,dose,weight,concentration\n")
        lines: list[str] = []
        for number in range(rows):
            unit, low, high, concentrations = drugs[number % len(drugs)]
            value = rng.uniform(low, high)
            dose = decimal_text(value, rng.choice((0, 1, 2) if high >= 1 else (2, 3)))
            if float(dose) == 0:
                dose = decimal_text(high, 0 if high >= 1 else 2)
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


def environment(cache: Path) -> dict[str, str]:
    """The environment of every timed process: our factor cache, and .pyc files written
    and used as a user's installation does."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["INFUSE_CALC_CACHE_DIR"] = str(cache)
    return env


def run(command: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run a command to completion; its wall time and peak resident memory."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
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


def alternate(
    first: Sequence[str], second: Sequence[str], times: int, env: dict[str, str]
) -> tuple[Run, Run]:
    """Run the two commands alternately ``times`` times each; the median run of each."""
    firsts: list[Run] = []
    seconds: list[Run] = []
    run(first, env)  # warm the file cache, .pyc files and the factor cache; not counted
    run(second, env)
    for _ in range(times):
        firsts.append(run(first, env))
        seconds.append(run(second, env))
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


def peer_script(given: str | None) -> str | None:
    """The peer CLI (``drugdose`` from the package index, click + rich, no pint)."""
    if given:
        return given if os.path.exists(given) else shutil.which(given)
    return shutil.which("drugdose")


@dataclass
class Row:
    name: str
    ours: str
    floor: str
    ratio: float | None
    target: str
    met: bool | None


def warning_share(output: Path) -> float:
    """The share of rows of a batch output CSV that carry a warning."""
    # streamed: the benchmark process stays small, for a forked child's peak RSS starts
    # from the parent's size
    rows = warned = 0
    with output.open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            rows += 1
            warned += bool(row["warnings"])
    return warned / max(rows, 1)


class Bench:
    """The measures of one run, against their targets."""

    def __init__(self, args: argparse.Namespace, directory: Path) -> None:
        self.args = args
        self.directory = directory
        self.cli = script()
        self.python = sys.executable
        self.env = environment(directory / "factor-cache")
        self.rows: list[Row] = []

    def compare(
        self,
        name: str,
        ours: Sequence[str],
        floor: Sequence[str],
        target: float | None,
        env: dict[str, str] | None = None,
    ) -> tuple[Run, Run]:
        mine, base = alternate(ours, floor, self.args.startup_repeat, env or self.env)
        ratio = mine.seconds / base.seconds
        self.rows.append(
            Row(
                name,
                f"{mine.seconds * 1000:.0f} ms",
                f"{base.seconds * 1000:.0f} ms",
                ratio,
                "-" if target is None else f"<= {target}x",
                None if target is None else ratio <= target,
            )
        )
        return mine, base

    def startup(self) -> None:
        convert = [*self.cli, "convert", "7", "mcg/kg/min", "-w", "72", "-c", "10 mg/mL"]
        convert += ["--format", "json"]
        click_floor = [self.python, "-c", "import click"]
        self.compare(
            "start-up: convert --format json (warm) vs import click", convert, click_floor, 1.5
        )
        blocked = self.directory / "no-cache"
        blocked.write_text("a file: no factor can be kept", encoding="utf-8")
        self.compare(
            "start-up: convert, no factor cache (cold) vs import pint, click",
            convert,
            [self.python, "-c", "import pint, click"],
            None,
            environment(blocked),
        )
        self.compare("start-up: --help vs import click", [*self.cli, "--help"], click_floor, 1.2)
        self.compare(
            "start-up: --version vs import click", [*self.cli, "--version"], click_floor, 1.2
        )
        peer = peer_script(self.args.peer)
        if peer is None:
            self.rows.append(
                Row("peer: drugdose drip (not installed: --peer PATH)", "-", "-", None, "-", None)
            )
            return
        drip = [peer, "drip", "dopamine", "-w", "72", "-d", "7", "-u", "mcg/kg/min", "-c", "10"]
        self.compare("peer: convert --format json (warm) vs drugdose drip", convert, drip, None)

    def batch(self) -> None:
        rows = self.args.rows
        mixed = self.directory / "orders-mixed.csv"
        generate(mixed, rows, drugs=MIXED)
        ours_out = self.directory / "ours.csv"
        command = [*self.cli, "batch", str(mixed), "-o", str(ours_out)]
        baseline = [
            self.python,
            str(HERE / "baseline.py"),
            str(mixed),
            str(self.directory / "b.csv"),
        ]
        mine, base = alternate(command, baseline, self.args.repeat, self.env)
        share = warning_share(ours_out)
        ours_rate, base_rate = rows / mine.seconds, rows / base.seconds
        self.rows.append(
            Row(
                f"batch, {rows:,} rows ({share:.0%} warning rows) vs plain-Python floor",
                f"{ours_rate:,.0f}/s",
                f"{base_rate:,.0f}/s",
                ours_rate / base_rate,
                ">= 0.33x",
                ours_rate / base_rate >= 1 / 3,
            )
        )
        # the same file in one process: what the workers add, and the per-CPU comparison
        alone, floor = alternate([*command, "--jobs", "1"], baseline, self.args.repeat, self.env)
        alone_rate, floor_rate = rows / alone.seconds, rows / floor.seconds
        self.rows.append(
            Row(
                f"batch, {rows:,} rows, one process (--jobs 1) vs plain-Python floor",
                f"{alone_rate:,.0f}/s",
                f"{floor_rate:,.0f}/s",
                alone_rate / floor_rate,
                "-",
                None,
            )
        )
        self.warning_rows(max(rows // 5, 1000))
        small = self.directory / "orders-small.csv"
        small_rows = max(rows // 10, 1)
        generate(small, small_rows, drugs=MIXED)
        small_command = [*self.cli, "batch", str(small), "-o", str(self.directory / "s.csv")]
        small_rss = _median([run(small_command, self.env) for _ in range(self.args.repeat)])
        memory = mine.max_rss_kb / small_rss.max_rss_kb
        self.rows.append(
            Row(
                f"batch peak RSS, {rows:,} vs {small_rows:,} rows",
                f"{mine.max_rss_kb / 1024:.1f} MB",
                f"{small_rss.max_rss_kb / 1024:.1f} MB",
                memory,
                "<= 1.2x",
                memory <= 1.2,
            )
        )

    def warning_rows(self, rows: int) -> None:
        """A warning row's cost against a clean row's: the very same orders, at 0.1 mL/h
        pump steps (each pump rate rounds to 0 or by more than 5%: warned) and at 0.00001
        mL/h (none is: clean), less the cost of a one-row batch."""
        orders = self.directory / "orders-warned.csv"
        generate(orders, rows, drugs=ROUNDING_DRUGS)
        one = self.directory / "orders-one.csv"
        generate(one, 1, drugs=ROUNDING_DRUGS)

        def batch(path: Path, steps: str, name: str) -> list[str]:
            out = str(self.directory / f"{name}.out")
            return [*self.cli, "batch", str(path), "-o", out, "--pump-resolution", steps]

        warned, clean = alternate(
            batch(orders, "0.1", "warned"),
            batch(orders, "0.00001", "clean"),
            self.args.repeat,
            self.env,
        )
        start = _median([run(batch(one, "0.1", "one"), self.env) for _ in range(3)])
        warned_share = warning_share(self.directory / "warned.out")
        clean_share = warning_share(self.directory / "clean.out")
        clean_row = (clean.seconds - start.seconds) / rows
        warned_row = (warned.seconds - start.seconds) / rows
        self.rows.append(
            Row(
                f"batch: a warning row vs a clean row ({rows:,} orders at 0.1 / 0.00001 "
                f"mL/h steps: {warned_share:.0%} / {clean_share:.0%} warned)",
                f"{warned_row * 1e6:.1f} us",
                f"{clean_row * 1e6:.1f} us",
                warned_row / clean_row,
                "<= 1.3x",
                warned_row / clean_row <= 1.3,
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the big file")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side for the batch")
    parser.add_argument("--startup-repeat", type=int, default=15, help="runs per side")
    parser.add_argument("--peer", help="the peer CLI, drugdose (default: on the PATH)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="infuse-calc-bench-") as tmp:
        bench = Bench(args, Path(tmp))
        bench.startup()
        bench.batch()
    print_table(bench.rows, time.perf_counter() - began)
    return 0


def print_table(rows: list[Row], elapsed: float) -> None:
    headers = ("measure", "infuse-calc", "reference", "ratio", "target", "met")
    cells = [
        (
            r.name,
            r.ours,
            r.floor,
            "-" if r.ratio is None else f"{r.ratio:.2f}x",
            r.target,
            "-" if r.met is None else "yes" if r.met else "NO",
        )
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
