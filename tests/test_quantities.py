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
from infuse_calc.vehicles import VEHICLES


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


# --- vehicles, separators, restated strengths, ratio strengths, drops, pounds ------------


@pytest.mark.parametrize(
    ("text", "per_ml", "unit", "vehicle"),
    [
        # 400 mg / 250 mL = 1.6 mg/mL
        ("400 mg in 250 mL of D5W", Fraction(8, 5), "mg", "D5W"),
        ("400 mg in 250 mL of d5w", Fraction(8, 5), "mg", "D5W"),
        # 50 mg / 250 mL = 0.2 mg/mL
        ("50 mg in D5W 250 mL", Fraction(1, 5), "mg", "D5W"),
        ("800 mg/500 mL normal saline", Fraction(8, 5), "mg", "NS"),
        # 2.5 g / 250 mL = 0.01 g/mL: the 0.9% belongs to the vehicle
        ("2.5 g in 250 mL 0.9% NS", Fraction(1, 100), "g", "NS"),
        ("25,000 units in 250 mL D5W", Fraction(100), "units", "D5W"),
        ("250 mL D5W with 400 mg", Fraction(8, 5), "mg", "D5W"),
        ("D5W 1000 mL with 2 g", Fraction(2, 1000), "g", "D5W"),
        ("1 L of NSS containing 2 g", Fraction(2, 1000), "g", "NS"),  # 2 g / 1000 mL
        ("30 units in 500 mL LR", Fraction(3, 50), "units", "LR"),
        ("30 units in 500 mL lactated Ringer’s", Fraction(3, 50), "units", "LR"),
        ("2 g in 100 mL 0.45% NaCl", Fraction(2, 100), "g", "1/2 NS"),
        ("2 g in 100 mL 1/2 NS", Fraction(2, 100), "g", "1/2 NS"),
        ("2 g in 100 mL D5 1/2 NS", Fraction(2, 100), "g", "D5 1/2 NS"),
        ("2 g in 100 mL D5NS", Fraction(2, 100), "g", "D5NS"),
        ("2 g in 100 mL D10W", Fraction(2, 100), "g", "D10W"),
        ("2 g in 100 mL SWFI", Fraction(2, 100), "g", "sterile water"),
        ("2 g in 100 mL of sterile water", Fraction(2, 100), "g", "sterile water"),
        ("2 g in 100 mL dextrose 5%", Fraction(2, 100), "g", "D5W"),
        ("10 mg/mL in NS", Fraction(10), "mg", "NS"),
        ("1% in D5W", Fraction(1, 100), "g", "D5W"),
    ],
)
def test_vehicles(text: str, per_ml: Fraction, unit: str, vehicle: str) -> None:
    conc = parse_concentration(text)
    volume_ml = conc.volume * (1000 if conc.volume_unit.symbol == "L" else 1)
    assert (conc.amount / volume_ml, conc.amount_unit.symbol) == (per_ml, unit)
    assert conc.vehicle == vehicle
    assert conc.warnings == ()


