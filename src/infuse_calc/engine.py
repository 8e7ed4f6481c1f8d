"""The dose engine: every dose figure of every command is worked out here, once.

A calculation has two halves:

* a :class:`Plan` for one combination of units (the dose's rate unit, whether a weight is
  given, the concentration's amount and volume units, the dose unit asked for). It holds
  pint's exact factors for every figure, to the machine unit of each field
  (:mod:`infuse_calc.figure_units`), and the clearest-unit choices of human output, and is
  made once per combination (:func:`plan`, cached; the factors themselves come from
  :func:`infuse_calc.units.factor`, which keeps them between runs);
* :func:`evaluate`, which applies a plan to the numbers of one order, in integer arithmetic
  on their numerators and denominators. It is the only place the dose maths is written, and
  where the pump rounding and the rate limits of :mod:`infuse_calc.pump` are applied.

``dosing.calculate`` (convert, titrate, chart, check, schedule) and ``batch`` both evaluate
these plans; a figure is an exact ``numerator / denominator`` whichever reads it, in the
same machine unit, so batch and convert agree to the bit. Only human output then chooses
the clearest unit per figure (:func:`display`, :func:`clinical_dose`).

This module imports neither pint, click nor rich.
"""

from __future__ import annotations

import functools
from fractions import Fraction

from infuse_calc.errors import IncompatibleError, MissingInputError
from infuse_calc.figure_units import (
    DISPLAY_FLOOR as DISPLAY_FLOOR,
)
from infuse_calc.figure_units import (
    MACHINE_AMOUNT as MACHINE_AMOUNT,
)
from infuse_calc.figure_units import (
    Choice,
)
from infuse_calc.figure_units import (
    Figure as Figure,
)
from infuse_calc.figure_units import (
    choice as choice,
)
from infuse_calc.figure_units import (
    choose as choose,
)
from infuse_calc.figure_units import (
    clearest as clearest,
)
from infuse_calc.figure_units import (
    clinical_dose_unit as clinical_dose_unit,
)
from infuse_calc.figure_units import (
    concentration_figure as concentration_figure,
)
from infuse_calc.figure_units import (
    concentration_machine as concentration_machine,
)
from infuse_calc.figure_units import (
    display_floor as display_floor,
)
from infuse_calc.figure_units import (
    machine_unit as machine_unit,
)
from infuse_calc.pump import (
    DAILY_VOLUME_LIMIT as DAILY_VOLUME_LIMIT,
)
from infuse_calc.pump import (
    DEFAULT_PUMP_RESOLUTION as DEFAULT_PUMP_RESOLUTION,
)
from infuse_calc.pump import (
    PUMP_MAX_RATE as PUMP_MAX_RATE,
)
from infuse_calc.pump import (
    ROUNDING_WARNING_PERCENT as ROUNDING_WARNING_PERCENT,
)
from infuse_calc.pump import (
    PumpFigures,
    Resolution,
    rate_warnings,
    round_pump,
)
from infuse_calc.pump import (
    pump_setting as pump_setting,
)
from infuse_calc.pump import (
    resolution as resolution,
)
from infuse_calc.quantities import (
    HOUR,
    LADDERS,
    MCG,
    MINUTE,
    ML,
    Concentration,
    Dose,
    Kind,
    RateUnit,
    UnitWord,
    Weight,
)
from infuse_calc.units import factor

# --- plans --------------------------------------------------------------------------------


class Plan:
    """What one combination of units does to the numbers of an order.

    An order's figures are the dose times the weight in kg (``per_kg``), times the
    concentration (``amount_c``: a volume rate's amount) or divided by it (``volume_c``: a
    dose's volume), times a factor from pint. (A plain class: a dataclass costs a
    millisecond of start-up to make, and ``convert`` is meant to start fast.)
    """

    __slots__ = (
        "amount_c",
        "display",
        "dose_rate",
        "dose_unit",
        "forward",
        "given",
        "kind",
        "per_kg",
        "per_time",
        "totals",
        "volume",
        "volume_c",
    )

    def __init__(
        self,
        forward: bool,
        dose_unit: str,
        per_kg: bool,
        amount_c: bool,
        volume_c: bool,
        per_time: tuple[Machine, Machine, Machine] | None,
        volume: tuple[int, int, int, int] | None,
        dose_rate: tuple[str, bool, bool, int, int] | None,
        display: tuple[Choice, Choice, Choice] | None,
        kind: Kind,
        given: tuple[str, str | None],
    ) -> None:
        self.forward = forward  # a dose to a pump rate; else a volume rate to its dose
        self.dose_unit = dose_unit
        self.per_kg = per_kg
        self.amount_c = amount_c
        self.volume_c = volume_c
        self.per_time = per_time  # the amount to its machine unit per minute, hour, day
        self.volume = volume  # volume rate to mL/h and to mL/day
        self.dose_rate = dose_rate  # unit, of the volume, per kg, factor n and d
        self.display = display  # clearest-unit choices from the machine units (human)
        self.kind = kind  # the kind of amount of per_time and of an amount given
        # what an amount given (over a time, or at once) is made of: the expressions of
        # its amount and volume (per time for a rate); the factors to machine units are
        # made on first use (:func:`infuse_calc.amounts.totals`)
        self.given = given
        self.totals: tuple[int, int, int, int, str] | None = None


