"""Dosing maths: a dose rate, a weight and a concentration to totals and pump rates.

Both directions go through :func:`calculate`:

* forward: ``7 mcg/kg/min`` for 72 kg -> 504 mcg/min, 30.24 mg/h, 725.76 mg/day, and with
  ``10 mg/mL`` a pump rate of 3.024 mL/h and 72.576 mL/day;
* reverse: a volume rate (``3 mL/h``) with a concentration -> the dose it delivers, per
  min/h/day and per kg.

Every figure is pint arithmetic on exact Fraction magnitudes (see :mod:`infuse_calc.units`);
nothing is rounded here except the pump rate, to the pump's resolution, on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from infuse_calc import units as u
from infuse_calc.errors import IncompatibleError
from infuse_calc.notation import format_exact, format_number, format_percent, format_quantity
from infuse_calc.quantities import (
    DAY,
    HOUR,
    KG,
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

DEFAULT_PUMP_RESOLUTION = Fraction(1, 10)  # mL/h: most large-volume and syringe pumps
PUMP_MAX_RATE = Fraction(999)  # mL/h: the top of most pumps' range
ROUNDING_WARNING_PERCENT = Fraction(5)


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
    "warnings",
)

#: The record fields that hold a :class:`Measure` (CSV: ``<name>_value``, ``<name>_unit``).
MEASURE_FIELDS = frozenset(RECORD_FIELDS[1:14])


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
            "warnings": list(self.warnings),
        }

    def dose_text(self) -> str:
        return f"{format_exact(self.dose.value)} {self.dose.unit}"

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


def calculate(
    dose: Dose,
    weight: Weight | None = None,
    concentration: Concentration | None = None,
    dose_unit: RateUnit | None = None,
    pump_resolution: Fraction = DEFAULT_PUMP_RESOLUTION,
) -> Calculation:
    """Work out every figure for ``dose``.

    ``dose_unit`` asks for the dose as another rate unit (``dose_rate``); in the reverse
    direction it defaults to mcg/kg/min for mass drugs and units/kg/h for unit drugs (per kg
    only when a weight is given). Raises :class:`IncompatibleError` for inputs that cannot
    be combined.
    """
    if pump_resolution <= 0:
        raise IncompatibleError("the pump resolution must be greater than zero")
    _check_compatible(dose, weight, concentration, dose_unit)
    warnings: list[str] = []
    rate = u.quantity(dose.value, u.rate_unit(dose.unit))
    if dose.per_kg:
        assert weight is not None
        rate = rate * u.quantity(weight.kg, u.unit("kg"))
    conc_q = None
    conc_measure = None
    if concentration is not None:
        conc_q = u.quantity(
            concentration.amount / concentration.volume,
            u.unit(concentration.amount_unit.symbol) / u.unit(concentration.volume_unit.symbol),
        )
        smallest = LADDERS[concentration.kind][0]
        conc_measure = _in_best_unit(conc_q, smallest, ML)

    volume_rate = None
    if dose.is_volume_rate:
        direction = "reverse"
        volume_rate = rate
        if conc_q is not None:
            assert concentration is not None
            amount_rate = rate * conc_q
            amount_floor = concentration.amount_unit
        else:
            amount_rate = rate
            amount_floor = ML
    else:
        direction = "forward"
        amount_rate = rate
        amount_floor = dose.unit.amount
        if conc_q is not None:
            volume_rate = rate / conc_q

    per_minute = _in_best_unit(amount_rate, amount_floor, MINUTE)
    per_hour = _in_best_unit(amount_rate, amount_floor, HOUR)
    per_day = _in_best_unit(amount_rate, amount_floor, DAY)

    pump_rate = volume_per_day = None
    if volume_rate is not None:
        pump_rate = Measure(u.magnitude(volume_rate, u.compose("mL/h")), "mL/h")
        volume_per_day = Measure(u.magnitude(volume_rate, u.compose("mL/day")), "mL/day")

    target = dose_unit or _default_dose_unit(dose, concentration, weight)
    dose_rate = None
    if target is not None:
        source = volume_rate if target.kind is Kind.VOLUME else amount_rate
        if target.per_kg:
            assert weight is not None
            source = source / u.quantity(weight.kg, u.unit("kg"))
        dose_rate = Measure(u.magnitude(source, u.rate_unit(target)), str(target))

    pump = None
    if direction == "forward" and pump_rate is not None:
        pump = round_for_pump(dose, pump_rate, pump_resolution, warnings)
    return Calculation(
        direction=direction,
        dose=dose,
        weight=weight,
        concentration=concentration,
        per_minute=per_minute,
        per_hour=per_hour,
        per_day=per_day,
        concentration_per_ml=conc_measure,
        pump_rate=pump_rate,
        volume_per_day=volume_per_day,
        dose_rate=dose_rate,
        pump=pump,
        warnings=tuple(warnings),
    )


def _check_compatible(
    dose: Dose,
    weight: Weight | None,
    concentration: Concentration | None,
    dose_unit: RateUnit | None,
) -> None:
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


def _default_dose_unit(
    dose: Dose, concentration: Concentration | None, weight: Weight | None
) -> RateUnit | None:
    """In the reverse direction, the dose unit clinicians order that drug kind in."""
    if not dose.is_volume_rate or concentration is None:
        return None
    kind = concentration.kind
    amount: UnitWord = MCG if kind is Kind.MASS else concentration.amount_unit
    if kind is Kind.UNITS:
        amount = LADDERS[Kind.UNITS][-1]
    time = MINUTE if kind is Kind.MASS else HOUR
    return RateUnit(amount, time, per_kg=weight is not None)


def _in_best_unit(rate: Any, floor: UnitWord, per: UnitWord) -> Measure:
    """Express an amount per ``per`` (a time, or mL) in the clearest unit of its kind.

    The clearest unit is the largest one in which the value is still at least 1, never
    smaller than ``floor`` (for rates, the unit the user wrote): 30,240 mcg/h is shown as
    30.24 mg/h, but a mcg dose is never shown in ng; 0.016 mg/mL is shown as 16 mcg/mL.
    """
    ladder = [unit for unit in LADDERS[floor.kind] if unit.rank >= floor.rank] or [floor]
    best: Measure | None = None
    for unit in ladder:
        symbol = f"{unit}/{per}"
        value = u.magnitude(rate, u.compose(symbol))
        if best is None or value >= 1:
            best = Measure(value, symbol)
    assert best is not None
    return best


def round_for_pump(
    dose: Dose, pump_rate: Measure, resolution: Fraction, warnings: list[str]
) -> PumpRounding:
    """Round a forward pump rate to the pump's resolution; add the warnings it calls for.

    Warns when the rounded rate is 0, when rounding changes the dose by more than
    ``ROUNDING_WARNING_PERCENT``, and when the rate is above ``PUMP_MAX_RATE``. (Public so
    that ``batch`` gives the same warnings, in the same words, without pint.)
    """
    from infuse_calc.notation import round_to_step

    rounded = round_to_step(pump_rate.value, resolution)
    ratio = rounded / pump_rate.value
    delivers = Measure(dose.value * ratio, str(dose.unit))
    difference = (ratio - 1) * 100
    step = f"{format_number(resolution)} mL/h"
    if rounded == 0:
        warnings.append(
            f"pump rate {pump_rate} rounds to 0 mL/h at {step} steps: use a more dilute "
            "concentration or a pump with a finer resolution"
        )
    elif abs(difference) > ROUNDING_WARNING_PERCENT:
        warnings.append(
            f"rounding the pump rate to {step} steps changes the dose by "
            f"{format_percent(difference)}: consider a more dilute concentration"
        )
    if pump_rate.value > PUMP_MAX_RATE:
        warnings.append(
            f"pump rate {pump_rate} is above {format_number(PUMP_MAX_RATE)} mL/h, the top "
            "of most pumps' range: check the dose, the weight and the concentration"
        )
    return PumpRounding(resolution, Measure(rounded, "mL/h"), delivers, difference)
