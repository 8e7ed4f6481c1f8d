"""Each dose rule at its edge, with hand-worked values: bounds, thresholds and factors.

These are fixed tests for rules that the mutation run (``tools/mutate.py``,
``tools/mutants.toml``) found tested only by a random (hypothesis) test, or not at all:
each one kills a named mutant deterministically.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from infuse_calc.batch import BatchOptions, error_of, process, process_table
from infuse_calc.body_weight import parse_height
from infuse_calc.check import check, ratio_text
from infuse_calc.dosing import Measure, calculate
from infuse_calc.errors import IncompatibleError, InputError, LimitError
from infuse_calc.library import check_limits
from infuse_calc.library_parse import parse_library
from infuse_calc.pump import PumpLimits
from infuse_calc.quantities import parse_concentration, parse_dose, parse_rate_unit, parse_weight
from infuse_calc.schedule import ScheduleError, SegmentSpec, build_schedule
from infuse_calc.titration import build_ladder


def figure(measure: Measure | None) -> tuple[Fraction, str]:
    """A figure's exact value and unit (a rate's figures are None only for a bolus)."""
    assert measure is not None
    return measure.value, measure.unit


def refused(parse: object, text: str) -> str:
    """The reason ``parse(text)`` refuses ``text``."""
    with pytest.raises(InputError) as caught:
        parse(text)  # type: ignore[operator]
    return caught.value.reason


# --- numbers --------------------------------------------------------------------------------


def test_a_first_group_of_four_digits_is_not_a_thousands_separator() -> None:
    # 1000,000: ISMP groups are 1 to 3 digits, then threes; "1000," is a slip (mutant
    # comma-four-digit-group)
    reason = refused(parse_dose, "1000,000 mg/h")
    assert reason.startswith("'1000,000': commas are not accepted in numbers")
    assert parse_dose("100,000 mg/h").value == 100_000


def test_input_of_exactly_200_characters_is_read_and_201_refused() -> None:
    # "7" + spaces + "mcg/kg/min": 1 + 189 + 10 = 200 characters (mutant
    # input-length-200-refused)
    text = "7" + " " * 189 + "mcg/kg/min"
    assert len(text) == 200
    assert parse_dose(text).value == 7
    longer = "7" + " " * 190 + "mcg/kg/min"
    assert refused(parse_dose, longer) == "is too long (201 characters; at most 200)"


# --- unit spellings ---------------------------------------------------------------------------


def test_d_is_read_as_day() -> None:
    # 5 mg/d is 5 mg/day: per hour 5 / 24 = 0.208333... mg/h (machine output, mg), shown as
    # 5 / 24 x 1,000 = 5,000 / 24 = 625 / 3 = 208.333... mcg/h, under 1 mg/h
    # (mutant d-read-as-hour)
    dose = parse_dose("5 mg/d")
    assert str(dose.unit) == "mg/day"
    assert dose.warnings == ("dose '5 mg/d': 'd' is error-prone; read as day, write day",)
    calc = calculate(dose)
    machine = calc.machine["per_hour"]
    assert machine is not None
    assert (machine.value, machine.unit) == (Fraction(5, 24), "mg/h")
    assert figure(calc.per_hour) == (Fraction(625, 3), "mcg/h")
    assert figure(calc.per_day) == (Fraction(5), "mg/day")


def test_cc_is_read_as_ml() -> None:
    # 3 cc/h of 10 mg/mL is 3 mL/h: 3 x 10 = 30 mg/h (mutant cc-read-as-liter: 30,000)
    dose = parse_dose("3 cc/h")
    assert str(dose.unit) == "mL/h"
    calc = calculate(dose, concentration=parse_concentration("10 mg/mL"))
    assert figure(calc.per_hour) == (Fraction(30), "mg/h")


def test_mU_is_read_as_milliunits() -> None:
    # 2 mU/min is 2 milliunits/min: 2 x 60 = 120 milliunits/h (mutant mU-read-as-units:
    # 120 units/h)
    dose = parse_dose("2 mU/min")
    assert str(dose.unit) == "milliunits/min"
    assert "'mU' is error-prone; read as milliunits" in dose.warnings[0]
    calc = calculate(dose)
    assert figure(calc.per_hour) == (Fraction(120), "milliunits/h")


# --- weights --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("0.09", "below 0.1 kg"),  # 0.09 kg
        ("99 g", "below 0.1 kg"),  # 0.099 kg
        ("0.22 lb", "below 0.1 kg"),  # 0.22 x 0.45359237 = 0.0998 kg
        ("650.1", "over 650 kg"),
        ("650001 g", "over 650 kg"),  # 650.001 kg
        ("1434 lb", "over 650 kg"),  # 1434 x 0.45359237 = 650.45 kg
    ],
)
def test_weights_just_beyond_each_bound_are_refused(text: str, bound: str) -> None:
    assert bound in refused(parse_weight, text)


@pytest.mark.parametrize(
    ("text", "kg"),
    [
        ("100 g", Fraction(1, 10)),
        ("0.23 lb", Fraction("0.23") * Fraction("0.45359237")),  # 0.1043 kg
        ("650000 g", Fraction(650)),
        ("1433 lb", 1433 * Fraction("0.45359237")),  # 649.998 kg
    ],
)
def test_weights_at_each_bound_in_g_and_lb_are_read(text: str, kg: Fraction) -> None:
    assert parse_weight(text).kg == kg


# --- the pump's warnings at their thresholds --------------------------------------------------


def pump_of(dose: str, concentration: str) -> tuple[Fraction, Fraction, tuple[str, ...]]:
    """The pump setting (mL/h), the % change it makes and the warnings, at 0.1 mL/h steps."""
    calc = calculate(parse_dose(dose), concentration=parse_concentration(concentration))
    assert calc.pump is not None
    return calc.pump.rate.value, calc.pump.difference_percent, calc.warnings


def test_a_change_of_exactly_five_percent_is_not_warned() -> None:
    # 1 mg/h of 21 mg/20 mL (1.05 mg/mL) is 20/21 = 0.952... mL/h: 9.52 steps, set 1 mL/h,
    # which delivers 1.05 mg/h: +5% exactly, not more than 5% (mutant
    # rounding-warning-at-5-percent)
    assert pump_of("1 mg/h", "21 mg/20 mL") == (Fraction(1), Fraction(5), ())
    # 0.2 mg/h of 1.9 mg/mL is 0.10526 mL/h: set 0.1 mL/h, delivers 0.19 mg/h: -5% exactly
    assert pump_of("0.2 mg/h", "1.9 mg/mL") == (Fraction(1, 10), Fraction(-5), ())


def test_a_change_just_over_five_percent_is_warned_both_ways() -> None:
    # 0.95 mg/h of 10 mg/mL: 0.095 mL/h -> 0.1: (0.1 / 0.095 - 1) x 100 = +5.2632%
    rate, change, warnings = pump_of("0.95 mg/h", "10 mg/mL")
    assert (rate, change) == (Fraction(1, 10), (Fraction(1, 10) / Fraction("0.095") - 1) * 100)
    assert warnings == (
        "rounding the pump rate to 0.1 mL/h steps changes the dose by +5.26%: consider a "
        "more dilute concentration",
    )
    # 1.4 mg/h of 10 mg/mL: 0.14 mL/h -> 0.1: (0.1 / 0.14 - 1) x 100 = -28.571%
    rate, change, warnings = pump_of("1.4 mg/h", "10 mg/mL")
    assert change == (Fraction(1, 10) / Fraction("0.14") - 1) * 100
    assert warnings[0].endswith("changes the dose by -28.57%: consider a more dilute concentration")


# --- the clearest unit ----------------------------------------------------------------------------


def test_exactly_one_of_the_larger_unit_is_shown_in_it() -> None:
    # 1000 mcg/h is exactly 1 mg/h; per day 24 mg; per minute 1000 / 60 = 16.667 mcg
    # (mutant clearest-unit-exactly-one: 1,000 mcg/h)
    calc = calculate(parse_dose("1000 mcg/h"))
    assert figure(calc.per_hour) == (Fraction(1), "mg/h")
    assert figure(calc.per_day) == (Fraction(24), "mg/day")
    assert figure(calc.per_minute) == (Fraction(50, 3), "mcg/min")


def test_a_hair_under_one_of_the_larger_unit_stays_in_the_smaller() -> None:
    # 999.9999995 mcg/h is 0.9999999995 mg/h: under 1 mg/h by 5e-10, inside the float
    # comparison's margin (1e-9), so the exact comparison decides: mcg/h (mutant
    # clearest-unit-float-bracket: mg/h)
    calc = calculate(parse_dose("999.9999995 mcg/h"))
    assert figure(calc.per_hour) == (Fraction("999.9999995"), "mcg/h")
    # and a hair over: 1000.0000005 mcg/h is 1.0000000005 mg/h
    calc = calculate(parse_dose("1000.0000005 mcg/h"))
    assert figure(calc.per_hour) == (Fraction("1.0000000005"), "mg/h")


def test_lb_per_kg_bounds_are_inclusive() -> None:
    # 221 lb at 2.21 lb/kg is 100 kg; 220 lb at 2.2 lb/kg is 100 kg (mutant
    # lb-per-kg-top-refused)
    assert parse_weight("221 lb", lb_per_kg=Fraction("2.21")).kg == 100
    assert parse_weight("220 lb", lb_per_kg=Fraction("2.2")).kg == 100
    for outside in ("2.211", "2.199"):
        with pytest.raises(InputError, match=r"must be between 2\.2"):
            parse_weight("220 lb", lb_per_kg=Fraction(outside))


# --- concentrations -------------------------------------------------------------------------


def test_percent_bounds() -> None:
    # 100% w/v is 100 g per 100 mL = 1 g/mL = 1000 mg/mL; 100.1% cannot be (mutant
    # percent-100-refused)
    concentration = parse_concentration("100%")
    assert concentration.amount / concentration.volume == 1  # g/mL
    assert refused(parse_concentration, "100.1%") == "a w/v percentage cannot exceed 100%"


def test_ratio_strength_from_1_in_100() -> None:
    # 1:100 is 1 g in 100 mL = 10 mg/mL, read (with a warning); 1:99 is refused (mutant
    # ratio-1-100-refused)
    concentration = parse_concentration("1:100")
    assert (concentration.amount, concentration.volume) == (Fraction(1), Fraction(100))
    assert concentration.warnings[0].endswith(
        "ratio strength 1:100 read as 1 g in 100 mL = 10 mg/mL; ISMP asks for the mg/mL form"
    )
    assert "not 1:99" in refused(parse_concentration, "1:99")


# --- factors ----------------------------------------------------------------------------------


def test_a_liter_is_1000_ml() -> None:
    # 2 g/L = 2000 mg / 1000 mL = 2 mg/mL: 4 mg/h needs 2 mL/h (mutant liter-read-as-ml)
    calc = calculate(parse_dose("4 mg/h"), concentration=parse_concentration("2 g/L"))
    assert calc.concentration_per_ml is not None
    assert (calc.concentration_per_ml.value, calc.concentration_per_ml.unit) == (
        Fraction(2),
        "mg/mL",
    )
    assert calc.pump_rate is not None
    assert calc.pump_rate.value == 2
    # 0.1 L/h of 1 mg/mL is 100 mL/h: 100 mg/h
    calc = calculate(parse_dose("0.1 L/h"), concentration=parse_concentration("1 mg/mL"))
    assert figure(calc.per_hour) == (Fraction(100), "mg/h")


@pytest.mark.parametrize("resolution", [Fraction(0), Fraction(-1, 10)])
def test_a_pump_resolution_must_be_above_zero(resolution: Fraction) -> None:
    # the library API's guard (the CLI refuses 0 as a number already): mutant
    # pump-resolution-zero-accepted divides by zero
    with pytest.raises(IncompatibleError, match="the pump resolution must be greater than zero"):
        calculate(
            parse_dose("4 mg/h"),
            concentration=parse_concentration("1 mg/mL"),
            pump_resolution=resolution,
        )


# --- check: tolerance and ratios ----------------------------------------------------------------


def test_a_tolerance_of_100_percent_is_refused() -> None:
    # at least 0% and under 100% (mutant tolerance-100-accepted)
    order, pump = parse_dose("4 mg/h"), parse_dose("4 mL/h")
    conc = parse_concentration("1 mg/mL")
    with pytest.raises(IncompatibleError, match="at least 0% and under 100%"):
        check(order, pump, concentration=conc, tolerance_percent=Fraction(100))
    assert check(order, pump, concentration=conc, tolerance_percent=Fraction(99)).match


@pytest.mark.parametrize(
    ("ratio", "text"),
    [
        (Fraction(1, 2), "0.5x"),  # from 1/2 up: as it is
        (Fraction(1, 5), "1/5x"),  # under 1/2: the inverse (mutant ratio-inverse-below-tenth)
        (Fraction(49, 100), "1/2.0408x"),  # 100 / 49 = 2.040816...
        (Fraction(1, 72), "1/72x"),
    ],
)
def test_ratios_under_a_half_are_shown_as_inverses(ratio: Fraction, text: str) -> None:
    assert ratio_text(ratio) == text


# --- titration and schedule ---------------------------------------------------------------------


def test_a_rate_ladder_warns_above_999_ml_h_only() -> None:
    # 999 mL/h is the top of the range; 999.1 mL/h is above it, warned on its own step by
    # the engine (mutant pump-max-999-warned). Both give 999 x 24 = 23,976 and
    # 999.1 x 24 = 23,978.4 mL/day of a 1 mg/mL drug: over 2,000 mL/day, warned too.
    rate, _ = parse_rate_unit("mL/h")
    ladder = build_ladder(
        [Fraction(999), Fraction("999.1")],
        rate,
        concentration=parse_concentration("1 mg/mL"),
        by_rate=True,
    )
    top = [[w for w in r.calculation.warnings if "above" in w] for r in ladder.rungs]
    assert top == [
        [],
        ["pump rate 999.1 mL/h is above 999 mL/h, the top of most pumps' range: check the rate"],
    ]
    daily = [r.calculation.volume_per_day for r in ladder.rungs]
    assert [d.value if d else None for d in daily] == [Fraction(23976), Fraction(239784, 10)]


def test_a_course_may_run_into_day_366_but_not_start_day_367() -> None:
    # day 366 begins at 365 x 1,440 = 525,600 minutes (mutant schedule-day-366-refused)
    day_366 = Fraction(365 * 1440)
    dose = parse_dose("1 mg/h")
    course = build_schedule([SegmentSpec(day_366, dose), SegmentSpec(day_366 + 60, None)])
    assert course.total_amount == 1  # mg: 1 mg/h for 60 min
    with pytest.raises(ScheduleError, match="starts outside day 1 to day 366"):
        build_schedule([SegmentSpec(day_366, dose), SegmentSpec(day_366 + 1440, None)])


def test_a_course_is_shown_in_the_unit_its_smallest_figure_needs() -> None:
    # 1 mcg/min for 1 h: 60 mcg, 60 mcg/h; then 1000 mcg/min for a day: 1,440,000 mcg.
    # The smallest figure, 60 mcg, is under 1 mg: the course is shown in mcg (mutant
    # schedule-display-unit-largest: mg, and 0.06 mg)
    course = build_schedule(
        [
            SegmentSpec(Fraction(0), parse_dose("1 mcg/min")),
            SegmentSpec(Fraction(60), parse_dose("1000 mcg/min")),
            SegmentSpec(Fraction(60 + 1440), None),
        ]
    )
    assert course.display_unit == "mcg"
    assert course.amount_measure(course.segments[0].amount).value == 60


# --- limits ---------------------------------------------------------------------------------------

LIBRARY = """\
[library]
name = "edges"