#: An exact factor to a machine unit: (numerator, denominator, unit).
Machine = tuple[int, int, str]


def _machine(source: str, target: str) -> Machine:
    size = factor(source, target)
    return size.numerator, size.denominator, target


PlanKey = tuple[RateUnit, bool, tuple[UnitWord, UnitWord] | None, RateUnit | None]


def default_dose_unit(
    dose_unit: RateUnit, concentration_units: tuple[UnitWord, UnitWord] | None, has_weight: bool
) -> RateUnit | None:
    """In the reverse direction, the dose unit clinicians order that drug kind in:
    mcg/kg/min for mass, units/kg/h for units (per kg only when a weight is given)."""
    if dose_unit.kind is not Kind.VOLUME or concentration_units is None:
        return None
    amount = concentration_units[0]
    if amount.kind is Kind.MASS:
        amount = MCG
    elif amount.kind is Kind.UNITS:
        amount = LADDERS[Kind.UNITS][-1]
    time = MINUTE if amount.kind is Kind.MASS else HOUR
    return RateUnit(amount, time, per_kg=has_weight)


#: Where human output's reverse default leaves mcg/kg/min and units/h (see
#: :func:`clinical_dose_unit`); each threshold in the unit it is stated in.
def clinical_dose(plan: Plan, hour: Figure, kg: Fraction | None) -> Figure | None:
    """The delivered dose of a reverse order in :func:`clinical_dose_unit` (human output);
    ``None`` for a forward order or one without a concentration."""
    if plan.forward or not plan.amount_c:
        return None
    per_hour = Fraction(hour[0], hour[1])
    unit = clinical_dose_unit(plan.kind, per_hour, kg)
    if unit is None:
        return None
    value = per_hour * factor(hour[2], f"{unit.amount}/{unit.time}")
    if unit.per_kg:
        assert kg is not None
        value /= kg
    return value.numerator, value.denominator, str(unit)


@functools.cache
def plan(
    dose_unit: RateUnit,
    has_weight: bool,
    concentration_units: tuple[UnitWord, UnitWord] | None,
    target: RateUnit | None,
) -> Plan:
    """The plan for a combination that :func:`check_compatible` accepts."""
    from infuse_calc import factor_cache

    with factor_cache.batched():
        return _compile(dose_unit, has_weight, concentration_units, target)


