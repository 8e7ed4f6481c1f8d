"""A bag or syringe: its strength per mL, and the drug to add so that a round pump rate
gives a round dose. (Gravity drip rates are :mod:`infuse_calc.drip`.)

Exact, through pint like every figure; no I/O. Heavy modules are imported inside the
functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infuse_calc.dosing import Measure
    from infuse_calc.quantities import Concentration, Dose, Kind, UnitWord, Weight


def per_ml(concentration: Concentration) -> Fraction:
    """A concentration as its amount unit per mL (pint converts L to mL)."""
    from infuse_calc import units as u

    amount = concentration.amount_unit.symbol
    per_volume = u.factor(f"{amount}/{concentration.volume_unit.symbol}", f"{amount}/mL")
    return Fraction(concentration.amount / concentration.volume * per_volume)


def same_strength(one: Concentration, other: Concentration) -> bool:
    """Whether two concentrations are the same amount per mL (``10 mg/mL``, ``1 g/100 mL``)."""
    from infuse_calc import units as u

    if one.kind is not other.kind:
        return False
    to_other = u.factor(one.amount_unit.symbol, other.amount_unit.symbol)
    return per_ml(one) * to_other == per_ml(other)


def strength(amount: Fraction, unit: UnitWord, volume_ml: Fraction) -> tuple[Measure, Measure]:
    """``amount`` of ``unit`` in ``volume_ml``: (per mL as every command shows it, per mL in
    ``unit``)."""
    from infuse_calc.dosing import Measure
    from infuse_calc.engine import concentration_figure
    from infuse_calc.quantities import ML, Concentration

    n, d, shown = concentration_figure(Concentration(amount, unit, volume_ml, ML, "", True))
    return Measure(Fraction(n, d), shown), Measure(amount / volume_ml, f"{unit}/mL")


def machine(measure: Measure, kind: Kind, per: str | None = None) -> Measure:
    """``measure`` in the machine unit of its kind (JSON, CSV: one unit per field)."""
    from infuse_calc.engine import machine_unit

    return measure.to(machine_unit(kind, per))


def clearest_amount(value: Fraction, unit: UnitWord) -> Measure:
    """The amount in its clearest unit for human output (the one rule of every figure:
    :func:`infuse_calc.figure_units.clearest`)."""
    from infuse_calc.dosing import Measure
    from infuse_calc.figure_units import clearest, display_floor

    n, d, shown = clearest(value, unit.symbol, display_floor(unit))
    return Measure(Fraction(n, d), shown)


@dataclass(frozen=True)
class Recipe:
    """How to make up a bag so that the pump rate ``at`` gives exactly the dose ``want``."""

    amount: Measure  # the drug to add, in its clearest unit
    concentration: Measure  # the bag's strength per mL, in its clearest unit
    each_ml_per_hour: Measure  # the dose each 1 mL/h gives
    check_dose: Measure  # what ``at`` delivers from this bag, worked forward by calculate


def make_up(want: Dose, at: Dose, weight: Weight | None, volume_ml: Fraction) -> Recipe:
    """amount = dose x weight x volume / rate (rule-of-6 style), exact; checked by running
    the pump rate forward through :func:`~infuse_calc.dosing.calculate`.

    Errors name the options (``--want``, ``--at``) as the titration parsers do.
    """
    from infuse_calc import units as u
    from infuse_calc.dosing import Measure, calculate
    from infuse_calc.errors import InputError, MissingInputError
    from infuse_calc.quantities import ML, Concentration

    if want.is_volume_rate:
        reason = "give the dose wanted (e.g. 0.1 mcg/kg/min), not a volume rate"
        raise InputError("--want", want.text, reason)
    if not at.is_volume_rate:
        raise InputError("--at", at.text, "give the pump rate as a volume rate, e.g. 1 mL/h")
    if want.per_kg and weight is None:
        raise MissingInputError(f"dose {want.text!r} is per kg", "weight")
    dose_q = u.quantity(want.value, u.rate_unit(want.unit))
    if want.per_kg:
        assert weight is not None
        dose_q = dose_q * u.quantity(weight.kg, u.unit("kg"))
    rate_q = u.quantity(at.value, u.rate_unit(at.unit))
    volume_q = u.quantity(volume_ml, u.unit("mL"))
    amount_unit = want.unit.amount
    exact = u.magnitude(dose_q * volume_q / rate_q, u.unit(amount_unit.symbol))
    clearest, _ = strength(exact, amount_unit, volume_ml)
    bag = Concentration(exact, amount_unit, volume_ml, ML, "", True)
    # Independent check: run the pump rate forward through the dosing core.
    delivered = calculate(at, weight if want.per_kg else None, bag, want.unit).dose_rate
    assert delivered is not None
    assert delivered.value == want.value, "bag builder check failed"
    each = Measure(want.value / at.value * u.factor(str(at.unit), "mL/h"), str(want.unit))
    return Recipe(clearest_amount(exact, amount_unit), clearest, each, delivered)
