"""Parsing what users type: the grammar, the allow-list, and every refusal."""

from __future__ import annotations

from fractions import Fraction

import pytest

from infuse_calc.errors import InputError
from infuse_calc.quantities import (
    LB,
    MCG,
    MEQ,
    MG,
    MILLIUNITS,
    MMOL,
    UNITS,
    G,
    Kind,
    parse_concentration,
    parse_dose,
    parse_rate_unit,
    parse_weight,
)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("7 mcg/kg/min", Fraction(7), "mcg/kg/min"),
        ("7mcg/kg/min", Fraction(7), "mcg/kg/min"),
        ("7 micrograms/kilogram/minute", Fraction(7), "mcg/kg/min"),
        ("7 microgram per kg per minute", Fraction(7), "mcg/kg/min"),
        ("7 mcg/min/kg", Fraction(7), "mcg/kg/min"),
        ("250 mcg/min", Fraction(250), "mcg/min"),
        ("4 mg/h", Fraction(4), "mg/h"),
        ("4 mg/hr", Fraction(4), "mg/h"),
        ("4 milligrams/hour", Fraction(4), "mg/h"),
        ("0.5 ng/kg/min", Fraction(1, 2), "ng/kg/min"),
        ("1 g/day", Fraction(1), "g/day"),
        ("18 units/kg/h", Fraction(18), "units/kg/h"),
        ("0.04 unit/min", Fraction(1, 25), "units/min"),
        ("2 milliunits/min", Fraction(2), "milliunits/min"),
        ("0.5 mmol/kg/h", Fraction(1, 2), "mmol/kg/h"),
        ("20 mEq/h", Fraction(20), "mEq/h"),
        ("3 mL/h", Fraction(3), "mL/h"),
        ("1.5 mL/kg/h", Fraction(3, 2), "mL/kg/h"),
        ("  7   mcg / kg / min  ", Fraction(7), "mcg/kg/min"),
        ("1234567.125 mcg/h", Fraction(1234567125, 1000), "mcg/h"),
    ],
)
def test_doses_parse_exactly(text: str, value: Fraction, unit: str) -> None:
    dose = parse_dose(text)
    assert dose.value == value
    assert str(dose.unit) == unit


@pytest.mark.parametrize(
    ("text", "warning_part"),
    [
        (".5 mcg/kg/min", "'.5' read as 0.5"),
        ("5.0 mcg/kg/min", "'5.0' read as 5"),
        ("0.50 mg/h", "'0.50' read as 0.5"),
        ("5 ug/kg/min", "'ug' is error-prone; read as mcg"),
        ("5 µg/kg/min", "'µg' is error-prone; read as mcg"),
        ("5 μg/kg/min", "'μg' is error-prone; read as mcg"),
        ("5 U/kg/h", "'U' is error-prone; read as units"),
        ("5 IU/kg/h", "'IU' is error-prone; read as units"),
        ("5 mU/min", "'mU' is error-prone; read as milliunits"),
        ("5 cc/h", "'cc' is error-prone; read as mL"),
        ("5 MG/H", "'MG' read as mg"),
        ("5 mg/d", "'d' is error-prone; read as day"),
        ("7mcg/kg/min", "write a space between number and unit"),
    ],
)
def test_error_prone_input_is_read_with_a_warning(text: str, warning_part: str) -> None:
    dose = parse_dose(text)
    assert any(warning_part in w for w in dose.warnings), dose.warnings


