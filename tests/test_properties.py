"""Properties of the dosing maths that must hold for every input, checked with hypothesis.

Every figure is an exact Fraction, so each property is asserted with ``==``, never with a
tolerance. Inputs are generated as decimal strings in the grammar (leading zero, no trailing
zeros, at most 15 digits) and go through the real parsers, so no warning is involved.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infuse_calc.dosing import Calculation, Measure, calculate
from infuse_calc.notation import format_number
from infuse_calc.quantities import (
    HOUR,
    ML,
    Dose,
    RateUnit,
    parse_concentration,
    parse_dose,
    parse_rate_unit,
    parse_weight,
)

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
CLI_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Forward-direction measures whose value scales with the dose (pump rounding does not).
SCALING = ("per_minute", "per_hour", "per_day", "pump_rate", "volume_per_day", "dose_rate")


def text_of(value: Fraction) -> str:
    """An exact decimal in the input grammar: ``0.5``, ``7``, ``2500`` (no trailing zeros).

    Written independently of infuse_calc.notation so the inputs do not depend on the code
    under test. ``value`` must be a finite decimal.
    """
    with localcontext() as ctx:
        ctx.prec = 100
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    text = f"{exact:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    assert Fraction(text) == value, (text, value)
    return text


@st.composite
def decimals(draw: st.DrawFn, max_digits: int = 7, max_places: int = 4) -> Fraction:
    """A positive decimal with at most ``max_digits`` digits and ``max_places`` decimals."""
    places = draw(st.integers(0, max_places))
    mantissa = draw(st.integers(1, 10**max_digits - 1))
    return Fraction(mantissa, 10**places)


weights_kg = st.builds(lambda n: Fraction(n, 10), st.integers(1, 6500))  # 0.1 to 650 kg
mass_rate_units = st.sampled_from(
    ["mcg/kg/min", "mcg/kg/h", "mg/kg/h", "mg/kg/min", "mcg/min", "mg/h", "g/day", "ng/kg/min"]
)
unit_rate_units = st.sampled_from(["units/kg/h", "units/h", "milliunits/kg/min", "units/min"])
mass_concentrations = st.sampled_from(["mg/mL", "mcg/mL", "g/L", "mg/L", "g/mL"])
unit_concentrations = st.sampled_from(["units/mL", "milliunits/mL", "units/L"])


@st.composite
def forward_cases(draw: st.DrawFn) -> tuple[str, str, str]:
    """A (dose, weight, concentration) triple of compatible kinds, all as typed text."""
    units_drug = draw(st.booleans())
    rate = draw(unit_rate_units if units_drug else mass_rate_units)
    conc_unit = draw(unit_concentrations if units_drug else mass_concentrations)
    dose = f"{text_of(draw(decimals()))} {rate}"
    weight = text_of(draw(weights_kg))
    conc_amount = text_of(draw(decimals(max_digits=6, max_places=3)))
    amount_unit, volume_unit = conc_unit.split("/")
    volume = draw(st.sampled_from(["", "50 ", "250 ", "0.5 ", "1000 "]))
    return dose, weight, f"{conc_amount} {amount_unit}/{volume}{volume_unit}"


def calc(
    dose: str, weight: str | None, conc: str | None, dose_unit: str | None = None
) -> Calculation:
    return calculate(
        parse_dose(dose),
        parse_weight(weight) if weight else None,
        parse_concentration(conc) if conc else None,
        parse_rate_unit(dose_unit)[0] if dose_unit else None,
    )


def same_unit(measure: Measure, reference: Measure) -> Fraction:
    """``measure`` expressed in ``reference``'s unit (display units may differ)."""
    return measure.to(reference.unit).value


# --- linearity ----------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(case=forward_cases(), k=st.integers(2, 1000))
def test_k_times_the_dose_gives_k_times_every_figure(case: tuple[str, str, str], k: int) -> None:
    dose, weight, conc = case
    value, unit = dose.split(" ", 1)
    base = calc(dose, weight, conc)
    scaled = calc(f"{text_of(Fraction(value) * k)} {unit}", weight, conc)
    for name in SCALING:
        before, after = getattr(base, name), getattr(scaled, name)
        if before is None:
            assert after is None
            continue
        assert same_unit(after, before) == k * before.value, name


@PROPERTY_SETTINGS
@given(case=forward_cases(), k=st.integers(2, 9))
def test_k_times_the_concentration_divides_the_pump_rate_by_k(
    case: tuple[str, str, str], k: int
) -> None:
    dose, weight, conc = case
    number, rest = conc.split(" ", 1)
    base = calc(dose, weight, conc)
    stronger = calc(dose, weight, f"{text_of(Fraction(number) * k)} {rest}")
    assert base.pump_rate is not None
    assert stronger.pump_rate is not None
    assert stronger.pump_rate.value * k == base.pump_rate.value
    # the amount delivered does not depend on the concentration
    assert stronger.per_hour == base.per_hour


