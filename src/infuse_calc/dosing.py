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

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from infuse_calc import engine
from infuse_calc import units as u
from infuse_calc.engine import DAILY_VOLUME_LIMIT as DAILY_VOLUME_LIMIT
from infuse_calc.engine import DEFAULT_PUMP_RESOLUTION as DEFAULT_PUMP_RESOLUTION
from infuse_calc.engine import PUMP_MAX_RATE as PUMP_MAX_RATE
from infuse_calc.engine import ROUNDING_WARNING_PERCENT as ROUNDING_WARNING_PERCENT
from infuse_calc.notation import (
    format_exact,
    format_number,
    format_percent,
    format_quantity,
    format_weight,
)
from infuse_calc.pump import DEFAULT_LIMITS, PumpLimits
from infuse_calc.quantities import (
    ML,
    Concentration,
    Dose,
    RateUnit,
    Weight,
)

#: The machine-readable fields of a calculation, in order: the keys of
#: :meth:`Calculation.record`, the JSON keys of ``convert`` and the computed columns of
#: ``batch``.
RECORD_FIELDS = (
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
    "pump_resolution",
    "pump_rate_rounded",
    "rounded_rate_delivers",
    "rounded_rate_difference_percent",
    "warnings",
)

#: The record fields that are not a :class:`Measure` (nor ``None``): plain strings, numbers
#: and lists.
PLAIN_FIELDS = frozenset(
    {
        "direction",
        "dosing_weight",
        "lb_per_kg",
        "vehicle",
        "rounded_rate_difference_percent",
        "warnings",
    }
)
#: The record fields that hold a :class:`Measure` (CSV: ``<name>_value``, ``<name>_unit``).
MEASURE_FIELDS = frozenset(RECORD_FIELDS) - PLAIN_FIELDS


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
    per_minute: Measure
    per_hour: Measure
    per_day: Measure
    concentration_per_ml: Measure | None
    pump_rate: Measure | None
    volume_per_day: Measure | None
    dose_rate: Measure | None
    pump: PumpRounding | None
    warnings: tuple[str, ...] = field(default=())
    #: The figures machine output gives, each in its field's machine unit (per_minute,
    #: per_hour, per_day, concentration, dose_rate); the fields above are as human output
    #: shows them (the clearest unit of each).
    machine: Mapping[str, Measure | None] = field(default_factory=dict)

    @property
    def dose_measure(self) -> Measure:
        return Measure(self.dose.value, str(self.dose.unit))

    @property
    def weight_measure(self) -> Measure | None:
        return None if self.weight is None else Measure(self.weight.kg, "kg")

    def record(self) -> dict[str, Any]:
        """The machine-readable fields, in order (JSON keys, CSV columns, batch columns).

        Values are :class:`Measure` (or ``None`` where an input was not given), plain
        strings, and exact Fractions for percentages.
        """
        pump = self.pump
        machine = self.machine
        weight = self.weight
        typed = None if weight is None else weight.typed
        return {
            "direction": self.direction,
            "dose": self.dose_measure,
            "weight": self.weight_measure,
            "weight_entered": None if typed is None else Measure(typed.value, typed.unit.symbol),
            "weight_actual": None if typed is None else Measure(typed.kg, "kg"),
            "dosing_weight": None if weight is None else weight.method,
            "lb_per_kg": None if typed is None else typed.lb_per_kg,
            "per_minute": machine["per_minute"],
            "per_hour": machine["per_hour"],
            "per_day": machine["per_day"],
            "concentration": machine["concentration"],
            "vehicle": None if self.concentration is None else self.concentration.vehicle,
            "pump_rate": self.pump_rate,
            "volume_per_day": self.volume_per_day,
            "dose_rate": machine["dose_rate"],
            "pump_resolution": None if pump is None else Measure(pump.resolution, "mL/h"),
            "pump_rate_rounded": None if pump is None else pump.rate,
            "rounded_rate_delivers": None if pump is None else pump.delivers,
            "rounded_rate_difference_percent": None if pump is None else pump.difference_percent,
            "warnings": list(self.warnings),
        }

    def dose_text(self) -> str:
        return f"{format_exact(self.dose.value)} {self.dose.unit}"

    def weight_text(self) -> str | None:
        if self.weight is None:
            return None
        weight = self.weight
        # a course's factor (not the exact pound) is named: 220 lb at 2.2 lb/kg = 100 kg
        return format_weight(weight.value, weight.unit.symbol, weight.kg, weight.course_factor)

    def concentration_text(self) -> str | None:
        conc = self.concentration
        if conc is None or self.concentration_per_ml is None:
            return None
        per_ml = str(self.concentration_per_ml)
        # the vehicle as read (canonical name): 400 mg in 250 mL D5W = 1.6 mg/mL
        vehicle = "" if conc.vehicle is None else f" {conc.vehicle}"
        if conc.ratio is not None:  # shown back as written: 1:10,000 = 0.1 mg/mL
            return f"1:{format_exact(conc.ratio)}{vehicle} = {per_ml}"
        if conc.percent is not None:
            return f"{format_exact(conc.percent)}% w/v{vehicle} = {per_ml}"
        if not conc.per_volume_given and conc.volume_unit is ML:
            return f"{per_ml}{vehicle}"
        written = (
            f"{format_exact(conc.amount)} {conc.amount_unit} in "
            f"{format_exact(conc.volume)} {conc.volume_unit}{vehicle}"
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


def calculate(
    dose: Dose,
    weight: Weight | None = None,
    concentration: Concentration | None = None,
    dose_unit: RateUnit | None = None,
    pump_resolution: Fraction = DEFAULT_PUMP_RESOLUTION,
    limits: PumpLimits = DEFAULT_LIMITS,
) -> Calculation:
    """Work out every figure for ``dose``.

    ``dose_unit`` asks for the dose as another rate unit (``dose_rate``); in the reverse
    direction it defaults to mcg/kg/min for mass drugs and units/kg/h for unit drugs (per kg
    only when a weight is given) in machine output, and to the unit clinicians use for
    that kind and rate in human output (:func:`engine.clinical_dose`). ``limits`` are the
    pump's top rate and the daily volume warned about. Raises :class:`IncompatibleError`
    for inputs that cannot be combined.
    """
    from infuse_calc import notation

    step = limits.resolution(pump_resolution, notation.THOUSANDS_SEPARATORS)
    plan = engine.plan_for(dose, weight, concentration, dose_unit)
    wn, wd = (1, 1) if weight is None else (weight.kg.numerator, weight.kg.denominator)
    cn = cd = 1
    conc_measure = conc_machine = None
    if concentration is not None:
        per = concentration.amount / concentration.volume
        cn, cd = per.numerator, per.denominator
        conc_measure = _measure(engine.concentration_figure(concentration))
        conc_machine = _measure(engine.concentration_machine(concentration))
    value = Fraction(dose.value)
    figures = engine.evaluate(plan, value.numerator, value.denominator, wn, wd, cn, cd, step)
    minute, hour, day, pump_rate, per_day_volume, dose_rate, setting, warnings = figures
    pump = None
    if setting is not None:
        rn, rd, xn, xd, pn, pd, _ = setting
        pump = PumpRounding(
            step.value,
            Measure(Fraction(rn, rd), "mL/h"),
            Measure(Fraction(xn, xd), plan.dose_unit),
            Fraction(pn, pd),
        )
    shown = engine.display(plan, minute, hour, day)
    delivered = None
    if dose_unit is None:  # none asked for: human output shows the clinical unit
        delivered = engine.clinical_dose(plan, hour, None if weight is None else weight.kg)
    return Calculation(
        direction="forward" if plan.forward else "reverse",
        dose=dose,
        weight=weight,
        concentration=concentration,
        per_minute=_measure(shown[0]),
        per_hour=_measure(shown[1]),
        per_day=_measure(shown[2]),
        concentration_per_ml=conc_measure,
        pump_rate=_optional(pump_rate),
        volume_per_day=_optional(per_day_volume),
        dose_rate=_optional(delivered or dose_rate),
        pump=pump,
        warnings=warnings,
        machine={
            "per_minute": _measure(minute),
            "per_hour": _measure(hour),
            "per_day": _measure(day),
            "concentration": conc_machine,
            "dose_rate": _optional(dose_rate),
        },
    )


def _measure(figure: engine.Figure) -> Measure:
    return Measure(Fraction(figure[0], figure[1]), figure[2])


def _optional(figure: engine.Figure | None) -> Measure | None:
    return None if figure is None else _measure(figure)
