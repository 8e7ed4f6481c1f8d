"""What the tool prints, it reads: every displayed figure, typed back in, is the value shown.

A property over the display formatter (:func:`infuse_calc.notation.format_number` and
:func:`~infuse_calc.notation.format_quantity`, with and without thousands separators) and
the parsers, and a CLI test feeding ``convert``'s own human output back in as input.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse_calc.errors import InputError
from infuse_calc.notation import format_number, format_quantity, round_significant
from infuse_calc.quantities import (
    MAX_DIGITS,
    MAX_WEIGHT_KG,
    MIN_WEIGHT_KG,
    parse_concentration,
    parse_dose,
    parse_number,
    parse_weight,
)

# Positive values across the magnitudes the formatter meets: decimals from 1e-20 to 1e20,
# arbitrary rationals (1/3, 2/23...) and floats (what JSON carries).
decimals = st.builds(
    lambda mantissa, exponent: Fraction(mantissa) * Fraction(10) ** exponent,
    st.integers(1, 10**12),
    st.integers(-30, 8),
)
rationals = st.fractions(min_value=Fraction(1, 10**12), max_value=10**15, max_denominator=10**12)
floats = st.floats(min_value=1e-15, max_value=1e15, allow_nan=False).map(Fraction)
positive = st.one_of(decimals, rationals, floats).filter(lambda value: value > 0)


def shown(text: str) -> Fraction:
    """The value a displayed figure stands for, read independently of the parser."""
    return Fraction(Decimal(text.replace(",", "")))


@settings(max_examples=500, deadline=None)
@given(positive, st.booleans())
def test_every_number_the_formatter_prints_reads_back_as_shown(
    value: Fraction, separators: bool
) -> None:
    text = format_number(value, separators=separators)
    assert shown(text) == Fraction(round_significant(value))
    warnings: list[str] = []
    if sum(c.isdigit() for c in text) > MAX_DIGITS:
        # beyond the input cap: refused in one line, never misread
        with pytest.raises(InputError, match="too many digits"):
            parse_number("value", text, text, warnings)
        return
    assert parse_number("value", text, text, warnings) == shown(text)
    assert warnings == []  # the formatter never prints an error-prone form


@settings(max_examples=300, deadline=None)
@given(positive, st.booleans(), st.sampled_from(["mcg/kg/min", "mg/h", "units/h", "mL/h"]))
def test_every_displayed_rate_reads_back_as_shown(
    value: Fraction, separators: bool, unit: str
) -> None:
    text = format_quantity(value, unit, separators=separators)
    number = text.split(" ")[0]
    if sum(c.isdigit() for c in number) > MAX_DIGITS:
        return  # covered by the number property above
    dose = parse_dose(text)
    assert (dose.value, str(dose.unit), dose.warnings) == (shown(number), unit, ())


@settings(max_examples=300, deadline=None)
@given(positive, st.booleans(), st.sampled_from(["mg/mL", "mcg/mL", "units/mL", "mEq/mL"]))
def test_every_displayed_concentration_reads_back_as_shown(
    value: Fraction, separators: bool, unit: str
) -> None:
    text = format_quantity(value, unit, separators=separators)
    number = text.split(" ")[0]
    if sum(c.isdigit() for c in number) > MAX_DIGITS:
        return
    conc = parse_concentration(text)
    assert (conc.amount / conc.volume, conc.unit_text, conc.warnings) == (shown(number), unit, ())


@settings(max_examples=200, deadline=None)
@given(st.fractions(min_value=MIN_WEIGHT_KG, max_value=MAX_WEIGHT_KG), st.booleans())
def test_every_displayed_weight_reads_back_as_shown(value: Fraction, separators: bool) -> None:
    text = format_quantity(value, "kg", separators=separators)
    number = shown(text.split(" ")[0])
    if not MIN_WEIGHT_KG <= number <= MAX_WEIGHT_KG:
        return  # rounded across a bound (649.999 kg shows as 650 kg, inside; never outside)
    assert parse_weight(text).kg == number


# --- the CLI's own output, typed back in ------------------------------------------------

FIGURE = re.compile(r"(\d[\d,]*(?:\.\d+)?) ([A-Za-z]+(?:/[A-Za-z]+)*)")
CASES = [
    # (dose, weight, concentration): all figures of the first are exact
    ("18 units/kg/h", "80", "25,000 units in 250 mL D5W"),
    ("3 mcg/kg/min", "220 lb", "400 mg in 250 mL of D5W"),
    ("0.05 mcg/kg/min", "70", "4 mg/250 mL"),
    ("2 milliunits/min", None, "30 units in 500 mL LR"),
    # label spellings: printed as units and 1/2 NS, which read back as the same values
    ("18 USP units/kg/h", "70", "25,000 USP units/250 mL"),
    ("3 mcg/kg/min", "70", "400 mg in 250 mL of half-normal saline"),
]


def rows(output: str) -> dict[str, str]:
    """``{"Per hour": "1,440 units/h", ...}`` from plain or table output."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"\s*([A-Z][a-z]+(?: [a-z]+)*)\s{2,}(.+?)\s*$", line)
        if match:
            found[match[1]] = match[2]
    return found


