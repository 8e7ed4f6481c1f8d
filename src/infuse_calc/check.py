"""Checking a programmed pump rate against the order, and naming the likely slip.

:func:`check` works out the pump rate the order needs (with :func:`~infuse_calc.dosing.calculate`),
compares it with the rate programmed, and when they disagree searches products of up to
three named error factors (decimal slips 10/100/1000, time mix-ups 60/24/1440 and the
patient's weight) and their inverses for one that explains the ratio.

The tolerance is the same everywhere: half a pump step (the pump cannot be set closer than
that) plus a percentage of the rate it is compared with. Every figure is exact.
"""

from __future__ import annotations

import itertools
import math
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


@dataclass(frozen=True)
class Factor:
    """A named way of being wrong by a fixed multiple.

    ``over`` explains a pump running ``value`` times the order, ``under`` one running
    ``1/value`` of it.
    """

    name: str
    value: Fraction
    over: str
    under: str


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
            return f"{head}: {factor.over if sign > 0 else factor.under}"
        pieces = [
            f"{ratio_text(f.value if s > 0 else 1 / f.value)} ({f.over if s > 0 else f.under})"
            for f, s in self.parts
        ]
        return f"{head}: " + " and ".join(pieces)

    def as_json(self) -> dict[str, Any]:
        return {"factor": float(self.value), "parts": self.names, "text": self.text}


def ratio_text(ratio: Fraction) -> str:
    """``10x``, ``600x``, ``9.9868x``, ``0.99206x``; under 1/2 as the inverse, ``1/72x``."""
    if ratio >= Fraction(1, 2):
        return f"{format_number(ratio)}x"
    return f"1/{format_number(1 / ratio)}x"


def named_factors(weight_kg: Fraction | None = None) -> list[Factor]:
    """The factors searched for. Time and mass factors come from pint, not from literals."""
    factors = [
        Factor("10", Fraction(10), "decimal slip?", "decimal slip?"),
        Factor("100", Fraction(100), "decimal slip by two places?", "decimal slip by two places?"),
        Factor(
            "1000",
            u.factor("mg", "mcg"),
            "mcg read as mg (or milliunits as units)?",
            "mg read as mcg (or units as milliunits)?",
        ),
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
    return factors


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
) -> list[Cause]:
    """The simplest products of named factors that explain ``programmed / expected``.

    Only products with the fewest factors are returned (a single 1000x beats 10x and 100x),
    closest first, at most :data:`MAX_CAUSES`. Each factor appears at most once (so never
    with its own inverse), and products of several factors that nearly cancel (between 1/2
    and 2, such as 72/60) are not offered: they explain small errors by coincidence.
    """
    signed = [(f, s) for f in named_factors(weight_kg) for s in (1, -1)]
    ratio = programmed / expected
    for size in range(1, max_factors + 1):
        found: list[Cause] = []
        for combo in itertools.combinations(signed, size):
            if len({f.name for f, _ in combo}) < size:
                continue
            cause = Cause(tuple(combo))
            if size > 1 and Fraction(1, 2) < cause.value < 2:
                continue
            if within(programmed, expected * cause.value, resolution, tolerance_percent):
                found.append(cause)
        if found:
            found.sort(key=lambda c: abs(math.log(ratio / c.value)))
            return found[:MAX_CAUSES]
    return []


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

    @property
    def difference_percent(self) -> Fraction:
        return (self.ratio - 1) * 100

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


def check(
    order: Dose,
    programmed: Dose,
    weight: Weight | None = None,
    concentration: Concentration | None = None,
    pump_resolution: Fraction = DEFAULT_PUMP_RESOLUTION,
    tolerance_percent: Fraction = DEFAULT_TOLERANCE_PERCENT,
    limits: PumpLimits = DEFAULT_LIMITS,
) -> CheckResult:
    """Compare a programmed volume rate with what ``order`` needs.

    Raises :class:`IncompatibleError` when the inputs cannot be combined (a programmed rate
    that is not a volume rate, an order without the concentration it needs...).
    """
    if not programmed.is_volume_rate:
        raise IncompatibleError(
            f"pump rate {programmed.text!r} must be a volume rate such as 30.2 mL/h"
        )
    if tolerance_percent < 0 or tolerance_percent >= 100:
        raise IncompatibleError("the tolerance must be at least 0% and under 100%")
    if not order.is_volume_rate and concentration is None:
        raise IncompatibleError(
            f"order {order.text!r} is a dose: give the concentration with --concentration"
        )
    forward = calculate(order, weight, concentration, None, pump_resolution, limits)
    # the programmed rate worked the other way: the dose it delivers, and the engine's
    # limits on it (above the pump's range, the daily volume), as for any typed rate
    target = None if order.is_volume_rate else order.unit
    reverse = calculate(programmed, weight, concentration, target, pump_resolution, limits)
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
    if not match:
        causes = find_causes(
            expected.value,
            given.value,
            pump_resolution,
            tolerance_percent,
            None if weight is None else weight.kg,
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
    )
