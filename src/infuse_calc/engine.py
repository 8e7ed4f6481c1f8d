"""The dose engine: every dose figure of every command is worked out here, once.

A calculation has two halves:

* a :class:`Plan` for one combination of units (the dose's rate unit, whether a weight is
  given, the concentration's amount and volume units, the dose unit asked for). It holds
  pint's exact factors for every figure and the clearest-unit choices, and is made once per
  combination (:func:`plan`, cached; the factors themselves come from
  :func:`infuse_calc.units.factor`, which keeps them between runs);
* :func:`evaluate`, which applies a plan to the numbers of one order, in integer arithmetic
  on their numerators and denominators. It is the only place the dose maths, the pump
  rounding and its three warnings, and the clearest-unit choice are written.

``dosing.calculate`` (convert, titrate, chart, check, schedule) and ``batch`` both evaluate
these plans; a figure is an exact ``numerator / denominator`` whichever reads it.

This module imports neither pint, click nor rich.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from fractions import Fraction

from infuse_calc.errors import IncompatibleError
from infuse_calc.notation import format_percent_ratio, format_ratio, nearest
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

DEFAULT_PUMP_RESOLUTION = Fraction(1, 10)  # mL/h: most large-volume and syringe pumps
PUMP_MAX_RATE = Fraction(999)  # mL/h: the top of most pumps' range
ROUNDING_WARNING_PERCENT = Fraction(5)

#: An exact figure: ``(numerator, denominator, unit)``; the denominator is positive.
Figure = tuple[int, int, str]


# --- the clearest unit --------------------------------------------------------------------

# One candidate unit, ready for the per-figure choice: (lower, upper, factor numerator,
# denominator, unit). The figure in that unit is value * n / d, which reaches 1 at
# value = d / n; lower and upper bracket that threshold as floats, so a float comparison
# decides every value but those within a hair of it, which the integers then settle exactly.
_Step = tuple[float, float, int, int, str]
#: The candidates, largest first, and the unit used when none reaches 1 (the floor).
Choice = tuple[tuple[_Step, ...], tuple[int, int, str]]


def _choice(ladder: Sequence[tuple[str, Fraction]]) -> Choice:
    steps = []
    for symbol, size in reversed(ladder[1:]):
        threshold = size.denominator / size.numerator
        steps.append(
            (
                threshold * (1 - 1e-9),
                threshold * (1 + 1e-9),
                size.numerator,
                size.denominator,
                symbol,
            )
        )
    symbol, size = ladder[0]
    return tuple(steps), (size.numerator, size.denominator, symbol)


@functools.cache
def choice(source: str, floor: UnitWord, per: str | None = None) -> Choice:
    """The clearest-unit choice for a figure held in unit ``source``.

    The candidates are the units of ``floor``'s kind from ``floor`` up (each ``/per`` if
    given); the clearest is the largest in which the value is still at least 1, and
    ``floor`` when none is: 30,240 mcg/h is shown as 30.24 mg/h, a mcg dose never in ng.
    """
    words = [w for w in LADDERS.get(floor.kind, ()) if w.rank >= floor.rank] or [floor]
    units = [w.symbol if per is None else f"{w}/{per}" for w in words]
    return _choice([(u, factor(source, u)) for u in units])


def choose(numerator: int, denominator: int, choices: tuple[Choice, ...]) -> list[Figure]:
    """A value (``numerator / denominator`` in the choices' source unit) in the clearest
    unit of each choice (a rate per minute, per hour and per day, say)."""
    try:
        x = numerator / denominator
    except OverflowError:  # beyond floats: larger than any threshold
        x = float("inf")
    figures = []
    for steps, first in choices:
        for lower, upper, n, d, symbol in steps:
            if x >= upper or (x >= lower and numerator * n >= denominator * d):
                figures.append((numerator * n, denominator * d, symbol))
                break
        else:
            figures.append((numerator * first[0], denominator * first[1], first[2]))
    return figures


def clearest(value: Fraction, unit: str, floor: UnitWord, per: str | None = None) -> Figure:
    """``value`` (in ``unit``) in the clearest unit of ``floor``'s kind (see :func:`choice`)."""
    return choose(value.numerator, value.denominator, (choice(unit, floor, per),))[0]


def concentration_figure(concentration: Concentration) -> Figure:
    """A concentration per mL in its clearest unit, from the smallest of its kind up
    (0.016 mg/mL is 16 mcg/mL)."""
    per = f"{concentration.amount_unit}/{concentration.volume_unit}"
    value = concentration.amount / concentration.volume
    return clearest(value, per, LADDERS[concentration.kind][0], "mL")


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
        "dose_rate",
        "dose_unit",
        "forward",
        "per_kg",
        "per_time",
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
        per_time: tuple[Choice, Choice, Choice],
        volume: tuple[int, int, int, int] | None,
        dose_rate: tuple[str, bool, bool, int, int] | None,
    ) -> None:
        self.forward = forward  # a dose to a pump rate; else a volume rate to its dose
        self.dose_unit = dose_unit
        self.per_kg = per_kg
        self.amount_c = amount_c
        self.volume_c = volume_c
        self.per_time = per_time  # clearest-unit choices per minute, per hour, per day
        self.volume = volume  # volume rate to mL/h and to mL/day
        self.dose_rate = dose_rate  # unit, of the volume, per kg, factor n and d


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
    chosen = target or default_dose_unit(dose_unit, concentration_units, has_weight)
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
    if volume is not None:
        hourly, daily = factor(volume, "mL/h"), factor(volume, "mL/day")
        volume_factors = (hourly.numerator, hourly.denominator, daily.numerator, daily.denominator)
    return Plan(
        forward=forward,
        dose_unit=str(dose_unit),
        per_kg=dose_unit.per_kg,
        amount_c=not forward and concentration_units is not None,
        volume_c=forward and concentration_units is not None,
        per_time=(
            choice(amount, floor, "min"),
            choice(amount, floor, "h"),
            choice(amount, floor, "day"),
        ),
        volume=volume_factors,
        dose_rate=dose_rate,
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
    if dose.per_kg and weight is None:
        raise IncompatibleError(
            f"dose {dose.text or dose.unit!s} is per kg: give the patient's weight with --weight"
        )
    if dose_unit is not None and dose_unit.per_kg and weight is None:
        raise IncompatibleError(
            f"dose unit {dose_unit} is per kg: give the patient's weight with --weight"
        )
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
    if dose_unit.kind is Kind.VOLUME:
        if not dose.is_volume_rate and concentration is None:
            raise IncompatibleError(
                f"dose unit {dose_unit} is a volume rate: give the concentration with "
                "--concentration"
            )
        return
    available = dose.unit.kind if not dose.is_volume_rate else drug_kind
    if available is None:
        raise IncompatibleError(
            f"a volume rate ({dose.text!r}) gives a dose only with a concentration: "
            "give it with --concentration"
        )
    if dose_unit.kind is not available:
        raise IncompatibleError(
            f"dose unit {dose_unit} is in {dose_unit.kind.label} but the drug amount is in "
            f"{available.label}: they must measure the same kind of amount"
        )


# --- the pump -----------------------------------------------------------------------------


class Resolution(tuple[Fraction, int, int, str]):
    """A pump's resolution (mL/h): as a Fraction, as numerator and denominator, and the
    text its warnings quote (``0.1 mL/h``)."""

    __slots__ = ()

    @property
    def value(self) -> Fraction:
        return self[0]

    @property
    def numerator(self) -> int:
        return self[1]

    @property
    def denominator(self) -> int:
        return self[2]

    @property
    def step(self) -> str:
        return self[3]


@functools.lru_cache(maxsize=64)
def resolution(value: Fraction, separators: bool | None = None) -> Resolution:
    """A :class:`Resolution`; raises :class:`IncompatibleError` unless it is above zero."""
    if value <= 0:
        raise IncompatibleError("the pump resolution must be greater than zero")
    value = Fraction(value)
    n, d = value.numerator, value.denominator
    return Resolution((value, n, d, f"{format_ratio(n, d, separators=separators)} mL/h"))


def pump_setting(rate: Fraction, step: Resolution) -> Fraction:
    """A rate in mL/h rounded to what the pump can be set to (as :func:`round_pump`)."""
    rounded_n, rounded_d = round_pump(1, 1, rate.numerator, rate.denominator, step)[:2]
    return Fraction(rounded_n, rounded_d)


_MAX_RATE = (PUMP_MAX_RATE.numerator, PUMP_MAX_RATE.denominator)
_WARN = (ROUNDING_WARNING_PERCENT.numerator, ROUNDING_WARNING_PERCENT.denominator)

#: A forward pump setting: (rounded rate n, d, dose delivered n, d, % difference n, d,
#: warnings). The rate and the dose delivered are in mL/h and in the dose's unit.
PumpFigures = tuple[int, int, int, int, int, int, tuple[str, ...]]


def round_pump(dn: int, dd: int, pn: int, pd: int, step: Resolution) -> PumpFigures:
    """Round a forward pump rate (``pn / pd`` mL/h, for a dose of ``dn / dd``) to the pump's
    resolution, with the dose the rounded rate delivers and the warnings it calls for.

    Warns when the rounded rate is 0, when rounding changes the dose by more than
    ``ROUNDING_WARNING_PERCENT``, and when the rate is above ``PUMP_MAX_RATE``.
    """
    sn, sd = step[1], step[2]  # the resolution's numerator and denominator
    whole = nearest(pn * sd, pd * sn)  # the number of pump steps
    # delivered / dose = rounded / rate = whole * sn * pd / (sd * pn)
    rn, rd = whole * sn * pd, sd * pn
    difference_n, difference_d = (rn - rd) * 100, rd
    warnings: tuple[str, ...] = ()
    if (
        whole == 0
        or abs(difference_n) * _WARN[1] > _WARN[0] * difference_d
        or pn * _MAX_RATE[1] > _MAX_RATE[0] * pd
    ):
        warnings = _pump_warnings(pn, pd, whole, difference_n, difference_d, step)
    return whole * sn, sd, dn * rn, dd * rd, difference_n, difference_d, warnings


def _pump_warnings(
    pn: int, pd: int, whole: int, difference_n: int, difference_d: int, step: Resolution
) -> tuple[str, ...]:
    above = pn * _MAX_RATE[1] > _MAX_RATE[0] * pd
    # the rate is formatted only for the warnings that quote it
    rate = f"{format_ratio(pn, pd)} mL/h" if whole == 0 or above else ""
    warnings = []
    if whole == 0:
        warnings.append(
            f"pump rate {rate} rounds to 0 mL/h at {step.step} steps: use a more dilute "
            "concentration or a pump with a finer resolution"
        )
    elif abs(difference_n) * _WARN[1] > _WARN[0] * difference_d:
        warnings.append(
            f"rounding the pump rate to {step.step} steps changes the dose by "
            f"{format_percent_ratio(difference_n, difference_d)}: consider a more dilute "
            "concentration"
        )
    if above:
        warnings.append(
            f"pump rate {rate} is above {format_ratio(*_MAX_RATE)} mL/h, the top of most "
            "pumps' range: check the dose, the weight and the concentration"
        )
    return tuple(warnings)


# --- evaluation ---------------------------------------------------------------------------

#: Every figure of one order: per minute, per hour, per day (in their clearest units), the
#: pump rate (mL/h) and volume per day (mL/day) if there is a volume, the dose in the dose
#: unit asked for (or the reverse default), and the forward pump setting.
Evaluation = tuple[
    Figure, Figure, Figure, Figure | None, Figure | None, Figure | None, PumpFigures | None
]


def evaluate(
    plan: Plan, dn: int, dd: int, wn: int, wd: int, cn: int, cd: int, step: Resolution
) -> Evaluation:
    """Apply ``plan`` to one order: a dose of ``dn / dd`` (in the plan's dose unit), a weight
    of ``wn / wd`` kg and a concentration of ``cn / cd`` (its amount unit per its volume
    unit); 1 / 1 for an input not given."""
    rn, rd = (dn * wn, dd * wd) if plan.per_kg else (dn, dd)
    an, ad = (rn * cn, rd * cd) if plan.amount_c else (rn, rd)
    vn, vd = (rn * cd, rd * cn) if plan.volume_c else (rn, rd)
    pump_rate = volume_per_day = pump = dose_rate = None
    volume = plan.volume
    if volume is not None:
        pump_rate = (vn * volume[0], vd * volume[1], "mL/h")
        volume_per_day = (vn * volume[2], vd * volume[3], "mL/day")
        if plan.forward:
            pump = round_pump(dn, dd, pump_rate[0], pump_rate[1], step)
    wanted = plan.dose_rate
    if wanted is not None:
        xn, xd = (vn, vd) if wanted[1] else (an, ad)
        if wanted[2]:
            xn, xd = xn * wd, xd * wn
        dose_rate = (xn * wanted[3], xd * wanted[4], wanted[0])
    minute, hour, day = choose(an, ad, plan.per_time)
    return minute, hour, day, pump_rate, volume_per_day, dose_rate, pump
