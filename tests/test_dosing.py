"""Dosing maths against arithmetic worked by hand in each test."""

from __future__ import annotations

from fractions import Fraction

import pytest

from infuse_calc.dosing import Measure, calculate
from infuse_calc.errors import IncompatibleError
from infuse_calc.quantities import parse_concentration, parse_dose, parse_rate_unit, parse_weight


def calc(dose: str, weight: str | None = None, conc: str | None = None, unit: str | None = None):  # type: ignore[no-untyped-def]
    return calculate(
        parse_dose(dose),
        parse_weight(weight) if weight else None,
        parse_concentration(conc) if conc else None,
        parse_rate_unit(unit)[0] if unit else None,
    )


def test_seed_case_forward() -> None:
    # 7 mcg/kg/min x 72 kg = 504 mcg/min; x 60 = 30,240 mcg/h = 30.24 mg/h;
    # x 24 = 725.76 mg/day; 30.24 mg/h / 10 mg/mL = 3.024 mL/h; x 24 = 72.576 mL/day.
    r = calc("7 mcg/kg/min", "72", "10 mg/mL")
    assert r.per_minute == Measure(Fraction(504), "mcg/min")
    assert r.per_hour == Measure(Fraction("30.24"), "mg/h")
    assert r.per_day == Measure(Fraction("725.76"), "mg/day")
    assert r.pump_rate == Measure(Fraction("3.024"), "mL/h")
    assert r.volume_per_day == Measure(Fraction("72.576"), "mL/day")
    assert r.direction == "forward"
    assert [str(m) for m in (r.per_minute, r.per_hour, r.per_day, r.pump_rate)] == [
        "504 mcg/min",
        "30.24 mg/h",
        "725.76 mg/day",
        "3.024 mL/h",
    ]


def test_seed_case_pump_rounding() -> None:
    # 3.024 mL/h rounds to 3 mL/h at 0.1 mL/h steps; 3/3.024 x 7 = 6.944... mcg/kg/min,
    # (3/3.024 - 1) x 100 = -0.7936...%
    r = calc("7 mcg/kg/min", "72", "10 mg/mL")
    assert r.pump is not None
    assert r.pump.rate == Measure(Fraction(3), "mL/h")
    assert r.pump.delivers == Measure(Fraction(7) * 3 / Fraction("3.024"), "mcg/kg/min")
    assert r.pump.difference_percent == (Fraction(3) / Fraction("3.024") - 1) * 100
    assert r.pump_text() == "3 mL/h at 0.1 mL/h steps: delivers 6.9444 mcg/kg/min (-0.79%)"


def test_seed_case_reverse_returns_the_dose() -> None:
    # 3.024 mL/h x 10 mg/mL = 30.24 mg/h = 30,240 mcg/h; / 72 kg / 60 = 7 mcg/kg/min exactly
    r = calc("3.024 mL/h", "72", "10 mg/mL")
    assert r.direction == "reverse"
    assert r.dose_rate == Measure(Fraction(7), "mcg/kg/min")
    assert r.per_hour == Measure(Fraction("30.24"), "mg/h")
    assert r.pump_rate == Measure(Fraction("3.024"), "mL/h")
    assert r.pump is None


def test_heparin_units_with_pounds() -> None:
    # 154 lb = 69.85322498 kg; x 18 units/kg/h = 1,257.35804964 units/h;
    # 25,000 units / 250 mL = 100 units/mL -> 12.5735804964 mL/h
    r = calc("18 units/kg/h", "154 lb", "25000 units/250 mL")
    assert r.per_hour == Measure(Fraction("1257.35804964"), "units/h")
    assert r.pump_rate == Measure(Fraction("12.5735804964"), "mL/h")
    assert r.per_minute == Measure(Fraction("1257.35804964") / 60, "units/min")


def test_absolute_dose_needs_no_weight() -> None:
    # 4 mg/h: 4/60 mg/min = 66.67 mcg/min; 96 mg/day; 4 mg/250 mL = 0.016 mg/mL -> 250 mL/h
    r = calc("4 mg/h", conc="4 mg/250 mL")
    # shown in mcg, where 4/60 mg/min reads as a plain number (issue 16 item 5)...
    assert r.per_minute == Measure(Fraction(4000, 60), "mcg/min")
    # ...and given to machines in mg, the one unit of every mass rate
    assert r.record()["per_minute"] == Measure(Fraction(4, 60), "mg/min")
    assert r.per_day == Measure(Fraction(96), "mg/day")
    assert r.pump_rate == Measure(Fraction(250), "mL/h")
    assert r.weight is None


def test_percent_concentration() -> None:
    # propofol 1% = 10 mg/mL; 50 mcg/kg/min x 80 kg = 4,000 mcg/min = 240 mg/h -> 24 mL/h
    r = calc("50 mcg/kg/min", "80", "1%")
    assert r.pump_rate == Measure(Fraction(24), "mL/h")
    assert r.concentration_text() == "1% w/v = 10 mg/mL"


def test_milliunits_stay_in_their_unit_when_small() -> None:
    # oxytocin 2 milliunits/min: 120 milliunits/h; 2,880 milliunits/day = 2.88 units/day;
    # 30 units/500 mL = 60 milliunits/mL -> 2 mL/h
    r = calc("2 milliunits/min", conc="30 units in 500 mL")
    assert r.per_hour == Measure(Fraction(120), "milliunits/h")
    assert r.per_day == Measure(Fraction("2.88"), "units/day")
    assert r.pump_rate == Measure(Fraction(2), "mL/h")


