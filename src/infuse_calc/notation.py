"""Printing numbers the way ISMP and The Joint Commission ask for them.

Display rounding policy (the only place figures are rounded)::

    5 significant figures, but never rounding digits left of the decimal point;
    halves round away from zero; trailing zeros are dropped (5, not 5.0);
    a leading zero before the point (0.5, not .5); thousands separators (30,240);
    a space between number and unit (504 mcg/min).

Rounding is done on the exact rational value, so ``725.76`` prints as ``725.76`` and a
true half such as ``0.123455`` rounds up, whatever binary floating point would have done.
Machine output (JSON, CSV) is never rounded: it carries the nearest float.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # decimal is imported only by the functions that return a Decimal
    from decimal import Decimal

SIGNIFICANT_FIGURES = 5

#: Process-wide default for thousands separators in human output (ISMP: on). The CLI sets
#: it from --no-thousands-separator or the user's config before anything is rendered.
THOUSANDS_SEPARATORS = True


# The display rules are done in integers on the exact numerator and denominator: a
# warning in a batch row formats a figure or two per row, and Decimal arithmetic there
# cost more than the whole dose calculation.


def nearest(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` (both > 0) to the nearest integer, halves up.

    The one rounding rule: display rounding, percentages and pump settings all use it.
    """
    whole, remainder = divmod(numerator, denominator)
    return whole + 1 if 2 * remainder >= denominator else whole


def _ratio(value: Fraction | int | float) -> tuple[int, int]:
    if value.__class__ is not Fraction and value.__class__ is not int:
        value = Fraction(value)
    return value.numerator, value.denominator


_POWERS = tuple(10**n for n in range(64))


def _power(n: int) -> int:
    return _POWERS[n] if n < 64 else int(10**n)


def _exponent(numerator: int, denominator: int) -> int:
    """``floor(log10(n / d))`` for n, d > 0, settled by exact comparisons."""
    try:
        exponent = math.floor(math.log10(numerator / denominator))
    except (OverflowError, ValueError):  # beyond floats (or 0.0 from an underflow)
        exponent = len(str(numerator)) - len(str(denominator))
    # the estimate is off by at most one (a float log near a power of ten, or the digit
    # count): compare with 10**exponent and 10**(exponent + 1) exactly
    while _below(numerator, denominator, exponent):
        exponent -= 1
    while not _below(numerator, denominator, exponent + 1):
        exponent += 1
    return exponent


def _below(numerator: int, denominator: int, exponent: int) -> bool:
    """``n / d < 10**exponent``."""
    if exponent >= 0:
        return numerator < denominator * _power(exponent)
    return numerator * _power(-exponent) < denominator


def _significant_places(numerator: int, denominator: int, figures: int) -> int:
    """Decimal places that keep ``figures`` significant figures but every whole digit."""
    return max(0, figures - 1 - _exponent(numerator, denominator))


def _scaled(numerator: int, denominator: int, places: int) -> int:
    """``|n / d|`` rounded to ``places`` decimals, as an integer count of 10**-places."""
    return nearest(abs(numerator) * _power(places), denominator)


def _text(digits: int, places: int, negative: bool, separators: bool) -> str:
    """``digits * 10**-places`` as text: no trailing zeros, leading zero, separators."""
    whole, fraction = divmod(digits, _power(places)) if places else (digits, 0)
    text = f"{whole:,}" if separators and whole >= 1000 else str(whole)
    if fraction:
        text += "." + str(fraction).rjust(places, "0").rstrip("0")
    return "-" + text if negative and digits else text


def to_decimal(value: Fraction | int | float) -> Decimal:
    """An exact-enough Decimal (60 digits) of a rational value."""
    from decimal import ROUND_HALF_UP, Context, Decimal

    value = Fraction(value)
    context = Context(prec=60, rounding=ROUND_HALF_UP)
    return context.divide(Decimal(value.numerator), Decimal(value.denominator))


def round_significant(value: Fraction | int | float, figures: int = SIGNIFICANT_FIGURES) -> Decimal:
    """Round to ``figures`` significant figures, keeping every whole-number digit."""
    from decimal import Decimal

    numerator, denominator = _ratio(value)
    if numerator == 0:
        return Decimal(0)
    places = _significant_places(abs(numerator), denominator, figures)
    return _as_decimal(numerator, denominator, places)


def round_places(value: Fraction | int | float, places: int) -> Decimal:
    """Round exactly to ``places`` decimal places, halves away from zero."""
    numerator, denominator = _ratio(value)
    return _as_decimal(numerator, denominator, places)