[drug.ketamine]
dose_unit = "mcg/kg/min"
concentrations = ["500 mg/50 mL"]
soft_min = "1 mcg/kg/min"
soft_max = "1 mg/kg/h"
hard_max = "2 mg/kg/h"
source = "test"
"""


@pytest.mark.parametrize(
    ("dose", "status"),
    [
        # 1 mg/kg/h = 1000 / 60 = 16.667 mcg/kg/min: exactly at the soft maximum, within
        # (mutant limit-max-inclusive)
        ("1 mg/kg/h", "within"),
        ("1.0001 mg/kg/h", "above_soft_max"),
        ("1 mcg/kg/min", "within"),  # exactly at the soft minimum
        ("0.06 mg/kg/h", "within"),  # 0.06 mg/kg/h = 60 / 60 = 1 mcg/kg/min, in another unit
        ("0.9999 mcg/kg/min", "below_soft_min"),
        ("2 mg/kg/h", "above_soft_max"),  # exactly at the hard maximum: not a hard breach
    ],
)
def test_limits_are_inclusive_at_both_ends(dose: str, status: str) -> None:
    library = parse_library(LIBRARY, "edges.toml")
    drug = library.find("ketamine")
    assert check_limits(library, drug, None, parse_dose(dose), None).status == status


def test_just_above_a_hard_maximum_stops() -> None:
    library = parse_library(LIBRARY, "edges.toml")
    with pytest.raises(LimitError, match="above the hard maximum 2 mg/kg/h"):
        check_limits(library, library.find("ketamine"), None, parse_dose("2.0001 mg/kg/h"), None)


# --- dosing weight ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["30 cm", "275 cm", "108 in"])  # 108 in = 274.32 cm
def test_heights_at_the_bounds_are_read(text: str) -> None:
    # (mutants height-min-refused, height-max-refused)
    assert parse_height(text).text == text


@pytest.mark.parametrize("text", ["29.9 cm", "275.1 cm", "11.8 in"])  # 11.8 in = 29.972 cm
def test_heights_beyond_the_bounds_are_refused(text: str) -> None:
    assert "is outside 30 to 275 cm" in refused(parse_height, text)


# --- batch rows -----------------------------------------------------------------------------------


def test_a_weights_warning_alone_is_in_the_batch_row() -> None:
    # convert warns about 72.0 (a trailing zero); with no other warning in the row, batch
    # must still give it (mutant batch-weight-warning-dropped)
    (record,) = process([{"dose": "5 mcg/kg/min", "weight": "72.0"}], BatchOptions())
    assert record["warnings"] == [
        "weight '72.0': '72.0' read as 72; trailing zeros are error-prone (72.0 can be misread "
        "as ten times more), write 72"
    ]


def test_a_batch_rows_warnings_are_in_converts_order() -> None:
    # the cells' warnings, then the pump's: 1.40 mg/h (a trailing zero) of 10 mg/mL is
    # 0.14 mL/h, set to 0.1 mL/h: -28.57% (mutant batch-warning-order)
    (record,) = process([{"dose": "1.40 mg/h", "concentration": "10 mg/mL"}], BatchOptions())
    assert record["warnings"] == [
        "dose '1.40 mg/h': '1.40' read as 1.4; trailing zeros are error-prone (1.40 can be "
        "misread as ten times more), write 1.4",
        "rounding the pump rate to 0.1 mL/h steps changes the dose by -28.57%: consider a "
        "more dilute concentration",
    ]


def test_a_csv_cell_of_spaces_is_a_missing_weight() -> None:
    # as a blank JSON cell: 4 mg/h of 1 mg/mL is 4 mL/h, no weight (mutant
    # batch-csv-blank-weight: "weight '  ': is empty")
    header = ["dose", "weight", "concentration"]
    (row,) = process_table(header, [(2, ["4 mg/h", "  ", "1 mg/mL"], None)])
    assert row[-1] is None
    assert row[:3] == ["4 mg/h", "  ", "1 mg/mL"]
    (record,) = process([{"dose": "4 mg/h", "weight": "  ", "concentration": "1 mg/mL"}])
    assert error_of(record) is None
    assert record["pump_rate"] == (4.0, "mL/h")


# --- the pump's limits, figure units (after the figures merge) --------------------------------


def test_the_pumps_limits_must_be_above_zero_in_the_core() -> None:
    # the CLI refuses --pump-max 0 before the core sees it; the core refuses it too, for
    # every other caller (mutants pump-max-zero-accepted, daily-volume-zero-accepted)
    with pytest.raises(IncompatibleError, match="maximum rate must be greater than zero"):
        PumpLimits(max_rate=Fraction(0)).resolution(Fraction(1, 10))
    with pytest.raises(IncompatibleError, match="daily volume limit must be greater than zero"):
        PumpLimits(daily_volume=Fraction(0)).resolution(Fraction(1, 10))


def test_exactly_2000_ml_a_day_is_within_the_limit() -> None:
    # 2,000 mg/day of 1 mg/mL is 2,000 mL/day exactly (83.333... mL/h, set to 83.3:
    # -0.04%); 2,001 mg/day is 2,001 mL/day, over (mutant daily-volume-at-limit)
    conc = parse_concentration("1 mg/mL")
    at = calculate(parse_dose("2000 mg/day"), concentration=conc)
    assert at.volume_per_day is not None
    assert at.volume_per_day.value == 2000
    assert at.warnings == ()
    over = calculate(parse_dose("2001 mg/day"), concentration=conc)
    assert over.warnings == (
        "2,001 mL/day from this one infusion is over 2,000 mL/day: count it in the fluid "
        "balance, or use a more concentrated solution",
    )


def test_a_plain_fluid_has_no_daily_volume_warning() -> None:
    # 100 mL/h of a plain fluid is 100 x 24 = 2,400 mL/day: the order is its volume, so
    # no daily volume warning (mutant daily-volume-of-plain-fluid)
    calc = calculate(parse_dose("100 mL/h"))
    assert calc.volume_per_day is not None
    assert calc.volume_per_day.value == 2400
    assert calc.warnings == ()


@pytest.mark.parametrize(
    ("rate", "weight", "conc", "delivers"),
    [
        # 25 mL/h x 40 g/1,000 mL = 1 g/h exactly: g/h from 1 g/h (mutant
        # clinical-grams-from-1: 1,000,000 mcg/h / 60 / 70 kg = 238.1 mcg/kg/min)
        ("25 mL/h", "70", "40 g/1000 mL", Measure(Fraction(1), "g/h")),
        # 10 mL/h x 25 units/250 mL = 1 unit/h exactly: units, not milliunits, from 1 unit/h
        # (mutant clinical-milliunits-below-1: 1,000 / 60 = 16.667 milliunits/min)
        ("10 mL/h", None, "25 units/250 mL", Measure(Fraction(1), "units/h")),
        # 15 mL/h x 4 mcg/mL = 60 mcg/h; / 100 kg / 60 = 0.01 mcg/kg/min exactly: stays per
        # minute (mutant clinical-per-hour-below: 0.6 mcg/kg/h)
        ("15 mL/h", "100", "400 mcg/100 mL", Measure(Fraction(1, 100), "mcg/kg/min")),
    ],
)
def test_the_reverse_doses_clinical_unit_at_each_threshold(
    rate: str, weight: str | None, conc: str, delivers: Measure
) -> None:
    calc = calculate(
        parse_dose(rate),
        None if weight is None else parse_weight(weight),
        parse_concentration(conc),
    )
    assert calc.dose_rate == delivers


def test_a_dose_typed_below_the_clinical_floor_stays_in_its_unit() -> None:
    # 500 ng/min is 0.5 mcg/min: under 1 mcg, shown in the unit typed, ng (mutant
    # display-floor-typed-ignored: 0.5 mcg/min); per hour 30,000 ng/h = 30 mcg/h
    calc = calculate(parse_dose("500 ng/min"))
    assert calc.per_minute == Measure(Fraction(500), "ng/min")
    assert calc.per_hour == Measure(Fraction(30), "mcg/h")
