"""What an amount given over a time (``6 g over 20 min``) or at once (a bolus,
``80 units/kg``) adds to a calculation: its amount, volume and duration in machine units,
and the cap asked for (``--max``). The figures come from :mod:`infuse_calc.amounts`.

This module imports neither pint, click nor rich.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from infuse_calc import amounts, engine
from infuse_calc import units as u
from infuse_calc.errors import IncompatibleError
from infuse_calc.measure import Measure, measure, optional
from infuse_calc.notation import format_number, format_quantity
from infuse_calc.quantities import ML, Dose, UnitWord
from infuse_calc.quantities import order_text as order_text

#: A cap on the amount given (``--max "10,000 units"``): its value and unit as typed.
Cap = tuple[Fraction, UnitWord]


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


def given_figures(
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
        measure(amount),
        optional(volume),
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