def _compile(
    dose_unit: RateUnit,
    has_weight: bool,
    concentration_units: tuple[UnitWord, UnitWord] | None,
    target: RateUnit | None,
) -> Plan:
    # Unit expressions for pint, read left to right: the dose times kg is the rate; a
    # volume is the rate divided by amount/volume, an amount the rate times it.
    rate = f"{dose_unit}*kg" if dose_unit.per_kg else str(dose_unit)
    forward = dose_unit.kind is not Kind.VOLUME
    amount, floor, volume = rate, dose_unit.amount, None
    if concentration_units is not None:
        drug, solution = concentration_units
        if forward:
            volume = f"{rate}/{drug}*{solution}"
        else:
            amount, floor, volume = f"{rate}*{drug}/{solution}", drug, rate
    elif not forward:
        amount, floor, volume = rate, ML, rate
    chosen = target
    if chosen is None and not dose_unit.is_amount:
        chosen = default_dose_unit(dose_unit, concentration_units, has_weight)
    dose_rate = None
    if chosen is not None:
        of_volume = chosen.kind is Kind.VOLUME
        source = volume if of_volume else amount
        assert source is not None  # check_compatible refuses a volume unit without one
        if chosen.per_kg:
            source += "/kg"
        size = factor(source, str(chosen))
        dose_rate = (str(chosen), of_volume, chosen.per_kg, size.numerator, size.denominator)
    volume_factors = None
    if volume is not None and not dose_unit.is_amount:
        hourly, daily = factor(volume, "mL/h"), factor(volume, "mL/day")
        volume_factors = (hourly.numerator, hourly.denominator, daily.numerator, daily.denominator)
    kind = floor.kind
    per_time = display = None
    if not dose_unit.is_amount:
        per_time = (
            _machine(amount, machine_unit(kind, "min")),
            _machine(amount, machine_unit(kind, "h")),
            _machine(amount, machine_unit(kind, "day")),
        )
        shown = display_floor(floor)
        display = (
            choice(per_time[0][2], shown, "min"),
            choice(per_time[1][2], shown, "h"),
            choice(per_time[2][2], shown, "day"),
        )
    # given over a time, a rate's amount and volume are the rate times the minutes
    over = "" if dose_unit.is_amount else "*min"
    return Plan(
        forward=forward,
        dose_unit=str(dose_unit),
        per_kg=dose_unit.per_kg,
        amount_c=not forward and concentration_units is not None,
        volume_c=forward and concentration_units is not None,
        per_time=per_time,
        volume=volume_factors,
        dose_rate=dose_rate,
        display=display,
        kind=kind,
        given=(amount + over, None if volume is None else volume + over),
    )


def plan_key(
    dose: Dose, weight: Weight | None, concentration: Concentration | None, target: RateUnit | None
) -> PlanKey:
    units = None
    if concentration is not None:
        units = (concentration.amount_unit, concentration.volume_unit)
    return dose.unit, weight is not None, units, target


def plan_for(
    dose: Dose, weight: Weight | None, concentration: Concentration | None, target: RateUnit | None
) -> Plan:
    """The plan of an order, after :func:`check_compatible` (which raises)."""
    check_compatible(dose, weight, concentration, target)
    return plan(*plan_key(dose, weight, concentration, target))


def check_compatible(
    dose: Dose,
    weight: Weight | None,
    concentration: Concentration | None,
    dose_unit: RateUnit | None,
) -> None:
    """Raise :class:`IncompatibleError` for inputs that cannot be combined.

    Whether they can depends only on the units (the plan key); the texts are for messages.
    """
    if dose.is_drip_rate:
        raise IncompatibleError(
            f"a drip rate in drops ({dose.text or dose.unit!s}) becomes mL/h only with the "
            "giving set's drop factor (gtt/mL): give --drop-factor"
        )
    if dose.per_kg and weight is None:
        raise MissingInputError(f"dose {dose.text or dose.unit!s} is per kg", "weight")
    if dose_unit is not None and dose_unit.per_kg and weight is None:
        raise MissingInputError(f"dose unit {dose_unit} is per kg", "weight")
    drug_kind = concentration.kind if concentration is not None else None
    if not dose.is_volume_rate and drug_kind is not None and drug_kind is not dose.unit.kind:
        assert concentration is not None
        raise IncompatibleError(
            f"dose {dose.text!r} is in {dose.unit.kind.label} but concentration "
            f"{concentration.text!r} is in {drug_kind.label}: they must measure the same "
            "kind of amount"
        )
    if dose_unit is None:
        return
    if dose.is_bolus or dose_unit.is_amount:
        raise IncompatibleError(
            f"dose unit {dose_unit} asks for a rate, but {dose.text or dose.unit!s} is a bolus "
            "(an amount given at once): it has no rate"
        )
    if dose_unit.kind is Kind.VOLUME:
        if not dose.is_volume_rate and concentration is None:
            raise MissingInputError(f"dose unit {dose_unit} is a volume rate", "concentration")
        return
    available = dose.unit.kind if not dose.is_volume_rate else drug_kind
    if available is None:
        raise MissingInputError(
            f"a volume rate ({dose.text!r}) gives a dose only with a concentration",
            "concentration",
        )
    if dose_unit.kind is not available:
        raise IncompatibleError(
            f"dose unit {dose_unit} is in {dose_unit.kind.label} but the drug amount is in "
            f"{available.label}: they must measure the same kind of amount"
        )


# --- evaluation ---------------------------------------------------------------------------

