"""Batch refuses, warns and calculates exactly as convert does (issue 17).

Batch reads each cell with convert's own parsers and evaluates the engine's plan as
convert's ``calculate`` does, so parity holds by construction; these tests hold it by test
too. Each case runs ``convert`` through the CLI (JSON out, warnings and errors on stderr)
and the same order as a batch row:

* an input convert refuses is an error row whose message is convert's;
* every warning convert gives (stderr) is in the row's ``warnings``, in convert's order;
* every figure is the same float.

The generators cover the input grammar: numbers accepted and refused (leading zeros, long
digit strings, commas, exponents, signs), every unit spelling, weights at and beyond the
bounds, and pump rates that round up and down past each warning threshold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from infuse_calc.batch import FIELDS, BatchOptions, error_of, output_names, process
from infuse_calc.cli import cli
from infuse_calc.formats.output import jsonable


def convert(
    row: dict[str, str], resolution: str = "0.1", lb_per_kg: str | None = None
) -> tuple[int, Any, str]:
    """convert on a row's cells: exit code, JSON document (or None) and stderr."""
    args = ["convert", "--format", "json", "--pump-resolution", resolution]
    if lb_per_kg is not None:
        args += ["--lb-per-kg", lb_per_kg]
    for flag, name in (("-w", "weight"), ("-c", "concentration"), ("--dose-unit", "dose_unit")):
        if row.get(name):
            args += [flag, row[name]]
    # "--": a dose such as "-3 mcg/min" is the argument, not an option (on a command line
    # click reads it as the option -3; a batch cell is only ever a value)
    args += ["--", row["dose"]]
    result = CliRunner().invoke(cli, args, env={"COLUMNS": "100"})
    document = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, document, result.stderr


def batch(
    row: dict[str, str], resolution: str = "0.1", lb_per_kg: str | None = None
) -> dict[str, Any]:
    factor = None if lb_per_kg is None else Fraction(lb_per_kg)
    options = BatchOptions(pump_resolution=Fraction(resolution), lb_per_kg=factor)
    (record,) = process([row], options)
    return record


def computed(record: dict[str, Any]) -> dict[str, Any]:
    names = output_names(list(record)[: record.width])  # type: ignore[attr-defined]
    return {name: jsonable(record[names[name]]) for name in FIELDS}


def warnings_on(stderr: str) -> list[str]:
    prefix = "Warning: "
    return [line[len(prefix) :] for line in stderr.splitlines() if line.startswith(prefix)]


def assert_parity(
    row: dict[str, str], resolution: str = "0.1", lb_per_kg: str | None = None
) -> dict[str, Any]:
    """The batch row of ``row`` is what convert gives for it; returns the record."""
    code, document, stderr = convert(row, resolution, lb_per_kg)
    record = batch(row, resolution, lb_per_kg)
    error = error_of(record)
    if code != 0:
        assert code == 2, stderr  # refused input, never an internal error
        assert error is not None, (row, stderr)
        # convert names the option ("Invalid value for '-w' / '--weight': '072': ..."),
        # batch the column ("weight '072': ..."); the text and reason are the same words
        # a missing input: the same problem; convert asks for its option, batch its column
        tail = re.sub(r": (add an? \w+ column|give [\w' ]+ in the \w+ column).*", "", error)
        if tail != error:
            assert re.search(r": give [\w' ]+ with --\w+", stderr), stderr
        for what in ("dose unit", "dose", "weight", "concentration"):
            if tail.startswith(f"{what} '"):
                tail = tail[len(what) + 1 :]
                break
        assert tail in stderr, (error, stderr)
        return record
    assert error is None, (row, error)
    assert computed(record) | {"warnings": None} == document | {"warnings": None}
    assert record["warnings"] == warnings_on(stderr)
    return record


# --- the three mutants that escaped (fixed, not random) -----------------------------------


def after_a_good_row(good: dict[str, str], row: dict[str, str]) -> dict[str, Any]:
    """The record of ``row`` as the second row of a batch whose first row (``good``, the
    same units) made the plan: the path most rows of a batch take, where only the cells
    are read."""
    first, second = process([good, row], BatchOptions())
    assert error_of(first) is None
    return second