def _as_decimal(numerator: int, denominator: int, places: int) -> Decimal:
    from decimal import Decimal

    digits = _scaled(numerator, denominator, places)
    sign = "-" if numerator < 0 and digits else ""
    return Decimal(f"{sign}{digits}E-{places}")


def round_to_step(value: Fraction, step: Fraction) -> Fraction:
    """Round to a multiple of ``step`` (a pump's resolution), halves away from zero."""
    steps = Fraction(value) / step
    whole = nearest(abs(steps.numerator), steps.denominator)
    return (whole if steps >= 0 else -whole) * step


def format_decimal(value: Decimal, separators: bool | None = None) -> str:
    """``Decimal`` to text: thousands separators, no trailing zeros, leading zero kept.

    ``separators=None`` follows :data:`THOUSANDS_SEPARATORS`.
    """
    if separators is None:
        separators = THOUSANDS_SEPARATORS
    text = f"{value:,f}" if separators else f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def format_ratio(
    numerator: int,
    denominator: int,
    figures: int = SIGNIFICANT_FIGURES,
    separators: bool | None = None,
) -> str:
    """:func:`format_number` of ``numerator / denominator`` (``denominator`` > 0)."""
    if numerator == 0:
        return "0"
    if separators is None:
        separators = THOUSANDS_SEPARATORS
    places = _significant_places(abs(numerator), denominator, figures)
    digits = _scaled(numerator, denominator, places)
    return _text(digits, places, numerator < 0, separators)


def format_number(
    value: Fraction | int | float,
    figures: int = SIGNIFICANT_FIGURES,
    separators: bool | None = None,
) -> str:
    """A figure for people: ``725.76``, ``30,240``, ``0.504``, ``5`` (never ``5.0``)."""
    numerator, denominator = _ratio(value)
    return format_ratio(numerator, denominator, figures, separators)


def format_exact(value: Fraction | int, separators: bool | None = None) -> str:
    """A figure the user typed, shown exactly (it is a finite decimal by construction)."""
    return format_decimal(to_decimal(value), separators)


#: unit words written in full (ISMP), singular after exactly 1: ``1 unit/mL``
_COUNTED = ("milliunits", "units")


def unit_text(number: str, unit: str) -> str:
    """``unit`` as written after the figure ``number``: ``units`` is singular for ``1``
    (``1 unit/kg/h``, ``1 milliunit/min``). Human output only: JSON and CSV keep the
    pint-parsable ``units``; the parser reads both."""
    if number == "1":
        for word in _COUNTED:
            if unit == word or unit.startswith(f"{word}/"):
                return word[:-1] + unit[len(word) :]
    return unit


def format_quantity(
    value: Fraction | int | float,
    unit: str,
    figures: int = SIGNIFICANT_FIGURES,
    separators: bool | None = None,
) -> str:
    """``504 mcg/min``: the rounded figure, a space, the unit."""
    number = format_number(value, figures, separators)
    return f"{number} {unit_text(number, unit)}"


def format_exact_quantity(value: Fraction | int, unit: object) -> str:
    """``7 mcg/kg/min``: a figure as typed (exact), a space, the unit."""
    number = format_exact(value)
    return f"{number} {unit_text(number, str(unit))}"


def format_weight(
    value: Fraction, unit: str, kg: Fraction, lb_per_kg: Fraction | None = None
) -> str:
    """A body weight as typed and, if not in kg, in kg: ``72 kg``, ``154 lb = 69.853 kg``;
    with a course's factor, which: ``220 lb at 2.2 lb/kg = 100 kg``."""
    in_kg = f"{format_number(kg)} kg"
    if unit == "kg":
        return in_kg
    factor = "" if lb_per_kg is None else f" at {format_exact(lb_per_kg)} lb/kg"
    return f"{format_exact(value)} {unit}{factor} = {in_kg}"


def format_percent_ratio(numerator: int, denominator: int, places: int = 2) -> str:
    """:func:`format_percent` of ``numerator / denominator`` (``denominator`` > 0)."""
    digits = _scaled(numerator, denominator, places)
    text = _text(digits, places, numerator < 0, THOUSANDS_SEPARATORS)
    return text + "%" if text.startswith("-") or text == "0" else f"+{text}%"


def format_percent(value: Fraction | float, places: int = 2) -> str:
    """A signed percentage such as ``-0.79%`` or ``+1.2%`` (for differences)."""
    numerator, denominator = _ratio(value)
    return format_percent_ratio(numerator, denominator, places)
