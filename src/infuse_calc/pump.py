"""The pump: rounding a rate to the pump's resolution, and the limits every rate is
checked against (the pump's top rate, the daily volume of one infusion).

Each threshold lives here once; :func:`infuse_calc.engine.evaluate` applies them to every
order of every command (and ``check`` to the rate a pump is programmed to). This module
imports neither pint, click nor rich.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

from infuse_calc.errors import IncompatibleError
from infuse_calc.notation import (
    format_number,
    format_percent,
    format_percent_ratio,
    format_ratio,
    nearest,
)

if TYPE_CHECKING:
    from infuse_calc.dosing import PumpRounding
    from infuse_calc.measure import Measure

DEFAULT_PUMP_RESOLUTION = Fraction(1, 10)  # mL/h: most large-volume and syringe pumps
PUMP_MAX_RATE = Fraction(999)  # mL/h: the top of most pumps' range (--pump-max)
DAILY_VOLUME_LIMIT = Fraction(2000)  # mL/day from one infusion (--daily-volume-max)
ROUNDING_WARNING_PERCENT = Fraction(5)


class PumpLimits(NamedTuple):
    """The limits a run checks every pump rate against (``--pump-max``,
    ``--daily-volume-max``): the pump's top rate in mL/h and the most volume one infusion
    may give in a day, mL/day (``None``: not checked)."""

    max_rate: Fraction = PUMP_MAX_RATE
    daily_volume: Fraction | None = DAILY_VOLUME_LIMIT

    def resolution(self, value: Fraction, separators: bool | None = None) -> Resolution:
        """The :class:`Resolution` of a pump of ``value`` mL/h steps with these limits."""
        return resolution(value, separators, self.max_rate, self.daily_volume)


DEFAULT_LIMITS = PumpLimits()


class Resolution(tuple[Fraction, int, int, str, Fraction, Fraction | None, tuple[int, ...]]):
    """A pump's resolution (mL/h): as a Fraction, as numerator and denominator, and the
    text its warnings quote (``0.1 mL/h``); with the limits every rate is checked against:
    the pump's top rate (mL/h) and the daily volume of one infusion (mL/day, ``None``: not
    checked); last, the two limits as four ints (numerator, denominator of each; 0, 1 for
    a daily volume not checked), which every row compares with."""

    __slots__ = ()

    @property
    def value(self) -> Fraction:
        return self[0]

    @property
    def numerator(self) -> int:
        return self[1]

    @property
    def denominator(self) -> int:
        return self[2]

    @property
    def step(self) -> str:
        return self[3]

    @property
    def max_rate(self) -> Fraction:
        return self[4]

    @property
    def daily_volume(self) -> Fraction | None:
        return self[5]


@functools.lru_cache(maxsize=64)
def resolution(
    value: Fraction,
    separators: bool | None = None,
    max_rate: Fraction = PUMP_MAX_RATE,
    daily_volume: Fraction | None = DAILY_VOLUME_LIMIT,
) -> Resolution:
    """A :class:`Resolution`; raises :class:`IncompatibleError` unless each figure is above
    zero."""
    if value <= 0:
        raise IncompatibleError("the pump resolution must be greater than zero")
    if max_rate <= 0:
        raise IncompatibleError("the pump's maximum rate must be greater than zero")
    if daily_volume is not None and daily_volume <= 0:
        raise IncompatibleError("the daily volume limit must be greater than zero")
    value = Fraction(value)
    n, d = value.numerator, value.denominator
    text = f"{format_ratio(n, d, separators=separators)} mL/h"
    limit = None if daily_volume is None else Fraction(daily_volume)
    top = Fraction(max_rate)
    ints = (
        top.numerator,
        top.denominator,
        *((0, 1) if limit is None else limit.as_integer_ratio()),
    )
    return Resolution((value, n, d, text, top, limit, ints))


def pump_setting(rate: Fraction, step: Resolution) -> Fraction:
    """A rate in mL/h rounded to what the pump can be set to (as :func:`round_pump`)."""
    rounded_n, rounded_d = round_pump(1, 1, rate.numerator, rate.denominator, step)[:2]
    return Fraction(rounded_n, rounded_d)


_WARN = (ROUNDING_WARNING_PERCENT.numerator, ROUNDING_WARNING_PERCENT.denominator)

#: A forward pump setting: (rounded rate n, d, dose delivered n, d, % difference n, d,
#: warnings). The rate and the dose delivered are in mL/h and in the dose's unit.
PumpFigures = tuple[int, int, int, int, int, int, tuple[str, ...]]


def round_pump(dn: int, dd: int, pn: int, pd: int, step: Resolution) -> PumpFigures:
    """Round a forward pump rate (``pn / pd`` mL/h, for a dose of ``dn / dd``) to the pump's
    resolution, with the dose the rounded rate delivers and the warnings rounding calls for.

    Warns when the rounded rate is 0 and when rounding changes the dose by more than
    ``ROUNDING_WARNING_PERCENT`` (the rate's own limits: :func:`rate_warnings`).
    """
    sn, sd = step[1], step[2]  # the resolution's numerator and denominator
    whole = nearest(pn * sd, pd * sn)  # the number of pump steps
    # delivered / dose = rounded / rate = whole * sn * pd / (sd * pn)
    rn, rd = whole * sn * pd, sd * pn
    difference_n, difference_d = (rn - rd) * 100, rd
    warnings: tuple[str, ...] = ()
    if whole == 0:
        warnings = (
            f"pump rate {format_ratio(pn, pd)} mL/h rounds to 0 mL/h at {step.step} steps: "
            "use a more dilute concentration or a pump with a finer resolution",
        )
    elif abs(difference_n) * _WARN[1] > _WARN[0] * difference_d:
        warnings = (
            f"rounding the pump rate to {step.step} steps changes the dose by "
            f"{format_percent_ratio(difference_n, difference_d)}: consider a more dilute "
            "concentration",
        )
    return whole * sn, sd, dn * rn, dd * rd, difference_n, difference_d, warnings


@functools.lru_cache(maxsize=16)
def _limit_text(numerator: int, denominator: int) -> str:
    """A limit as its warnings quote it: a run has one or two, quoted in many rows (cached
    by ints: a Fraction's hash is slow)."""
    return format_ratio(numerator, denominator)


def rate_warnings(
    pn: int, pd: int, day_n: int, day_d: int, step: Resolution, typed: bool = False
) -> tuple[str, ...]:
    """The limits of a pump rate of ``pn / pd`` mL/h (``day_n / day_d`` mL/day), in either
    direction (``typed``: the rate is the order itself, not worked out from a dose): above
    the pump's top rate, and more volume a day from one infusion than the daily limit. The
    one place these thresholds are applied."""
    top, limit = step[4], step[5]
    top_n, top_d, limit_n, limit_d = step[6]  # ints: a Fraction's are properties, slow
    above = pn * top_d > top_n * pd
    daily = limit is not None and day_n * limit_d > limit_n * day_d
    if not (above or daily):
        return ()
    found = []
    if above:
        where = "the top of most pumps' range" if top == PUMP_MAX_RATE else "the pump's maximum"
        check = "the rate" if typed else "the dose, the weight and the concentration"
        found.append(
            f"pump rate {format_ratio(pn, pd)} mL/h is above "
            f"{_limit_text(top_n, top_d)} mL/h, {where}: check {check}"
        )
    if daily:
        assert limit is not None
        found.append(
            f"{format_ratio(day_n, day_d)} mL/day from this one infusion is over "
            f"{_limit_text(limit_n, limit_d)} mL/day: count it in the "
            "fluid balance, or use a more concentrated solution"
        )
    return tuple(found)


def setting_text(pump: PumpRounding, exact: Measure, delivered: str | None = None) -> str:
    """What to set the pump to, said so that it cannot be taken for the exact rate.

    ``3 mL/h (nearest 0.1 mL/h step): delivers 6.9444 mcg/kg/min (-0.79%)``; ``8 mL/h
    (exact)`` when the exact rate can be set; and when it rounds to 0, that it cannot be
    given at this resolution (never "set the pump to 0 mL/h").
    """
    if pump.rate.value == 0:
        return f"no setting: {exact} {cannot_set_text(pump.resolution)}"
    if pump.rate.value == exact.value:
        return f"{pump.rate} (exact)"
    text = f"{pump.rate} (nearest {format_number(pump.resolution)} mL/h step)"
    if pump.delivers is not None:
        delivered = delivered or f"delivers {pump.delivers}"
        text += f": {delivered} ({format_percent(pump.difference_percent)})"
    return text


def cannot_set_text(resolution: Fraction) -> str:
    """Why a rate under half a pump step is no setting, and what to do instead."""
    return (
        f"cannot be given at {format_number(resolution)} mL/h steps (it rounds to 0 mL/h): "
        "use a more dilute concentration or a pump with a finer resolution"
    )