def test_batch_refuses_a_leading_zero_dose_in_converts_words() -> None:
    row = {"dose": "05 mcg/kg/min", "weight": "72"}
    record = assert_parity(row)
    message = (
        "dose '05 mcg/kg/min': '05': a leading zero must be followed by a decimal point "
        "(did you mean 0.5 or 5?)"
    )
    assert error_of(record) == message
    assert error_of(after_a_good_row({"dose": "5 mcg/kg/min", "weight": "72"}, row)) == message


def test_batch_refuses_a_leading_zero_weight_in_converts_words() -> None:
    row = {"dose": "5 mcg/kg/min", "weight": "072"}
    record = assert_parity(row)
    message = (
        "weight '072': '072': a leading zero must be followed by a decimal point "
        "(did you mean 0.72 or 72?)"
    )
    assert error_of(record) == message
    assert error_of(after_a_good_row({"dose": "5 mcg/kg/min", "weight": "72"}, row)) == message


@pytest.mark.parametrize(
    ("row", "good"),
    [
        ({"dose": "1234567890123456 mg/h"}, {"dose": "1 mg/h"}),
        ({"dose": "0.123456789012345 mg/h"}, {"dose": "1 mg/h"}),
        (
            {"dose": "4 mg/h", "concentration": "1234567890123456 mg/250 mL"},
            {"dose": "4 mg/h", "concentration": "1 mg/250 mL"},
        ),
        (
            {"dose": "5 mcg/kg/min", "weight": "72.00000000000001"},
            {"dose": "5 mcg/kg/min", "weight": "72"},
        ),
    ],
)
def test_sixteen_digits_are_refused_by_both(row: dict[str, str], good: dict[str, str]) -> None:
    record = assert_parity(row)
    error = error_of(record)
    assert error is not None
    assert "has too many digits (at most 15)" in error
    assert error_of(after_a_good_row(good, row)) == error


def test_fifteen_digits_are_read_by_both() -> None:
    record = assert_parity({"dose": "123456789012345 mcg/h"})
    assert error_of(record) is None


def test_rounding_down_past_five_percent_is_warned_as_convert_warns() -> None:
    # 1.4 mg/h / 10 mg/mL = 0.14 mL/h; at 0.1 mL/h steps the pump is set to 0.1 mL/h,
    # which delivers 0.1 x 10 = 1 mg/h: (1 / 1.4 - 1) x 100 = -28.57%
    row = {"dose": "1.4 mg/h", "concentration": "10 mg/mL"}
    record = assert_parity(row)
    assert record["pump_rate_rounded"] == (0.1, "mL/h")
    assert record["rounded_rate_delivers"] == (1.0, "mg/h")
    assert record["rounded_rate_difference_percent"] == float(
        (Fraction(1) / Fraction("1.4") - 1) * 100
    )
    assert record["warnings"] == [
        "rounding the pump rate to 0.1 mL/h steps changes the dose by -28.57%: consider a "
        "more dilute concentration"
    ]


@pytest.mark.parametrize(
    ("dose", "resolution", "warned"),
    [
        # 0.5 mg/h / 10 mg/mL = 0.05 mL/h: a true half step rounds up to 0.1 (+100%)
        ("0.5 mg/h", "0.1", "changes the dose by +100%"),
        # 0.49 mg/h: 0.049 mL/h rounds down to 0
        ("0.49 mg/h", "0.1", "rounds to 0 mL/h at 0.1 mL/h steps"),
        # 1.05 mg/h: 0.105 mL/h -> 0.1 (-4.76%, within 5%): no warning
        ("1.05 mg/h", "0.1", None),
        # 0.95 mg/h: 0.095 mL/h -> 0.1 (+5.26%): warned
        ("0.95 mg/h", "0.1", "changes the dose by +5.26%"),
        # 9990 mg/h: 999 mL/h is the top of the range, not above it (but 999 x 24 =
        # 23,976 mL/day is over the daily volume limit of 2,000 mL/day)
        ("9990 mg/h", "0.1", "23,976 mL/day from this one infusion is over 2,000 mL/day"),
        # 9990.5 mg/h: 999.05 mL/h is above 999 (and rounds to 999.1)
        ("9990.5 mg/h", "0.1", "is above 999 mL/h"),
        # 833.33333333333 mg/h: 83.333333333333 mL/h x 24 = 1,999.99999999999 mL/day: under
        ("833.33333333333 mg/h", "0.1", None),
        # 834 mg/h: 83.4 mL/h x 24 = 2,001.6 mL/day, over the limit
        ("834 mg/h", "0.1", "2,001.6 mL/day from this one infusion is over 2,000 mL/day"),
        # at 1 mL/h steps 14.9 mg/h is 1.49 mL/h -> 1 mL/h (-32.89%)
        ("14.9 mg/h", "1", "changes the dose by -32.89%"),
    ],
)
def test_each_pump_threshold_from_both_sides(
    dose: str, resolution: str, warned: str | None
) -> None:
    record = assert_parity({"dose": dose, "concentration": "10 mg/mL"}, resolution)
    if warned is None:
        assert record["warnings"] == []
    else:
        assert any(warned in w for w in record["warnings"]), record["warnings"]
        if "mL/day" in warned:
            assert not any("above" in w for w in record["warnings"])


