"""Start-up stays light: which heavy modules each kind of invocation imports (no timings).

Each case runs in a fresh interpreter, since this test process has long since imported
everything, and reports which of pint and rich ended up in ``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from infuse_calc.cli import cli

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, sys
from infuse_calc.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted({name.split(".")[0] for name in sys.modules} & {"pint", "rich"})
sys.stderr.write("\\nHEAVY=" + json.dumps(heavy) + "\\n")
"""


def heavy_modules(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "INFUSE_CALC_CONFIG": str(ROOT / "no-such-config.toml")},
    )
    marker = done.stderr.rsplit("HEAVY=", 1)
    assert len(marker) == 2, done.stderr
    found: list[str] = json.loads(marker[1])
    return found


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["-h"]])
def test_help_and_version_import_neither_pint_nor_rich(args: list[str]) -> None:
    assert heavy_modules(*args) == []


def test_convert_json_does_not_import_rich() -> None:
    # pint does the arithmetic; rich only draws tables, and JSON is not a table
    found = heavy_modules(
        "convert", "7", "mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--format", "json"
    )
    assert found == ["pint"]


def test_batch_without_a_terminal_does_not_import_rich() -> None:
    # the progress bar (rich) is drawn only when stderr is a terminal
    found = heavy_modules("batch", str(ROOT / "examples" / "orders.csv"), "--format", "jsonl")
    assert found == ["pint"]


def test_the_probe_can_see_an_import() -> None:
    # a table is drawn with rich: the probe must report it, or the tests above prove nothing
    found = heavy_modules("convert", "7", "mcg/kg/min", "-w", "72", "--format", "table")
    assert found == ["pint", "rich"]


# --- piped output never draws, so never imports rich ------------------------------------------

EXAMPLES = ROOT / "examples"
# One run of each command that writes a view; every one goes through the same emit().
PIPED_RUNS = {
    "convert": ["convert", "7", "mcg/kg/min", "-w", "72", "-c", "10 mg/mL"],
    "titrate": [
        "titrate",
        "--from",
        "2",
        "--to",
        "4",
        "--step",
        "1",
        "--unit",
        "mcg/kg/min",
        "-w",
        "72",
    ],
    "chart": [
        "chart",
        "--doses",
        "1,2",
        "--unit",
        "mcg/kg/min",
        "--weights",
        "50,60",
        "-c",
        "4 mg/250 mL",
    ],
    "schedule": ["schedule", str(EXAMPLES / "ketamine-case.toml")],
    "check": ["check", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "3 mL/h"],
    "concentration": ["concentration", "4 mg", "250 mL"],
    "config show": ["config", "show"],
}


@pytest.mark.parametrize("command", list(PIPED_RUNS))
def test_the_piped_runs_work(command: str) -> None:
    # a run that stopped at a usage error would prove nothing about rendering
    result = CliRunner().invoke(cli, [*PIPED_RUNS[command], "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") >= 2, result.stdout  # a header and a row at least


@pytest.mark.parametrize("fmt", [None, "plain", "csv", "json"], ids=lambda f: f or "default")
@pytest.mark.parametrize("command", list(PIPED_RUNS))
def test_piped_output_does_not_import_rich(command: str, fmt: str | None) -> None:
    # the probe's stdout is a pipe: the default format is plain text, and no table is drawn
    args = PIPED_RUNS[command] + ([] if fmt is None else ["--format", fmt])
    assert "rich" not in heavy_modules(*args)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_piped_batch_does_not_import_rich(fmt: str) -> None:
    assert "rich" not in heavy_modules("batch", str(EXAMPLES / "orders.csv"), "--format", fmt)


def test_a_piped_run_that_fails_does_not_import_rich() -> None:
    # errors are click's one line; nothing is drawn
    assert "rich" not in heavy_modules("convert", "7", "mcg/kg/min", "-w", "0")
