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
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

from infuse_calc import engine, notation
from infuse_calc.engine import DAILY_VOLUME_LIMIT as DAILY_VOLUME_LIMIT
from infuse_calc.engine import DEFAULT_PUMP_RESOLUTION as DEFAULT_PUMP_RESOLUTION
from infuse_calc.engine import PUMP_MAX_RATE as PUMP_MAX_RATE
from infuse_calc.engine import ROUNDING_WARNING_PERCENT as ROUNDING_WARNING_PERCENT
from infuse_calc.errors import IncompatibleError
from infuse_calc.measure import Measure as Measure
from infuse_calc.measure import measure as _measure
from infuse_calc.measure import optional as _optional
from infuse_calc.notation import (
    format_exact,
    format_exact_quantity,
    format_number,
    format_percent,
    format_weight,
)
from infuse_calc.pump import DEFAULT_LIMITS, PumpFigures, PumpLimits
from infuse_calc.quantities import (
    LADDERS,
    ML,
    Concentration,
    Dose,
    RateUnit,
    Weight,
)
from infuse_calc.quantities import order_text as order_text
from infuse_calc.slots import Slots

if TYPE_CHECKING:
    # An amount over a time or a bolus (given, amounts, durations) is loaded by the
    # calculations that have one: a rate, the common call, does not import them.
    from infuse_calc.durations import Duration
    from infuse_calc.given import Cap, Given

#: The fields of an amount given over a time (``6 g over 20 min``) or at once (a bolus):
#: :meth:`infuse_calc.given.Given.record`'s keys, ``None`` for a rate.
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
    *GIVEN_FIELDS,
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
        "capped",
        "warnings",
    }
)
#: The record fields that hold a :class:`Measure` (CSV: ``<name>_value``, ``<name>_unit``).
MEASURE_FIELDS = frozenset(RECORD_FIELDS) - PLAIN_FIELDS


class PumpRounding(Slots):
    """The pump rate rounded to what a pump can be set to, and what that really delivers."""

    __slots__ = ("delivers", "difference_percent", "rate", "resolution")

    def __init__(
        self,
        resolution: Fraction,
        rate: Measure,
        delivers: Measure | None,
        difference_percent: Fraction,
    ) -> None:
        self.resolution: Final = resolution
        self.rate: Final = rate
        self.delivers: Final = delivers
        self.difference_percent: Final = difference_percent


class Calculation(Slots):
    """Every figure of one dose calculation. ``None`` where an input was not given.

    ``direction`` is ``"forward"`` (dose -> pump rate) or ``"reverse"`` (pump rate -> dose).
    ``per_minute``, ``per_hour`` and ``per_day`` are ``None`` for a bolus (an amount given
    at once). ``machine`` holds the figures machine output gives, each in its field's
    machine unit (per_minute, per_hour, per_day, concentration, dose_rate); the fields
    are as human output shows them (the clearest unit of each). ``given``: an amount given
    over a time (amount, volume, duration) or at once (bolus_*), in machine units, the cap
    asked for and whether it limited the order. ``drip``: a drip rate typed as the dose
    (30 gtt/min) and its drop factor; ``dose`` is then the volume rate it is.
    """

    __slots__ = (
        "concentration",
        "concentration_per_ml",
        "direction",
        "dose",
        "dose_rate",
        "drip",
        "given",
        "machine",
        "per_day",
        "per_hour",
        "per_minute",
        "pump",
        "pump_rate",
        "volume_per_day",
        "warnings",
        "weight",
    )

    def __init__(
        self,
        direction: str,
        dose: Dose,
        weight: Weight | None,
        concentration: Concentration | None,
        per_minute: Measure | None,
        per_hour: Measure | None,
        per_day: Measure | None,
        concentration_per_ml: Measure | None,
        pump_rate: Measure | None,
        volume_per_day: Measure | None,
        dose_rate: Measure | None,
        pump: PumpRounding | None,
        warnings: tuple[str, ...] = (),
        machine: Mapping[str, Measure | None] | None = None,
        given: Given | None = None,
        drip: tuple[Dose, int] | None = None,
    ) -> None:
        self.direction: Final = direction
        self.dose: Final = dose
        self.weight: Final = weight
        self.concentration: Final = concentration
        self.per_minute: Final = per_minute
        self.per_hour: Final = per_hour
        self.per_day: Final = per_day
        self.concentration_per_ml: Final = concentration_per_ml
        self.pump_rate: Final = pump_rate
        self.volume_per_day: Final = volume_per_day
        self.dose_rate: Final = dose_rate
        self.pump: Final = pump
        self.warnings: Final = warnings
        self.machine: Final[Mapping[str, Measure | None]] = {} if machine is None else machine
        self.given: Final = given
        self.drip: Final = drip

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
            **(dict.fromkeys(GIVEN_FIELDS) if self.given is None else self.given.record()),
            "warnings": list(self.warnings),
        }

    def dose_text(self) -> str:
        return order_text(self.typed_dose)

    def clear(self, measure: Measure) -> Measure:
        """An amount (or volume) of this order in its clearest unit for human output, by the
        rule of every figure (:func:`engine.display_floor`): ``35 mg``, ``5,600 units``,
        ``150 mL`` (machine units are fixed)."""
        kind = next(
            k for k, ladder in LADDERS.items() if measure.unit in (w.symbol for w in ladder)
        )
        typed = self.dose.unit.amount
        floor = engine.display_floor(typed if typed.kind is kind else LADDERS[kind][0])
        return _measure(engine.clearest(measure.value, measure.unit, floor))

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
            f"{format_exact_quantity(conc.amount, conc.amount_unit)} in "
            f"{format_exact_quantity(conc.volume, conc.volume_unit)}{vehicle}"
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