# --- the whole grammar, generated -----------------------------------------------------------


def decimal(mantissa: int, places: int) -> str:
    """``mantissa * 10**-places`` as typed: ``7.25``, ``0.05``, ``7`` (no trailing zero)."""
    if places == 0:
        return str(mantissa)
    digits = str(mantissa).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}".rstrip("0")
    return text.rstrip(".")


accepted_numbers = st.one_of(
    st.integers(1, 10**6).map(str),
    st.builds(decimal, st.integers(1, 10**6), st.integers(0, 4)),
    st.builds(lambda n: "0." + "0" * n + "5", st.integers(0, 6)),
    st.sampled_from(["0.5", "2.5", "7", "30.5", "100", "999", "123456789012345"]),
)
warned_numbers = st.sampled_from([".5", "5.0", "7.50", "0.10", ".25"])
refused_numbers = st.one_of(
    st.builds(lambda n: "0" + str(n), st.integers(0, 999)),  # leading zeros: 00, 05, 072
    st.builds(lambda n: "1" * n, st.integers(16, 24)),  # too many digits
    st.sampled_from(
        [
            "7,5",
            "25,000",
            "1,5",
            "1e3",
            "1E-2",
            "5e",
            "-3",
            "−3",
            "0",
            "0.0",
            "nan",
            "inf",
            "1.5.3",
            "1..5",
            "7.",
            ".",
            "٣",
            "½",
            "1/2",
        ]
    ),
)
numbers = st.one_of(accepted_numbers, accepted_numbers, warned_numbers, refused_numbers)

# Spellings by kind of amount, the error-prone ones (warned) among them.
MASS = [
    "mcg",
    "micrograms",
    "microgram",
    "ug",
    "µg",
    "mg",
    "milligrams",
    "MG",
    "Mg",
    "g",
    "gram",
    "ng",
    "nanograms",
]
UNITS = ["units", "unit", "U", "IU", "milliunits", "mU", "mIU", "USP units", "USP milliunits"]
OTHER = ["mmol", "millimoles", "mEq"]
VOLUME = ["mL", "ml", "milliliters", "cc", "L", "liters"]
TIMES = [
    "min",
    "minute",
    "minutes",
    "mins",
    "h",
    "hr",
    "hrs",
    "hour",
    "hours",
    "day",
    "days",
    "d",
    "H",
    "Min",
]
KINDS = {"mass": MASS, "units": UNITS, "mmol": ["mmol", "millimoles"], "mEq": ["mEq"]}
CONCENTRATION_AMOUNTS = {
    "mass": ["mg", "mcg", "g", "ng", "micrograms"],
    "units": ["units", "milliunits", "U", "USP units", "usp Units"],
    "mmol": ["mmol"],
    "mEq": ["mEq"],
}
TARGETS = {
    "mass": ["mg/kg/h", "mcg/min", "mcg/kg/min", "g/day", "ng/kg/min"],
    "units": ["units/kg/h", "milliunits/min", "units/h"],
    "mmol": ["mmol/h", "mmol/kg/day"],
    "mEq": ["mEq/h"],
}
BAD_UNITS = [
    "gr/h",
    "oz/h",
    "xyz/min",
    "mcg/kg",
    "mg",
    "mL/h/kg",
    "mcg/kg/min/h",
    "kg/min",
    "mcg*kg/min",
    "mcg/lb/min",
    "mcg/s",
    "mg/kg/kg/h",
    "mcg/ kg/min",
    "1:1000",
]
BAD_WEIGHTS = [
    "0.09",
    "650.1",
    "700",
    "99 g",
    "0.22 lb",
    "1434 lb",
    "650001 g",
    "72 mg",
    "72 st",
    "72 kg kg",
    "kg",
    "-72",
]
EDGE_WEIGHTS = [
    "0.1",
    "650",
    "100 g",
    "0.23 lb",
    "1433 lb",
    "650000 g",
    "72",
    "72 kg",
    "154 lb",
    "154 lbs",
    "72 KG",
    "3.45",
    "850 g",
    ".5",
]
BAD_CONCENTRATIONS = [
    "1:50",
    "10 mg",
    "101%",
    "10 mg/L/h",
    "10 mg/kg",
    "10 mL/mg",
    "mg/mL",
    "10 mg/0 mL",
    "10 mg per",
    "10 mg in mL",
]
BAD_TARGETS = ["mg", "xyz/h", "mcg/kg", "kg/h", "mL", "mg/kg/kg/h"]


