"""How long a bag lasts at a pump rate, and the clock time it runs out (or an infusion
given over a time ends).

A bag lasts its volume divided by the pump rate, exactly (250 mL at 3.024 mL/h is
82.672 h, shown as ``82 h 40 min``). A start (``--start``) is a 24-hour clock time
(``08:00``) or an ISO 8601 date and time (``2026-11-30T08:00``, with or without a UTC
offset); the end is the start plus that time. Human output rounds durations and clock times
to the minute (halves away from zero, as all display rounding); machine output gives the
exact duration and the end to the second.

No I/O, no click.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction

from infuse_calc.errors import InputError

#: A bag that runs out in less than this many hours is warned about.
SHORT_BAG_HOURS = 1

_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", re.ASCII)
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9:]+|Z)?")


@dataclass(frozen=True)
class Start:
    """When an infusion starts: a clock time, or a date and time (``moment``)."""

    text: str
    minute_of_day: int  # minutes after midnight
    moment: dt.datetime | None = None  # None: a clock time with no date


def parse_start(text: str, what: str = "--start") -> Start:
    """``08:00`` (24-hour clock) or ``2026-11-30T08:00`` (ISO 8601, seconds and a UTC
    offset optional); anything else is refused with the two forms."""
    stripped = text.strip()
    clock = _CLOCK.fullmatch(stripped)
    if clock is not None:
        return Start(stripped, int(clock.group(1)) * 60 + int(clock.group(2)))
    reason = "expected a 24-hour time HH:MM (08:00) or an ISO 8601 date and time (2026-11-30T08:00)"
    if _ISO.fullmatch(stripped) is None:
        raise InputError(what, text, reason)
    try:
        moment = dt.datetime.fromisoformat(stripped)
    except ValueError:
        raise InputError(what, text, f"is not a real date and time; {reason}") from None
    return Start(stripped, moment.hour * 60 + moment.minute, moment)


def lasts(volume_ml: Fraction, pump_rate_ml_h: Fraction) -> Fraction:
    """Hours a bag of ``volume_ml`` lasts at ``pump_rate_ml_h`` (exact)."""
    return volume_ml / pump_rate_ml_h


def short_bag_warning(volume_ml: Fraction, pump_rate_ml_h: Fraction) -> str | None:
    """A warning when the bag holds less than :data:`SHORT_BAG_HOURS` hours' volume."""
    from infuse_calc.notation import format_number

    hours = lasts(volume_ml, pump_rate_ml_h)
    if hours >= SHORT_BAG_HOURS:
        return None
    return (
        f"a {format_number(volume_ml)} mL bag lasts {span_text(hours)} at "
        f"{format_number(pump_rate_ml_h)} mL/h, less than {SHORT_BAG_HOURS} hour: check the "
        "bag size and have the next one ready"
    )


def span_text(hours: Fraction) -> str:
    """``82 h 40 min`` (to the nearest minute); under half a minute ``under 1 min``."""
    from infuse_calc.durations import duration_text, to_nearest_minute
    from infuse_calc.units import factor

    minutes = to_nearest_minute(hours * factor("h", "min"))
    return "under 1 min" if minutes == 0 else duration_text(minutes)


@dataclass(frozen=True)
class End:
    """A start plus a time: as machine output gives it (``iso``, ``day``) and as shown."""

    iso: str  # ISO 8601: a date and time (to the second) or, after a clock time, a time
    day: int  # 1 = the start's calendar day
    shown: str  # to the minute: ``18:40``, ``+3d 18:40`` or ``2026-12-03 18:40``


def end(start: Start, hours: Fraction) -> End:
    """The moment ``hours`` after ``start``."""
    from infuse_calc.notation import nearest
    from infuse_calc.units import factor

    seconds = hours * factor("h", "s")
    whole = nearest(seconds.numerator, seconds.denominator)
    half_minute = dt.timedelta(seconds=int(factor("min", "s")) / 2)
    # a clock time with no date counts days from a date of its own (the calendar does the
    # carrying: midnights, and the days of the month for a real date)
    base = start.moment or dt.datetime(2000, 1, 1) + dt.timedelta(minutes=start.minute_of_day)
    moment = base + dt.timedelta(seconds=whole)
    shown = (moment + half_minute).replace(second=0, microsecond=0)  # nearest minute, halves up
    day = (moment.date() - base.date()).days + 1
    if start.moment is not None:
        return End(moment.isoformat(), day, shown.strftime("%Y-%m-%d %H:%M"))
    later = (shown.date() - base.date()).days
    text = shown.strftime("%H:%M")
    return End(moment.time().isoformat(), day, f"+{later}d {text}" if later else text)


@dataclass(frozen=True)
class BagFigures:
    """What ``--bag`` and ``--start`` add to a calculation (``None`` where not asked)."""

    volume: Fraction | None  # mL
    hours: Fraction | None  # how long the bag lasts at the pump rate
    empty: End | None  # when it runs out
    ends: End | None  # when an amount given over a time has been given
    warnings: tuple[str, ...] = ()
    start: str | None = None  # the start as typed


def work_out(
    volume_ml: Fraction | None,
    start: Start | None,
    pump_rate_ml_h: Fraction | None,
    duration_hours: Fraction | None,
    bolus: bool = False,
) -> BagFigures:
    """The bag's time and end, and the end of a dose given over a time.

    Raises :class:`~infuse_calc.errors.IncompatibleError` for a bag with no pump rate (a
    bolus, a dose without a concentration) and a start with nothing to end.
    """
    from infuse_calc.errors import IncompatibleError

    if volume_ml is not None and pump_rate_ml_h is None:
        why = "a bolus has no rate" if bolus else "give the concentration (--concentration)"
        raise IncompatibleError(
            f"--bag: a bag lasts its volume divided by the pump rate, and there is no pump "
            f"rate here ({why})"
        )
    if start is not None and volume_ml is None and duration_hours is None:
        raise IncompatibleError(
            "--start gives the time a bag runs out (with --bag) or a dose given over a time "
            "ends (6 g over 20 min): give one of them"
        )
    hours = empty = ends = None
    warnings: tuple[str, ...] = ()
    if volume_ml is not None:
        assert pump_rate_ml_h is not None
        hours = lasts(volume_ml, pump_rate_ml_h)
        warning = short_bag_warning(volume_ml, pump_rate_ml_h)
        warnings = () if warning is None else (warning,)
        if start is not None:
            empty = end(start, hours)
    if start is not None and duration_hours is not None:
        ends = end(start, duration_hours)
    return BagFigures(
        volume_ml, hours, empty, ends, warnings, None if start is None else start.text
    )


def bag_ml(amount: tuple[Fraction, object, tuple[str, ...]], text: str = "") -> Fraction:
    """A bag's volume (``--bag``, read by ``parse_amount``) in mL; refused unless a volume."""
    from infuse_calc.quantities import Kind, UnitWord
    from infuse_calc.units import factor

    value, word, _ = amount
    assert isinstance(word, UnitWord)
    if word.kind is not Kind.VOLUME:
        shown = text or f"{value} {word}"
        raise InputError("--bag", shown, f"a bag is a volume such as 250 mL, not {word.kind.label}")
    return value * factor(word.symbol, "mL")
