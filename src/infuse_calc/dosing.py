"""Dosing maths: a dose rate, a weight and a concentration to totals and pump rates.

Both directions go through :func:`calculate`:

* forward: ``7 mcg/kg/min`` for 72 kg -> 504 mcg/min, 30.24 mg/h, 725.76 mg/day, and with
  ``10 mg/mL`` a pump rate of 3.024 mL/h and 72.576 mL/day;
* reverse: a volume rate (``3 mL/h``) with a concentration -> the dose it delivers, per
  min/h/day and per kg.

The figures come from :mod:`infuse_calc.engine` (pint's exact factors, applied in exact
integer arithmetic); this module wraps them as exact :class:`Measure` values. Nothing is
rounded except the pump rate, to the pump's resolution, on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from infuse_calc import amounts, engine
from infuse_calc import units as u
from infuse_calc.engine import DEFAULT_PUMP_RESOLUTION as DEFAULT_PUMP_RESOLUTION
from infuse_calc.engine import PUMP_MAX_RATE as PUMP_MAX_RATE
from infuse_calc.engine import ROUNDING_WARNING_PERCENT as ROUNDING_WARNING_PERCENT
from infuse_calc.errors import IncompatibleError
from infuse_calc.notation import (
    format_exact,
    format_exact_quantity,
    format_number,
    format_percent,
    format_quantity,
)
from infuse_calc.quantities import (
    KG,
    LADDERS,
    ML,
    Concentration,
    Dose,
    RateUnit,
    UnitWord,
    Weight,
)

#: A cap on the amount given (``--max "10,000 units"``): its value and unit as typed.
Cap = tuple[Fraction, UnitWord]

#: The fields of an amount given over a time (``6 g over 20 min``) or at once (a bolus).
GIVEN_FIELDS = (
    "duration",
    "amount",
    "volume",
    "bolus_amount",
    "bolus_volume",
    "max_amount",
    "capped",
)

#: The machine-readable fields of a calculation, in order: the keys of
#: :meth:`Calculation.record`, the JSON keys of ``convert`` and the computed columns of
#: ``batch``.
RECORD_FIELDS = (
    "direction",
    "dose",
    "weight",
    "weight_entered",
    "per_minute",
    "per_hour",
    "per_day",
    "concentration",
    "pump_rate",
    "volume_per_day",
    "dose_rate",
    "pump_resolution",
    "pump_rate_rounded",
    "rounded_rate_delivers",
    "rounded_rate_difference_percent",
    *GIVEN_FIELDS,
    "warnings",
)

#: The record fields that hold a :class:`Measure` (CSV: ``<name>_value``, ``<name>_unit``).
MEASURE_FIELDS = frozenset(RECORD_FIELDS[1:14] + GIVEN_FIELDS[:-1])


@dataclass(frozen=True)
class Measure:
    """An exact value with the unit string it is expressed in (pint-parsable)."""

    value: Fraction
    unit: str

    def __str__(self) -> str:
        return format_quantity(self.value, self.unit)

    def to(self, target: str) -> Measure:
        """The same quantity in another unit of the same dimension (exact)."""
        return Measure(self.value * u.factor(self.unit, target), target)

    def as_json(self) -> dict[str, Any]:
        """``{"value": <nearest float>, "unit": "<unit>"}``: the scripting contract."""
        return {"value": float(self.value), "unit": self.unit}


@dataclass(frozen=True)
class PumpRounding:
    """The pump rate rounded to what a pump can be set to, and what that really delivers."""

    resolution: Fraction
    rate: Measure
    delivers: Measure | None
    difference_percent: Fraction


@dataclass(frozen=True)
class Calculation:
    """Every figure of one dose calculation. ``None`` where an input was not given."""

    direction: str  # "forward" (dose -> pump rate) or "reverse" (pump rate -> dose)
    dose: Dose
    weight: Weight | None
    concentration: Concentration | None
    per_minute: Measure | None  # None for a bolus (an amount given at once)
    per_hour: Measure | None
    per_day: Measure | None
    concentration_per_ml: Measure | None
    pump_rate: Measure | None
    volume_per_day: Measure | None
    dose_rate: Measure | None
    pump: PumpRounding | None
    warnings: tuple[str, ...] = field(default=())
    # an amount given over a time (amount, volume, duration) or at once (bolus_*), in
    # machine units; the cap asked for and whether it limited the order
    given: Given | None = None
    # a drip rate typed as the dose (30 gtt/min): ``dose`` is then the volume rate it is
    drip: tuple[Dose, int] | None = None

    @property
    def dose_measure(self) -> Measure:
        """The dose as typed: ``7 mcg/kg/min``, ``6 g`` (over its duration), ``80 units/kg``."""
        typed = self.typed_dose
        if typed.is_timed:
            return Measure(typed.amount, typed.amount_unit)
        return Measure(typed.value, str(typed.unit))

    @property
    def rates(self) -> tuple[Measure, Measure, Measure]:
        """Per minute, per hour and per day: every order's but a bolus's (it has no rate)."""
        rates = (self.per_minute, self.per_hour, self.per_day)
        if rates[0] is None or rates[1] is None or rates[2] is None:
            raise ValueError("a bolus has no rate")
        return rates[0], rates[1], rates[2]

    @property
    def typed_dose(self) -> Dose:
        """The dose as it was typed (a drip rate in drops, not the volume rate it is)."""
        return self.dose if self.drip is None else self.drip[0]

    @property
    def weight_measure(self) -> Measure | None:
        return None if self.weight is None else Measure(self.weight.kg, "kg")

    def record(self) -> dict[str, Any]:
        """The machine-readable fields, in order (JSON keys, CSV columns, batch columns).

        Values are :class:`Measure` (or ``None`` where an input was not given), plain
        strings, and exact Fractions for percentages.
        """
        pump = self.pump
        return {
            "direction": self.direction,
            "dose": self.dose_measure,
            "weight": self.weight_measure,
            "weight_entered": None
            if self.weight is None
            else Measure(self.weight.value, self.weight.unit.symbol),
            "per_minute": self.per_minute,
            "per_hour": self.per_hour,
            "per_day": self.per_day,
            "concentration": self.concentration_per_ml,
            "pump_rate": self.pump_rate,
            "volume_per_day": self.volume_per_day,
            "dose_rate": self.dose_rate,
            "pump_resolution": None if pump is None else Measure(pump.resolution, "mL/h"),
            "pump_rate_rounded": None if pump is None else pump.rate,
            "rounded_rate_delivers": None if pump is None else pump.delivers,
            "rounded_rate_difference_percent": None if pump is None else pump.difference_percent,
            **(self.given or NOT_GIVEN).record(),
            "warnings": list(self.warnings),
        }

    def dose_text(self) -> str:
        return order_text(self.typed_dose)

    def clear(self, measure: Measure) -> Measure:
        """An amount (or volume) of this order in its clearest unit, never smaller than the
        unit typed: ``35 mg``, ``5,600 units``, ``150 mL`` (machine units are fixed)."""
        floor = self.dose.unit.amount
        kind = next(
            k for k, ladder in LADDERS.items() if measure.unit in (w.symbol for w in ladder)
        )
        if floor.kind is not kind:
            floor = LADDERS[kind][0]
        return _measure(engine.clearest(measure.value, measure.unit, floor))

    def weight_text(self) -> str | None:
        if self.weight is None:
            return None
        kg = f"{format_number(self.weight.kg)} kg"
        if self.weight.unit is KG:
            return kg
        return f"{format_exact(self.weight.value)} {self.weight.unit} = {kg}"

    def concentration_text(self) -> str | None:
        conc = self.concentration
        if conc is None or self.concentration_per_ml is None:
            return None
        per_ml = str(self.concentration_per_ml)
        if conc.percent is not None:
            return f"{format_exact(conc.percent)}% w/v = {per_ml}"
        if not conc.per_volume_given and conc.volume_unit is ML:
            return per_ml
        written = (
            f"{format_exact(conc.amount)} {conc.amount_unit} in "
            f"{format_exact(conc.volume)} {conc.volume_unit}"
        )
        return f"{written} = {per_ml}"

    def pump_text(self) -> str | None:
        pump = self.pump
        if pump is None:
            return None
        text = f"{pump.rate} at {format_number(pump.resolution)} mL/h steps"
        if pump.delivers is not None:
            text += f": delivers {pump.delivers} ({format_percent(pump.difference_percent)})"
        return text

    def delivered_text(self) -> str | None:
        """For an amount given over a time, what the pump setting gives over that time
        (``gives 1.998 g over 1 h 30 min``), in proportion to the rate; else ``None``."""
        pump, given, duration = self.pump, self.given, self.dose.duration
        if pump is None or pump.delivers is None or given is None or duration is None:
            return None
        ratio = pump.delivers.value / self.dose.value
        total = given.amount if self.direction == "forward" else given.volume
        assert total is not None
        return f"gives {self.clear(Measure(total.value * ratio, total.unit))} over {duration}"


def order_text(dose: Dose) -> str:
    """A dose as read, in the safe notation: ``7 mcg/kg/min``, ``1,000 mL over 8 h``,
    ``80 units/kg``."""
    if dose.duration is not None:
        return f"{format_exact_quantity(dose.amount, dose.amount_unit)} over {dose.duration}"
    return format_exact_quantity(dose.value, dose.unit)


@dataclass(frozen=True)
class Given:
    """What an amount given over a time, or at once (a bolus), adds to a calculation."""

    bolus: bool
    amount: Measure
    volume: Measure | None
    duration: Measure | None
    limit: Measure | None = None  # the cap (--max), in the amount's (or mL's) machine unit
    capped: bool | None = None

    def record(self) -> dict[str, Any]:
        timed = not self.bolus
        return {
            "duration": self.duration,
            "amount": self.amount if timed else None,
            "volume": self.volume if timed else None,
            "bolus_amount": None if timed else self.amount,
            "bolus_volume": None if timed else self.volume,
            "max_amount": self.limit,
            "capped": self.capped,
        }


class _NotGiven:
    @staticmethod
    def record() -> dict[str, Any]:
        return dict.fromkeys(GIVEN_FIELDS)


NOT_GIVEN = _NotGiven()


def calculate(
    dose: Dose,
    weight: Weight | None = None,
    concentration: Concentration | None = None,
    dose_unit: RateUnit | None = None,
    pump_resolution: Fraction = DEFAULT_PUMP_RESOLUTION,
    *,
    limit: Cap | None = None,
    drip: tuple[Dose, int] | None = None,
) -> Calculation:
    """Work out every figure for ``dose``.

    ``dose_unit`` asks for the dose as another rate unit (``dose_rate``); in the reverse
    direction it defaults to mcg/kg/min for mass drugs and units/kg/h for unit drugs (per kg
    only when a weight is given). An amount given over a time is worked out as the rate it
    gives, plus its amount, volume and duration; a bolus as an amount and a volume.
    ``limit`` caps the amount of either (``--max``). A drip rate in drops is worked out as
    the volume rate it is (``drip.volume_rate``): ``drip`` is then the drip rate typed and
    the drop factor, for the record and the explanation. Raises :class:`IncompatibleError`
    for inputs that cannot be combined.
    """
    from infuse_calc import notation

    if limit is not None and not (dose.is_bolus or dose.is_timed):
        raise IncompatibleError(
            f"a maximum (--max) limits a bolus or an amount given over a time; "
            f"{order_text(dose)} is a rate"
        )
    step = engine.resolution(pump_resolution, notation.THOUSANDS_SEPARATORS)
    plan = engine.plan_for(dose, weight, concentration, dose_unit)
    wn, wd = (1, 1) if weight is None else (weight.kg.numerator, weight.kg.denominator)
    cn = cd = 1
    conc_measure = None
    if concentration is not None:
        per = concentration.amount / concentration.volume
        cn, cd = per.numerator, per.denominator
        conc_measure = _measure(engine.concentration_figure(concentration))
    value = Fraction(dose.value)
    dn, dd = value.numerator, value.denominator
    minutes = (1, 1)
    if dose.duration is not None:
        span = dose.duration.minutes
        minutes = (span.numerator, span.denominator)
    cap_warnings: tuple[str, ...] = ()
    given = None
    if dose.is_bolus or dose.is_timed:
        given, scaled, cap_warnings = _given(plan, dose, (dn, dd, wn, wd, cn, cd), minutes, limit)
        dn, dd = scaled
    if dose.is_bolus:  # an amount, no rate: no figure per time, no pump
        return Calculation(
            direction="forward" if plan.forward else "reverse",
            dose=dose,
            weight=weight,
            concentration=concentration,
            per_minute=None,
            per_hour=None,
            per_day=None,
            concentration_per_ml=conc_measure,
            pump_rate=None,
            volume_per_day=None,
            dose_rate=None,
            pump=None,
            warnings=cap_warnings,
            given=given,
        )
    figures = engine.evaluate(plan, dn, dd, wn, wd, cn, cd, step)
    per_minute, per_hour, per_day, pump_rate, per_day_volume, dose_rate, setting = figures
    if dose.is_timed and setting is None:
        setting = amounts.timed_pump(plan, dn, dd, pump_rate, step)
    pump = None
    warnings: tuple[str, ...] = ()
    if setting is not None:
        rn, rd, xn, xd, pn, pd, warnings = setting
        pump = PumpRounding(
            step.value,
            Measure(Fraction(rn, rd), "mL/h"),
            Measure(Fraction(xn, xd), plan.dose_unit),
            Fraction(pn, pd),
        )
    return Calculation(
        direction="forward" if plan.forward else "reverse",
        dose=dose,
        weight=weight,
        concentration=concentration,
        per_minute=_measure(per_minute),
        per_hour=_measure(per_hour),
        per_day=_measure(per_day),
        concentration_per_ml=conc_measure,
        pump_rate=_optional(pump_rate),
        volume_per_day=_optional(per_day_volume),
        dose_rate=_optional(dose_rate),
        pump=pump,
        warnings=cap_warnings + warnings,
        given=given,
        drip=drip,
    )


def _given(
    plan: engine.Plan,
    dose: Dose,
    numbers: tuple[int, int, int, int, int, int],
    minutes: tuple[int, int],
    limit: Cap | None,
) -> tuple[Given, tuple[int, int], tuple[str, ...]]:
    """The amount, volume and duration of an amount given; the dose capped at ``limit``."""
    dn, dd, wn, wd, cn, cd = numbers
    limit_measure = capped = scaled = None
    if limit is not None:
        limit_measure = _limit(plan, dose, limit)
        figure = (
            limit_measure.value.numerator,
            limit_measure.value.denominator,
            limit_measure.unit,
        )
        scaled = amounts.cap(plan, numbers, minutes, figure)
        capped = scaled is not None
    before = amounts.totals(plan, dn, dd, wn, wd, cn, cd, *minutes)
    if scaled is not None:
        dn, dd = scaled
    amount, volume = amounts.totals(plan, dn, dd, wn, wd, cn, cd, *minutes)
    duration = None
    if dose.duration is not None:
        duration = Measure(Fraction(*minutes), "min")
    given = Given(
        dose.is_bolus,
        _measure(amount),
        _optional(volume),
        duration,
        limit_measure,
        capped,
    )
    warnings: tuple[str, ...] = ()
    if scaled is not None:
        assert limit_measure is not None
        assert limit is not None
        over = before[1] if limit_measure.unit == "mL" and before[0][2] != "mL" else before[0]
        assert over is not None
        at = f" at {format_number(Fraction(wn, wd))} kg" if dose.per_kg else ""
        cap_text = format_quantity(limit[0], limit[1].symbol)
        limited = "the bolus" if dose.is_bolus else "the amount (and its rate)"
        warnings = (
            f"{order_text(dose)}{at} is {format_quantity(Fraction(over[0], over[1]), over[2])}, "
            f"more than the maximum {cap_text}: {limited} is capped at {cap_text}",
        )
    return given, (dn, dd), warnings


def _limit(plan: engine.Plan, dose: Dose, limit: Cap) -> Measure:
    """The cap in the machine unit of what it limits; refused in another kind of amount."""
    value, word = limit
    if word.kind is not dose.unit.kind:
        raise IncompatibleError(
            f"the maximum {format_quantity(value, word.symbol)} is in {word.kind.label} but "
            f"{order_text(dose)} is in {dose.unit.kind.label}: they must measure the same "
            "kind of amount"
        )
    target = "mL" if word.kind is ML.kind else amounts.machine_amount(plan)
    return Measure(value * u.factor(word.symbol, target), target)


def _measure(figure: engine.Figure) -> Measure:
    return Measure(Fraction(figure[0], figure[1]), figure[2])


def _optional(figure: engine.Figure | None) -> Measure | None:
    return None if figure is None else _measure(figure)


def _in_best_unit(rate: Any, floor: UnitWord, per: UnitWord) -> Measure:
    """A pint quantity (an amount per ``per``) in its clearest unit, by the engine's rule.

    For callers that hold a pint quantity; everything else uses :func:`engine.clearest`.
    """
    unit = f"{floor}/{per}"
    return _measure(engine.clearest(u.magnitude(rate, u.compose(unit)), unit, floor, per.symbol))