@st.composite
def rows(draw: st.DrawFn) -> dict[str, str]:
    """An order whose cells agree in kind; at most one cell is outside the grammar (which
    one, if any, is drawn), so the error to expect is clear."""
    bad = draw(st.sampled_from([None, None, None, "dose", "weight", "concentration", "dose_unit"]))
    kind = draw(st.sampled_from([*KINDS, "volume"]))
    per_kg = draw(st.booleans())
    amount = draw(st.sampled_from(VOLUME if kind == "volume" else KINDS[kind]))
    rate = (
        f"{amount}/kg/{draw(st.sampled_from(TIMES))}"
        if per_kg
        else f"{amount}/{draw(st.sampled_from(TIMES))}"
    )
    if draw(st.integers(0, 5)) == 0:
        rate = rate.replace("/", " per ")
    number = draw(numbers if bad == "dose" else st.one_of(accepted_numbers, warned_numbers))
    if bad == "dose" and draw(st.booleans()):
        number, rate = draw(accepted_numbers), draw(st.sampled_from(BAD_UNITS))
    drug = kind if kind != "volume" else draw(st.sampled_from(list(KINDS)))
    row = {"dose": f"{number} {rate}", "weight": "", "concentration": "", "dose_unit": ""}
    if bad == "weight":
        row["weight"] = draw(st.one_of(st.sampled_from(BAD_WEIGHTS), refused_numbers))
    elif per_kg or draw(st.booleans()):
        row["weight"] = draw(st.one_of(st.sampled_from(EDGE_WEIGHTS), accepted_numbers))
    if bad == "concentration":
        row["concentration"] = draw(
            st.one_of(
                st.sampled_from(BAD_CONCENTRATIONS),
                st.builds(lambda n: f"{n} mg/mL", refused_numbers),
                st.builds(lambda n: f"10 mg/{n} mL", refused_numbers),
            )
        )
    elif kind == "volume" or draw(st.booleans()):
        conc_amount = draw(st.sampled_from(CONCENTRATION_AMOUNTS[drug]))
        volume = draw(st.sampled_from(["mL", "250 mL", "50 mL", "1 L", "in 500 mL", "cc"]))
        separator = " " if volume.startswith("in ") else "/"
        conc = f"{draw(accepted_numbers)} {conc_amount}{separator}{volume}"
        if draw(st.integers(0, 3)) == 0:  # a vehicle, echoed as "vehicle" (issue 13)
            conc += draw(st.sampled_from([" D5W", " of NS", " normal saline", " LR"]))
        if drug == "mass" and draw(st.integers(0, 6)) == 0:
            conc = draw(st.sampled_from(["1%", "0.5%", "20%", "1:1000", "1:10,000"]))
        row["concentration"] = conc
    if bad == "dose_unit":
        row["dose_unit"] = draw(st.sampled_from(BAD_TARGETS))
    elif draw(st.booleans()):
        row["dose_unit"] = draw(st.sampled_from([*TARGETS[drug], "mL/h", "mL/kg/h"]))
    return row