def calculate(
    dose: Dose,
    weight: Weight | None = None,
    concentration: Concentration | None = None,
    dose_unit: RateUnit | None = None,
    pump_resolution: Fraction = DEFAULT_PUMP_RESOLUTION,
    limits: PumpLimits = DEFAULT_LIMITS,
    *,
    limit: Cap | None = None,
    drip: tuple[Dose, int] | None = None,
    runs_for: Duration | None = None,
) -> Calculation:
    """Work out every figure for ``dose``.

    ``dose_unit`` asks for the dose as another rate unit (``dose_rate``); in the reverse
    direction it defaults to mcg/kg/min for mass drugs and units/kg/h for unit drugs (per kg
    only when a weight is given) in machine output, and to the unit clinicians use for
    that kind and rate in human output (:func:`engine.clinical_dose`). ``limits`` are the
    pump's top rate and the daily volume warned about. An amount given over a time is
    worked out as the rate it gives, plus its amount, volume and duration; a bolus as an
    amount and a volume. ``limit`` caps the amount of either (``--max``). A drip rate in
    drops is worked out as the volume rate it is (``drip.volume_rate``): ``drip`` is then
    the drip rate typed and the drop factor, for the record and the explanation.
    ``runs_for`` is how long a rate runs when that is known (``check``: the pump of an
    order given over a time), for the day's volume it gives. Raises
    :class:`IncompatibleError` for inputs that cannot be combined.
    """
    if limit is not None and not (dose.is_bolus or dose.is_timed):
        raise IncompatibleError(
            f"a maximum (--max) limits a bolus or an amount given over a time; "
            f"{order_text(dose)} is a rate"
        )
    step = limits.resolution(pump_resolution, notation.THOUSANDS_SEPARATORS)
    plan = engine.plan_for(dose, weight, concentration, dose_unit)
    wn, wd = (1, 1) if weight is None else _pair(weight.kg)
    cn, cd = (1, 1) if concentration is None else _pair(concentration.amount / concentration.volume)
    conc = _concentration_measures(concentration)
    dn, dd = _pair(Fraction(dose.value))
    minutes = (1, 1) if dose.duration is None else _pair(dose.duration.minutes)
    cap_warnings: tuple[str, ...] = ()
    given = None
    if dose.is_bolus or dose.is_timed:
        from infuse_calc.given import given_figures

        numbers = (dn, dd, wn, wd, cn, cd)
        given, (dn, dd), cap_warnings = given_figures(plan, dose, numbers, minutes, limit)
    if dose.is_bolus:  # an amount, no rate: no figure per time, no pump
        assert given is not None
        return _bolus(dose, weight, concentration, plan, conc, (given, cap_warnings))
    span = _pair(runs_for.minutes) if runs_for is not None else minutes if dose.is_timed else None
    figures = engine.evaluate(plan, dn, dd, wn, wd, cn, cd, step, span, dose.is_timed)
    minute, hour, day, pump_rate, per_day_volume, dose_rate, setting, warnings = figures
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
        concentration_per_ml=conc[0],
        pump_rate=_optional(pump_rate),
        volume_per_day=_optional(per_day_volume),
        dose_rate=_optional(delivered or dose_rate),
        pump=None if setting is None else _pump_rounding(setting, step.value, plan.dose_unit),
        warnings=cap_warnings + warnings,
        machine={
            "per_minute": _measure(minute),
            "per_hour": _measure(hour),
            "per_day": _measure(day),
            "concentration": conc[1],
            "dose_rate": _optional(dose_rate),
        },
        given=given,
        drip=drip,
    )


def _pump_rounding(setting: PumpFigures, resolution: Fraction, unit: str) -> PumpRounding:
    """The engine's pump setting (integers) as exact measures: the rate to set, the dose it
    delivers (in ``unit``, the dose's) and the difference in percent."""
    rn, rd, xn, xd, pn, pd, _ = setting
    return PumpRounding(
        resolution,
        Measure(Fraction(rn, rd), "mL/h"),
        Measure(Fraction(xn, xd), unit),
        Fraction(pn, pd),
    )


def _pair(value: Fraction) -> tuple[int, int]:
    """An exact value as the engine takes it: numerator and denominator."""
    return value.numerator, value.denominator


def _bolus(
    dose: Dose,
    weight: Weight | None,
    concentration: Concentration | None,
    plan: engine.Plan,
    conc: tuple[Measure | None, Measure | None],
    given: tuple[Given, tuple[str, ...]],
) -> Calculation:
    """A bolus's calculation: an amount given at once has no figure per time and no pump;
    its amount and volume are ``given``'s (with the cap's warnings)."""
    figures, warnings = given
    return Calculation(
        direction="forward" if plan.forward else "reverse",
        dose=dose,
        weight=weight,
        concentration=concentration,
        per_minute=None,
        per_hour=None,
        per_day=None,
        concentration_per_ml=conc[0],
        pump_rate=None,
        volume_per_day=None,
        dose_rate=None,
        pump=None,
        warnings=warnings,
        machine={
            "per_minute": None,
            "per_hour": None,
            "per_day": None,
            "concentration": conc[1],
            "dose_rate": None,
        },
        given=figures,
    )


def _concentration_measures(
    concentration: Concentration | None,
) -> tuple[Measure | None, Measure | None]:
    """A concentration as human output shows it and as machine output gives it."""
    if concentration is None:
        return None, None
    shown = engine.concentration_figure(concentration)
    return _measure(shown), _measure(engine.concentration_machine(concentration))
