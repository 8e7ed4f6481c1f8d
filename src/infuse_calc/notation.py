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

from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

SIGNIFICANT_FIGURES = 5

_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP)

#: Process-wide default for thousands separators in human output (ISMP: on). The CLI sets
#: it from --no-thousands-separator or the user's config before anything is rendered.
THOUSANDS_SEPARATORS = True


def to_decimal(value: Fraction | int | float) -> Decimal:
    """An exact-enough Decimal (60 digits) of a rational value."""
    value = Fraction(value)
    return _CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))


def round_significant(value: Fraction | int | float, figures: int = SIGNIFICANT_FIGURES) -> Decimal:
    """Round to ``figures`` significant figures, keeping every whole-number digit."""
    value = Fraction(value)
    if value == 0:
        return Decimal(0)
    size = abs(value)
    # The exponent comes from exact comparisons, and the rounding below is done on the
    # Fraction: rounding a 60-digit Decimal again would round twice (0.1234549999...9 ->
    # 0.123455 -> 0.12346) and quantize fails above 10**60.
    exponent = to_decimal(size).adjusted()
    while Fraction(10) ** exponent > size:
        exponent -= 1
    while Fraction(10) ** (exponent + 1) <= size:
        exponent += 1
    return round_places(value, max(0, figures - 1 - exponent))


def round_places(value: Fraction | int | float, places: int) -> Decimal:
    """Round exactly to ``places`` decimal places, halves away from zero."""
    value = Fraction(value)
    scaled = abs(value) * Fraction(10) ** places
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = "-" if value < 0 and whole else ""
    return Decimal(f"{sign}{whole}E-{places}")


def round_to_step(value: Fraction, step: Fraction) -> Fraction:
    """Round to a multiple of ``step`` (a pump's resolution), halves away from zero."""
    steps = value / step
    whole = int(steps)
    if abs(steps - whole) >= Fraction(1, 2):
        whole += 1 if steps > 0 else -1
    return whole * step


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


def format_number(
    value: Fraction | int | float,
    figures: int = SIGNIFICANT_FIGURES,
    separators: bool | None = None,
) -> str:
    """A figure for people: ``725.76``, ``30,240``, ``0.504``, ``5`` (never ``5.0``)."""
    return format_decimal(round_significant(value, figures), separators)


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


def format_weight(value: Fraction, unit: str, kg: Fraction) -> str:
    """A body weight as typed and, if not in kg, in kg: ``72 kg``, ``154 lb = 69.853 kg``."""
    in_kg = f"{format_number(kg)} kg"
    return in_kg if unit == "kg" else f"{format_exact(value)} {unit} = {in_kg}"


def format_percent(value: Fraction | float, places: int = 2) -> str:
    """A signed percentage such as ``-0.79%`` or ``+1.2%`` (for differences)."""
    rounded = round_places(value, places)
    text = format_decimal(rounded)
    if not text.startswith("-") and text != "0":
        text = "+" + text
    return text + "%"