PARITY = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def single_refusal(row: dict[str, str], lb_per_kg: str | None = None) -> bool:
    """Whether at most one cell is refused on its own (convert reports the first it reads,
    and reads options before the dose); a weight in pounds read with ``lb_per_kg``."""
    from infuse_calc.errors import InfuseCalcError
    from infuse_calc.quantities import (
        parse_concentration,
        parse_dose,
        parse_rate_unit,
        parse_weight,
    )

    readers: dict[str, Callable[[str], object]] = {
        "dose": parse_dose,
        "weight": lambda text: parse_weight(
            text, None if lb_per_kg is None else Fraction(lb_per_kg)
        ),
        "concentration": parse_concentration,
        "dose_unit": parse_rate_unit,
    }
    refused = 0
    for name, read in readers.items():
        if row[name]:
            try:
                read(row[name])
            except InfuseCalcError:
                refused += 1
    return refused <= 1


@PARITY
@given(rows())
def test_every_order_batch_as_convert(row: dict[str, str]) -> None:
    if not single_refusal(row):
        event("several cells refused: not compared")
        return
    record = assert_parity(row)
    if error_of(record) is not None:
        event("refused")
    else:
        event("warned" if record["warnings"] else "calculated")


@PARITY
@given(rows(), st.sampled_from(["2.2", "2.21", "2.205"]))
def test_textbook_pounds_batch_as_convert(row: dict[str, str], lb_per_kg: str) -> None:
    # --lb-per-kg is one rule: batch reads a weight in pounds with the factor convert uses
    if not single_refusal(row, lb_per_kg):
        return
    record = assert_parity(row, lb_per_kg=lb_per_kg)
    if error_of(record) is None and row["weight"].endswith(("lb", "lbs")):
        assert record["lb_per_kg"] == float(Fraction(lb_per_kg))


def test_a_vehicle_and_a_ratio_batch_as_convert() -> None:
    # 400 mg in 250 mL = 1.6 mg/mL; 3 mcg/kg/min x 100 kg (220 lb / 2.2) x 60 = 18 mg/h;
    # 18 / 1.6 = 11.25 mL/h
    row = {"dose": "3 mcg/kg/min", "weight": "220 lb", "concentration": "400 mg in 250 mL of D5W"}
    record = assert_parity(row, lb_per_kg="2.2")
    assert record["vehicle"] == "D5W"
    assert record["pump_rate"] == (11.25, "mL/h")
    assert record["result_weight"] == (100.0, "kg")
    # 1:10,000 = 1 g in 10,000 mL = 0.1 mg/mL
    ratio = assert_parity({"dose": "1 mcg/min", "concentration": "1:10,000"})
    assert ratio["result_concentration"] == (0.1, "mg/mL")
    assert ratio["vehicle"] is None


def test_usp_units_batch_as_convert() -> None:
    # 18 units/kg/h x 70 kg = 1,260 units/h; 25,000 units / 250 mL = 100 units/mL;
    # 1,260 / 100 = 12.6 mL/h. USP names the standard: the figures are in plain units.
    row = {
        "dose": "18 USP units/kg/h",
        "weight": "70",
        "concentration": "25,000 USP units/250 mL",
    }
    record = assert_parity(row)
    assert record["per_hour"] == (1260.0, "units/h")
    assert record["result_concentration"] == (100.0, "units/mL")
    assert record["pump_rate"] == (12.6, "mL/h")
    # a bolus: 5,000 units / 1,000 units/mL = 5 mL
    bolus = assert_parity({"dose": "5,000 USP units", "concentration": "1,000 units/mL"})
    assert bolus["bolus_amount"] == (5000.0, "units")
    assert bolus["bolus_volume"] == (5.0, "mL")
    # refused alike: USP before mg
    refused = assert_parity({"dose": "1 units/h", "concentration": "25 USP mg/mL"})
    assert "'USP' is read only before units or milliunits" in str(error_of(refused))


# Pump rates near every threshold: k steps of the resolution, nudged up and down by a
# little under and over the 5% band, around 0 (the half step) and around 999 mL/h.
@st.composite
def near_thresholds(draw: st.DrawFn) -> tuple[dict[str, str], str]:
    resolution = draw(st.sampled_from(["0.1", "1", "0.01"]))
    step = Fraction(resolution)
    base = draw(
        st.one_of(
            st.integers(0, 12).map(lambda k: k * step),
            st.just(Fraction(999)),
            st.integers(995, 1005).map(Fraction),
        )
    )
    nudge = draw(
        st.sampled_from([Fraction(n, 1000) for n in (-60, -51, -49, -1, 0, 1, 49, 51, 60)])
    )
    rate = base + step / 2 + nudge * step if draw(st.booleans()) else base * (1 + nudge)
    if rate <= 0:
        rate = step / 3
    conc = draw(st.sampled_from([Fraction(1), Fraction(10), Fraction(4, 250), Fraction(1, 2)]))
    dose = rate * conc  # mg/h at conc mg/mL gives exactly `rate` mL/h
    text = f"{dose.numerator / dose.denominator:.12f}".rstrip("0").rstrip(".")
    conc_text = {Fraction(4, 250): "4 mg/250 mL"}.get(conc, f"{float(conc):g} mg/mL")
    return {"dose": f"{text} mg/h", "concentration": conc_text}, resolution