#: Every figure of one order: per minute, per hour, per day (in their machine units), the
#: pump rate (mL/h) and volume per day (mL/day) if there is a volume, the dose in the dose
#: unit asked for (or the reverse default), the forward pump setting, and the warnings (the
#: pump setting's, then the rate's limits).
Evaluation = tuple[
    Figure,
    Figure,
    Figure,
    Figure | None,
    Figure | None,
    Figure | None,
    PumpFigures | None,
    tuple[str, ...],
]


def evaluate(
    plan: Plan,
    dn: int,
    dd: int,
    wn: int,
    wd: int,
    cn: int,
    cd: int,
    step: Resolution,
    minutes: tuple[int, int] | None = None,
    timed: bool = False,
) -> Evaluation:
    """Apply ``plan`` to one order: a dose of ``dn / dd`` (in the plan's dose unit), a weight
    of ``wn / wd`` kg and a concentration of ``cn / cd`` (its amount unit per its volume
    unit); 1 / 1 for an input not given. ``minutes`` is the time an order given over a time
    runs (``6 g over 20 min``): its day's volume is then at most what it gives. ``timed``:
    the order is an amount given over a time, whose pump setting is worked out, not typed,
    even when the amount is a volume (1,000 mL over 7 h is 142.86 mL/h: set 142.9 mL/h);
    a pump rate typed as the dose (a reverse plan, not timed) has no setting to work out."""
    assert plan.per_time is not None, "a bolus has no rate: see amounts.totals()"
    an, ad, vn, vd = flows(plan, dn, dd, wn, wd, cn, cd)
    pump_rate = volume_per_day = pump = dose_rate = None
    warnings: tuple[str, ...] = ()
    volume = plan.volume
    if volume is not None:
        pn, pd, yn, yd = vn * volume[0], vd * volume[1], vn * volume[2], vd * volume[3]
        pump_rate = (pn, pd, "mL/h")
        volume_per_day = (yn, yd, "mL/day")
        if plan.forward or timed:
            pump = round_pump(dn, dd, pn, pd, step)
            warnings = pump[6]
        # the daily volume matters for a drug's solution; a plain fluid order is its volume
        daily = (yn, yd) if plan.amount_c or plan.volume_c else (0, 1)
        if minutes is not None:
            daily = _within_a_day(daily, minutes)
        limits = rate_warnings(pn, pd, daily[0], daily[1], step, not plan.forward)
        if limits:
            warnings += limits
    wanted = plan.dose_rate
    if wanted is not None:
        xn, xd = (vn, vd) if wanted[1] else (an, ad)
        if wanted[2]:
            xn, xd = xn * wd, xd * wn
        dose_rate = (xn * wanted[3], xd * wanted[4], wanted[0])
    m, h, d = plan.per_time
    minute = (an * m[0], ad * m[1], m[2])
    hour = (an * h[0], ad * h[1], h[2])
    day = (an * d[0], ad * d[1], d[2])
    return minute, hour, day, pump_rate, volume_per_day, dose_rate, pump, warnings


def display(plan: Plan, minute: Figure, hour: Figure, day: Figure) -> list[Figure]:
    """Per minute, hour and day (machine figures of :func:`evaluate`) in the clearest unit
    of each, for human output."""
    assert plan.display is not None, "a bolus has no rate"
    return [
        choose(figure[0], figure[1], (shown,))[0]
        for figure, shown in zip((minute, hour, day), plan.display, strict=True)
    ]


def flows(
    plan: Plan, dn: int, dd: int, wn: int, wd: int, cn: int, cd: int
) -> tuple[int, int, int, int]:
    """The amount and the volume an order's numbers give, in the plan's own expressions
    (a rate's per its time unit; a bolus's as they are)."""
    rn, rd = (dn * wn, dd * wd) if plan.per_kg else (dn, dd)
    an, ad = (rn * cn, rd * cd) if plan.amount_c else (rn, rd)
    vn, vd = (rn * cd, rd * cn) if plan.volume_c else (rn, rd)
    return an, ad, vn, vd


def _within_a_day(daily: tuple[int, int], minutes: tuple[int, int]) -> tuple[int, int]:
    """The volume (as mL/day) an order given over ``minutes`` gives in its first day: the
    rate's daily volume times the part of a day it runs (100 mL over 20 min is 100 mL, not
    the 7,200 mL/day its rate would give in a whole day)."""
    day = factor("day", "min")
    if minutes[0] * day.denominator >= day.numerator * minutes[1]:  # a day or longer
        return daily
    return daily[0] * minutes[0] * day.denominator, daily[1] * minutes[1] * day.numerator
