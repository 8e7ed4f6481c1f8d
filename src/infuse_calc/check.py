"""Checking a programmed pump rate against the order, and naming the likely slip.

:func:`check` works out the pump rate the order needs (with :func:`~infuse_calc.dosing.calculate`),
compares it with the rate programmed, and when they disagree searches products of up to
three named error factors (decimal slips 10/100/1000, time mix-ups 60/24/1440, the
patient's weight) and their inverses for one that explains the ratio; and, on their own,
pounds typed as kilograms, a double- or half-strength bag, the dose's number typed as the
mL/h and a rate worked out for another of the drug's standard concentrations.

Causes are ranked by how exactly they explain the pump: those that give the very rate
programmed (at the pump's resolution) first, the commoner slip first (:data:`COMMONNESS`),
then the others, closest first; a cause whose product is not within the tolerance is never
offered.

The tolerance is the same everywhere: half a pump step (the pump cannot be set closer than
that) plus a percentage of the rate it is compared with. Every figure is exact.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from infuse_calc import units as u
from infuse_calc.dosing import Measure, calculate
from infuse_calc.engine import DEFAULT_PUMP_RESOLUTION, pump_setting, resolution
from infuse_calc.errors import IncompatibleError
from infuse_calc.notation import format_number
from infuse_calc.pump import DEFAULT_LIMITS, PumpLimits
from infuse_calc.quantities import Concentration, Dose, Weight
from infuse_calc.run_warnings import once

DEFAULT_TOLERANCE_PERCENT = Fraction(5)
MAX_FACTORS = 3
MAX_CAUSES = 3
#: The slips, commonest first: the order in which infusion-error reviews report them (a
#: judgment, used only to rank causes that explain the pump equally exactly). Decimal and
#: mcg/mg slips lead; a per-kg step missed or repeated; time-unit mix-ups; the dose typed as
#: the rate; pounds for kilograms; the wrong bag; the rarer multiples last.
COMMONNESS = (
    "10",
    "1000",
    "weight",
    "60",
    "dose as rate",
    "volume as rate",
    "time as decimal",
    "lb",
    "standard",
    "2",
    "100",
    "24",
    "1440",
)


@dataclass(frozen=True)
class Factor:
    """A named way of being wrong by a fixed multiple.

    ``over`` explains a pump running ``value`` times the order, ``under`` one running
    ``1/value`` of it (``None``: that direction is no known slip). A factor ``alone`` is
    offered only by itself, never in a product: multiplied with the others, a factor near
    2 explains almost any ratio by coincidence (36.744x = 1000 x 1/60 x 2.2046).
    """

    name: str
    value: Fraction
    over: str | None
    under: str | None
    alone: bool = False

    @property
    def rank(self) -> int:
        """How common the slip is (0 commonest), from :data:`COMMONNESS`."""
        kind = self.name.split(" ", 1)[0] if self.name.startswith("standard") else self.name
        return COMMONNESS.index(kind) if kind in COMMONNESS else len(COMMONNESS)

    def says(self, sign: int) -> str:
        text = self.over if sign > 0 else self.under
        assert text is not None
        return text


@dataclass(frozen=True)
class Cause:
    """A product of named factors (each with exponent +1 or -1) that explains the ratio."""

    parts: tuple[tuple[Factor, int], ...]

    @property
    def value(self) -> Fraction:
        product = Fraction(1)
        for factor, sign in self.parts:
            product *= factor.value if sign > 0 else 1 / factor.value
        return product

    @property
    def names(self) -> list[str]:
        return [f.name if sign > 0 else f"1/{f.name}" for f, sign in self.parts]

    @property
    def text(self) -> str:
        """``pump is 600x the order: 10x (decimal slip?) and 60x (...)``."""
        return self.describe("pump", "the order")

    def describe(self, subject: str, reference: str) -> str:
        """``<subject> is 600x <reference>: ...`` (``practice`` says "your answer")."""
        head = f"{subject} is {ratio_text(self.value)} {reference}"
        if len(self.parts) == 1:
            factor, sign = self.parts[0]
            return f"{head}: {factor.says(sign)}"
        pieces = [
            f"{ratio_text(f.value if s > 0 else 1 / f.value)} ({f.says(s)})" for f, s in self.parts
        ]
        return f"{head}: " + " and ".join(pieces)

    def as_json(self) -> dict[str, Any]:
        return {"factor": float(self.value), "parts": self.names, "text": self.text}


def ratio_text(ratio: Fraction) -> str:
    """``10x``, ``600x``, ``9.9868x``, ``0.99206x``; under 1/2 as the inverse, ``1/72x``."""
    if ratio >= Fraction(1, 2):
        return f"{format_number(ratio)}x"
    return f"1/{format_number(1 / ratio)}x"


def named_factors(
    weight_kg: Fraction | None = None, bags: bool = True, times: bool = True
) -> list[Factor]:
    """The factors searched for. Time, mass and pound factors come from pint, not from
    literals. ``bags=False`` leaves out the bag's strength (``practice``: a problem states
    its concentration); ``times=False`` the time factors (a bolus is given at once: no
    minutes to mix up with hours)."""
    factors = [
        Factor("10", Fraction(10), "decimal slip?", "decimal slip?"),
        Factor("100", Fraction(100), "decimal slip by two places?", "decimal slip by two places?"),
        Factor(
            "1000",
            u.factor("mg", "mcg"),
            "mcg read as mg (or milliunits as units)?",
            "mg read as mcg (or units as milliunits)?",
        ),
    ]
    if times:
        factors += [
            Factor(
                "60",
                u.factor("h", "min"),
                "minutes/hours mix-up: per-hour dose worked out as per-minute?",
                "minutes/hours mix-up: per-minute dose worked out as per-hour?",
            ),
            Factor(
                "24",
                u.factor("day", "h"),
                "hours/days mix-up: per-day dose worked out as per-hour?",
                "hours/days mix-up: per-hour dose worked out as per-day?",
            ),
            Factor(
                "1440",
                u.factor("day", "min"),
                "minutes/days mix-up: per-day dose worked out as per-minute?",
                "minutes/days mix-up: per-minute dose worked out as per-day?",
            ),
        ]
    if weight_kg is not None:
        factors.append(
            Factor(
                "weight",
                weight_kg,
                "weight applied twice, or to a dose that is not per kg?",
                "weight not applied?",
            )
        )
        factors.append(
            Factor(
                "lb",
                u.factor("kg", "lb"),
                "weight in pounds typed as kilograms?",
                "weight in kilograms typed as pounds?",
                alone=True,
            )
        )
    if bags:
        factors.append(
            Factor(
                "2",
                Fraction(2),
                "rate worked out for half this concentration: is the bag double strength?",
                "rate worked out for double this concentration: is the bag half strength?",
                alone=True,
            )
        )
    return factors


def order_factors(
    order_value: Fraction,
    expected: Fraction,
    concentration: Concentration | None = None,
    standards: Sequence[tuple[Concentration, str]] = (),
) -> list[Factor]:
    """The slips of this order that are not a fixed multiple, each offered alone: the
    dose's number typed as the mL/h, and a rate worked out for another of the drug's
    standard concentrations (``standards``: the concentration and its label)."""
    number = format_number(order_value)
    found = [Factor("dose as rate", order_value / expected, f"the dose's number ({number}) "
                    "typed as the mL/h?", None, alone=True)]  # fmt: skip
    if concentration is None:
        return found
    from infuse_calc.bag import per_ml
    from infuse_calc.library_choice import written

    for standard, label in standards:
        if standard.kind is not concentration.kind:
            continue
        to_given = u.factor(standard.amount_unit.symbol, concentration.amount_unit.symbol)
        # the pump runs at dose / standard where dose / given was needed: given / standard
        ratio = per_ml(concentration) / (per_ml(standard) * to_given)
        if ratio == 1:
            continue
        text = written(standard)
        named = text + (f" ({label})" if label else "")
        found.append(
            Factor(f"standard {text}", ratio, f"rate worked out for the {named} "
                   "bag, not this one?", None, alone=True)
        )  # fmt: skip
    return found


def timed_factors(order: Dose) -> list[Factor]:
    """The slips of an amount given over a time, each offered alone: the volume (or
    amount) set as the hourly rate, the time not divided; and a time in hours and minutes
    worked out as decimal hours (1 h 30 min as 1.3 h)."""
    duration = order.duration
    if duration is None:
        return []
    hours = duration.minutes * u.factor("min", "h")
    found = [
        Factor(
            "volume as rate",
            hours,
            f"the volume to give set as the rate per hour (not divided by {duration})?",
            None,
            alone=True,
        )
    ]
    units = [unit.symbol for _, unit in duration.parts]
    if units == ["h", "min"] and duration.parts[1][0] < u.factor("h", "min"):
        whole, minutes = duration.parts[0][0], duration.parts[1][0]
        decimal = whole + minutes / 100  # 1 h 30 min read as 1.30 h
        found.append(
            Factor(
                "time as decimal",
                hours / decimal,
                f"{duration} worked out as {format_number(decimal)} h (minutes are not "
                "hundredths of an hour)?",
                None,
                alone=True,
            )
        )
    return found


def within(programmed: Fraction, target: Fraction, resolution: Fraction, percent: Fraction) -> bool:
    """``programmed`` is within half a pump step plus ``percent`` of ``target``."""
    return abs(programmed - target) <= resolution / 2 + target * percent / 100


def find_causes(
    expected: Fraction,
    programmed: Fraction,
    resolution: Fraction,
    tolerance_percent: Fraction,
    weight_kg: Fraction | None = None,
    max_factors: int = MAX_FACTORS,
    *,
    alone: Sequence[Factor] = (),
    bags: bool = True,
    times: bool = True,
) -> list[Cause]:
    """The simplest products of named factors that explain ``programmed / expected``.

    Only products with the fewest factors are returned (a single 1000x beats 10x and 100x),
    at most :data:`MAX_CAUSES`, ranked by :func:`_rank`. Each factor appears at most once
    (so never with its own inverse), and products of several factors that nearly cancel
    (between 1/2 and 2, such as 72/60) are not offered: they explain small errors by
    coincidence. ``alone`` adds factors offered only by themselves (:func:`order_factors`);
    one of those with the same value as a general factor replaces it (the 4 mg/250 mL bag
    says more than "half this concentration").
    """
    factors = _without_repeats(named_factors(weight_kg, bags, times), alone)
    signed = [(f, s) for f in factors for s in (1, -1) if (f.over if s > 0 else f.under)]
    compounding = [(f, s) for f, s in signed if not f.alone]
    for size in range(1, max_factors + 1):
        found: list[Cause] = []
        for combo in itertools.combinations(signed if size == 1 else compounding, size):
            if len({f.name for f, _ in combo}) < size:
                continue
            cause = Cause(tuple(combo))
            if size > 1 and Fraction(1, 2) < cause.value < 2:
                continue
            if within(programmed, expected * cause.value, resolution, tolerance_percent):
                found.append(cause)
        if found:
            found.sort(key=lambda c: _rank(c, expected, programmed, resolution))
            return found[:MAX_CAUSES]
    return []


def _rank(
    cause: Cause, expected: Fraction, programmed: Fraction, resolution: Fraction
) -> tuple[int, float, float]:
    """Exact causes (the slip gives the very rate programmed, at the pump's resolution)
    first, commonest first: the pump cannot tell them apart, the commoner slip is likelier.
    Then the rest, closest first."""
    from infuse_calc.notation import round_to_step

    commonness = sum(f.rank for f, _ in cause.parts)
    closeness = abs(math.log(programmed / (expected * cause.value)))
    if round_to_step(expected * cause.value, resolution) == programmed:
        return (0, commonness, closeness)
    return (1, closeness, commonness)


def _without_repeats(factors: list[Factor], alone: Sequence[Factor]) -> list[Factor]:
    """``factors`` and ``alone``, a direction of a general factor dropped where a factor of
    ``alone`` has the same value (a named bag instead of "double strength")."""
    values = {f.value for f in alone}
    kept: list[Factor] = []
    for f in factors:
        over = None if f.value in values else f.over
        under = None if 1 / f.value in values else f.under
        if over or under:
            kept.append(Factor(f.name, f.value, over, under, f.alone))
    return kept + list(alone)


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one programmed rate."""

    order: Dose
    weight: Weight | None
    concentration: Concentration | None
    programmed: Measure
    expected: Measure
    expected_rounded: Measure
    delivered: Measure
    ratio: Fraction
    match: bool
    tolerance_percent: Fraction
    allowed_difference: Measure
    causes: tuple[Cause, ...]
    warnings: tuple[str, ...] = field(default=())
    pump_resolution: Fraction = DEFAULT_PUMP_RESOLUTION

    @property
    def difference_percent(self) -> Fraction:
        return (self.ratio - 1) * 100

    @property
    def settable(self) -> bool:
        """Whether a pump at this resolution can give the order at all: a right rate under
        half a step rounds to 0 mL/h, which is no rate to program."""
        return self.expected_rounded.value != 0

    def record(self) -> dict[str, Any]:
        """The machine-readable fields (JSON)."""
        return {
            "match": self.match,
            "ratio": self.ratio,
            "difference_percent": self.difference_percent,
            "causes": list(self.causes),
            "order": Measure(self.order.value, str(self.order.unit)),
            "weight": None if self.weight is None else Measure(self.weight.kg, "kg"),
            "programmed_rate": self.programmed,
            "expected_pump_rate": self.expected,
            "expected_pump_rate_rounded": self.expected_rounded,
            "delivered_dose": self.delivered,
            "tolerance_percent": self.tolerance_percent,
            "allowed_difference": self.allowed_difference,
            "warnings": list(self.warnings),
        }


def _refuse(
    order: Dose, programmed: Dose, concentration: Concentration | None, tolerance: Fraction
) -> None:
    """Raise :class:`IncompatibleError` for what :func:`check` cannot compare."""
    if not programmed.is_volume_rate:
        raise IncompatibleError(
            f"pump rate {programmed.text!r} must be a volume rate such as 30.2 mL/h"
        )
    if order.is_bolus:
        raise IncompatibleError(
            f"order {order.text!r} is a bolus (an amount given at once): it has no pump rate "
            "to check; give the time it runs over (80 units/kg over 10 min)"
        )
    if tolerance < 0 or tolerance >= 100:
        raise IncompatibleError("the tolerance must be at least 0% and under 100%")
    if not order.is_volume_rate and concentration is None:
        raise IncompatibleError(
            f"order {order.text!r} is a dose: give the concentration with --concentration"
        )


def check(
    order: Dose,
    programmed: Dose,
    weight: Weight | None = None,
    concentration: Concentration | None = None,
    pump_resolution: Fraction = DEFAULT_PUMP_RESOLUTION,
    tolerance_percent: Fraction = DEFAULT_TOLERANCE_PERCENT,
    standards: Sequence[tuple[Concentration, str]] = (),
    limits: PumpLimits = DEFAULT_LIMITS,
) -> CheckResult:
    """Compare a programmed volume rate with what ``order`` needs.

    ``standards`` are the drug's standard concentrations (with their labels) when the
    drug is known: a rate worked out for another of them is a likely cause.

    Raises :class:`IncompatibleError` when the inputs cannot be combined (a programmed rate
    that is not a volume rate, an order without the concentration it needs...).
    """
    _refuse(order, programmed, concentration, tolerance_percent)
    forward = calculate(order, weight, concentration, None, pump_resolution, limits)
    # the programmed rate worked the other way: the dose it delivers, and the engine's
    # limits on it (above the pump's range, the daily volume), as for any typed rate
    target = None if order.is_volume_rate else order.unit
    reverse = calculate(
        programmed,
        weight,
        concentration,
        target,
        pump_resolution,
        limits,
        runs_for=order.duration,  # an order given over a time: the pump runs that long
    )
    if order.is_volume_rate:
        expected = Measure(order.value, str(order.unit)).to("mL/h")
        step = resolution(pump_resolution)
        rounded = Measure(pump_setting(expected.value, step), "mL/h")
        delivered = Measure(programmed.value, str(programmed.unit)).to(str(order.unit))
    else:
        assert forward.pump_rate is not None
        assert forward.pump is not None
        expected = forward.pump_rate
        rounded = forward.pump.rate
        assert reverse.dose_rate is not None
        delivered = reverse.dose_rate
    given = Measure(programmed.value, str(programmed.unit)).to("mL/h")
    ratio = given.value / expected.value
    allowed = pump_resolution / 2 + expected.value * tolerance_percent / 100
    match = within(given.value, expected.value, pump_resolution, tolerance_percent)
    causes: list[Cause] = []
    if not match and expected.value:
        alone = [] if order.is_volume_rate else order_factors(
            order.amount, expected.value, concentration, standards
        )  # fmt: skip
        alone += timed_factors(order)
        causes = find_causes(
            expected.value,
            given.value,
            pump_resolution,
            tolerance_percent,
            None if weight is None else weight.kg,
            alone=alone,
        )
    return CheckResult(
        order=order,
        weight=weight,
        concentration=concentration,
        programmed=given,
        expected=expected,
        expected_rounded=rounded,
        delivered=delivered,
        ratio=ratio,
        match=match,
        tolerance_percent=tolerance_percent,
        allowed_difference=Measure(allowed, "mL/h"),
        causes=tuple(causes),
        warnings=tuple(once((*forward.warnings, *reverse.warnings))),
        pump_resolution=pump_resolution,
    )