@PARITY
@given(near_thresholds())
def test_pump_rates_around_every_threshold_batch_as_convert(
    case: tuple[dict[str, str], str],
) -> None:
    row, resolution = case
    record = assert_parity(row, resolution)
    event(f"{len(record['warnings'] or ())} warnings")


# --- doses given over a time and boluses (issue 14) -----------------------------------------


@pytest.mark.parametrize(
    "row",
    [
        {"dose": "6 g over 20 minutes", "concentration": "40 g in 1000 mL"},
        {"dose": "500 mcg/kg over 1 min", "weight": "70", "concentration": "10 mg/mL"},
        {"dose": "1000 mL over 8 h"},
        {"dose": "1000 mL over 7 h", "concentration": "10 mg/mL", "weight": "72"},
        {"dose": "2 g over 1 h 30 min", "concentration": "2 g in 50 mL"},
        {"dose": "20 mL/kg over 20 min", "weight": "18"},
        {"dose": "150 mg over 10 min", "dose_unit": "mg/min"},
        {"dose": "80 units/kg", "weight": "70", "concentration": "1000 units/mL"},
        {"dose": "5,000 units"},
        {"dose": "250 mL", "concentration": "4 mg/mL"},
        {"dose": "0.01 mg/kg", "weight": "12.5", "concentration": "0.1 mg/mL"},
        # refused alike
        {"dose": "7 mcg/kg/min over 2 h", "weight": "72"},
        {"dose": "6 g over 0 min"},
        {"dose": "6 g over 8 days"},
        {"dose": "80 units/kg", "concentration": "1000 units/mL"},
        {"dose": "80 units/kg", "weight": "70", "dose_unit": "units/kg/h"},
        {"dose": "30 gtt/min", "concentration": "1 mg/mL"},
    ],
    ids=lambda row: row["dose"],
)
def test_doses_given_over_a_time_and_boluses_batch_as_convert(row: dict[str, str]) -> None:
    record = assert_parity(row)
    if error_of(record) is None:
        given = record["amount"] or record["bolus_amount"]
        assert given is not None


@st.composite
def given_rows(draw: st.DrawFn) -> dict[str, str]:
    """An amount over a time or a bolus, with or without a weight and a concentration."""
    kind = draw(st.sampled_from([*KINDS, "volume"]))
    amount = draw(st.sampled_from(VOLUME if kind == "volume" else KINDS[kind]))
    per_kg = draw(st.booleans())
    unit = f"{amount}/kg" if per_kg else amount
    number = draw(st.one_of(accepted_numbers, warned_numbers))
    dose = f"{number} {unit}"
    if draw(st.integers(0, 2)):
        parts = draw(
            st.sampled_from(
                ["20 min", "1 h", "8 hrs", "1 h 30 min", "30 minutes", "2 days", "90 min", "1.5 h"]
            )
        )
        dose += f" over {parts}"
    row = {"dose": dose, "weight": "", "concentration": "", "dose_unit": ""}
    if per_kg or draw(st.booleans()):
        row["weight"] = draw(st.sampled_from(EDGE_WEIGHTS))
    drug = kind if kind != "volume" else draw(st.sampled_from(list(KINDS)))
    if kind == "volume" or draw(st.booleans()):
        conc_amount = draw(st.sampled_from(CONCENTRATION_AMOUNTS[drug]))
        row["concentration"] = f"{draw(accepted_numbers)} {conc_amount}/mL"
    return row


@PARITY
@given(given_rows())
def test_every_amount_given_batch_as_convert(row: dict[str, str]) -> None:
    record = assert_parity(row)
    if error_of(record) is not None:
        event("refused")
    else:
        event("bolus" if record["bolus_amount"] else "over a time")