def test_mmol_and_meq() -> None:
    # 10 mmol/h with 2 mmol/mL = 5 mL/h; 20 mEq/h with 40 mEq/100 mL = 50 mL/h
    assert calc("10 mmol/h", conc="2 mmol/mL").pump_rate == Measure(Fraction(5), "mL/h")
    assert calc("20 mEq/h", conc="40 mEq/100 mL").pump_rate == Measure(Fraction(50), "mL/h")


def test_reverse_with_chosen_dose_unit() -> None:
    # 3 mL/h x 500 mg/50 mL = 30 mg/h; / 72 kg = 0.41666... mg/kg/h
    r = calc("3 mL/h", "72", "500 mg in 50 mL", "mg/kg/h")
    assert r.dose_rate == Measure(Fraction(30, 72), "mg/kg/h")


def test_reverse_units_default_is_per_kg_per_hour() -> None:
    # 12 mL/h x 100 units/mL = 1,200 units/h; / 80 kg = 15 units/kg/h
    r = calc("12 mL/h", "80", "25000 units/250 mL")
    assert r.dose_rate == Measure(Fraction(15), "units/kg/h")


def test_forward_dose_unit_converts_the_dose() -> None:
    # 7 mcg/kg/min x 60 / 1000 = 0.42 mg/kg/h; x 72 kg = 30.24 mg/h
    assert calc("7 mcg/kg/min", "72", unit="mg/kg/h").dose_rate == Measure(
        Fraction("0.42"), "mg/kg/h"
    )
    assert calc("7 mcg/kg/min", "72", unit="mg/h").dose_rate == Measure(Fraction("30.24"), "mg/h")


def test_volume_rate_without_concentration_gives_volumes() -> None:
    # 1.5 mL/kg/h x 20 kg = 30 mL/h = 0.5 mL/min = 720 mL/day
    r = calc("1.5 mL/kg/h", "20")
    assert r.per_minute == Measure(Fraction(1, 2), "mL/min")
    assert r.per_day == Measure(Fraction(720), "mL/day")
    assert r.pump_rate == Measure(Fraction(30), "mL/h")


@pytest.mark.parametrize(
    ("dose", "weight", "conc", "unit", "message"),
    [
        ("7 mcg/kg/min", None, "10 mg/mL", None, "is per kg: give the patient's weight"),
        ("18 units/kg/h", "80", "10 mg/mL", None, "is in units but concentration"),
        ("7 mcg/kg/min", "72", "100 units/mL", None, "must measure the same kind"),
        ("10 mmol/h", None, "2 mEq/mL", None, "same kind of amount"),
        ("3 mL/h", "72", None, "mcg/kg/min", "gives a dose only with a concentration"),
        ("3 mL/h", "72", "10 mg/mL", "units/kg/h", "dose unit units/kg/h is in units"),
        ("3 mL/h", None, "10 mg/mL", "mcg/kg/min", "is per kg"),
    ],
)
def test_incompatible_inputs(
    dose: str, weight: str | None, conc: str | None, unit: str | None, message: str
) -> None:
    with pytest.raises(IncompatibleError) as caught:
        calc(dose, weight, conc, unit)
    assert message in str(caught.value)


def test_pump_warnings() -> None:
    # 0.01 mcg/kg/min x 3 kg = 0.03 mcg/min = 1.8 mcg/h; / 1,000 mcg/mL = 0.0018 mL/h -> 0
    tiny = calc("0.01 mcg/kg/min", "3", "1 mg/mL")
    assert any("rounds to 0 mL/h" in w for w in tiny.warnings)
    # 0.05 mcg/kg/min x 3 kg x 60 = 9 mcg/h; / 64 mcg/mL = 0.140625 mL/h -> 0.1 (-28.9%)
    coarse = calc("0.05 mcg/kg/min", "3", "16 mg/250 mL")
    assert any("changes the dose by -28.89%" in w for w in coarse.warnings)
    # 100 mg/kg/h x 100 kg = 10,000 mg/h / 1 mg/mL = 10,000 mL/h
    huge = calc("100 mg/kg/h", "100", "1 mg/mL")
    assert any("above 999 mL/h" in w for w in huge.warnings)
    assert calc("7 mcg/kg/min", "72", "10 mg/mL").warnings == ()


def test_record_fields_are_the_json_contract() -> None:
    from infuse_calc.dosing import MEASURE_FIELDS, RECORD_FIELDS

    record = calc("7 mcg/kg/min", "72", "10 mg/mL", "mg/kg/h").record()
    assert tuple(record) == RECORD_FIELDS
    timed = calculate(
        parse_dose("6 g over 20 min", amounts=True), None, parse_concentration("40 mg/mL")
    )
    bolus = calculate(
        parse_dose("80 units/kg", amounts=True),
        parse_weight("70"),
        parse_concentration("1000 units/mL"),
    )
    measures = {
        name
        for one in (record, timed.record(), bolus.record())
        for name, value in one.items()
        if isinstance(value, Measure)
    }
    assert measures == set(MEASURE_FIELDS) - {"max_amount"}
    assert list(record)[:15] == [
        "direction",
        "dose",
        "weight",
        "weight_entered",
        "weight_actual",
        "dosing_weight",
        "lb_per_kg",
        "per_minute",
        "per_hour",
        "per_day",
        "concentration",
        "vehicle",
        "pump_rate",
        "volume_per_day",
        "dose_rate",
    ]
