"""Gravity drip rates: a volume rate and a giving set's drop factor to drops per minute.

One place for the rule, used by ``convert --drop-factor`` (through the CLI edge) and by
``practice``. The figure is exact (pint converts mL/h x gtt/mL to gtt/min); a nurse counts
whole drops, so :func:`whole_drops` gives the figure to count, halves away from zero.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infuse_calc.dosing import Measure
    from infuse_calc.quantities import Dose

# Heavy modules are imported inside the functions: the CLI imports this module for
# DROP_FACTORS while it parses options.

#: Giving sets, gtt/mL: macrodrip 10, 15 and 20; microdrip 60.
DROP_FACTORS = (10, 15, 20, 60)


def _check(drop_factor: int) -> None:
    if drop_factor not in DROP_FACTORS:
        raise ValueError(f"drop factor must be one of {DROP_FACTORS}")


def drip_rate(pump_rate_ml_h: Fraction, drop_factor: int) -> Measure:
    """Drops per minute for a gravity set (exact): mL/h x gtt/mL, by pint's factor."""
    from infuse_calc.dosing import Measure
    from infuse_calc.units import factor

    _check(drop_factor)
    per_minute = factor("mL/h*gtt/mL", "gtt/min")
    return Measure(pump_rate_ml_h * drop_factor * per_minute, "gtt/min")


def volume_rate(drip: Dose, drop_factor: int) -> Dose:
    """A drip rate counted in drops as the volume rate it is (exact): 30 gtt/min at
    15 gtt/mL is 2 mL/min. The same rule as :func:`drip_rate`, worked backwards."""
    from infuse_calc.quantities import ML, Dose, RateUnit
    from infuse_calc.units import factor

    _check(drop_factor)
    time = drip.unit.time
    assert time is not None
    assert drip.is_drip_rate
    per = factor(f"gtt/{time}*mL/gtt", f"mL/{time}")
    return Dose(drip.value / drop_factor * per, RateUnit(ML, time), drip.text, drip.warnings)


def explain_volume(drip: Dose, drop_factor: int, volume: Dose) -> str:
    """The ``--explain`` step of a drip rate typed as the dose:
    ``30 gtt/min ÷ 15 gtt/mL = 2 mL/min``."""
    from infuse_calc.notation import format_exact, format_number

    typed = f"{format_exact(drip.value)} {drip.unit}"
    return f"{typed} ÷ {drop_factor} gtt/mL = {format_number(volume.value)} {volume.unit}"


def whole_drops(value: Fraction) -> Fraction:
    """The drops to count in a minute: the nearest whole drop, halves away from zero."""
    from infuse_calc.notation import round_to_step

    return round_to_step(value, Fraction(1))


def explain_drip(pump_rate: Measure, drop_factor: int, drip: Measure) -> list[str]:
    """The ``--explain`` step: ``125 mL/h × 15 gtt/mL ÷ 60 min/h = 31.25 gtt/min``.

    A second line gives the whole drops to count when the exact figure is not whole.
    """
    from infuse_calc import units as u
    from infuse_calc.notation import format_number

    minutes = format_number(u.factor("h", "min"))
    exact = f"{format_number(drip.value)} gtt/min"
    lines = [f"{pump_rate} × {drop_factor} gtt/mL ÷ {minutes} min/h = {exact}"]
    whole = whole_drops(drip.value)
    if whole != drip.value:
        lines.append(f"{exact} ≈ {format_number(whole)} gtt/min (whole drops)")
    return lines