def test_no_vehicle_is_none() -> None:
    assert parse_concentration("500 mg in 250 mL").vehicle is None


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("400 mg in 250 mL dopamine", "'dopamine' is not a known vehicle"),
        ("400 mg in 250 mL of dopamine", "expected a vehicle after 'of'"),
        ("400 mg in 250 mL of", "expected a vehicle after 'of'"),
        ("400 mg in 250 mL water", "known: D5W, D10W, NS, 1/2 NS, D5NS, D5 1/2 NS, LR"),
        ("0.9% NaCl", "names a vehicle (NS), not the drug's strength"),
        ("5% dextrose", "names a vehicle (D5W)"),
        ("D5W", "names a vehicle (D5W)"),
        ("250 mL D5W", "'250 mL D5W with 400 mg'"),
        ("250 mL D5W 400 mg", "followed by the drug in it"),
        ("50 mg in D5W 250 mL NS", "names two vehicles (D5W and NS)"),
        ("50 mg in D5W", "expected a volume after 'in D5W'"),
        ("1 g/250 D5W", "expected a volume unit after '250', found the vehicle D5W"),
        ("400 mg in 250 mL (LR) D5W", "unexpected 'D' after the end"),
        ("400 mg in 250 mL D5W (NS)", "names two vehicles (D5W and NS)"),
    ],
)
def test_vehicle_refusals(text: str, reason_part: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_concentration(text)
    assert reason_part in str(caught.value)


def test_every_vehicle_spelling_is_read_as_its_name() -> None:
    for name, spellings in VEHICLES.items():
        for spelling in spellings:
            for written in (spelling, spelling.upper(), spelling.lower()):
                assert parse_concentration(f"1 mg in 10 mL {written}").vehicle == name


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("25,000 units/h", Fraction(25000)),
        ("1,500 units/h", Fraction(1500)),
        ("1,000,000 units/day", Fraction(1000000)),
        ("1,000.5 mg/h", Fraction(2001, 2)),
        ("999 mg/h", Fraction(999)),
    ],
)
def test_thousands_separators(text: str, value: Fraction) -> None:
    dose = parse_dose(text)
    assert (dose.value, dose.warnings) == (value, ())


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("7,5 mg/h", "did you mean 7.5 or 75?"),
        ("7,50 mg/h", "did you mean 7.5 or 750?"),
        ("1,0000 mg/h", "did you mean 1 or 10,000?"),
        (",5 mg/h", "did you mean 0.5 or 5?"),
        ("1,2,3 mg/h", "did you mean 123?"),
        ("1.000,5 mg/h", "did you mean 1,000.5?"),
        ("25,00 units/h", "did you mean 25 or 2,500?"),
        ("1,000,00 units/h", "did you mean 100,000?"),
        ("100 000 units/h", "did you mean 100,000?"),
        ("05 mg/h", "did you mean 0.5 or 5?"),
        ("010 mg/h", "did you mean 0.1 or 10?"),
        ("00.5 mg/h", "did you mean 0.5?)"),
        ("000 mg/h", "must be greater than zero"),
    ],
)
def test_misplaced_commas_are_refused_with_the_readings(text: str, suggestion: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_dose(text)
    assert suggestion in str(caught.value)


@pytest.mark.parametrize(
    ("text", "per_ml", "restated_unit"),
    [
        ("4 mg in 50 mL NS (80 mcg/mL)", Fraction(2, 25), "mcg"),  # 4/50 = 0.08 mg/mL
        ("1% (10 mg/mL)", Fraction(1, 100), "mg"),  # 1 g/100 mL
        ("10 mg/mL (1%)", Fraction(10), "g"),
        ("1 mg/mL (1:1,000)", Fraction(1), "g"),
        ("25,000 units in 250 mL (100 units/mL)", Fraction(100), "units"),
        ("200 mg/5 mL (40 mg/mL)", Fraction(40), "mg"),
        ("(4 mg in 50 mL (80 mcg/mL))", Fraction(2, 25), "mcg"),
    ],
)
def test_a_restated_strength_that_agrees(text: str, per_ml: Fraction, restated_unit: str) -> None:
    conc = parse_concentration(text)
    assert conc.amount / conc.volume == per_ml
    assert conc.restated is not None
    assert conc.restated.amount_unit.symbol == restated_unit


def test_brackets_around_a_whole_concentration() -> None:
    conc = parse_concentration("(10 mg/mL)")
    assert (conc.amount, conc.amount_unit, conc.volume, conc.restated) == (
        Fraction(10),
        MG,
        Fraction(1),
        None,
    )


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        (
            "4 mg in 50 mL (8 mcg/mL)",
            "the two strengths disagree: 4 mg in 50 mL is 80 mcg/mL, but the brackets say 8 mcg/mL",
        ),
        ("1% (50 mg/mL)", "1% is 10 mg/mL, but the brackets say 50 mg/mL"),
        ("1 g in 3 mL (333.33 mg/mL)", "is about 333.33 mg/mL, but the brackets say 333.33"),
        ("8.4% (1 mEq/mL)", "a restated strength must be the same kind of amount"),
        ("4 mg in 50 mL (80 mcg/mL", "expected ')'"),
        ("(10 mg/mL", "expected ')' to close"),
        ("4 mg in 50 mL (80 mcg)", "expected amount per volume"),
        ("4 mg in 50 mL (80 mcg/mL) (80 mcg/mL)", "unexpected '('"),
    ],
)
def test_restated_strength_refusals(text: str, reason_part: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_concentration(text)
    assert reason_part in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "mg_per_ml", "shown"),
    [
        # 1 g in N mL: 1000 mg / N mL
        ("1:1,000", Fraction(1), "= 1 mg/mL"),
        ("1:1000", Fraction(1), "= 1 mg/mL"),
        ("1:10,000", Fraction(1, 10), "= 0.1 mg/mL"),
        ("1:100,000", Fraction(1, 100), "= 0.01 mg/mL"),
        ("1:200,000", Fraction(1, 200), "= 0.005 mg/mL"),
        ("1:3,000", Fraction(1, 3), "= about 0.33333 mg/mL"),
    ],
)
def test_ratio_strengths(text: str, mg_per_ml: Fraction, shown: str) -> None:
    conc = parse_concentration(text)
    assert conc.amount_unit is G
    assert conc.amount * 1000 / conc.volume == mg_per_ml
    assert conc.ratio == conc.volume
    (warning,) = conc.warnings
    assert shown in warning
    assert "ISMP asks for the mg/mL form" in warning