def test_clean_input_has_no_warnings() -> None:
    assert parse_dose("7 mcg/kg/min").warnings == ()
    assert parse_weight("72 kg").warnings == ()
    assert parse_concentration("500 mg in 250 mL").warnings == ()


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("0 mcg/kg/min", "greater than zero"),
        ("0.0 mcg/kg/min", "greater than zero"),
        ("-5 mcg/kg/min", "negative"),
        ("−5 mcg/kg/min", "negative"),  # U+2212 minus sign
        ("nan mcg/kg/min", "not a number"),
        ("inf mcg/kg/min", "not a finite number"),
        ("1e999 mcg/kg/min", "without exponents"),
        ("7,5 mg/h", "commas"),
        ("05 mg/h", "leading zero"),
        ("010 mg/h", "leading zero"),
        ("1.5.3 mg/h", "is not a number"),
        ("1..5 mg/h", "is not a number"),
        ("5. mg/h", "cannot end with a decimal point"),
        ("9**9**9 mg/h", "'*' is not accepted"),
        ("7 # mcg/kg/min", "unexpected character '#'"),
        ("5² mg/h", "not an ASCII digit"),
        ("５ mg/h", "ASCII digit"),
        ("7 mcg/kg", "expected a rate"),
        ("7 mcg", "expected a rate"),
        ("7", "expected a unit"),
        ("7 bananas/kg/min", "unknown unit 'bananas'"),
        ("7 mcg/kg/min/h", "more than one time unit"),
        ("7 mcg/kg/kg/min", "'kg' appears twice"),
        ("7 mcg/lb/min", "per kg, not per lb"),
        ("7 kg/min", "cannot be in kg"),
        ("7 min/mcg", "is a time"),
        ("7 gr/h", "grain"),
        ("7 mcg/kg/min 8", "unexpected '8'"),
        ("x" * 201, "too long"),
        ("1" * 16 + " mg/h", "too many digits"),
        ("1:1000 mg/h", "ratio"),
        ("(7) mcg/kg/min", "brackets are read only around a concentration"),
        ("7 mcg/(kg*min)", "'*' is not accepted"),
    ],
)
def test_bad_doses_are_refused_with_a_reason(text: str, reason_part: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_dose(text)
    assert reason_part in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "kg"),
    [
        ("72", Fraction(72)),
        ("72 kg", Fraction(72)),
        ("72kg", Fraction(72)),
        ("72 kilograms", Fraction(72)),
        # 154 lb x 0.45359237 kg/lb = 69.85322498 kg (exact by the 1959 definition)
        ("154 lb", Fraction("69.85322498")),
        ("154 lbs", Fraction("69.85322498")),
        ("1 pound", Fraction("0.45359237")),
        ("850 g", Fraction("0.85")),
        ("850 gm", Fraction("0.85")),  # error-prone spelling: read, with a warning
        ("72 KG", Fraction(72)),
        ("3.2", Fraction("3.2")),
    ],
)
def test_weights(text: str, kg: Fraction) -> None:
    assert parse_weight(text).kg == kg


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("0", "greater than zero"),
        ("-72", "negative"),
        ("5000", "over 650 kg"),
        ("5000 kg", "over 650 kg"),
        ("50 g", "below 0.1 kg"),
        ("72 mL", "not a weight unit"),
        ("72 mg", "not a weight unit"),
        ("kg", "expected a number"),
        ("72 kg kg", "unexpected 'kg'"),
        ("nan", "not a number"),
        ("", "is empty"),
    ],
)
def test_bad_weights(text: str, reason_part: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_weight(text)
    assert reason_part in str(caught.value)


def test_weight_keeps_what_was_typed() -> None:
    weight = parse_weight("154 lb")
    assert (weight.value, weight.unit) == (Fraction(154), LB)


@pytest.mark.parametrize(
    ("text", "per_ml", "amount_unit"),
    [
        ("10 mg/mL", Fraction(10), MG),
        ("10 mg/ml", Fraction(10), MG),
        ("10 mg per mL", Fraction(10), MG),
        ("500 mg/250 mL", Fraction(2), MG),
        ("500 mg / 250 mL", Fraction(2), MG),
        ("500 mg in 250 mL", Fraction(2), MG),
        ("4 mg/250mL", Fraction(4, 250), MG),
        ("25000 units/250 mL", Fraction(100), UNITS),
        ("30 units in 500 mL", Fraction(30, 500), UNITS),
        ("100 mcg/mL", Fraction(100), MCG),
        ("1 g/L", Fraction(1, 1000), G),
        ("2 mEq/mL", Fraction(2), MEQ),
        ("1 mmol/mL", Fraction(1), MMOL),
        ("10 milliunits/mL", Fraction(10), MILLIUNITS),
    ],
)
def test_concentrations(text: str, per_ml: Fraction, amount_unit: object) -> None:
    conc = parse_concentration(text)
    volume_ml = conc.volume * (1000 if conc.volume_unit.symbol == "L" else 1)
    assert conc.amount / volume_ml == per_ml
    assert conc.amount_unit == amount_unit


def test_percent_is_grams_per_100_ml() -> None:
    conc = parse_concentration("1%")
    assert (conc.amount, conc.amount_unit.symbol, conc.volume, conc.percent) == (
        Fraction(1),
        "g",
        Fraction(100),
        Fraction(1),
    )
    assert parse_concentration("0.5 %").percent == Fraction(1, 2)


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("10 mg", "expected amount per volume"),
        ("10 mg/kg", "not a volume"),
        ("10 mL/mg", "not a drug amount"),
        ("500 mg in mL", "expected a volume after 'in'"),
        ("150%", "cannot exceed 100%"),
        ("10 mg/0 mL", "greater than zero"),
        ("10 mg/mL/h", "unexpected '/'"),
        ("", "is empty"),
    ],
)
def test_bad_concentrations(text: str, reason_part: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_concentration(text)
    assert reason_part in str(caught.value)


def test_rate_unit_without_number() -> None:
    unit, warnings = parse_rate_unit("mg/kg/h")
    assert (str(unit), unit.kind, warnings) == ("mg/kg/h", Kind.MASS, ())
    with pytest.raises(InputError):
        parse_rate_unit("7 mg/kg/h")
