"""Weight-by-dose charts: exact cells, weight lists and ranges, the chart command, errors."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse_calc.chart import MAX_CHART_ROWS, build_chart, parse_weights
from infuse_calc.dosing import Measure
from infuse_calc.errors import IncompatibleError, InputError
from infuse_calc.quantities import parse_concentration, parse_rate_unit, parse_weight
from tests.conftest import check_golden

MCG_KG_MIN = parse_rate_unit("mcg/kg/min")[0]
NOREPI = ["--doses", "0.05,0.1,0.2,0.3", "--unit", "mcg/kg/min", "--weights", "40..90/5"]
NOREPI += ["-c", "4 mg/250 mL"]


def weights(text: str) -> list[Fraction]:
    return [w.kg for w in parse_weights(text, [])]


# --- weights --------------------------------------------------------------------------------


def test_weight_list_and_range() -> None:
    assert weights("50,60,70") == [50, 60, 70]
    # 40, 45, ... 90: eleven rows, 90 included because it is on the grid
    assert weights("40..90/5") == [Fraction(w) for w in range(40, 91, 5)]
    # 92 is not on the grid from 40 in 5s: the range stops at 90
    assert weights("40..92/5")[-1] == 90
    # decimal steps are exact: 0.5, 1, 1.5, 2
    assert weights("0.5..2/0.5") == [Fraction(1, 2), 1, Fraction(3, 2), 2]
    assert weights("3, 10..20/5") == [3, 10, 15, 20]


def test_weight_items_may_carry_a_unit() -> None:
    # 154 lb x 0.45359237 = 69.85322498 kg; 850 g = 0.85 kg
    assert weights("154 lb, 850 g") == [Fraction("69.85322498"), Fraction("0.85")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("40..", "needs a step"),
        ("40..90", "needs a step"),
        ("..90/5", "a number is missing"),
        ("40../5", "a number is missing"),
        ("90..40/5", "goes down"),
        ("40..90/0", "greater than zero"),
        ("a..b/1", "'a' is not a number"),
        ("40..90/x", "'x' is not a number"),
        ("40..50..60/5", "is not a range"),
        ("-5..10/1", "negative"),
        ("1,,2", "item 2 is empty"),
        (",70", "item 1 is empty"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("0..10/1", "must be greater than zero"),
        ("600..700/50", "is over 650 kg"),
        ("0.05", "is below 0.1 kg"),
        ("70 mg", "not a weight unit"),
        ("nan", "is not a number"),
        ("1..1000/1", "gives 1,000 rows; at most 200"),
        ("1e2", "'1e2': write the number in full, without exponents"),
        ("7.5.1", "'7.5.1' is not a number"),
    ],
)
def test_bad_weights(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_weights(text, [])


def test_decimal_comma_gives_two_visible_rows() -> None:
    # "7,5" meant as 7.5 kg is a list of 7 and 5 kg: two rows the reader sees, not a silent 75
    assert weights("7,5") == [7, 5]


def test_more_than_two_hundred_weights_from_a_list() -> None:
    text = ",".join(["70"] * (MAX_CHART_ROWS + 1))
    with pytest.raises(InputError, match="more than 200 weights"):
        parse_weights(text, [])
    assert len(weights(",".join(["70"] * MAX_CHART_ROWS))) == MAX_CHART_ROWS


# --- the grid -------------------------------------------------------------------------------


def test_worked_cells() -> None:
    # 4 mg/250 mL = 16 mcg/mL.
    # 0.1 mcg/kg/min x 70 kg x 60 min/h = 420 mcg/h; / 16 mcg/mL = 26.25 mL/h -> 26.3 (half up)
    # 0.05 mcg/kg/min x 40 kg x 60 = 120 mcg/h; / 16 = 7.5 mL/h
    # 0.3 mcg/kg/min x 90 kg x 60 = 1,620 mcg/h; / 16 = 101.25 mL/h -> 101.3
    grid = build_chart(
        [Fraction("0.05"), Fraction("0.1"), Fraction("0.3")],
        MCG_KG_MIN,
        [parse_weight("40"), parse_weight("70"), parse_weight("90")],
        parse_concentration("4 mg/250 mL"),
    )
    assert grid.concentration_per_ml == Measure(Fraction(16), "mcg/mL")
    assert grid.rows[1].cells[1].pump_rate == Measure(Fraction("26.25"), "mL/h")
    assert grid.rows[1].cells[1].pump_setting == Measure(Fraction("26.3"), "mL/h")
    assert grid.rows[0].cells[0].pump_rate == Measure(Fraction("7.5"), "mL/h")
    assert grid.rows[2].cells[2].pump_setting == Measure(Fraction("101.3"), "mL/h")
    # 101.25 mL/h x 24 h/day = 2,430 mL/day, over the 2,000 mL/day limit: the one flagged
    # cell (the next largest, 0.3 x 70 x 60 / 16 = 78.75 mL/h, is 1,890 mL/day)
    flagged = [(r, c) for r, row in enumerate(grid.rows) for c, cell in enumerate(row.cells)]
    assert [rc for rc in flagged if grid.rows[rc[0]].cells[rc[1]].flagged] == [(2, 2)]
    assert grid.warnings == (
        "90 kg at 0.3 mcg/kg/min: 2,430 mL/day from this one infusion is over 2,000 mL/day: "
        "count it in the fluid balance, or use a more concentrated solution",
    )


def test_low_rates_are_flagged() -> None:
    # 0.05 mcg/kg/min x 3 kg x 60 = 9 mcg/h; / 16 = 0.5625 mL/h -> 0.6, +6.67%: flagged
    # 0.1 mcg/kg/min x 3 kg: 1.125 -> 1.1, -2.2%: not flagged
    grid = build_chart(
        [Fraction("0.05"), Fraction("0.1")],
        MCG_KG_MIN,
        [parse_weight("3")],
        parse_concentration("4 mg/250 mL"),
    )
    assert [cell.flagged for cell in grid.rows[0].cells] == [True, False]
    assert len(grid.warnings) == 1
    assert grid.warnings[0].startswith("3 kg at 0.05 mcg/kg/min: rounding the pump rate")


def test_many_cell_warnings_are_summarised() -> None:
    # every cell of a 1..10 kg chart at 0.01 mcg/kg/min rounds by more than 5% or to 0
    grid = build_chart(
        [Fraction("0.01")],
        MCG_KG_MIN,
        [parse_weight(str(w)) for w in range(1, 11)],
        parse_concentration("4 mg/250 mL"),
    )
    assert len(grid.warnings) == 6
    assert grid.warnings[-1].startswith("... and ")


@pytest.mark.parametrize(
    ("doses", "unit", "conc", "message"),
    [
        (["1"], "mg/h", "4 mg/250 mL", "must be per kg"),
        (["1"], "mL/kg/h", "4 mg/250 mL", "not pump rates"),
        (["1"], "mcg/kg/min", None, "needs the concentration"),
        (["1", "1"], "mcg/kg/min", "4 mg/250 mL", "listed twice"),
        ([str(n) for n in range(1, 22)], "mcg/kg/min", "4 mg/250 mL", "at most 20 dose columns"),
        (["1"], "units/kg/h", "4 mg/250 mL", "same kind of amount"),
    ],
)
def test_charts_that_cannot_be_made(
    doses: list[str], unit: str, conc: str | None, message: str
) -> None:
    with pytest.raises(IncompatibleError, match=message):
        build_chart(
            [Fraction(d) for d in doses],
            parse_rate_unit(unit)[0],
            [parse_weight("70")],
            parse_concentration(conc) if conc else None,
        )


# --- the command ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "json"])
def test_norepinephrine_chart_golden(run: Any, fmt: str) -> None:
    result = run("chart", *NOREPI, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    # 0.3 mcg/kg/min x 75 kg x 60 / 16 mcg/mL = 84.375 mL/h, x 24 = 2,025 mL/day: from 75 kg
    # the top dose gives more than 2,000 mL/day of a 16 mcg/mL bag (70 kg: 1,890 mL/day)
    daily = [(kg, kg * 27) for kg in (75, 80, 85, 90)]  # 0.3 x 60 x 24 / 16 = 27 mL/day/kg
    assert result.stderr == "".join(
        f"Warning: {kg} kg at 0.3 mcg/kg/min: {volume:,} mL/day from this one infusion is over "
        "2,000 mL/day: count it in the fluid balance, or use a more concentrated solution\n"
        for kg, volume in daily
    )
    check_golden(f"chart-norepinephrine.{fmt}", result.stdout)


def test_plain_chart_shows_the_worked_cell_and_the_policy(run: Any) -> None:
    lines = run("chart", *NOREPI).stdout.splitlines()
    seventy = next(line for line in lines if line.lstrip().startswith("70 kg"))
    assert seventy.split() == ["70", "kg", "13.1", "26.3", "52.5", "78.8"]
    assert (
        "Pump rates in mL/h, rounded to 0.1 mL/h (the pump resolution), halves away from zero; "
        "exact values in --format json/csv." in lines
    )


def test_exact_cells(run: Any) -> None:
    lines = run("chart", *NOREPI, "--exact").stdout.splitlines()
    seventy = next(line for line in lines if line.lstrip().startswith("70 kg"))
    # 13.125, 26.25, 52.5, 78.75 mL/h, not rounded to the pump
    assert seventy.split() == ["70", "kg", "13.125", "26.25", "52.5", "78.75"]
    assert any("exact to 5 significant figures" in line for line in lines)


def test_csv_columns_are_named_by_dose(run: Any) -> None:
    result = run("chart", *NOREPI, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # each dose: the exact pump rate and the settable one (issue 16 item 4)
    assert list(rows[0]) == [
        "weight_value",
        "weight_unit",
        "weight_entered_value",
        "weight_entered_unit",
        "dose_0.05_mcg/kg/min_pump_rate_mL/h",
        "dose_0.05_mcg/kg/min_pump_rate_rounded_mL/h",
        "dose_0.1_mcg/kg/min_pump_rate_mL/h",
        "dose_0.1_mcg/kg/min_pump_rate_rounded_mL/h",
        "dose_0.2_mcg/kg/min_pump_rate_mL/h",
        "dose_0.2_mcg/kg/min_pump_rate_rounded_mL/h",
        "dose_0.3_mcg/kg/min_pump_rate_mL/h",
        "dose_0.3_mcg/kg/min_pump_rate_rounded_mL/h",
    ]
    assert len(rows) == 11
    seventy = rows[6]
    assert (seventy["weight_value"], seventy["weight_unit"]) == ("70.0", "kg")
    # 0.1 x 70 x 60 = 420 mcg/h; / 16 mcg/mL = 26.25 mL/h, set to 26.3 (halves away from 0)
    assert seventy["dose_0.1_mcg/kg/min_pump_rate_mL/h"] == "26.25"
    assert seventy["dose_0.1_mcg/kg/min_pump_rate_rounded_mL/h"] == "26.3"


def test_json_has_inputs_and_rows(run: Any) -> None:
    document = json.loads(run("chart", *NOREPI, "--format", "json").stdout)
    # 4 mg/250 mL = 0.016 mg/mL: machine output gives every mass concentration in mg/mL
    assert document["concentration"] == {"value": 0.016, "unit": "mg/mL"}
    assert document["pump_resolution"] == {"value": 0.1, "unit": "mL/h"}
    assert document["unit"] == "mcg/kg/min"
    assert document["cells_show"] == "pump_rate_rounded"
    assert len(document["rows"]) == 11
    cell = document["rows"][6]["cells"][1]
    assert cell["dose"] == {"value": 0.1, "unit": "mcg/kg/min"}
    assert cell["pump_rate"] == {"value": 26.25, "unit": "mL/h"}
    assert cell["pump_rate_rounded"] == {"value": 26.3, "unit": "mL/h"}


def test_flagged_cells_are_marked_and_warned(run: Any) -> None:
    result = run(
        "chart",
        "--doses",
        "0.05,0.1",
        "--unit",
        "mcg/kg/min",
        "--weights",
        "3,5",
        "-c",
        "4 mg/250 mL",
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[2].split() == ["3", "kg", "0.6*", "1.1"]
    assert lines[3].split() == ["5", "kg", "0.9", "1.9"]
    assert any(line.startswith("* Check this cell") for line in lines)
    assert "Warning: 3 kg at 0.05 mcg/kg/min" in result.stderr


def test_single_weight_and_full_doses(run: Any) -> None:
    # 18 units/kg/h x 80 kg = 1,440 units/h; / 100 units/mL = 14.4 mL/h
    result = run("chart", "--doses", "18 units/kg/h", "-w", "80", "-c", "25000 units/250 mL")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[2].split() == ["80", "kg", "14.4"]


def test_help_has_examples(run: Any) -> None:
    result = run("chart", "--help")
    assert result.exit_code == 0
    assert "infuse-calc chart --doses 0.05,0.1,0.2,0.3 --unit mcg/kg/min --weights 40..90/5" in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weights", "40..", "-c", "4 mg/250 mL"], "Invalid value for '--weights': '40..'"),
        (["--weights", "90..40/5", "-c", "4 mg/250 mL"], "goes down"),
        (["--weights", "40..90/0", "-c", "4 mg/250 mL"], "greater than zero"),
        (["--weights", "a..b/1", "-c", "4 mg/250 mL"], "'a' is not a number"),
        (["--weights", "1,,2", "-c", "4 mg/250 mL"], "item 2 is empty"),
        (["--weights", "1..1000/1", "-c", "4 mg/250 mL"], "at most 200"),
        (["--weights", "70"], "needs the concentration"),
        (["-c", "4 mg/250 mL"], "give the weight rows with --weights"),
        (["--weights", "70", "-w", "70", "-c", "4 mg/250 mL"], "either --weights"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run: Any, args: list[str], message: str) -> None:
    result = run("chart", "--doses", "0.1", "--unit", "mcg/kg/min", *args)
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ")
    assert message in lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["0.1,,0.2", "--unit", "mcg/kg/min"], "item 2 is empty"),
        (["0.1 mcg/kg/min,1 mg/kg/h"], "write every dose in the same unit"),
        (["0.1 mcg/kg/min", "--unit", "mg/kg/h"], "write every dose in the same unit"),
        (["0.1,0.1", "--unit", "mcg/kg/min"], "listed twice"),
        (["1 mg/h"], "must be per kg"),
        (["0", "--unit", "mcg/kg/min"], "greater than zero"),
        (["0.1"], "no dose unit"),
        (["0.1", "--unit", "mcg/kg/min/h"], "more than one time unit"),
        (["80 mcg/kg over 1 min"], "is not charted"),
        (["0.1", "--unit", "mcg/kg/min", "--max", "10 mg"], "--max caps a bolus"),
    ],
)
def test_bad_doses(run: Any, args: list[str], message: str) -> None:
    result = run("chart", "--weights", "70", "-c", "4 mg/mL", "--doses", *args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert message in result.stderr


# --- property: a chart cell is convert's pump rate -----------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    weight_tenths=st.lists(st.integers(5, 6500), min_size=1, max_size=3, unique=True),
    dose_hundredths=st.lists(st.integers(1, 5000), min_size=1, max_size=3, unique=True),
    conc=st.sampled_from(["4 mg/250 mL", "10 mg/mL", "400 mg in 250 mL", "1%"]),
)
def test_every_cell_is_converts_pump_rate(
    weight_tenths: list[int], dose_hundredths: list[int], conc: str
) -> None:
    from click.testing import CliRunner

    from infuse_calc.cli import cli
    from infuse_calc.notation import format_exact

    def run(*args: str) -> Any:
        return CliRunner().invoke(cli, list(args))

    weight_texts = [format_exact(Fraction(w, 10), separators=False) for w in weight_tenths]
    dose_texts = [format_exact(Fraction(d, 100), separators=False) for d in dose_hundredths]
    chart = run(
        "chart",
        "--doses",
        ",".join(dose_texts),
        "--unit",
        "mcg/kg/min",
        "--weights",
        ",".join(weight_texts),
        "-c",
        conc,
        "--format",
        "json",
    )
    assert chart.exit_code == 0, chart.stderr
    rows = json.loads(chart.stdout)["rows"]
    for weight, row in zip(weight_texts, rows, strict=True):
        for dose, cell in zip(dose_texts, row["cells"], strict=True):
            single = run(
                "convert", f"{dose} mcg/kg/min", "-w", weight, "-c", conc, "--format", "json"
            )
            document = json.loads(single.stdout)
            assert cell["pump_rate"] == document["pump_rate"]
            assert cell["pump_rate_rounded"] == document["pump_rate_rounded"]


def test_core_modules_import_neither_click_nor_rich_nor_pint() -> None:
    import subprocess
    import sys

    code = (
        "import sys, infuse_calc.titration, infuse_calc.chart; "
        "print(sorted(m for m in ('click', 'rich', 'pint') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
