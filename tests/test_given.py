"""Doses given over a time, boluses, how long a bag lasts, drip rates typed in drops
(issue 14; the drops half of issue 13).

Every expected figure is worked by hand in the test (the arithmetic is written next to it);
the same forms are checked against GNU units in test_oracle_given.py and against batch in
test_parity.py.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse_calc.bag_time import end, lasts, parse_start, short_bag_warning, span_text
from infuse_calc.dosing import Calculation, calculate
from infuse_calc.errors import IncompatibleError, InputError
from infuse_calc.explain import explain
from infuse_calc.quantities import (
    UNITS,
    parse_amount,
    parse_concentration,
    parse_dose,
    parse_rate_unit,
    parse_weight,
)
from tests.conftest import check_golden

F = Fraction


def calc(dose: str, weight: str | None = None, conc: str | None = None, **kw: Any) -> Calculation:
    return calculate(
        parse_dose(dose, amounts=True),
        None if weight is None else parse_weight(weight),
        None if conc is None else parse_concentration(conc),
        **kw,
    )


# --- the grammar ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "unit", "minutes", "rate_unit"),
    [
        ("6 g over 20 minutes", F(6), "g", F(20), "g/min"),
        ("6 g over 20 min", F(6), "g", F(20), "g/min"),
        ("500 mcg/kg over 1 min", F(500), "mcg/kg", F(1), "mcg/kg/min"),
        ("1000 mL over 8 h", F(1000), "mL", F(480), "mL/h"),
        ("1,000 mL over 8 hrs", F(1000), "mL", F(480), "mL/h"),
        ("100 mL over 1 hour", F(100), "mL", F(60), "mL/h"),
        ("2 g over 1 h 30 min", F(2), "g", F(90), "g/min"),  # 60 + 30
        ("2 g over 1 hour 30 minutes", F(2), "g", F(90), "g/min"),
        ("2 g over 1.5 h", F(2), "g", F(90), "g/h"),  # 1.5 x 60
        ("5 g over 2 days", F(5), "g", F(2880), "g/day"),  # 2 x 1,440
        ("5 g over 1 day 12 h", F(5), "g", F(2160), "g/h"),  # 1,440 + 720
        ("20 mL/kg over 20 min", F(20), "mL/kg", F(20), "mL/kg/min"),
        ("150 mg over 7 days", F(150), "mg", F(10080), "mg/day"),  # the longest: 7 x 1,440
    ],
)
def test_amounts_over_a_time_are_read(
    text: str, amount: Fraction, unit: str, minutes: Fraction, rate_unit: str
) -> None:
    dose = parse_dose(text, amounts=True)
    assert dose.is_timed
    assert not dose.is_bolus
    assert (dose.amount, dose.amount_unit) == (amount, unit)
    assert dose.duration is not None
    assert dose.duration.minutes == minutes
    assert str(dose.unit) == rate_unit
    # the rate is the amount over the time in the smallest unit written
    assert dose.value * dose.duration.value == amount


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("80 units/kg", F(80), "units/kg"),
        ("5,000 units", F(5000), "units"),
        ("150 mg", F(150), "mg"),
        ("0.5 mg/kg", F(1, 2), "mg/kg"),
        ("250 mL", F(250), "mL"),
    ],
)
def test_boluses_are_read(text: str, value: Fraction, unit: str) -> None:
    dose = parse_dose(text, amounts=True)
    assert dose.is_bolus
    assert not dose.is_timed
    assert (dose.value, str(dose.unit), dose.amount) == (value, unit, value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("7 mcg/kg/min over 2 h", "a schedule, not a bolus"),
        # the amount it would be: 7 x 120 min = 840 mcg/kg
        ("7 mcg/kg/min over 2 h", "840 mcg/kg over 2 h"),
        ("6 g over 0 min", "the time after 'over' must be greater than zero"),
        ("6 g over -5 min", "negative values are not accepted"),
        ("6 g over 8 days", "longer than 7 days"),
        ("6 g over 7 days 1 min", "longer than 7 days"),
        ("6 g over 169 h", "longer than 7 days"),  # 7 x 24 = 168
        ("6 g over 30 min 1 h", "largest unit first"),
        ("6 g over 1 h 1 h", "largest unit first"),
        ("6 g over", "expected a time after 'over'"),
        ("6 g over 20", "expected a time unit"),
        ("6 g over 20 mg", "'mg' is not a time unit"),
        ("6 g over 20 min please", "expected a number, found 'please'"),
        ("6 g over nan min", "is not a number"),
        ("6 g over 1e3 min", "without exponents"),
        ("6 g over 7,5 min", "did you mean 7.5 or 75"),
        ("30 gtt", "drops"),
        ("30 gtt over 1 min", "drops"),
        ("7 kg", "a dose cannot be in kg"),
    ],
)
def test_bad_forms_are_refused_in_one_line(text: str, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_dose(text, amounts=True, drops=True)
    assert reason in caught.value.reason
    assert "\n" not in str(caught.value)


def test_without_amounts_a_reader_still_wants_a_rate() -> None:
    with pytest.raises(InputError, match="expected a rate"):
        parse_dose("80 units/kg")
    with pytest.raises(InputError, match="an amount over a time is not read here"):
        parse_dose("6 g over 20 min")


def test_amount_units_and_amounts() -> None:
    assert str(parse_rate_unit("units/kg", amounts=True)[0]) == "units/kg"
    with pytest.raises(InputError):
        parse_rate_unit("units/kg")
    assert parse_amount("10,000 units", "--max")[:2] == (F(10000), UNITS)
    for bad, reason in (("10 mg/h", "not a rate"), ("2 h", "not an amount"), ("72 kg", "amount")):
        with pytest.raises(InputError, match=reason):
            parse_amount(bad, "--max")


# --- the examples, worked by hand ---------------------------------------------------


def test_magnesium_6_g_over_20_minutes() -> None:
    c = calc("6 g over 20 minutes", conc="40 g in 1000 mL")
    # 6 g / 20 min x 60 min/h = 18 g/h; 40 g / 1,000 mL = 40 mg/mL
    assert c.per_hour is not None
    assert (c.per_hour.value, c.per_hour.unit) == (F(18), "g/h")
    # 18,000 mg/h / 40 mg/mL = 450 mL/h; 6,000 mg / 40 mg/mL = 150 mL
    assert c.pump_rate is not None
    assert c.pump_rate.value == 450
    assert c.given is not None
    assert c.given.volume is not None
    assert (c.given.volume.value, c.given.volume.unit) == (F(150), "mL")
    assert (c.given.amount.value, c.given.amount.unit) == (F(6000), "mg")
    assert c.given.duration is not None
    assert (c.given.duration.value, c.given.duration.unit) == (F(20), "min")
    assert explain(c)[:3] == [
        "6 g ÷ 20 min × 60 min/h = 18 g/h",
        "18 g/h ÷ 40 mg/mL = 450 mL/h",
        "450 mL/h × 20 min ÷ 60 min/h = 150 mL",
    ]


def test_cefazolin_2_g_over_30_min() -> None:
    c = calc("2 g over 30 min", conc="2 g in 50 mL")
    # 2 g / 0.5 h = 4 g/h; 2 g in 50 mL = 40 mg/mL; 4,000 / 40 = 100 mL/h
    assert c.pump_rate is not None
    assert c.pump_rate.value == 100
    assert c.given is not None
    assert c.given.volume is not None
    assert c.given.volume.value == 50


def test_esmolol_500_mcg_per_kg_over_1_min() -> None:
    c = calc("500 mcg/kg over 1 min", "70", "10 mg/mL")
    # 500 mcg/kg x 70 kg = 35,000 mcg = 35 mg; 35 mg / 10 mg/mL = 3.5 mL
    assert c.given is not None
    assert c.given.amount.value == 35
    assert c.given.volume is not None
    assert c.given.volume.value == F(7, 2)
    # 35 mg/min x 60 = 2,100 mg/h; / 10 mg/mL = 210 mL/h for that minute
    assert c.pump_rate is not None
    assert c.pump_rate.value == 210


def test_gravity_1000_ml_over_8_h_with_a_drop_factor(run: Any) -> None:
    result = run("convert", "1000 mL over 8 h", "--drop-factor", "15", "--format", "json")
    data = json.loads(result.stdout)
    # 1,000 mL / 8 h = 125 mL/h; x 15 gtt/mL / 60 min/h = 31.25 gtt/min
    assert data["pump_rate"] == {"value": 125.0, "unit": "mL/h"}
    assert data["drip_rate"] == {"value": 31.25, "unit": "gtt/min"}
    assert data["volume"] == {"value": 1000.0, "unit": "mL"}
    assert data["duration"] == {"value": 480.0, "unit": "min"}
    plain = run("convert", "1000 mL over 8 h", "--drop-factor", "15", "--format", "plain")
    assert "31 gtt/min (15 gtt/mL set; exact 31.25 gtt/min)" in plain.stdout


def test_heparin_bolus_80_units_per_kg() -> None:
    c = calc("80 units/kg", "70", "1000 units/mL")
    # 80 x 70 = 5,600 units; 5,600 / 1,000 units/mL = 5.6 mL
    assert c.given is not None
    assert c.given.bolus
    assert (c.given.amount.value, c.given.amount.unit) == (F(5600), "units")
    assert c.given.volume is not None
    assert c.given.volume.value == F(28, 5)
    assert c.per_minute is None
    assert c.pump_rate is None
    assert c.pump is None
    record = c.record()
    assert record["bolus_amount"] == c.given.amount
    assert record["amount"] is None
    assert record["duration"] is None


def test_a_cap_limits_the_bolus_and_says_so() -> None:
    cap = (F(10000), UNITS)
    c = calc("80 units/kg", "150", "1000 units/mL", limit=cap)
    # 80 x 150 = 12,000 units > 10,000: the bolus is 10,000 units = 10 mL
    assert c.given is not None
    assert c.given.capped is True
    assert c.given.amount.value == 10000
    assert c.given.volume is not None
    assert c.given.volume.value == 10
    assert c.warnings == (
        "80 units/kg at 150 kg is 12,000 units, more than the maximum 10,000 units: the "
        "bolus is capped at 10,000 units",
    )
    assert (
        explain(c)[1]
        == "12,000 units is more than the maximum 10,000 units: capped at 10,000 units"
    )
    under = calc("80 units/kg", "100", "1000 units/mL", limit=cap)
    # 80 x 100 = 8,000 units: under the cap, not capped
    assert under.given is not None
    assert under.given.capped is False
    assert under.given.amount.value == 8000
    assert under.warnings == ()


def test_a_cap_on_an_amount_over_a_time_caps_its_rate_too() -> None:
    # 20 mg/kg x 100 kg = 2,000 mg over 1 h, capped at 1,500 mg: 1,500 mg/h, 150 mL/h
    c = calc("20 mg/kg over 1 h", "100", "10 mg/mL", limit=(F(1500), parse_amount("1 mg", "x")[1]))
    assert c.given is not None
    assert c.given.amount.value == 1500
    assert c.pump_rate is not None
    assert c.pump_rate.value == 150
    assert c.given.volume is not None
    assert c.given.volume.value == 150


@pytest.mark.parametrize(
    ("dose", "weight", "conc", "cap", "message"),
    [
        ("80 units/kg", "70", None, "10 mL", "the maximum 10 mL is in volume"),
        ("80 units/kg", "70", None, "10 mg", "they must measure the same kind of amount"),
        ("7 mg/h", None, None, "10 mg", "limits a bolus or an amount given over a time"),
        ("80 units/kg", None, "1000 units/mL", None, "is per kg: give the patient's weight"),
        ("80 mg", None, "1000 units/mL", None, "must measure the same kind of amount"),
    ],
)
def test_incompatible(
    dose: str, weight: str | None, conc: str | None, cap: str | None, message: str
) -> None:
    limit = None if cap is None else parse_amount(cap, "--max")[:2]
    with pytest.raises(IncompatibleError, match=message):
        calc(dose, weight, conc, limit=limit)


def test_a_bolus_has_no_dose_unit() -> None:
    with pytest.raises(IncompatibleError, match="is a bolus"):
        calc("80 units/kg", "70", dose_unit=parse_rate_unit("units/kg/h")[0])


def test_a_volume_over_a_time_has_a_pump_setting() -> None:
    c = calc("1000 mL over 7 h")
    # 1,000 / 7 = 142.857 mL/h: the pump is set to 142.9 (0.1 mL/h steps)
    assert c.pump_rate is not None
    assert c.pump_rate.value == F(1000, 7)
    assert c.pump is not None
    assert c.pump.rate.value == F("142.9")
    # 142.9 x 7 = 1,000.3 mL over the 7 h
    assert c.delivered_text() == "gives 1,000.3 mL over 7 h"


# --- drip rates typed in drops -------------------------------------------------------------


def test_a_drip_rate_in_drops_works_backwards(run: Any) -> None:
    args = ["convert", "30 gtt/min", "--drop-factor", "15", "-c", "1 mg/mL", "-w", "70"]
    data = json.loads(run(*args, "--format", "json").stdout)
    # 30 gtt/min / 15 gtt/mL = 2 mL/min = 120 mL/h; x 1 mg/mL = 120 mg/h
    assert data["dose"] == {"value": 30.0, "unit": "gtt/min"}
    assert data["pump_rate"] == {"value": 120.0, "unit": "mL/h"}
    assert data["per_hour"] == {"value": 120.0, "unit": "mg/h"}
    # 2 mg/min / 70 kg = 0.028571 mg/kg/min = 28.571 mcg/kg/min (= 200/7)
    assert data["dose_rate"]["unit"] == "mcg/kg/min"
    assert data["dose_rate"]["value"] == float(F(2000, 70))
    assert data["drip_rate"] == {"value": 30.0, "unit": "gtt/min"}
    explained = run(*args, "--explain", "--format", "plain").stdout
    assert "30 gtt/min ÷ 15 gtt/mL = 2 mL/min" in explained
    for spelling in ("30 gtts/min", "30 drops/min", "30 drops per minute"):
        other = json.loads(run("convert", spelling, *args[2:], "--format", "json").stdout)
        assert other["pump_rate"] == data["pump_rate"]


def test_a_drip_rate_needs_its_drop_factor(run: Any) -> None:
    result = run("convert", "30 gtt/min", "-c", "1 mg/mL")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: Invalid value for 'DOSE': '30 gtt/min': a drip rate in drops becomes mL/h "
        "only with the giving set's drop factor (gtt/mL): give it with --drop-factor "
        "(convert), or give the rate in mL/h\n"
    )


# --- bags and clock times ----------------------------------------------------------------


def test_250_ml_at_3024_ml_per_hour_lasts_82_h_40_min() -> None:
    hours = lasts(F(250), F("3.024"))
    # 250 / 3.024 = 82.672 h = 82 h 40.32 min
    assert hours == F(250) / F("3.024")
    assert span_text(hours) == "82 h 40 min"
    assert end(parse_start("08:00"), hours).shown == "+3d 18:40"  # 08:00 + 82:40
    stamped = end(parse_start("2026-11-30T08:00"), hours)
    # 82 h 40 min 19.4 s: to the second, 2026-12-03 18:40:19
    assert (stamped.iso, stamped.day) == ("2026-12-03T18:40:19", 4)
    assert end(parse_start("2026-11-30T08:00+01:00"), hours).iso == "2026-12-03T18:40:19+01:00"


def test_a_bag_under_an_hour_is_warned_about() -> None:
    # 100 mL at 450 mL/h lasts 100 / 450 h = 13.3 min
    assert short_bag_warning(F(100), F(450)) == (
        "a 100 mL bag lasts 13 min at 450 mL/h, less than 1 hour: check the bag size and "
        "have the next one ready"
    )
    assert short_bag_warning(F(450), F(450)) is None  # exactly an hour


@pytest.mark.parametrize("text", ["25:00", "8", "08:60", "2026-13-01T08:00", "2026-11-30", "x"])
def test_bad_starts(text: str) -> None:
    with pytest.raises(InputError, match="24-hour time HH:MM"):
        parse_start(text)


def test_bag_and_start_on_convert(run: Any) -> None:
    args = ["convert", "7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--bag", "250 mL"]
    result = run(*args, "--start", "08:00", "--format", "plain")
    assert result.exit_code == 0, result.stderr
    assert "Bag lasts       82 h 40 min (250 mL at 3.024 mL/h)" in result.stdout
    assert "Bag runs out    +3d 18:40 (from 08:00)" in result.stdout
    data = json.loads(run(*args, "--start", "2026-11-30T08:00", "--format", "json").stdout)
    assert data["bag_volume"] == {"value": 250.0, "unit": "mL"}
    assert data["bag_lasts"] == {"value": float(F(250) / F("3.024")), "unit": "h"}
    assert (data["bag_empty_at"], data["bag_empty_day"]) == ("2026-12-03T18:40:19", 4)


def test_an_amount_over_a_time_ends(run: Any) -> None:
    result = run("convert", "6 g over 20 min", "-c", "40 mg/mL", "--start", "23:50")
    assert "Ends           +1d 00:10 (from 23:50)" in result.stdout
    data = json.loads(
        run(
            "convert", "6 g over 20 min", "-c", "40 mg/mL", "--start", "23:50", "--format", "json"
        ).stdout
    )
    assert (data["ends_at"], data["ends_day"]) == ("00:10:00", 2)


def test_a_small_bag_warns_on_stderr_and_still_answers(run: Any) -> None:
    result = run("convert", "6 g over 20 min", "-c", "40 mg/mL", "--bag", "100 mL")
    assert result.exit_code == 0
    assert result.stderr == (
        "Warning: a 100 mL bag lasts 13 min at 450 mL/h, less than 1 hour: check the bag size "
        "and have the next one ready\n"
    )


# --- goldens --------------------------------------------------------------------------------

GOLDEN_CASES = {
    "magnesium": ["6 g over 20 minutes", "-c", "40 g in 1000 mL", "--explain"],
    "esmolol": ["500 mcg/kg over 1 min", "-w", "70", "-c", "10 mg/mL", "--explain"],
    "heparin-bolus": ["80 units/kg", "-w", "150", "-c", "1000 units/mL", "--max", "10000 units"],
    "bag": ["7 mcg/kg/min", "-w", "72", "-c", "10 mg/mL", "--bag", "250 mL", "--start", "08:00"],
}


@pytest.mark.parametrize("name", list(GOLDEN_CASES))
@pytest.mark.parametrize("fmt", ["plain", "json", "csv"])
def test_golden(run: Any, name: str, fmt: str) -> None:
    result = run("convert", *GOLDEN_CASES[name], "--format", fmt)
    assert result.exit_code == 0, result.stderr
    check_golden(f"convert-{name}.{fmt}", result.stdout)


# --- properties -------------------------------------------------------------------------------

amounts = st.integers(1, 10**6).map(lambda n: F(n, 100))
minutes = st.integers(1, 7 * 1440)
strengths = st.integers(1, 10**5).map(lambda n: F(n, 10))


def _number(value: Fraction) -> str:
    from infuse_calc.notation import format_exact

    return format_exact(value, separators=False)


@settings(max_examples=150, deadline=None)
@given(amount=amounts, span=minutes, strength=strengths)
def test_volume_is_rate_times_duration(amount: Fraction, span: int, strength: Fraction) -> None:
    c = calc(f"{_number(amount)} mg over {span} min", conc=f"{_number(strength)} mg/mL")
    assert c.pump_rate is not None
    assert c.given is not None
    assert c.given.volume is not None
    # mL = mL/h x h, and = mg / (mg/mL)
    assert c.given.volume.value == c.pump_rate.value * F(span, 60)
    assert c.given.volume.value == amount / strength
    assert c.given.amount.value == amount


@settings(max_examples=100, deadline=None)
@given(amount=amounts, span=st.integers(2, 7 * 1440), cut=st.integers(1, 10**6))
def test_splitting_a_duration_changes_no_total(amount: Fraction, span: int, cut: int) -> None:
    from infuse_calc.durations import Duration
    from infuse_calc.quantities import MG, MINUTE, Dose, RateUnit
    from infuse_calc.schedule import SegmentSpec, build_schedule

    first = cut % (span - 1) + 1  # 1 .. span - 1 minutes
    rate = amount / span  # mg/min: the same over the whole time and over each part

    def over(m: int) -> Dose:
        return Dose(rate, RateUnit(MG, MINUTE), "", (), Duration(((F(m), MINUTE),)))

    start = F(20 * 60)  # day 1 20:00: long ones cross midnight, split at it too
    whole = build_schedule([SegmentSpec(start, over(span))])
    split = build_schedule(
        [SegmentSpec(start, over(first)), SegmentSpec(start + first, over(span - first))]
    )
    assert whole.total_amount == amount
    assert split.total_amount == whole.total_amount
    assert [(d.day, d.amount) for d in split.days] == [(d.day, d.amount) for d in whole.days]
    assert sum(s.amount for s in split.segments) == amount


@settings(max_examples=100, deadline=None)
@given(
    per_kg=st.integers(1, 2000).map(lambda n: F(n, 10)),
    factor=st.integers(2, 5),
    tenths=st.integers(1, 1300),
)
def test_a_bolus_scales_with_weight(per_kg: Fraction, factor: int, tenths: int) -> None:
    kg, heavier = F(tenths, 10), F(tenths * factor, 10)  # both within 0.1 to 650 kg
    light = calc(f"{_number(per_kg)} units/kg", _number(kg), "1000 units/mL")
    heavy = calc(f"{_number(per_kg)} units/kg", _number(heavier), "1000 units/mL")
    assert light.given is not None
    assert heavy.given is not None
    assert light.given.amount.value == per_kg * kg
    assert heavy.given.amount.value == factor * light.given.amount.value
    assert light.given.volume is not None
    assert heavy.given.volume is not None
    assert light.given.volume.value == per_kg * kg / 1000
    assert heavy.given.volume.value == factor * light.given.volume.value
    # capped at the light patient's amount: the heavy one gets exactly that
    cap = (light.given.amount.value, UNITS)
    capped = calc(f"{_number(per_kg)} units/kg", _number(heavier), "1000 units/mL", limit=cap)
    assert capped.given is not None
    assert capped.given.capped is True
    assert capped.given.amount.value == light.given.amount.value


@settings(max_examples=200, deadline=None)
@given(
    amount=amounts,
    unit=st.sampled_from(["mg", "mcg/kg", "units", "units/kg", "mL", "g", "mmol", "mL/kg"]),
    parts=st.lists(st.integers(0, 6), min_size=1, max_size=3),
    values=st.lists(st.integers(1, 59), min_size=3, max_size=3),
    bolus=st.booleans(),
)
def test_what_is_printed_reads_back(
    amount: Fraction, unit: str, parts: list[int], values: list[int], bolus: bool
) -> None:
    """An order as the tool prints it (``1,000 mL over 1 h 30 min``) reads back as itself."""
    from infuse_calc.dosing import order_text

    names = ["days", "h", "min"]
    chosen = sorted({p % 3 for p in parts})
    time = " ".join(f"{values[i]} {names[i]}" for i in chosen)
    text = f"{_number(amount)} {unit}" + ("" if bolus else f" over {time}")
    # the whole time in minutes: a day is 24 x 60 = 1,440 min, an hour 60 (6 days 25 h is
    # 8,640 + 1,500 = 10,140 min, over the week's 10,080)
    minutes = sum(values[i] * (1440, 60, 1)[i] for i in chosen)
    if not bolus and minutes > 7 * 1440:
        with pytest.raises(InputError, match="longer than 7 days"):
            parse_dose(text, amounts=True)
        return
    dose = parse_dose(text, amounts=True)
    again = parse_dose(order_text(dose), amounts=True)
    assert (again.value, again.unit, again.amount) == (dose.value, dose.unit, dose.amount)
    if dose.duration is not None:
        assert again.duration is not None
        assert again.duration.minutes == dose.duration.minutes


def test_the_daily_volume_of_a_dose_over_a_time_is_what_it_gives() -> None:
    """A dose given over a time gives its volume once, not its rate for a whole day."""
    from infuse_calc.batch import BatchOptions, process
    from infuse_calc.check import check

    daily = "mL/day from this one infusion"
    # 4 g of 40 mg/mL is 100 mL; over 20 min that is 100 / 20 x 60 = 300 mL/h, which over
    # a whole day would be 300 x 24 = 7,200 mL/day: but the dose gives 100 mL, under 2,000
    short = calc("4 g over 20 min", None, "40 mg/mL")
    assert short.pump_rate is not None
    assert short.pump_rate.value == 300
    assert short.volume_per_day is not None
    assert short.volume_per_day.value == 7200
    assert not any(daily in w for w in short.warnings)
    # 60 g of 20 mg/mL is 3,000 mL in 20 min (9,000 mL/h): over 2,000 mL in its one day
    large = calc("60 g over 20 min", None, "20 mg/mL")
    assert any(w.startswith(f"3,000 {daily}") for w in large.warnings)
    # a rate of 100 mL/h for 2 days (48 h) gives 2,400 mL in its first day (100 x 24)
    long = calc("4800 mg over 2 days", None, "1 mg/mL")
    assert any(w.startswith(f"2,400 {daily}") for w in long.warnings)
    # check: the pump runs for the order's time, so 300 mL/h for 20 min is 100 mL
    result = check(
        parse_dose("4 g over 20 min", amounts=True),
        parse_dose("300 mL/h"),
        None,
        parse_concentration("40 mg/mL"),
    )
    assert result.match
    assert not any(daily in w for w in result.warnings)
    # batch reads the row as convert does
    (row,) = process([{"dose": "4 g over 20 min", "concentration": "40 mg/mL"}], BatchOptions())
    assert row["warnings"] == []
