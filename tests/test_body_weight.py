"""Dosing weight (Devine IBW, adjusted weight), heights, and the drip rate, worked by hand."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse_calc.body_weight import (
    adjusted_body_weight,
    dosing_weight,
    ideal_body_weight,
    parse_height,
    parse_sex,
)
from infuse_calc.drip import drip_rate
from infuse_calc.errors import IncompatibleError, InputError


def test_male_180_cm() -> None:
    # 180 cm / 2.54 = 70.866141... in; 50 + 2.3 x 10.866141... = 74.992126 kg
    height = parse_height("180 cm")
    assert height.inches == Fraction(180) / Fraction("2.54")
    ibw = ideal_body_weight(height, "male")
    assert ibw == 50 + Fraction("2.3") * (Fraction(18000, 254) - 60)
    assert round(float(ibw), 2) == 74.99


def test_female_65_in() -> None:
    # 45.5 + 2.3 x 5 = 57 kg exactly
    assert ideal_body_weight(parse_height("65 in"), "female") == 57


def test_exactly_five_feet() -> None:
    # 60 in = 152.4 cm: the base weights themselves
    assert ideal_body_weight(parse_height("152.4 cm"), "male") == 50
    assert ideal_body_weight(parse_height("60 in"), "female") == Fraction("45.5")


def test_adjusted_body_weight() -> None:
    # male 180 cm, actual 120 kg: 74.992126 + 0.4 x (120 - 74.992126) = 92.995276 kg
    ibw = ideal_body_weight(parse_height("180 cm"), "male")
    adj = adjusted_body_weight(Fraction(120), ibw)
    assert adj == ibw + Fraction(2, 5) * (120 - ibw)
    assert round(float(adj), 3) == 92.995
    # female 65 in (IBW 57), actual 97: 57 + 0.4 x 40 = 73 exactly
    assert adjusted_body_weight(Fraction(97), Fraction(57)) == 73


def test_under_five_feet_is_refused() -> None:
    with pytest.raises(InputError, match=r"valid only from 60 in \(152.4 cm\)"):
        ideal_body_weight(parse_height("150 cm"), "male")
    with pytest.raises(InputError, match="valid only from 60 in"):
        dosing_weight(Fraction(50), parse_height("59.9 in"), "female", "ideal")


def test_under_five_feet_with_actual_weight_warns() -> None:
    chosen = dosing_weight(Fraction(50), parse_height("150 cm"), "female", "actual")
    assert chosen.kg == 50
    assert chosen.ideal_kg is None
    assert "not shown" in chosen.warnings[0]


def test_dosing_weight_methods() -> None:
    height = parse_height("65 in")
    actual = dosing_weight(Fraction(97), height, "female", "actual")
    ideal = dosing_weight(Fraction(97), height, "female", "ideal")
    adjusted = dosing_weight(Fraction(97), height, "female", "adjusted")
    assert (actual.kg, ideal.kg, adjusted.kg) == (Fraction(97), Fraction(57), Fraction(73))
    assert actual.ideal_kg == 57
    assert actual.adjusted_kg == 73
    assert ideal.label == "ideal body weight (Devine)"
    # ideal needs no actual weight
    assert dosing_weight(None, height, "female", "ideal").kg == 57


def test_actual_below_ideal_warns() -> None:
    chosen = dosing_weight(Fraction(50), parse_height("65 in"), "female", "ideal")
    assert chosen.kg == 57
    assert "below the ideal body weight" in chosen.warnings[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((Fraction(80), None, None, "ideal"), "needs the height"),
        ((None, None, None, "adjusted"), "needs the height"),
        ((None, "65 in", "male", "adjusted"), "needs the actual weight"),
        ((None, None, None, "actual"), "needs the weight"),
    ],
)
def test_dosing_weight_missing_inputs(args: tuple[Any, ...], message: str) -> None:
    actual, height, sex, method = args
    with pytest.raises(IncompatibleError, match=message):
        dosing_weight(actual, parse_height(height) if height else None, sex, method)


@pytest.mark.parametrize(
    ("text", "inches"),
    [
        ("180 cm", Fraction(180) / Fraction("2.54")),
        ("70 in", Fraction(70)),
        ("70 inches", Fraction(70)),
        ("172.5 centimetres", Fraction("172.5") / Fraction("2.54")),
        ("  65 IN ", Fraction(65)),
    ],
)
def test_parse_height(text: str, inches: Fraction) -> None:
    assert parse_height(text).inches == inches


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("180", "give the unit"),
        ("", "empty"),
        ("0 cm", "greater than zero"),
        ("-180 cm", "negative"),
        ("nan cm", "'nan' is not a number"),
        ("inf in", "'inf' is not a finite number"),
        ("cm 180", "expected a number, found 'cm'"),
        ("5 ft 13 in", "the inches after the feet must be under 12"),
        ("5 ft 12 in", "the inches after the feet must be under 12"),
        ("5 ft 7 cm", "after the feet, expected inches, found 'cm'"),
        ("5 ft 7", "give the unit"),
        ("5 ft 7 in 2", "unexpected '2'"),
        ("180 m", "unknown height unit"),
        ("180 cm 5", "unexpected '5'"),
        ("1800 cm", "outside 30 to 275 cm"),
        ("10 in", "outside 30 to 275 cm"),
        ("1,80 cm", "commas"),
        ("180 cm/h", "unexpected '/' after the height"),
    ],
)
def test_parse_height_refuses(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_height(text)


def test_parse_sex() -> None:
    assert parse_sex("M") == "male"
    assert parse_sex("female") == "female"
    with pytest.raises(InputError, match="expected male"):
        parse_sex("x")


@settings(max_examples=100, deadline=None)
@given(
    inches=st.integers(min_value=600, max_value=900).map(lambda n: Fraction(n, 10)),
    actual=st.integers(min_value=30, max_value=300).map(Fraction),
)
def test_adjusted_lies_between_ideal_and_actual(inches: Fraction, actual: Fraction) -> None:
    chosen = dosing_weight(actual, parse_height(f"{float(inches)} in"), "male", "adjusted")
    assert chosen.ideal_kg is not None
    low, high = sorted([chosen.ideal_kg, actual])
    assert low <= chosen.kg <= high
    # 2.3 kg per inch: one more inch adds exactly 2.3 kg to the IBW
    taller = ideal_body_weight(parse_height(f"{float(inches + 1)} in"), "male")
    assert taller - chosen.ideal_kg == Fraction("2.3")


# --- drip rate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "factor", "gtt_min"),
    [
        # 100 mL/h x 15 gtt/mL / 60 min/h = 25 gtt/min
        (Fraction(100), 15, Fraction(25)),
        # 125 mL/h x 20 / 60 = 41.666...
        (Fraction(125), 20, Fraction(125 * 20, 60)),
        # microdrip: 60 gtt/mL gives gtt/min = mL/h
        (Fraction("3.024"), 60, Fraction("3.024")),
        (Fraction(90), 10, Fraction(15)),
    ],
)
def test_drip_rate(rate: Fraction, factor: int, gtt_min: Fraction) -> None:
    measure = drip_rate(rate, factor)
    assert measure.value == gtt_min
    assert measure.unit == "gtt/min"


def test_drip_rate_refuses_other_sets() -> None:
    with pytest.raises(ValueError, match="drop factor"):
        drip_rate(Fraction(100), 12)


# --- CLI ------------------------------------------------------------------------------------


def test_convert_ideal_weight(run: Any) -> None:
    result = run(
        "convert",
        "7 mcg/kg/min",
        "-w",
        "120",
        "--height",
        "180 cm",
        "--sex",
        "male",
        "--dosing-weight",
        "ideal",
        "-c",
        "10 mg/mL",
    )
    assert result.exit_code == 0, result.output
    assert (
        "Weight          74.992 kg (ideal body weight (Devine); actual 120 kg; "
        "adjusted 92.995 kg)" in result.stdout
    )
    # 7 x 74.992126 = 524.94488 mcg/min
    assert "Per minute      524.94 mcg/min" in result.stdout


def test_convert_dosing_weight_json(run: Any) -> None:
    result = run(
        "convert",
        "7 mcg/kg/min",
        "-w",
        "97",
        "--height",
        "65 in",
        "--sex",
        "f",
        "--dosing-weight",
        "adjusted",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["weight"] == {"value": 73.0, "unit": "kg"}
    assert data["weight_used"]["method"] == "adjusted"
    assert data["weight_used"]["ideal"] == {"value": 57.0, "unit": "kg"}
    assert data["weight_used"]["actual"] == {"value": 97.0, "unit": "kg"}
    assert data["weight_used"]["height"] == {"value": 65.0, "unit": "in"}
    # 7 x 73 = 511 mcg/min = 0.511 mg/min (machine output: every mass rate in mg)
    assert data["per_minute"] == {"value": 0.511, "unit": "mg/min"}


def test_convert_actual_weight_says_so(run: Any) -> None:
    result = run("convert", "7 mcg/kg/min", "-w", "72", "--height", "170 cm", "--sex", "m")
    assert result.exit_code == 0
    # 170 / 2.54 = 66.929 in; 50 + 2.3 x 6.929 = 65.937 kg; 65.937 + 0.4 x 6.063 = 68.362
    assert "72 kg (actual body weight; ideal 65.937 kg; adjusted 68.362 kg)" in result.stdout


def test_convert_drop_factor(run: Any) -> None:
    result = run("convert", "100 mL/h", "--drop-factor", "20")
    assert result.exit_code == 0, result.output
    # 100 x 20 / 60 = 33.33 gtt/min: 33 drops shown, the exact figure alongside
    assert "Drip rate       33 gtt/min (20 gtt/mL set; exact 33.333 gtt/min)" in result.stdout
    data = json.loads(run("convert", "100 mL/h", "--drop-factor", "20", "--format", "json").stdout)
    assert data["drip_rate"] == {"value": 100 * 20 / 60, "unit": "gtt/min"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--height", "150 cm", "--sex", "m", "--dosing-weight", "ideal"], "valid only from 60 in"),
        (["--height", "180", "--sex", "m", "--dosing-weight", "ideal"], "give the unit"),
        (["--height", "180 cm", "--sex", "x", "--dosing-weight", "ideal"], "expected male"),
        (["--dosing-weight", "ideal"], "needs the height"),
        (["--dosing-weight", "heavy"], "'heavy' is not one of"),
        (["--drop-factor", "12"], "'12' is not one of"),
    ],
)
def test_convert_body_weight_errors(run: Any, args: list[str], message: str) -> None:
    result = run("convert", "7 mcg/kg/min", "-w", "72", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stdout == ""


ISSUE_16_ITEM_2 = ["convert", "18 units/kg/h", "-w", "330 lb", "--height", "67 in", "--sex", "f"]
ISSUE_16_ITEM_2 += ["--dosing-weight", "ideal", "-c", "25000 units/250 mL"]


def test_weight_entered_is_what_was_typed_json(run: Any) -> None:
    # issue 16 item 2: weight_entered was 61.6 kg (the ideal weight), not 330 lb
    result = run(*ISSUE_16_ITEM_2, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["weight_entered"] == {"value": 330.0, "unit": "lb"}
    # 330 lb x 0.45359237 kg/lb = 149.6854821 kg (exact)
    assert data["weight_actual"] == {"value": 149.6854821, "unit": "kg"}
    # Devine, female, 67 in: 45.5 + 2.3 x (67 - 60) = 61.6 kg
    assert data["weight"] == {"value": 61.6, "unit": "kg"}
    assert data["dosing_weight"] == "ideal"
    # 18 x 61.6 = 1,108.8 units/h
    assert data["per_hour"] == {"value": 1108.8, "unit": "units/h"}


def test_weight_entered_is_what_was_typed_csv(run: Any) -> None:
    result = run(*ISSUE_16_ITEM_2, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert (row["weight_entered_value"], row["weight_entered_unit"]) == ("330.0", "lb")
    assert (row["weight_actual_value"], row["weight_actual_unit"]) == ("149.6854821", "kg")
    assert (row["weight_value"], row["weight_unit"]) == ("61.6", "kg")
    assert row["dosing_weight"] == "ideal"
    assert next(csv.reader(io.StringIO(result.stdout))).count("dosing_weight") == 1


def test_actual_weight_fields_without_a_dosing_weight(run: Any) -> None:
    data = json.loads(run("convert", "7 mcg/kg/min", "-w", "154 lb", "--format", "json").stdout)
    # 154 x 0.45359237 = 69.85322498 kg, both the weight used and the actual weight
    assert data["weight_entered"] == {"value": 154.0, "unit": "lb"}
    assert data["weight"] == data["weight_actual"] == {"value": 69.85322498, "unit": "kg"}
    assert data["dosing_weight"] == "actual"