@pytest.mark.parametrize("text", ["1:50", "2:1000", "1:2.5", "1:1000.5", "1:", ":1000"])
def test_ratio_strengths_outside_1_to_n_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        parse_concentration(text)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("5 gms/h", "g/h"),
        ("5 Gm/h", "g/h"),
        ("4 mg/hr", "mg/h"),
        ("4 mg/hrs", "mg/h"),
        ("4 mg/hour(s)", "mg/h"),
        ("4 mg/minute(s)", "mg/min"),
        ("2 mL/hr", "mL/h"),
        ("1000 units/hr", "units/h"),
        ("3 mcg/kg/minute", "mcg/kg/min"),
        ("3 unit(s)/kg/hour(s)", "units/kg/h"),
    ],
)
def test_spellings(text: str, unit: str) -> None:
    assert str(parse_dose(text).unit) == unit


@pytest.mark.parametrize(
    "text", ["30 gtt/min", "30 gtts/min", "30 drops/min", "30 drops per minute"]
)
def test_drops_are_read_only_when_asked(text: str) -> None:
    dose = parse_dose(text, drops=True)
    assert (dose.value, str(dose.unit), dose.unit.kind, dose.is_drip_rate) == (
        Fraction(30),
        "gtt/min",
        Kind.DROPS,
        True,
    )
    with pytest.raises(InputError, match="drop factor"):
        parse_dose(text)


def test_drops_are_never_per_kg() -> None:
    with pytest.raises(InputError, match="not per kg"):
        parse_dose("3 gtt/kg/min", drops=True)


def test_calculate_refuses_to_turn_drops_into_a_drug_amount() -> None:
    from infuse_calc.dosing import calculate
    from infuse_calc.errors import IncompatibleError

    with pytest.raises(IncompatibleError) as caught:
        calculate(parse_dose("30 gtt/min", drops=True), None, parse_concentration("1 mg/mL"))
    assert "drops" in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "lb_per_kg", "kg"),
    [
        ("220 lb", Fraction("2.2"), Fraction(100)),  # 220 / 2.2
        ("154 lb", Fraction("2.2"), Fraction(70)),
        ("35 lb", Fraction("2.2"), Fraction(175, 11)),
        ("220 lb", None, Fraction("99.7903214")),  # 220 x 0.45359237
        ("72 kg", Fraction("2.2"), Fraction(72)),  # not pounds: the factor does not apply
    ],
)
def test_textbook_pounds(text: str, lb_per_kg: Fraction | None, kg: Fraction) -> None:
    weight = parse_weight(text, lb_per_kg=lb_per_kg)
    assert weight.kg == kg
    if weight.unit is LB:
        exact = Fraction(100000000, 45359237)  # 1 / 0.45359237
        assert weight.lb_per_kg == (lb_per_kg or exact)
    else:
        assert weight.lb_per_kg is None


@pytest.mark.parametrize("factor", [Fraction("0.45359237"), Fraction("2.3"), Fraction(1)])
def test_an_implausible_lb_per_kg_factor_is_refused(factor: Fraction) -> None:
    with pytest.raises(InputError, match=r"must be between 2\.2"):
        parse_weight("154 lb", lb_per_kg=factor)


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("2-4 mg/min", "ranges (2-4) are not read"),
        ("1 to 4 mg/min", "'to' (a range) is not read"),
        ("1:1000 mg/h", "ratio strengths such as 1:1,000 are read only as a concentration"),
        ("4 mg/h (80 mcg/min)", "brackets are read only around a concentration"),
    ],
)
def test_more_dose_refusals(text: str, reason_part: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_dose(text)
    assert reason_part in str(caught.value)
