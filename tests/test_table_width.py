"""No figure ever wraps: every table command drawn by rich at 60, 80 and 100 columns.

The plain output of a command holds every figure and heading word on one line; the same
command drawn as a table at a terminal width must hold each of them intact on one line too
(never ``1,036.`` / ``8``, ``mcg/mi`` / ``n``, ``110 lb = 49.895`` / ``kg``), and no line
may be wider than the terminal (rich would crop it). ``batch`` has no table format.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from infuse_calc.cli import cli
from infuse_calc.formats.layout import chunks, plan_columns, wrap

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (60, 80, 100)

CASES: dict[str, list[str]] = {
    "convert": ["convert", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL"],
    "convert-reverse": ["convert", "3 mL/h", "-w", "154 lb", "-c", "500 mg in 50 mL"],
    "convert-drug": ["convert", "0.1 units/kg/h", "-w", "80", "--drug", "insulin"],
    "titrate": [
        "titrate",
        "--from",
        "2 mcg/kg/min",
        "--to",
        "10 mcg/kg/min",
        "--step",
        "4",
        "-w",
        "72",
        "-c",
        "10 mg/mL",
        "--every",
        "30min",
    ],
    "titrate-rate": [
        *("titrate", "--by-rate", "--from", "1 mL/h", "--to", "5 mL/h"),
        *("-w", "72", "-c", "10 mg/mL"),
    ],
    "chart": [
        "chart",
        "--doses",
        "2,4,7,8,10",
        "--unit",
        "mcg/kg/min",
        "--weights",
        "110 lb,80 kg,1200 g",
        "-c",
        "10 mg/mL",
    ],
    "schedule": ["schedule", str(ROOT / "examples" / "ketamine-case.toml"), "--no-chart"],
    "check": ["check", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--pump", "30.2 mL/h"],
    "concentration": ["concentration", "4 mg", "250 mL"],
    "concentration-builder": [
        *("concentration", "--want", "0.1 mcg/kg/min", "--at", "1 mL/h"),
        *("-w", "3.2", "--volume", "50 mL"),
    ],
    "drugs-list": ["drugs", "list"],
    "drugs-show": ["drugs", "show", "norepinephrine"],
    "drugs-search": ["drugs", "search", "nor"],
    "practice-marks": [
        "practice",
        "--grade",
        str(ROOT / "examples" / "practice-answers.csv"),
        "--seed",
        "7",
        "--count",
        "4",
    ],
    "config-show": ["config", "show"],
}


def run(args: list[str], fmt: str, width: int, tmp_path: Path) -> str:
    env = {"COLUMNS": str(width), "INFUSE_CALC_CONFIG": str(tmp_path / "none.toml")}
    env.update({"INFUSE_CALC_LIBRARY": None, "NO_COLOR": "1"})  # type: ignore[dict-item]
    result = CliRunner().invoke(cli, [*args, "--format", fmt], env=env)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_no_figure_or_heading_is_split(name: str, width: int, tmp_path: Path) -> None:
    plain = run(CASES[name], "plain", width, tmp_path)
    table = run(CASES[name], "table", width, tmp_path)
    lines = table.splitlines()
    too_wide = [line for line in lines if len(line.rstrip()) > width]
    assert not too_wide, f"wider than {width} columns:\n" + "\n".join(too_wide)
    missing = sorted({token for token in plain.split() if not any(token in line for line in lines)})
    assert not missing, f"split or lost at {width} columns: {missing}\n{table}"


@pytest.mark.parametrize("width", WIDTHS)
def test_schedule_chart_is_drawn_to_fit(width: int, tmp_path: Path) -> None:
    """The dose chart under a schedule is redrawn with fewer columns to fit the terminal."""
    args = ["schedule", str(ROOT / "examples" / "ketamine-case.toml")]
    table = run(args, "table", width, tmp_path)
    assert max(len(line.rstrip()) for line in table.splitlines()) <= width
    bars = [line for line in table.splitlines() if line.startswith("0 +")]
    assert len(bars) == 1
    # "0 +" and the axis: 60 columns when the terminal has room, fewer when it has not
    assert len(bars[0]) == 3 + min(60, width - 1 - 2 - 5)


def test_the_issue_ladder_keeps_1036_8_whole_at_80_columns(tmp_path: Path) -> None:
    # 10 mcg/kg/min x 72 kg = 720 mcg/min = 43.2 mg/h = 1,036.8 mg/day
    table = run(CASES["titrate"], "table", 80, tmp_path)
    assert any(re.search(r"\b1,036\.8\b", line) for line in table.splitlines())
    assert "mcg/mi\n" not in table
    assert "1,036.\n" not in table


def test_chart_weight_stays_on_one_line_at_60_columns(tmp_path: Path) -> None:
    # 110 lb x 0.45359237 kg/lb = 49.8951607 kg, shown to 5 significant figures
    table = run(CASES["chart"], "table", 60, tmp_path)
    assert "110 lb = 49.895 kg" in table


# --- the layout rules themselves ----------------------------------------------------------


def test_chunks_keep_a_number_with_its_unit() -> None:
    assert chunks("delivers 6.9444 mcg/kg/min (-0.79%)") == [
        "delivers",
        "6.9444 mcg/kg/min",
        "(-0.79%)",
    ]
    assert chunks("4 mg/250 mL, 8 mg/250 mL") == ["4 mg/250 mL,", "8 mg/250 mL"]


def test_wrap_breaks_only_between_chunks() -> None:
    assert wrap("3 mL/h at 0.1 mL/h steps", 12) == ["3 mL/h at", "0.1 mL/h", "steps"]
    # a chunk longer than the width is kept whole (the column is never narrower)
    assert wrap("1,036.8 mg/day", 5) == ["1,036.8 mg/day"]


def test_columns_that_do_not_fit_are_folded_with_the_key_repeated() -> None:
    headers = ["Step", "Aaaaaaaaaa", "Bbbbbbbbbb", "Cccccccccc"]
    rows = [["1", "1", "2", "3"]]
    # 4 + 3 x 10 + 3 x 2 separators = 40 columns: one table at 40, two at 39
    assert [part.columns for part in plan_columns(headers, rows, set(), None, 1, 40)] == [
        [0, 1, 2, 3]
    ]
    parts = plan_columns(headers, rows, set(), None, 1, 39)
    assert [part.columns for part in parts] == [[0, 1, 2], [0, 3]]
    assert all(sum(p.widths) + 2 * (len(p.widths) - 1) <= 39 for p in parts)


def test_headings_wrap_between_words_before_columns_fold() -> None:
    headers = ["Step", "Pump rate\nmL/h"]
    rows = [["1", "0.864"]]
    # natural: 4 + 2 + 9 = 15; "Pump" / "rate" lets the column be 5 wide ("0.864")
    (part,) = plan_columns(headers, rows, {0, 1}, None, 1, 12)
    assert part.widths == [4, 5]
    # the cells never go under their width: 4 + 2 + 5 ("0.864") = 11 is the least
    (part,) = plan_columns(headers, rows, {0, 1}, None, 1, 11)
    assert part.widths == [4, 5]
