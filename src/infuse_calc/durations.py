"""Durations as people write them after ``over``: ``20 min``, ``1 hour``, ``8 hrs``,
``1 h 30 min``; and a duration as people read it back (``82 h 40 min``).

A duration is one or more ``NUMBER TIME`` parts, largest unit first, each unit once
(``1 day 2 h``, ``1 h 30 min``). Its value is exact and held in the smallest unit written,
which is also the time unit of the rate it gives (``6 g over 20 min`` is 0.3 g/min).
Over :data:`MAX_OVER_DAYS` days is refused: an amount given over weeks is a rate or a
schedule, not a dose given over a time.

This module imports neither pint nor click (pint's factors come from
:func:`infuse_calc.units.factor`, loaded when a duration is checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from infuse_calc.errors import InputError
from infuse_calc.reader import Reader
from infuse_calc.unit_words import Kind, UnitWord

#: The longest time an amount may be given "over" (a week: longer is a rate, not a dose).
MAX_OVER_DAYS = 7


@dataclass(frozen=True)
class Duration:
    """A time span as typed: its parts (``((1, h), (30, min))``), exact."""

    parts: tuple[tuple[Fraction, UnitWord], ...]

    @property
    def unit(self) -> UnitWord:
        """The smallest unit written: the time unit of the rate (``1 h 30 min``: min)."""
        return self.parts[-1][1]

    @property
    def value(self) -> Fraction:
        """The whole span in :attr:`unit` (``1 h 30 min`` is 90 min)."""
        from infuse_calc.units import factor

        return sum((v * factor(u.symbol, self.unit.symbol) for v, u in self.parts), Fraction(0))

    @property
    def minutes(self) -> Fraction:
        from infuse_calc.units import factor

        return self.value * factor(self.unit.symbol, "min")

    def __str__(self) -> str:
        from infuse_calc.notation import format_exact

        return " ".join(f"{format_exact(value)} {_name(value, unit)}" for value, unit in self.parts)


def _name(value: Fraction, unit: UnitWord) -> str:
    """``min``, ``h``; ``day`` or ``days`` (a word, so it reads as one)."""
    return unit.symbol + ("s" if unit.symbol == "day" and value != 1 else "")


def read_duration(reader: Reader) -> Duration:
    """The duration after ``over``, to the end of the input."""
    parts: list[tuple[Fraction, UnitWord]] = []
    while reader.peek() is not None:
        try:
            value = reader.number()
        except InputError as error:
            joint = " " if error.reason.startswith("must") else ": "
            raise reader.fail(f"the time after 'over'{joint}{error.reason}") from None
        unit = reader.unit("a time unit (min, h, day) after the number")
        if unit.kind is not Kind.TIME:
            raise reader.fail(f"'{unit}' is not a time unit: write the time as 20 min, 8 h, 1 day")
        if parts and unit.rank >= parts[-1][1].rank:
            raise reader.fail(
                "write the time largest unit first, each unit once (1 h 30 min, not 30 min 1 h)"
            )
        parts.append((value, unit))
    if not parts:
        raise reader.fail("expected a time after 'over', such as 20 min or 8 h")
    duration = Duration(tuple(parts))
    _check_length(reader, duration)
    return duration


def _check_length(reader: Reader, duration: Duration) -> None:
    from infuse_calc.units import factor

    longest = MAX_OVER_DAYS * factor("day", "min")
    if duration.minutes > longest:
        raise reader.fail(
            f"{duration} is longer than {MAX_OVER_DAYS} days: a dose given over more than a "
            "week is a rate (mg/h...) or a schedule, not an amount over a time"
        )


def parse_duration(text: str, what: str = "duration") -> Duration:
    """A duration on its own: ``20 min``, ``1 h 30 min``."""
    reader = Reader(what, text)
    return read_duration(reader)


def duration_text(minutes: Fraction) -> str:
    """``48 h``, ``82 h 40 min``, ``45 min``, ``2,016 h`` (display only; a duration that is
    not a whole number of minutes is shown in hours to 5 significant figures)."""
    from infuse_calc.notation import format_number
    from infuse_calc.units import factor

    per_hour = factor("h", "min")
    if minutes.denominator != 1:
        return f"{format_number(minutes / per_hour)} h"
    hours, rest = divmod(int(minutes), int(per_hour))
    if hours and rest:
        return f"{hours:,} h {rest} min"
    if hours:
        return f"{hours:,} h"
    return f"{rest} min"


def to_nearest_minute(minutes: Fraction) -> Fraction:
    """A span rounded to the nearest whole minute (halves away from zero) for display."""
    from infuse_calc.notation import nearest

    return Fraction(nearest(minutes.numerator, minutes.denominator))


__all__ = [
    "MAX_OVER_DAYS",
    "Duration",
    "duration_text",
    "parse_duration",
    "read_duration",
    "to_nearest_minute",
]
