"""Amounts given: over a time (``6 g over 20 min``) or at once (a bolus, ``80 units/kg``).

The second half of the engine (:mod:`infuse_calc.engine`): an amount over a time is a rate
(worked out by the rate's own :class:`~infuse_calc.engine.Plan`) and a duration; its amount
is the rate times the time and its volume the pump rate times the time. A bolus has a plan
of its own (an amount, no time), and its amount and volume are those of the same
expressions. :func:`totals` is the one place these figures are made, for ``convert``,
``check``, ``chart``, ``schedule`` and ``batch``; :func:`cap` limits an order to a maximum
(``--max``) through the same plan.

This module imports neither pint, click nor rich.
"""

from __future__ import annotations

from fractions import Fraction

from infuse_calc.engine import Figure, Plan, flows
from infuse_calc.figure_units import machine_unit
from infuse_calc.units import factor


def totals(
    plan: Plan, dn: int, dd: int, wn: int, wd: int, cn: int, cd: int, tn: int = 1, td: int = 1
) -> tuple[Figure, Figure | None]:
    """The amount and the volume (``None`` without one) of an order given over ``tn / td``
    minutes, or of a bolus (a plan of an amount; the minutes are then 1), in machine units
    (:func:`~infuse_calc.figure_units.machine_unit`, mL): amount = rate x time, volume =
    pump rate x time."""
    factors = plan.totals or _totals(plan)
    an, ad, vn, vd = flows(plan, dn, dd, wn, wd, cn, cd)
    amount = (an * tn * factors[0], ad * td * factors[1], factors[4])
    volume = None
    if plan.given[1] is not None:
        volume = (vn * tn * factors[2], vd * td * factors[3], "mL")
    return amount, volume


def _totals(plan: Plan) -> tuple[int, int, int, int, str]:
    from infuse_calc import factor_cache

    amount, volume = plan.given
    machine = machine_amount(plan)
    with factor_cache.batched():
        of_amount = factor(amount, machine)
        of_volume = Fraction(1) if volume is None else factor(volume, "mL")
    plan.totals = (
        of_amount.numerator,
        of_amount.denominator,
        of_volume.numerator,
        of_volume.denominator,
        machine,
    )
    return plan.totals


def cap(
    plan: Plan,
    numbers: tuple[int, int, int, int, int, int],
    minutes: tuple[int, int],
    limit: Figure,
) -> tuple[int, int] | None:
    """The dose (``numerator, denominator``) that gives exactly ``limit`` (in machine units:
    an amount, or a volume in mL) when the order gives more, else ``None``.

    ``numbers`` are the order's dose, weight and concentration as for :func:`evaluate`;
    the capped dose goes through the same plan as any dose (its amount is then the cap).
    """
    dn, dd, wn, wd, cn, cd = numbers
    amount, volume = totals(plan, dn, dd, wn, wd, cn, cd, *minutes)
    figure = volume if limit[2] == "mL" and amount[2] != "mL" else amount
    assert figure is not None, "a volume cap needs a volume"
    assert figure[2] == limit[2], "the cap's kind is checked first"
    ln, ld = limit[0], limit[1]
    if figure[0] * ld <= ln * figure[1]:
        return None
    return dn * ln * figure[1], dd * ld * figure[0]


def machine_amount(plan: Plan) -> str:
    """The machine unit of the amounts of an order with this plan (``mg``, ``units``, ``mL``)."""
    return machine_unit(plan.kind)