def pump_rate(shown: dict[str, str]) -> str:
    """The exact pump rate: its own row, or the setting's when the two are the same."""
    if "Exact rate" in shown:
        return shown["Exact rate"].removesuffix(" (calculated: not a pump setting)")
    return shown["Set pump to"].removesuffix(" (exact)")


def convert(run: Any, *args: str | None, fmt: str = "plain") -> dict[str, str]:
    command = ["convert", *(arg for arg in args if arg is not None), "--format", fmt]
    result = run(*command)
    assert result.exit_code == 0, (command, result.stderr)
    assert result.stderr == "", (command, result.stderr)  # read cleanly: no warning
    return rows(result.stdout)


@pytest.mark.parametrize("fmt", ["plain", "table"])
@pytest.mark.parametrize(("dose", "weight", "conc"), CASES)
def test_convert_reads_its_own_figures(
    run: Any, fmt: str, dose: str, weight: str | None, conc: str
) -> None:
    weight_args = ("-w", weight) if weight else (None, None)
    first = convert(run, dose, *weight_args, "-c", conc, fmt=fmt)
    figures = {label: FIGURE.findall(text) for label, text in first.items()}
    figures["Pump rate"] = FIGURE.findall(pump_rate(first))
    # every rate shown, typed back as a dose, is read as exactly the figure shown
    for label in ("Per minute", "Per hour", "Per day", "Pump rate", "Volume per day"):
        ((number, unit),) = figures[label]
        again = convert(run, f"{number} {unit}", "-c", conc, fmt=fmt)
        # the first row echoes the input (Dose, Pump rate or Volume rate) as it was read
        assert next(iter(again.values())) == f"{number} {unit}"
        assert parse_dose(f"{number} {unit}").value == shown(number)
    # the pump setting and the dose it delivers (the setting alone when it is exact)
    setting, *rest = figures["Set pump to"]
    assert parse_dose(" ".join(setting)).value == shown(setting[0])
    if rest:
        (_step, delivers) = rest
        assert parse_dose(" ".join(delivers)).value == shown(delivers[0])
    # the concentration as written and per mL; the weight as typed and in kg
    written, per_ml = first["Concentration"].split(" = ")
    assert parse_concentration(written).text == written
    ((number, unit),) = figures["Concentration"][-1:]
    again = convert(run, dose, *weight_args, "-c", f"{number} {unit}", fmt=fmt)
    assert pump_rate(again) == pump_rate(first)
    assert per_ml == f"{number} {unit}"
    if weight is not None:
        for number, unit in figures["Weight"]:
            assert parse_weight(f"{number} {unit}").value == shown(number)


def test_the_exact_case_round_trips_through_every_figure(run: Any) -> None:
    """18 units/kg/h x 80 kg = 1,440 units/h = 24 units/min = 34,560 units/day; / 100
    units/mL = 14.4 mL/h. Each figure typed back gives the same pump rate, and the pump
    rate typed back gives the same dose."""
    conc = "25,000 units in 250 mL D5W"
    first = convert(run, "18 units/kg/h", "-w", "80", "-c", conc)
    assert first["Per hour"] == "1,440 units/h"
    for label in ("Per minute", "Per hour", "Per day"):
        assert pump_rate(convert(run, first[label], "-c", conc)) == "14.4 mL/h"
    back = convert(run, pump_rate(first), "-w", "80", "-c", conc)
    assert back["Delivers"] == "18 units/kg/h"