# --- unit invariance ----------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(x=decimals(max_digits=6, max_places=3), weight=weights_kg)
def test_one_dose_in_three_units_gives_the_same_figures(x: Fraction, weight: Fraction) -> None:
    # x mcg/kg/min = x * 60 / 1000 mg/kg/h = x / 1000 mg/kg/min (worked by hand)
    spellings = [
        f"{text_of(x)} mcg/kg/min",
        f"{text_of(x * 60 / 1000)} mg/kg/h",
        f"{text_of(x / 1000)} mg/kg/min",
        f"{text_of(x * 60 * 24)} mcg/kg/day",
    ]
    results = [calc(d, text_of(weight), "10 mg/mL", "mcg/kg/min") for d in spellings]
    first = results[0]
    assert first.dose_rate == Measure(x, "mcg/kg/min")
    for other in results[1:]:
        for name in ("per_minute", "per_hour", "per_day", "pump_rate", "dose_rate"):
            assert (
                same_unit(getattr(other, name), getattr(first, name)) == getattr(first, name).value
            ), name


@st.composite
def concentration_spellings(draw: st.DrawFn) -> tuple[Fraction, list[str]]:
    """One concentration (mg/mL) and several ways of writing it."""
    volume = draw(st.sampled_from([1, 2, 4, 5, 8, 10, 20, 25, 50, 100, 125, 200, 250, 500]))
    per_ml = draw(decimals(max_digits=5, max_places=3))
    amount = per_ml * volume  # mg in `volume` mL
    spellings = [
        f"{text_of(amount)} mg/{volume} mL",
        f"{text_of(amount)} mg in {volume} mL",
        f"{text_of(per_ml)} mg/mL",
        f"{text_of(per_ml * 1000)} mcg/mL",
        f"{text_of(per_ml)} g/L",  # 1 mg/mL = 1 g/L
        f"{text_of(amount / 1000)} g/{volume} mL",
    ]
    if per_ml <= 1000:
        spellings.append(f"{text_of(per_ml / 10)}%")  # 1% w/v = 1 g/100 mL = 10 mg/mL
    return per_ml, spellings


@PROPERTY_SETTINGS
@given(conc=concentration_spellings(), x=decimals(max_digits=5, max_places=2))
def test_one_concentration_in_many_spellings_gives_the_same_pump_rate(
    conc: tuple[Fraction, list[str]], x: Fraction
) -> None:
    per_ml, spellings = conc
    results = [calc(f"{text_of(x)} mcg/kg/min", "72", c) for c in spellings]
    # x mcg/kg/min * 72 kg * 60 min/h / 1000 mcg/mg / per_ml mg/mL (by hand)
    expected = x * 72 * 60 / 1000 / per_ml
    for spelling, result in zip(spellings, results, strict=True):
        assert result.pump_rate == Measure(expected, "mL/h"), spelling
        assert result.concentration_per_ml is not None
        assert same_unit(result.concentration_per_ml, Measure(per_ml, "mg/mL")) == per_ml


@PROPERTY_SETTINGS
@given(x=decimals(max_digits=6, max_places=2))
def test_x_lb_is_x_times_0_45359237_kg(x: Fraction) -> None:
    kg = x * Fraction("0.45359237")  # the international pound, exactly
    if not Fraction(1, 10) <= kg <= 650:
        return
    in_lb = calc("7 mcg/kg/min", f"{text_of(x)} lb", "10 mg/mL")
    in_kg = calc("7 mcg/kg/min", f"{text_of(kg)} kg", "10 mg/mL")
    assert in_lb.weight is not None
    assert in_lb.weight.kg == kg
    assert in_lb.record()["weight"] == in_kg.record()["weight"]
    for name in SCALING:
        assert getattr(in_lb, name) == getattr(in_kg, name), name
    assert in_lb.pump == in_kg.pump


# --- round trips and time ratios ----------------------------------------------------------


@PROPERTY_SETTINGS
@given(case=forward_cases())
def test_pump_rate_back_to_dose_returns_the_dose_exactly(case: tuple[str, str, str]) -> None:
    dose_text, weight, conc = case
    forward = calc(dose_text, weight, conc)
    assert forward.pump_rate is not None
    # The exact (unrounded) pump rate as a volume-rate dose: not always a finite decimal,
    # so the Dose is built directly rather than typed.
    volume_rate = Dose(forward.pump_rate.value, RateUnit(ML, HOUR), "pump rate")
    dose = parse_dose(dose_text)
    reverse = calculate(
        volume_rate, parse_weight(weight), parse_concentration(conc), dose_unit=dose.unit
    )
    assert reverse.dose_rate == Measure(dose.value, str(dose.unit))
    assert reverse.per_hour is not None
    assert forward.per_hour is not None
    assert reverse.per_hour.to(forward.per_hour.unit) == forward.per_hour


