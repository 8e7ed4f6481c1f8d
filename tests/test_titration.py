"""Titration ladders: exact rungs, endpoints, clocks, the titrate command and its errors."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse_calc.dosing import Measure, calculate
from infuse_calc.errors import IncompatibleError, InputError
from infuse_calc.notation import format_exact
from infuse_calc.quantities import Dose, parse_concentration, parse_rate_unit, parse_weight
from infuse_calc.titration import (
    MAX_LADDER_ROWS,
    Amount,
    build_ladder,
    clock_text,
    common_unit,
    ladder_between,
    ladder_values,
    parse_amount,
    parse_clock,
    parse_interval,
    parse_list,
)
from tests.conftest import check_golden

MCG_KG_MIN = parse_rate_unit("mcg/kg/min")[0]
MG_H = parse_rate_unit("mg/h")[0]
ML_H = parse_rate_unit("mL/h")[0]
SEED = ["--from", "2 mcg/kg/min", "--to", "10 mcg/kg/min", "--step", "1", "-w", "72"]
SEED += ["-c", "10 mg/mL"]


def amount(text: str, what: str = "--from") -> Amount:
    return parse_amount(what, text, [])


# --- ladder values --------------------------------------------------------------------------


def test_decimal_steps_end_exactly_on_the_endpoint() -> None:
    # 0.1 + k x 0.1 for k = 0..9: 0.1, 0.2, ... 1 exactly, ten rows (repeated float adds
    # give 0.30000000000000004 and 0.9999999999999999, and would miss the endpoint).
    values = ladder_values(Fraction("0.1"), Fraction(1), Fraction("0.1"))
    assert values == [Fraction(k, 10) for k in range(1, 11)]
    assert len(values) == 10
    assert values[-1] == 1


def test_descending_ladder_steps_down_with_a_positive_step() -> None:
    # weaning 10 -> 2 by 1: 10, 9, ..., 2 (nine rows)
    assert ladder_values(Fraction(10), Fraction(2), Fraction(1)) == [
        Fraction(n) for n in range(10, 1, -1)
    ]


def test_unreachable_endpoint_stops_short_and_says_so() -> None:
    # 2 + k x 3 <= 10: 2, 5, 8; 11 would overshoot
    values, unit, notes = ladder_between(
        amount("2 mcg/kg/min"), amount("10", "--to"), amount("3", "--step")
    )
    assert values == [2, 5, 8]
    assert unit == MCG_KG_MIN
    assert len(notes) == 1
    assert "stops at 8 mcg/kg/min" in notes[0]


def test_reachable_endpoint_gives_no_note() -> None:
    values, _, notes = ladder_between(
        amount("2 mg/h"), amount("10 mg/h", "--to"), amount("0.5", "--step")
    )
    assert len(values) == 17  # (10 - 2) / 0.5 + 1
    assert values[-1] == 10
    assert notes == []


def test_row_limit_is_exactly_one_thousand() -> None:
    assert len(ladder_values(Fraction(1), Fraction(1000), Fraction(1))) == MAX_LADDER_ROWS
    with pytest.raises(InputError, match="gives 1,001 rows; at most 1,000"):
        ladder_values(Fraction(1), Fraction(1001), Fraction(1))


@pytest.mark.parametrize("step", [Fraction(0), Fraction(-1)])
def test_zero_or_negative_step_is_refused_by_the_core(step: Fraction) -> None:
    with pytest.raises(InputError, match="greater than zero"):
        ladder_values(Fraction(1), Fraction(2), step)


def test_from_equal_to_is_refused() -> None:
    with pytest.raises(IncompatibleError, match="nothing to titrate"):
        ladder_between(amount("5 mg/h"), amount("5", "--to"), amount("1", "--step"))


def test_mixed_units_are_refused() -> None:
    with pytest.raises(IncompatibleError, match="mg/kg/h but --from"):
        common_unit([amount("2 mcg/kg/min"), amount("1 mg/kg/h", "--to")], None)
    with pytest.raises(IncompatibleError, match="same unit"):
        common_unit([amount("2 mcg/kg/min")], MG_H)


def test_bare_numbers_take_the_unit_option_or_need_one() -> None:
    assert common_unit([amount("2"), amount("3", "--to")], MG_H) == MG_H
    assert common_unit([amount("2")], None, ML_H) == ML_H
    with pytest.raises(IncompatibleError, match="no dose unit"):
        common_unit([amount("2")], None)


def test_dose_list_bare_full_and_ranges() -> None:
    warnings: list[str] = []
    assert [a.value for a in parse_list("--doses", "2,4,7,8", warnings, 100)] == [2, 4, 7, 8]
    full = parse_list("--doses", "2 mcg/kg/min, 4 mcg/kg/min", warnings, 100)
    assert [(a.value, a.unit) for a in full] == [
        (Fraction(2), MCG_KG_MIN),
        (Fraction(4), MCG_KG_MIN),
    ]
    ranged = parse_list("--doses", "0.05..0.2/0.05", warnings, 100)
    assert [a.value for a in ranged] == [Fraction(k, 100) for k in (5, 10, 15, 20)]
    assert warnings == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,,2", "item 2 is empty"),
        ("1,2,", "item 3 is empty"),
        ("", "is empty"),
        ("abc", "expected a number"),
        ("1,-2", "negative"),
        ("0,1", "greater than zero"),
        ("1..5", "needs a step"),
        ("5..1/1", "goes down"),
        ("1..5/0", "greater than zero"),
        ("a..b/1", "'a' is not a number"),
        ("1..2..3/1", "is not a range"),
    ],
)
def test_bad_dose_lists(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_list("--doses", text, [], 100)


def test_list_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(InputError, match="more than 3 values"):
        parse_list("--doses", "1,2,3,4", [], 3)


# --- clock ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("30min", 30), ("30 min", 30), ("1h", 60), ("1.5 h", 90), ("2 hours", 120), ("1 day", 1440)],
)
def test_intervals(text: str, minutes: int) -> None:
    assert parse_interval(text) == minutes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("30", "give the unit"),
        ("0.5 min", "whole number of minutes"),
        ("30 mg", "not a time unit"),
        ("0 min", "greater than zero"),
        ("min", "expected a time"),
        ("30 min 5", "expected a time"),
    ],
)
def test_bad_intervals(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_interval(text)


def test_clock_parsing_and_days() -> None:
    assert parse_clock("0:00") == 0
    assert parse_clock("08:30") == 8 * 60 + 30
    assert parse_clock("23:59") == 23 * 60 + 59
    assert clock_text(23 * 60 + 30) == "23:30"
    assert clock_text(24 * 60 + 30) == "+1d 00:30"  # 24.5 h after midnight of day 0
    assert clock_text(2 * 24 * 60) == "+2d 00:00"
    for bad in ("24:00", "8", "8:5", "08:60", "-1:00", "8h30"):
        with pytest.raises(InputError, match="24-hour time"):
            parse_clock(bad)


# --- the ladder -----------------------------------------------------------------------------


def test_seed_ladder_rows() -> None:
    # 7 mcg/kg/min x 72 kg = 504 mcg/min = 30.24 mg/h; / 10 mg/mL = 3.024 mL/h (step 6 of 2..10)
    # 2 mcg/kg/min: 144 mcg/min = 8.64 mg/h -> 0.864 mL/h, set 0.9 mL/h
    ladder = build_ladder(
        [Fraction(n) for n in range(2, 11)],
        MCG_KG_MIN,
        parse_weight("72"),
        parse_concentration("10 mg/mL"),
    )
    assert len(ladder.rungs) == 9
    seventh = ladder.rungs[5]
    assert seventh.dose.value == 7
    assert seventh.calculation.pump_rate == Measure(Fraction("3.024"), "mL/h")
    assert seventh.calculation.per_minute == Measure(Fraction(504), "mcg/min")
    first = ladder.rungs[0].calculation
    assert first.pump_rate == Measure(Fraction("0.864"), "mL/h")
    assert first.pump is not None
    assert first.pump.rate == Measure(Fraction("0.9"), "mL/h")
    assert ladder.warnings == ()


def test_by_rate_ladder_gives_the_dose_each_rate_delivers() -> None:
    # 3 mL/h x 10 mg/mL = 30 mg/h = 30,000 mcg/h; / 72 kg / 60 = 125/18 = 6.9444 mcg/kg/min
    ladder = build_ladder(
        [Fraction(n) for n in range(1, 6)],
        ML_H,
        parse_weight("72"),
        parse_concentration("10 mg/mL"),
        by_rate=True,
    )
    third = ladder.rungs[2].calculation
    assert third.dose_rate == Measure(Fraction(125, 18), "mcg/kg/min")
    assert third.per_hour == Measure(Fraction(30), "mg/h")
    # without a weight the default is per minute, not per kg: 30,000 / 60 = 500 mcg/min
    plain = build_ladder([Fraction(3)], ML_H, None, parse_concentration("10 mg/mL"), by_rate=True)
    assert plain.rungs[0].calculation.dose_rate == Measure(Fraction(500), "mcg/min")


def test_by_rate_flags_rates_the_pump_cannot_be_set_to() -> None:
    # 1, 1.05, 1.1: only 1.05 is off the 0.1 mL/h grid
    ladder = build_ladder(
        [Fraction(1), Fraction("1.05"), Fraction("1.1")],
        ML_H,
        None,
        parse_concentration("10 mg/mL"),
        by_rate=True,
    )
    assert len(ladder.warnings) == 1
    assert "1 of 3 pump rates (first 1.05 mL/h)" in ladder.warnings[0]


@pytest.mark.parametrize(
    ("unit", "by_rate", "conc", "message"),
    [
        (MCG_KG_MIN, True, "10 mg/mL", "give them in mL/h"),
        (ML_H, False, "10 mg/mL", "add --by-rate"),
        (ML_H, True, None, "only with a concentration"),
    ],
)
def test_ladder_mode_mismatches(unit: Any, by_rate: bool, conc: str | None, message: str) -> None:
    concentration = parse_concentration(conc) if conc else None
    with pytest.raises(IncompatibleError, match=message):
        build_ladder(
            [Fraction(1), Fraction(2)], unit, parse_weight("72"), concentration, by_rate=by_rate
        )


def test_timed_ladder_crosses_midnight() -> None:
    # start 23:30, every 30 min: 23:30, 00:00 next day, 00:30 next day
    ladder = build_ladder(
        [Fraction(3), Fraction(2), Fraction(1)],
        MG_H,
        every_minutes=Fraction(30),
        start_minutes=23 * 60 + 30,
    )
    assert [r.clock for r in ladder.rungs] == ["23:30", "+1d 00:00", "+1d 00:30"]
    assert [r.elapsed_minutes for r in ladder.rungs] == [0, 30, 60]


@settings(max_examples=80, deadline=None)
@given(
    start=st.integers(1, 2000),
    step=st.integers(1, 500),
    count=st.integers(2, 12),
    down=st.booleans(),
    weight=st.integers(5, 6500),
    conc=st.sampled_from(["10 mg/mL", "4 mg/250 mL", "500 mg in 50 mL", "1%"]),
)
def test_every_rung_is_calculate_for_its_dose(
    start: int, step: int, count: int, down: bool, weight: int, conc: str
) -> None:
    # values in hundredths of a mcg/kg/min; weights in tenths of a kg
    first = Fraction(start, 100)
    size = Fraction(step, 100)
    span = (count - 1) * size
    last = first - span if down and first - span > 0 else first + span
    w = parse_weight(format_exact(Fraction(weight, 10), separators=False))
    c = parse_concentration(conc)
    values = ladder_values(first, last, size)
    ladder = build_ladder(values, MCG_KG_MIN, w, c)
    sign = 1 if last > first else -1
    for k, rung in enumerate(ladder.rungs):
        assert rung.dose.value == first + sign * k * size
        expected = calculate(Dose(rung.dose.value, MCG_KG_MIN), w, c)
        assert rung.calculation.record() == expected.record()
    assert ladder.rungs[-1].dose.value == last


# --- the command ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "json"])
def test_seed_ladder_golden(run: Any, fmt: str) -> None:
    result = run("titrate", *SEED, "--every", "30min", "--start", "22:00", "--format", fmt)
    assert result.exit_code == 0, result.stderr
    check_golden(f"titrate-seed.{fmt}", result.stdout)


def test_seed_ladder_json_figures(run: Any) -> None:
    result = run("titrate", *SEED, "--format", "json")
    document = json.loads(result.stdout)
    assert document["weight"] == {"value": 72.0, "unit": "kg"}
    assert document["concentration"] == {"value": 10.0, "unit": "mg/mL"}
    assert document["pump_resolution"] == {"value": 0.1, "unit": "mL/h"}
    assert document["unit"] == "mcg/kg/min"
    rows = document["rows"]
    assert len(rows) == 9
    assert rows[5]["dose"] == {"value": 7.0, "unit": "mcg/kg/min"}
    assert rows[5]["pump_rate"] == {"value": 3.024, "unit": "mL/h"}
    assert rows[5]["pump_rate_rounded"] == {"value": 3.0, "unit": "mL/h"}
    assert rows[-1]["dose"]["value"] == 10.0
    assert rows[0]["clock"] is None


def test_seed_ladder_matches_convert_row_by_row(run: Any) -> None:
    ladder = json.loads(run("titrate", *SEED, "--format", "json").stdout)["rows"]
    for row in ladder:
        dose = f"{row['dose']['value']:g} mcg/kg/min"
        single = json.loads(
            run("convert", dose, "-w", "72", "-c", "10 mg/mL", "--format", "json").stdout
        )
        for name in ("per_minute", "per_hour", "per_day", "pump_rate", "pump_rate_rounded"):
            assert row[name] == single[name], (dose, name)


def test_decimal_steps_through_the_command(run: Any) -> None:
    result = run(
        "titrate",
        "--from",
        "0.1",
        "--to",
        "1",
        "--step",
        "0.1",
        "--unit",
        "mg/h",
        "--format",
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["dose_value"] for r in rows] == [repr(k / 10) for k in range(1, 11)]
    assert rows[-1]["dose_value"] == "1.0"


def test_descending_command_and_step_with_unit(run: Any) -> None:
    result = run(
        "titrate",
        "--from",
        "10 mcg/kg/min",
        "--to",
        "2",
        "--step",
        "2 mcg/kg/min",
        "-w",
        "72",
        "--format",
        "json",
    )
    assert [r["dose"]["value"] for r in json.loads(result.stdout)["rows"]] == [10, 8, 6, 4, 2]


def test_doses_list_keeps_the_given_order(run: Any) -> None:
    result = run(
        "titrate",
        "--doses",
        "2,4,7,8",
        "--unit",
        "mcg/kg/min",
        "-w",
        "72",
        "-c",
        "10 mg/mL",
        "--format",
        "json",
    )
    rows = json.loads(result.stdout)["rows"]
    assert [r["dose"]["value"] for r in rows] == [2, 4, 7, 8]
    assert rows[2]["pump_rate"]["value"] == pytest.approx(3.024, rel=1e-12)


def test_by_rate_command(run: Any) -> None:
    # 1..5 mL/h by the default step of 1 mL/h; 3 mL/h delivers 6.9444 mcg/kg/min
    result = run(
        "titrate", "--by-rate", "--from", "1 mL/h", "--to", "5 mL/h", "-w", "72", "-c", "10 mg/mL"
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split() == [
        "Step",
        "Pump",
        "rate",
        "Delivers",
        "Per",
        "min",
        "Per",
        "hour",
        "Per",
        "day",
    ]
    # per minute in mcg, where 3 x 10 / 60 = 0.5 mg/min reads plainly: 500 mcg/min
    assert lines[2].split() == ["mL/h", "mcg/kg/min", "mcg/min", "mg/h", "mg/day"]
    assert lines[5].split() == ["3", "3", "6.9444", "500", "30", "720"]
    as_mg = run(
        "titrate",
        "--by-rate",
        "--from",
        "1",
        "--to",
        "5",
        "-w",
        "72",
        "-c",
        "10 mg/mL",
        "--dose-unit",
        "mg/kg/h",
        "--format",
        "json",
    )
    # 3 mL/h x 10 mg/mL / 72 kg = 30/72 = 0.41667 mg/kg/h
    rows = json.loads(as_mg.stdout)["rows"]
    assert rows[2]["dose_rate"] == {"value": 30 / 72, "unit": "mg/kg/h"}


def test_clock_crossing_midnight_in_the_table(run: Any) -> None:
    result = run(
        "titrate",
        "--doses",
        "3,2,1",
        "--unit",
        "mg/h",
        "--every",
        "1h",
        "--start",
        "23:00",
        "--format",
        "plain",
    )
    lines = result.stdout.splitlines()
    # title, two header lines (label, unit), then the steps
    assert lines[3].split()[:2] == ["1", "23:00"]
    assert lines[4].split()[:3] == ["2", "+1d", "00:00"]
    assert lines[5].split()[:3] == ["3", "+1d", "01:00"]


def test_unreachable_endpoint_warns_on_stderr(run: Any) -> None:
    result = run(
        "titrate", "--from", "2", "--to", "10", "--step", "3", "--unit", "mg/h", "--format", "json"
    )
    assert result.exit_code == 0
    assert [r["dose"]["value"] for r in json.loads(result.stdout)["rows"]] == [2, 5, 8]
    assert "Warning: --to 10 mg/h is not a whole number of steps" in result.stderr


def test_rounding_warnings_name_the_step(run: Any) -> None:
    # 0.1 mcg/kg/min x 5 kg / 16 mcg/mL x 60 = 1.875 mL/h; 0.05 -> 0.9375 -> 0.9 (-4%);
    # 0.01 -> 0.1875 -> 0.2 (+6.67%): warned
    result = run(
        "titrate", "--doses", "0.01,0.1", "--unit", "mcg/kg/min", "-w", "5", "-c", "4 mg/250 mL"
    )
    assert result.exit_code == 0
    assert "Warning: step 1 (0.01 mcg/kg/min): rounding the pump rate" in result.stderr
    assert "step 2" not in result.stderr


def test_output_file_matches_plain(run: Any, tmp_path: Path) -> None:
    target = tmp_path / "ladder.txt"
    result = run("titrate", *SEED, "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == run("titrate", *SEED, "--format", "plain").stdout


def test_help_has_examples(run: Any) -> None:
    result = run("titrate", "--help")
    assert result.exit_code == 0
    assert (
        'infuse-calc titrate --from "2 mcg/kg/min" --to "10 mcg/kg/min" --step 1' in result.stdout
    )
    assert "--by-rate" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "2", "--to", "10", "--step", "0", "--unit", "mg/h"],
            "Invalid value for '--step': '0': must be greater than zero",
        ),
        (
            ["--from", "2", "--to", "10", "--step", "-1", "--unit", "mg/h"],
            "Invalid value for '--step': '-1': negative values",
        ),
        (
            ["--from", "2", "--to", "10", "--step", "0.001", "--unit", "mg/h"],
            "gives 8,001 rows; at most 1,000",
        ),
        (["--from", "2", "--to", "2", "--step", "1", "--unit", "mg/h"], "nothing to titrate"),
        (
            ["--from", "2 mcg/kg/min", "--to", "10 mg/kg/h", "--step", "1", "-w", "72"],
            "--to '10 mg/kg/h' is in mg/kg/h but --from",
        ),
        (
            ["--from", "2", "--to", "10", "--step", "1 mg/h", "--unit", "mcg/min"],
            "write every dose in the same unit",
        ),
        (["--from", "2", "--to", "10", "--step", "1"], "no dose unit"),
        (["--from", "2", "--to", "10", "--unit", "mg/h"], "give the step size with --step"),
        (["--from", "2", "--step", "1", "--unit", "mg/h"], "give --from and --to"),
        (["--doses", "1,2", "--from", "1", "--unit", "mg/h"], "either --doses or --from"),
        (["--doses", "1,,2", "--unit", "mg/h"], "item 2 is empty"),
        (["--doses", "nan", "--unit", "mg/h"], "is not a number"),
        (["--doses", "inf", "--unit", "mg/h"], "is not a finite number"),
        (["--doses", "1e3", "--unit", "mg/h"], "without exponents"),
        (["--doses", "1,2", "--unit", "furlongs/h"], "unknown unit 'furlongs'"),
        (["--doses", "1,2", "--unit", "mcg/kg/min"], "give the patient's weight"),
        (["--doses", "1,2", "--unit", "mg/h", "--every", "30"], "give the unit"),
        (["--doses", "1,2", "--unit", "mg/h", "--every", "1h", "--start", "25:00"], "24-hour time"),
        (["--doses", "1,2", "--unit", "mg/h", "--start", "08:00"], "give --every too"),
        (["--doses", "1,2", "--unit", "mL/h"], "add --by-rate"),
        (["--by-rate", "--from", "1", "--to", "3"], "only with a concentration"),
        (
            ["--doses", "1,2", "--unit", "mg/h", "--dose-unit", "mg/min"],
            "--dose-unit is for --by-rate",
        ),
        (["--doses", "1,2", "--unit", "mg/h", "-c", "100 units/mL"], "must measure the same kind"),
        (["--doses", "1,2", "--unit", "mg/h", "-w", "0"], "Invalid value for '-w' / '--weight'"),
        (["--doses", "1,2", "--unit", "mg/h", "--pump-resolution", "0"], "greater than zero"),
        (["--doses", ",".join(["1"] * 1001), "--unit", "mg/h"], "more than 1,000 values"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run: Any, args: list[str], message: str) -> None:
    result = run("titrate", *args)
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: ")
    assert message in lines[0]
