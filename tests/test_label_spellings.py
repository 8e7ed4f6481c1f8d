"""Spellings labels and orders write: ``USP units`` and hyphenated ``half-normal saline``.

``USP`` before a units word names the standard the unit is defined by (heparin, insulin,
oxytocin labels): the amount is in units all the same, printed ``units``, and read without a
warning (it cannot be misread, unlike U or IU). A hyphen is read only inside a word, so
only a vehicle table spelling can hold one; a minus sign, a range and a hyphen inside a unit
stay refused as before.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest

from infuse_calc.errors import InputError
from infuse_calc.practice_grading import _unit_problem
from infuse_calc.quantities import (
    MILLIUNITS,
    UNITS,
    parse_amount,
    parse_concentration,
    parse_dose,
    tokenize,
)

# --- USP units: read ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "volume", "unit"),
    [
        # 25,000 / 250 = 100 units/mL
        ("25,000 USP units/250 mL", Fraction(25000), Fraction(250), UNITS),
        ("25,000 USP Units in 250 mL", Fraction(25000), Fraction(250), UNITS),
        ("25,000 usp units in 250 mL of D5W", Fraction(25000), Fraction(250), UNITS),
        ("100 USP units/mL", Fraction(100), Fraction(1), UNITS),
        ("10 USP unit/mL", Fraction(10), Fraction(1), UNITS),
        ("250 mL NS with 25,000 USP units", Fraction(25000), Fraction(250), UNITS),
        ("20 USP units/100 mL (0.2 units/mL)", Fraction(20), Fraction(100), UNITS),
        # oxytocin 30 units in 500 mL = 60 milliunits/mL, written in milliunits
        ("30,000 USP milliunits in 500 mL", Fraction(30000), Fraction(500), MILLIUNITS),
    ],
)
def test_usp_concentrations_are_units(
    text: str, amount: Fraction, volume: Fraction, unit: object
) -> None:
    conc = parse_concentration(text)
    assert (conc.amount, conc.volume, conc.amount_unit) == (amount, volume, unit)
    assert conc.unit_text in ("units/mL", "milliunits/mL")
    assert conc.warnings == ()  # no warning: "USP units" is not error-prone


def test_a_usp_concentration_equals_the_plain_one() -> None:
    usp = parse_concentration("25,000 USP units/250 mL")
    plain = parse_concentration("25,000 units/250 mL")
    assert (usp.amount, usp.amount_unit, usp.volume, usp.volume_unit) == (
        plain.amount,
        plain.amount_unit,
        plain.volume,
        plain.volume_unit,
    )


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("18 USP units/kg/h", Fraction(18), "units/kg/h"),
        ("18 USP Units/kg/hr", Fraction(18), "units/kg/h"),
        ("1,000 USP units per hour", Fraction(1000), "units/h"),
        ("2 USP milliunits/min", Fraction(2), "milliunits/min"),
        ("5,000 USP units", Fraction(5000), "units"),  # a bolus
        ("80 USP units/kg", Fraction(80), "units/kg"),
    ],
)
def test_usp_doses_are_units(text: str, value: Fraction, unit: str) -> None:
    dose = parse_dose(text, amounts=True)
    assert (dose.value, str(dose.unit), dose.warnings) == (value, unit, ())


def test_a_usp_cap_is_units() -> None:
    assert parse_amount("10,000 USP units", "--max") == (Fraction(10000), UNITS, ())


def test_usp_before_an_error_prone_spelling_keeps_its_warning() -> None:
    conc = parse_concentration("25 USP U/mL")
    assert (conc.amount, conc.amount_unit) == (Fraction(25), UNITS)
    assert conc.warnings == (
        "concentration '25 USP U/mL': 'U' is error-prone; read as units, write units",
    )


def test_usp_glued_to_the_number_is_warned_like_a_glued_unit() -> None:
    dose = parse_dose("5,000USP units", amounts=True)
    assert (dose.value, str(dose.unit)) == (Fraction(5000), "units")
    assert dose.warnings == (
        "dose '5,000USP units': write a space between number and unit (5,000 USP, not 5,000USP)",
    )


# --- USP units: refused -------------------------------------------------------------------

BEFORE = "'USP' is read only before units or milliunits (25,000 USP units)"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("USP", "expected a number, found 'USP'"),
        ("25 USP", "expected units after 'USP' (25,000 USP units) at the end"),
        ("25 USP mg/mL", f"{BEFORE}, not before 'mg'"),
        (
            "25 usp mcg/mL",
            "'usp' is read only before units or milliunits (25,000 usp units), not before 'mcg'",
        ),
        ("25 USP IU/mL", f"{BEFORE}, not before 'IU'"),  # two standards
        ("25 USP mIU/mL", f"{BEFORE}, not before 'mIU'"),
        ("25 USP bananas/mL", f"{BEFORE}, not before 'bananas'"),
        ("25 USP gr/mL", f"{BEFORE}, not before 'gr'"),
        ("25 USP USP units/mL", f"{BEFORE}, not before 'USP'"),
        ("25 USP 5/mL", "expected units after 'USP' (25,000 USP units), found '5'"),
        ("25 USP /mL", "expected units after 'USP' (25,000 USP units), found '/'"),
        (
            "25 units USP/mL",
            "'USP' is read only before the units word (25,000 USP units), not after 'units'",
        ),
        ("25 units/USP mL", f"{BEFORE}, not before 'mL'"),
        (
            "25,000 units/250 mL USP",
            "'USP' is read only before the units word (25,000 USP units), not after 'mL'",
        ),
    ],
)
def test_usp_anywhere_else_is_refused(text: str, reason: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_concentration(text)
    assert raised.value.reason == reason


@pytest.mark.parametrize("text", ["USP units/h", "18 USP mg/kg/h", "18 units USP/h", "18 USP"])
def test_usp_doses_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_dose(text, amounts=True)


# --- USP units through the commands -------------------------------------------------------


def test_convert_usp_units_hand_worked(run: Any) -> None:
    # 18 units/kg/h x 70 kg = 1,260 units/h (21 units/min, 30,240 units/day);
    # 25,000 units / 250 mL = 100 units/mL; 1,260 / 100 = 12.6 mL/h
    result = run(
        "convert", "18 USP units/kg/h", "-w", "70", "-c", "25,000 USP units/250 mL",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "USP" not in result.stdout
    data = json.loads(result.stdout)
    assert data["dose"] == {"value": 18.0, "unit": "units/kg/h"}
    assert data["per_minute"] == {"value": 21.0, "unit": "units/min"}
    assert data["per_hour"] == {"value": 1260.0, "unit": "units/h"}
    assert data["per_day"] == {"value": 30240.0, "unit": "units/day"}
    assert data["concentration"] == {"value": 100.0, "unit": "units/mL"}
    assert data["pump_rate"] == {"value": 12.6, "unit": "mL/h"}


def test_convert_usp_units_human_output_says_units(run: Any) -> None:
    result = run("convert", "18 USP units/kg/h", "-w", "70", "-c", "25,000 USP units/250 mL")
    assert result.exit_code == 0, result.stderr
    assert "USP" not in result.stdout
    assert "1,260 units/h" in result.stdout
    assert "25,000 units in 250 mL = 100 units/mL" in result.stdout
    assert "12.6 mL/h (exact)" in result.stdout


def test_a_usp_bolus(run: Any) -> None:
    # 5,000 units / 1,000 units/mL = 5 mL
    result = run("convert", "5,000 USP units", "-c", "1,000 units/mL", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["bolus_amount"] == {"value": 5000.0, "unit": "units"}
    assert data["bolus_volume"] == {"value": 5.0, "unit": "mL"}


def test_a_usp_cap(run: Any) -> None:
    # 80 units/kg x 70 kg = 5,600 units, capped at 5,000 units; / 1,000 units/mL = 5 mL
    result = run(
        "convert", "80 USP units/kg", "-w", "70", "-c", "1,000 USP units/mL",
        "--max", "5,000 USP units", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["max_amount"] == {"value": 5000.0, "unit": "units"}
    assert data["capped"] is True
    assert data["bolus_volume"] == {"value": 5.0, "unit": "mL"}
    assert "USP" not in result.stdout + result.stderr


def test_the_concentration_command_reads_usp_units(run: Any) -> None:
    # 25,000 / 250 = 100 units/mL, one argument or two
    for args in (["25,000 USP units", "250 mL"], ["25,000 USP units/250 mL"]):
        result = run("concentration", *args, "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["concentration"] == {"value": 100.0, "unit": "units/mL"}


@pytest.mark.parametrize(
    "args",
    [
        ["convert", "USP"],
        ["convert", "25 USP"],
        ["convert", "1 units/h", "-c", "25 USP mg/mL"],
        ["convert", "1 units/h", "-c", "25 units USP/mL"],
        ["convert", "80 units/kg", "-w", "70", "--max", "5,000 USP mg"],
        ["concentration", "25 USP mg", "250 mL"],
    ],
)
def test_usp_refusals_are_one_line_with_exit_2(run: Any, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ")
    assert "Traceback" not in result.stderr


def test_a_practice_answer_in_usp_units_is_in_units() -> None:
    assert _unit_problem("USP units", "units", []) == ""
    assert _unit_problem("USP units/h", "units/h", []) == ""
    assert "not before 'mL'" in _unit_problem("USP mL", "mL", [])


# --- half-normal saline -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "vehicle"),
    [
        ("400 mg in 250 mL of half-normal saline", "1/2 NS"),
        ("400 mg in 250 mL Half-Normal Saline", "1/2 NS"),
        ("400 mg in 250 mL half normal saline", "1/2 NS"),
        ("400 mg in 250 mL of 0.45% sodium chloride injection", "1/2 NS"),
        ("400 mg in 250 mL D5 half-normal saline", "D5 1/2 NS"),
        ("half-normal saline 250 mL with 400 mg", "1/2 NS"),
        ("400 mg in half-normal saline 250 mL", "1/2 NS"),
        ("400 mg in 250 mL 1/2 NS (half-normal saline)", "1/2 NS"),
    ],
)
def test_half_normal_saline_spelled_out(text: str, vehicle: str) -> None:
    # 400 mg / 250 mL = 1.6 mg/mL: the vehicle's name holds no figure of the drug's
    conc = parse_concentration(text)
    assert conc.amount / conc.volume == Fraction(8, 5)
    assert conc.vehicle == vehicle
    assert conc.warnings == ()


def test_a_hyphenated_word_is_one_token() -> None:
    words = [(t.kind, t.text) for t in tokenize("concentration", "D5 half-normal saline")]
    assert words == [("word", "D"), ("number", "5"), ("word", "half-normal"), ("word", "saline")]


@pytest.mark.parametrize(
    ("read", "text", "reason"),
    [
        (
            parse_dose,
            "-5 mg/h",
            "negative values are not accepted; the value must be greater than zero",
        ),
        (parse_dose, "2-4 mg/h", "ranges (2-4) are not read; give one value"),
        (parse_dose, "5 mg/kg-h", "unexpected character '-' (U+002D) at position 8"),
        (parse_dose, "5 mcg-kg/min", "unexpected character '-' (U+002D) at position 6"),
        (parse_dose, "5 mg/h-", "unexpected character '-' (U+002D) at position 7"),
        (parse_dose, "half-normal", "unexpected character '-' (U+002D) at position 5"),
        (parse_concentration, "400 mg-/250 mL", "unexpected character '-' (U+002D) at position 7"),
        (
            parse_concentration,
            "400 mg in 250 mL half - normal saline",
            "unexpected character '-' (U+002D) at position 23",
        ),
        (
            parse_concentration,
            "400 mg in 250 mL half–normal saline",
            "unexpected character '–' (U+2013) at position 22",
        ),
        (
            parse_concentration,
            "400 mg in 250 mL half--normal saline",
            "unexpected character '-' (U+002D) at position 22",
        ),
        (
            parse_concentration,
            "400 mg in 250 mL half-normal",
            "'half-normal' is not a known vehicle (diluent)",
        ),
        (
            parse_concentration,
            "400 mg in 250 mL of half-strength saline",
            "expected a vehicle after 'of', found 'half-strength'",
        ),
    ],
)
def test_a_hyphen_outside_a_vehicle_is_refused(read: Any, text: str, reason: str) -> None:
    with pytest.raises(InputError) as raised:
        read(text)
    assert raised.value.reason.startswith(reason)


def test_convert_prints_the_canonical_vehicle(run: Any) -> None:
    # 400 mg / 250 mL = 1.6 mg/mL; 4 mg/h / 1.6 = 2.5 mL/h
    result = run("convert", "4 mg/h", "-c", "400 mg in 250 mL of half-normal saline")
    assert result.exit_code == 0, result.stderr
    assert "400 mg in 250 mL 1/2 NS = 1.6 mg/mL" in result.stdout
    assert "2.5 mL/h" in result.stdout