@PROPERTY_SETTINGS
@given(case=forward_cases())
def test_per_day_is_24_per_hour_is_1440_per_minute(case: tuple[str, str, str]) -> None:
    r = calc(*case)
    assert r.per_day is not None
    assert r.per_hour is not None
    assert r.per_minute is not None
    amount_day = r.per_day.unit.split("/")[0]
    per_hour_as_day_amount = r.per_hour.to(f"{amount_day}/h").value
    per_minute_as_day_amount = r.per_minute.to(f"{amount_day}/min").value
    assert r.per_day.value == 24 * per_hour_as_day_amount
    assert r.per_day.value == 1440 * per_minute_as_day_amount
    assert r.pump_rate is not None
    assert r.volume_per_day is not None
    assert r.volume_per_day.value == 24 * r.pump_rate.value


# --- machine output -----------------------------------------------------------------------


def measures(record: dict[str, Any]) -> dict[str, Measure]:
    return {k: v for k, v in record.items() if isinstance(v, Measure)}


@CLI_SETTINGS
@given(case=forward_cases(), fmt=st.sampled_from(["json", "csv"]))
def test_machine_output_is_the_nearest_float_of_each_exact_value(
    run: Any, case: tuple[str, str, str], fmt: str
) -> None:
    dose, weight, conc = case
    exact = measures(calc(dose, weight, conc).record())
    result = run("convert", dose, "-w", weight, "-c", conc, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    if fmt == "json":
        document = json.loads(result.stdout)
        for name, measure in exact.items():
            assert document[name] == {"value": float(measure.value), "unit": measure.unit}
    else:
        (cells,) = list(csv.DictReader(io.StringIO(result.stdout)))
        for name, measure in exact.items():
            assert float(cells[f"{name}_value"]) == float(measure.value), name
            assert cells[f"{name}_unit"] == measure.unit


# --- display rounding ---------------------------------------------------------------------


@st.composite
def fractions(draw: st.DrawFn) -> Fraction:
    kind = draw(st.integers(0, 2))
    if kind == 0:  # exact halves and near-halves at the 5th figure, at any scale
        digits = draw(st.integers(10000, 99999)) * 10 + 5
        nudge = draw(st.sampled_from([0, 1, -1]))
        scale = draw(st.integers(-40, 40))
        deep = 10 ** draw(st.integers(0, 80))
        return (Fraction(digits * deep + nudge, deep)) * Fraction(10) ** scale
    if kind == 1:
        return Fraction(draw(st.integers(1, 10**20)), draw(st.integers(1, 10**20)))
    return Fraction(draw(st.integers(1, 10**80)), 10 ** draw(st.integers(0, 90)))


@settings(max_examples=300, deadline=None)
@given(value=fractions(), negative=st.booleans())
def test_display_rounding_is_within_half_a_step_and_halves_go_away_from_zero(
    value: Fraction, negative: bool
) -> None:
    if negative:
        value = -value
    text = format_number(value)
    shown = Fraction(text.replace(",", ""))
    places = len(text.partition(".")[2])
    step = Fraction(1, 10**places)
    assert abs(shown - value) <= step / 2
    if abs(shown - value) == step / 2:
        assert abs(shown) > abs(value), "a half rounds away from zero"
    # 5 significant figures, but no whole-number digit is ever rounded away
    significant = text.replace(",", "").replace("-", "").replace(".", "").lstrip("0")
    if abs(value) >= 10**4:
        assert "." not in text
        assert shown == int(abs(value) + Fraction(1, 2)) * (-1 if value < 0 else 1)
    else:
        assert len(significant) <= 5


def decimal_reference(value: Fraction, figures: int = 5, separators: bool = True) -> str:
    """format_number by its definition, in Decimal arithmetic (the implementation works on
    integers): 5 significant figures, whole digits kept, halves away from zero."""
    from decimal import ROUND_HALF_UP, Decimal, localcontext

    if value == 0:
        return "0"
    size = abs(value)
    exponent = 0
    while Fraction(10) ** exponent > size:
        exponent -= 1
    while Fraction(10) ** (exponent + 1) <= size:
        exponent += 1
    places = max(0, figures - 1 - exponent)
    with localcontext() as ctx:
        ctx.prec = 400
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,f}" if separators else f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@settings(max_examples=300, deadline=None)
@given(value=fractions(), negative=st.booleans(), separators=st.booleans())
def test_display_rounding_matches_its_decimal_definition(
    value: Fraction, negative: bool, separators: bool
) -> None:
    if negative:
        value = -value
    # 400 digits of precision hold every generated value exactly enough to round once
    assert format_number(value, separators=separators) == decimal_reference(
        value, separators=separators
    )
