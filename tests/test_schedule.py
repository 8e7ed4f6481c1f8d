"""The schedule core: the ketamine course against hand arithmetic, checks, and properties."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse_calc.dosing import Measure
from infuse_calc.formats.schedule_files import parse
from infuse_calc.quantities import Dose, parse_concentration, parse_dose, parse_weight
from infuse_calc.schedule import (
    Schedule,
    ScheduleError,
    SegmentSpec,
    build_schedule,
    clock,
    day_of,
    duration_text,
    pieces,
    when,
)

KETAMINE = Path(__file__).parents[1] / "examples" / "ketamine-case.toml"
WEIGHT = parse_weight("72")
CONC = parse_concentration("10 mg/mL")
HOUR = 60  # minutes, for writing test instants only
DAY = 24 * HOUR


def at(day: int, hh: int, mm: int = 0) -> Fraction:
    return Fraction((day - 1) * DAY + hh * HOUR + mm)


def spec(start: Fraction, dose: str | None) -> SegmentSpec:
    return SegmentSpec(start, None if dose is None else parse_dose(dose))


def ketamine() -> Schedule:
    parsed = parse(KETAMINE.read_bytes(), str(KETAMINE), "toml")
    return build_schedule(parsed.specs, parsed.weight, parsed.concentration)


def test_ketamine_example_against_hand_arithmetic() -> None:
    course = ketamine()
    assert course.amount_unit == "mcg"
    assert course.display_unit == "mg"
    # Amounts in mcg: dose (mcg/kg/min) x 72 kg x minutes.
    # Day 1: 08:00-24:00 at 7 = 7 x 72 x 960 = 483,840 mcg
    # Day 2: all day at 7 = 7 x 72 x 1,440 = 725,760 mcg = 725.76 mg
    # Day 3: 00-08 at 7, 08-14 at 8, 14-24 at 7
    #        = 7 x 72 x 480 + 8 x 72 x 360 + 7 x 72 x 600 = 241,920 + 207,360 + 302,400
    #        = 751,680 mcg
    # Day 4: all day at 7 = 725,760 mcg
    # Day 5: 00-08 at 7, 08-12 at 4, 12-16 at 2
    #        = 7 x 72 x 480 + 4 x 72 x 240 + 2 x 72 x 240 = 241,920 + 69,120 + 34,560
    #        = 345,600 mcg
    expected_days = [483_840, 725_760, 751_680, 725_760, 345_600]
    assert [d.day for d in course.days] == [1, 2, 3, 4, 5]
    assert [d.amount for d in course.days] == expected_days
    # Course: 483,840 + 2 x 725,760 + 751,680 + 345,600 = 3,032,640 mcg = 3,032.64 mg;
    # at 10 mg/mL = 10,000 mcg/mL: 303.264 mL.
    assert course.total_amount == 3_032_640
    assert course.total_volume == Fraction("303.264")
    assert course.amount_measure(course.days[1].amount) == Measure(Fraction("725.76"), "mg")
    assert course.amount_measure(course.days[3].amount) == Measure(Fraction("725.76"), "mg")
    assert [d.volume for d in course.days] == [Fraction(a, 10_000) for a in expected_days]
    # Segments: 48 h at 7, 6 h at 8, 42 h at 7, 4 h at 4, 4 h at 2 (104 h in all).
    assert [s.minutes for s in course.segments] == [48 * 60, 6 * 60, 42 * 60, 4 * 60, 4 * 60]
    assert course.segments[0].amount == 7 * 72 * 48 * 60  # 1,451,520 mcg
    assert course.segments[1].amount == 8 * 72 * 6 * 60  # 207,360 mcg
    # 7 mcg/kg/min x 72 kg = 504 mcg/min = 30.24 mg/h; 30.24 / 10 = 3.024 mL/h
    assert course.rate_measure(course.segments[0].rate) == Measure(Fraction("30.24"), "mg/h")
    assert course.segments[0].volume_rate == Fraction("3.024") / 60
    assert course.minutes == 104 * 60
    assert [s.note for s in course.segments] == ["start", "increased", "nystagmus", "wean", "wean"]


def test_cumulative_columns_add_up() -> None:
    course = ketamine()
    running = Fraction(0)
    for segment in course.segments:
        running += segment.amount
        assert segment.cumulative_amount == running
    assert course.days[-1].cumulative_amount == course.total_amount


def test_midnight_split_pieces() -> None:
    # 22:00 day 1 to 02:00 day 3: 2 h on day 1, 24 h on day 2, 2 h on day 3
    course = build_schedule([spec(at(1, 22), "60 mg/h"), spec(at(3, 2), None)])
    parts = [(day, end - start) for _, day, start, end in pieces(course.segments)]
    assert parts == [(1, Fraction(120)), (2, Fraction(1440)), (3, Fraction(120))]
    # 60 mg/h = 1 mg/min: 120 mg, 1,440 mg, 120 mg
    assert [d.amount for d in course.days] == [120, 1440, 120]
    assert course.days[0].first == at(1, 22)
    assert course.days[0].last == at(2, 0)


def test_time_helpers() -> None:
    assert day_of(at(1, 23, 59)) == 1
    assert day_of(at(2, 0)) == 2
    assert clock(at(3, 8, 5)) == "08:05"
    assert clock(at(1, 0) + Fraction(1, 2)) == "00:00:30"
    assert when(at(5, 16)) == "day 5 16:00"
    assert duration_text(Fraction(48 * 60)) == "48 h"
    assert duration_text(Fraction(270)) == "4 h 30 min"
    assert duration_text(Fraction(45)) == "45 min"
    assert duration_text(Fraction(90, 7)) == "0.21429 h"


def test_mixed_units_share_one_amount_unit() -> None:
    # 2 mg/h for 3 h = 6 mg = 6,000 mcg; then 50 mcg/min for 1 h = 3,000 mcg
    course = build_schedule(
        [spec(at(1, 0), "2 mg/h"), spec(at(1, 3), "50 mcg/min"), spec(at(1, 4), None)]
    )
    assert course.amount_unit == "mcg"
    assert [s.amount for s in course.segments] == [6000, 3000]
    assert course.display_unit == "mg"
    assert course.total_volume is None


def test_volume_rate_with_concentration() -> None:
    # 3 mL/h x 10 mg/mL = 30 mg/h; for 2 h = 60 mg in 6 mL
    course = build_schedule([spec(at(1, 0), "3 mL/h"), spec(at(1, 2), None)], None, CONC)
    assert course.segments[0].amount == 60
    assert course.segments[0].volume == 6
    assert course.amount_unit == "mg"


def test_units_drug() -> None:
    # heparin 18 units/kg/h x 80 kg = 1,440 units/h; 12 h = 17,280 units;
    # 25,000 units/250 mL = 100 units/mL -> 172.8 mL
    course = build_schedule(
        [spec(at(1, 6), "18 units/kg/h"), spec(at(1, 18), None)],
        parse_weight("80"),
        parse_concentration("25000 units/250 mL"),
    )
    assert course.total_amount == 17_280
    assert course.total_volume == Fraction("172.8")
    assert course.display_unit == "units"


@pytest.mark.parametrize(
    ("specs", "weight", "conc", "message"),
    [
        ([], None, None, "has no segments"),
        ([spec(at(1, 8), None)], None, None, "cannot begin with a stop"),
        ([spec(at(1, 8), "4 mg/h")], None, None, "the last segment has no end"),
        (
            [spec(at(1, 8), "4 mg/h"), spec(at(1, 6), None)],
            None,
            None,
            "before segment 1 at day 1 08:00: segments must be in time order",
        ),
        (
            [spec(at(1, 8), "4 mg/h"), spec(at(1, 8), "5 mg/h"), spec(at(1, 9), None)],
            None,
            None,
            "the same time as segment 1, which would then last no time at all",
        ),
        (
            [spec(at(1, 8), "4 mg/h"), spec(at(1, 9), None), spec(at(1, 10), "4 mg/h")],
            None,
            None,
            "segment 3: comes after the stop at day 1 09:00",
        ),
        (
            [spec(at(1, 8), "7 mcg/kg/min"), spec(at(1, 9), None)],
            None,
            None,
            "is per kg: give the weight in the file",
        ),
        (
            [spec(at(1, 8), "3 mL/h"), spec(at(1, 9), None)],
            None,
            None,
            "is a volume rate: give the concentration",
        ),
        (
            [spec(at(1, 8), "4 mg/h"), spec(at(1, 9), "4 units/h"), spec(at(1, 10), None)],
            None,
            None,
            "segment 2: dose '4 units/h' is in units but segment 1 is in mass",
        ),
        (
            [spec(at(1, 8), "18 units/kg/h"), spec(at(1, 9), None)],
            WEIGHT,
            CONC,
            "is in units but concentration '10 mg/mL' is in mass",
        ),
        (
            [spec(at(1, 8), "4 mg/h"), spec(at(400, 0), None)],
            None,
            None,
            "segment 2: starts outside day 1 to day 366",
        ),
        (
            [spec(Fraction(-1), "4 mg/h"), spec(at(1, 1), None)],
            None,
            None,
            "segment 1: starts outside day 1",
        ),
    ],
)
def test_bad_schedules(
    specs: list[SegmentSpec], weight: object, conc: object, message: str
) -> None:
    with pytest.raises(ScheduleError) as caught:
        build_schedule(specs, weight, conc)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_segment_cap() -> None:
    too_many = [spec(Fraction(i), "1 mg/h") for i in range(10_002)]
    with pytest.raises(ScheduleError, match="at most 10,000"):
        build_schedule(too_many)


# --- properties ---------------------------------------------------------------------------

DOSES = st.sampled_from(
    ["7 mcg/kg/min", "0.5 mg/kg/h", "2 mg/h", "250 mcg/min", "3 mL/h", "12.5 mcg/kg/min"]
)


@st.composite
def courses(draw: st.DrawFn) -> list[SegmentSpec]:
    start = Fraction(draw(st.integers(0, DAY - 1)))
    count = draw(st.integers(1, 6))
    specs = []
    t = start
    for _ in range(count):
        specs.append(SegmentSpec(t, parse_dose(draw(DOSES))))
        # durations from 1 minute to 3 days, some of them not whole minutes
        t += Fraction(draw(st.integers(1, 3 * DAY * 4)), draw(st.sampled_from([1, 2, 4])))
    specs.append(SegmentSpec(t, None))
    return specs


def build(specs: list[SegmentSpec]) -> Schedule:
    return build_schedule(specs, WEIGHT, CONC)


@settings(max_examples=100, deadline=None)
@given(courses())
def test_day_totals_sum_to_the_course_total(specs: list[SegmentSpec]) -> None:
    course = build(specs)
    assert sum(d.amount for d in course.days) == course.total_amount
    assert sum(d.volume or 0 for d in course.days) == course.total_volume
    assert sum(d.minutes for d in course.days) == course.minutes
    assert sum(s.amount for s in course.segments) == course.total_amount
    assert all(d.first < d.last for d in course.days)
    days = [d.day for d in course.days]
    assert days == list(range(days[0], days[0] + len(days)))


@settings(max_examples=100, deadline=None)
@given(courses(), st.data())
def test_splitting_a_segment_anywhere_changes_no_total(
    specs: list[SegmentSpec], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(specs) - 2))
    length = specs[index + 1].start - specs[index].start
    fraction = data.draw(st.fractions(min_value=0, max_value=1, max_denominator=1000))
    cut = specs[index].start + length * fraction
    if cut in (specs[index].start, specs[index + 1].start):
        return
    split = [*specs[: index + 1], SegmentSpec(cut, specs[index].dose), *specs[index + 1 :]]
    whole, parts = build(specs), build(split)
    assert len(parts.segments) == len(whole.segments) + 1
    assert parts.total_amount == whole.total_amount
    assert parts.total_volume == whole.total_volume
    assert [(d.day, d.amount, d.volume) for d in parts.days] == [
        (d.day, d.amount, d.volume) for d in whole.days
    ]


@settings(max_examples=100, deadline=None)
@given(courses())
def test_doubling_every_dose_doubles_every_amount(specs: list[SegmentSpec]) -> None:
    doubled = [
        s if s.dose is None else SegmentSpec(s.start, Dose(s.dose.value * 2, s.dose.unit))
        for s in specs
    ]
    one, two = build(specs), build(doubled)
    assert two.amount_unit == one.amount_unit
    for a, b in zip(one.segments, two.segments, strict=True):
        assert b.amount == 2 * a.amount
        assert b.volume == 2 * (a.volume or 0)
        assert b.cumulative_amount == 2 * a.cumulative_amount
    for c, d in zip(one.days, two.days, strict=True):
        assert d.amount == 2 * c.amount
        assert d.volume == 2 * (c.volume or 0)
    assert two.total_amount == 2 * one.total_amount


def test_text_chart_exact() -> None:
    from infuse_calc.formats.plot import text_chart

    # 4 mg/h from day 1 12:00 for 12 h, then 2 mg/h for 12 h: 24 h over 12 columns = 2 h
    # each; 4 mg/h fills both rows (16 eighths), 2 mg/h one row; midnight is column 6.
    course = build_schedule(
        [spec(at(1, 12), "4 mg/h"), spec(at(2, 0), "2 mg/h"), spec(at(2, 12), None)]
    )
    assert text_chart(course, width=12, height=2) == [
        "Dose (mg/h); each column is 2 h, showing its highest dose",
        "4 |██████",
        "  |████████████",
        "0 +------+-----",
        "   day 1 day 2",
    ]


def test_text_chart_keeps_a_short_peak() -> None:
    from infuse_calc.formats.plot import text_chart

    # a 1-minute bolus-like step to 8 mg/h inside a 2-day course still reaches the top row;
    # 2 mg/h is a quarter of 8: 2 of the 8 eighths of one row
    course = build_schedule(
        [
            spec(at(1, 0), "2 mg/h"),
            spec(at(1, 10), "8 mg/h"),
            spec(at(1, 10, 1), "2 mg/h"),
            spec(at(3, 0), None),
        ]
    )
    lines = text_chart(course, width=10, height=1)
    assert lines[1] == "8 |▂▂█▂▂▂▂▂▂▂"  # 10:00 is in column 2 (9.6 h to 14.4 h)


def test_chart_uses_hourly_amounts_when_dose_units_differ() -> None:
    from infuse_calc.formats.plot import chart_series

    # 2 mg/h and 50 mcg/min (= 3 mg/h) are drawn as 2 and 3 mg/h
    course = build_schedule(
        [spec(at(1, 0), "2 mg/h"), spec(at(1, 3), "50 mcg/min"), spec(at(1, 4), None)]
    )
    unit, series = chart_series(course)
    assert unit == "mg/h"
    assert [value for _, _, value in series] == [2, 3]
