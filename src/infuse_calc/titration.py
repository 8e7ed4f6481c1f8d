"""Titration ladders: a dose (or pump-rate) ladder worked out row by row, exactly.

A ladder is ``from + k * step`` for k = 0, 1, 2... towards ``to`` (down as well as up), or an
explicit list of doses. Every value is an exact :class:`~fractions.Fraction` computed from k,
never by adding the step repeatedly, so 0.1 to 1 in steps of 0.1 has exactly ten rows and
ends at exactly 1. Each row is one :func:`infuse_calc.dosing.calculate`, so a ladder row and
``infuse-calc convert`` for the same dose agree to the last digit.

Also here: the small grammars the ladder and chart options share (a number with or without
its unit, comma lists, ``start..stop/step`` ranges) and the clock of a timed ladder.
This module imports neither click nor rich.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from infuse_calc.dosing import Calculation, calculate
from infuse_calc.engine import DEFAULT_PUMP_RESOLUTION
from infuse_calc.errors import IncompatibleError, InputError
from infuse_calc.notation import format_exact, format_exact_quantity
from infuse_calc.pump import DEFAULT_LIMITS, PumpLimits
from infuse_calc.quantities import (
    Concentration,
    Dose,
    Kind,
    RateUnit,
    Weight,
    lookup_unit,
    parse_dose,
    parse_number,
    tokenize,
)

MAX_LADDER_ROWS = 1000
MAX_LIST_LENGTH = 20_000  # room for a 1,000-dose list; the list is split, never regex-scanned
MINUTES_PER_DAY = 24 * 60  # a calendar fact, not a unit conversion

_BARE_NUMBER = re.compile(r"[0-9.]+", re.ASCII)
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", re.ASCII)


# --- numbers, lists and ranges ------------------------------------------------------------


@dataclass(frozen=True)
class Amount:
    """A value as typed in an option: an exact number and its unit if one was written."""

    value: Fraction
    unit: RateUnit | None
    what: str
    text: str


def parse_bare_number(what: str, text: str, part: str, warnings: list[str]) -> Fraction:
    """A plain positive decimal (``40``, ``0.05``) from part of an option's text."""
    part = part.strip()
    if not part:
        raise InputError(what, text, "a number is missing")
    if part[0] in "-−–—":
        raise InputError(what, text, "negative values are not accepted")
    if not _BARE_NUMBER.fullmatch(part):
        raise InputError(what, text, f"'{part}' is not a number")
    return parse_number(what, text, part, warnings)


def parse_amount(what: str, text: str, warnings: list[str], amounts: bool = False) -> Amount:
    """``2`` (unit from elsewhere) or ``2 mcg/kg/min`` (a full dose rate); with ``amounts``
    also a bolus, ``80 units/kg`` (a chart of bolus volumes)."""
    stripped = text.strip()
    if _BARE_NUMBER.fullmatch(stripped):
        return Amount(parse_bare_number(what, text, stripped, warnings), None, what, text)
    try:
        dose = parse_dose(text, amounts=amounts)
    except InputError as error:
        raise InputError(what, text, error.reason) from None
    if dose.is_timed:
        raise InputError(
            what, text, "a dose given over a time is not charted: give a rate or a bolus"
        )
    warnings.extend(w.replace(f"dose {text!r}", f"{what} {text!r}", 1) for w in dose.warnings)
    return Amount(dose.value, dose.unit, what, text)


def list_items(what: str, text: str) -> list[str]:
    """The stripped items of a comma list, refusing an overlong, empty or gappy list."""
    if len(text) > MAX_LIST_LENGTH:
        raise InputError(
            what,
            text[:40] + "...",
            f"is too long ({len(text):,} characters; at most {MAX_LIST_LENGTH:,})",
        )
    if not text.strip():
        raise InputError(what, text, "is empty")
    items = [item.strip() for item in text.split(",")]
    for position, item in enumerate(items, start=1):
        if not item:
            raise InputError(what, text, f"item {position} is empty (two commas, or a stray one)")
    return items


def parse_list(
    what: str, text: str, warnings: list[str], limit: int, amounts: bool = False
) -> list[Amount]:
    """A comma list of amounts; an item may be a range ``start..stop/step`` of numbers
    (``amounts``: also boluses, see :func:`parse_amount`).

    Ranges are inclusive of ``stop`` when it is on the grid and must go up. Empty items,
    reversed or empty ranges and more than ``limit`` values are refused.
    """
    found: list[Amount] = []
    for item in list_items(what, text):
        if ".." in item:
            values = parse_range(what, text, item, warnings, limit)
            found.extend(Amount(value, None, what, text) for value in values)
        else:
            found.append(parse_amount(what, item, warnings, amounts))
        if len(found) > limit:
            raise InputError(what, text, f"gives more than {limit:,} values")
    return found


def parse_range(what: str, text: str, item: str, warnings: list[str], limit: int) -> list[Fraction]:
    """``start..stop/step`` (bare numbers, going up) as exact values, ``stop`` included
    when it is on the grid; ``text`` is the whole option, for messages."""
    bounds = item.split("..")
    if len(bounds) != 2:
        raise InputError(what, text, f"'{item.strip()}' is not a range: write start..stop/step")
    start_text, rest = bounds
    stop_text, slash, step_text = rest.partition("/")
    if not slash:
        raise InputError(
            what,
            text,
            f"range '{item.strip()}' needs a step: write start..stop/step, e.g. 40..90/5",
        )
    start = parse_bare_number(what, text, start_text, warnings)
    stop = parse_bare_number(what, text, stop_text, warnings)
    step = parse_bare_number(what, text, step_text, warnings)
    if stop < start:
        raise InputError(
            what, text, f"range '{item.strip()}' goes down: write it from the smaller value"
        )
    return ladder_values(start, stop, step, limit, what, text)


def ladder_values(
    start: Fraction,
    stop: Fraction,
    step: Fraction,
    limit: int = MAX_LADDER_ROWS,
    what: str = "--step",
    text: str = "",
) -> list[Fraction]:
    """``start + k * step`` (or minus, when ``stop < start``) up to and including ``stop``.

    Each value is computed from k, so the ladder ends on ``stop`` exactly whenever ``stop``
    is a whole number of steps away; otherwise it ends on the last value short of ``stop``.
    """
    if step <= 0:
        raise InputError(what, text or str(step), "the step must be greater than zero")
    count = int(abs(stop - start) / step) + 1
    if count > limit:
        raise InputError(
            what,
            text or str(step),
            f"gives {count:,} rows; at most {limit:,}: use a larger step or a shorter range",
        )
    sign = 1 if stop >= start else -1
    return [start + sign * k * step for k in range(count)]


def common_unit(
    amounts: Sequence[Amount], unit: RateUnit | None, default: RateUnit | None = None
) -> RateUnit:
    """The one rate unit all ``amounts`` are in (written, from ``--unit``, or ``default``).

    Mixed units are refused rather than converted: a ladder typed half in mcg/kg/min and half
    in mg/kg/h is more likely a slip than a wish.
    """
    chosen = unit
    source = "--unit"
    for amount in amounts:
        if amount.unit is None:
            continue
        if chosen is None:
            chosen, source = amount.unit, f"{amount.what} {amount.text!r}"
        elif amount.unit != chosen:
            raise IncompatibleError(
                f"{amount.what} {amount.text!r} is in {amount.unit} but {source} is in "
                f"{chosen}: write every dose in the same unit"
            )
    if chosen is None:
        chosen = default
    if chosen is None:
        raise IncompatibleError(
            "no dose unit: write it with the dose (--from '2 mcg/kg/min') or give --unit"
        )
    return chosen


def ladder_between(
    start: Amount,
    stop: Amount,
    step: Amount | None,
    unit: RateUnit | None = None,
    default_unit: RateUnit | None = None,
) -> tuple[list[Fraction], RateUnit, list[str]]:
    """The values from ``start`` to ``stop`` (either way) by ``step``, their unit, and a
    warning when ``stop`` is not a whole number of steps away (the ladder stops short of
    it rather than overshoot). ``step=None`` means 1 of the unit."""
    amounts = [start, stop] + ([step] if step is not None else [])
    chosen = common_unit(amounts, unit, default_unit)
    if start.value == stop.value:
        raise IncompatibleError(
            f"--from and --to are both {format_exact_quantity(start.value, chosen)}: nothing to "
            "titrate (use infuse-calc convert for one dose)"
        )
    size = Fraction(1) if step is None else step.value
    values = ladder_values(
        start.value, stop.value, size, MAX_LADDER_ROWS, "--step", "1" if step is None else step.text
    )
    notes: list[str] = []
    if values[-1] != stop.value:
        notes.append(
            f"--to {format_exact_quantity(stop.value, chosen)} is not a whole number of steps of "
            f"{format_exact(size)} from --from {format_exact(start.value)}: the ladder stops at "
            f"{format_exact_quantity(values[-1], chosen)}"
        )
    return values, chosen, notes


# --- clock --------------------------------------------------------------------------------


def parse_interval(text: str) -> Fraction:
    """A time step such as ``30min``, ``30 min``, ``1h`` or ``1.5 h``, in whole minutes."""
    from infuse_calc.units import factor

    what = "--every"
    tokens = tokenize(what, text)
    if len(tokens) == 1 and tokens[0].kind == "number":
        raise InputError(what, text, "give the unit: 30min, 1h")
    if len(tokens) != 2 or tokens[0].kind != "number" or tokens[1].kind != "word":
        raise InputError(what, text, "expected a time such as 30min or 1h")
    value = parse_number(what, text, tokens[0].text, [])
    word = lookup_unit(what, text, tokens[1].text, [])
    if word.kind is not Kind.TIME:
        raise InputError(what, text, f"'{tokens[1].text}' is not a time unit (min, h, day)")
    minutes = value * factor(word.symbol, "min")
    if minutes.denominator != 1:
        raise InputError(what, text, "must be a whole number of minutes")
    return minutes


def parse_clock(text: str) -> int:
    """``HH:MM`` (24-hour clock) to minutes after midnight."""
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise InputError("--start", text, "expected a 24-hour time HH:MM, such as 08:00 or 21:30")
    return int(match.group(1)) * 60 + int(match.group(2))


def clock_text(minutes: int) -> str:
    """Minutes after midnight of day 0 as ``08:30``, or ``+1d 00:30`` on a later day."""
    day, minute_of_day = divmod(minutes, MINUTES_PER_DAY)
    hours, mins = divmod(minute_of_day, 60)
    time = f"{hours:02d}:{mins:02d}"
    return f"+{day}d {time}" if day else time


# --- the ladder ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rung:
    """One row of a ladder: the dose (or pump rate), its calculation and its clock time."""

    step: int  # 1-based
    dose: Dose
    calculation: Calculation
    elapsed_minutes: Fraction | None = None
    clock: str | None = None


@dataclass(frozen=True)
class Ladder:
    """A worked ladder. ``by_rate`` ladders step through pump rates, not doses."""

    by_rate: bool
    unit: RateUnit
    rungs: tuple[Rung, ...]
    weight: Weight | None
    concentration: Concentration | None
    pump_resolution: Fraction
    every_minutes: Fraction | None
    start_minutes: int | None
    warnings: tuple[str, ...]
    #: groups of steps (numbers) whose doses set the pump to the same rate
    collapsed: tuple[tuple[int, ...], ...] = ()

    @property
    def collapsed_steps(self) -> set[int]:
        return {step for group in self.collapsed for step in group}


def build_ladder(
    values: Sequence[Fraction],
    unit: RateUnit,
    weight: Weight | None = None,
    concentration: Concentration | None = None,
    *,
    by_rate: bool = False,
    dose_unit: RateUnit | None = None,
    pump_resolution: Fraction = DEFAULT_PUMP_RESOLUTION,
    every_minutes: Fraction | None = None,
    start_minutes: int = 0,
    limits: PumpLimits = DEFAULT_LIMITS,
) -> Ladder:
    """Calculate every value of the ladder. Raises :class:`IncompatibleError` for inputs
    that cannot be combined (a per-kg dose without a weight, a rate ladder without a
    concentration...)."""
    if not values:
        raise IncompatibleError("the ladder is empty")
    if len(values) > MAX_LADDER_ROWS:
        raise IncompatibleError(f"{len(values):,} rows; a ladder has at most {MAX_LADDER_ROWS:,}")
    if by_rate and unit.kind is not Kind.VOLUME:
        raise IncompatibleError(
            f"--by-rate steps through pump rates: give them in mL/h, not {unit}"
        )
    if not by_rate and unit.kind is Kind.VOLUME:
        raise IncompatibleError(
            f"{unit} is a pump rate: add --by-rate for the dose each rate delivers"
        )
    if by_rate and concentration is None:
        raise IncompatibleError(
            "a pump-rate ladder gives doses only with a concentration: give --concentration"
        )
    if dose_unit is not None and not by_rate:
        raise IncompatibleError("--dose-unit is for --by-rate ladders")
    rungs: list[Rung] = []
    warnings: list[str] = []
    for index, value in enumerate(values, start=1):
        dose = Dose(value, unit, f"{format_exact(value, separators=False)} {unit}")
        calc = calculate(dose, weight, concentration, dose_unit, pump_resolution, limits)
        label = f"step {index} ({calc.dose_text()})"
        warnings.extend(f"{label}: {message}" for message in calc.warnings)
        elapsed = clock = None
        if every_minutes is not None:
            elapsed = (index - 1) * every_minutes
            clock = clock_text(start_minutes + int(elapsed))
        rungs.append(Rung(index, dose, calc, elapsed, clock))
    collapsed: list[tuple[int, ...]] = []
    if by_rate:
        warnings.extend(_rate_checks(rungs, pump_resolution))
    else:
        collapsed = same_settings(rungs)
        warnings.extend(_collapse_warnings(rungs, collapsed, pump_resolution))
    return Ladder(
        by_rate=by_rate,
        unit=unit,
        rungs=tuple(rungs),
        weight=weight,
        concentration=concentration,
        pump_resolution=pump_resolution,
        every_minutes=every_minutes,
        start_minutes=start_minutes if every_minutes is not None else None,
        warnings=tuple(warnings),
        collapsed=tuple(collapsed),
    )


def same_settings(rungs: Sequence[Rung]) -> list[tuple[int, ...]]:
    """The steps whose pump settings coincide: a coarse pump (or a fine ladder) gives two
    different doses the same rate, and the nurse cannot step between them. (Rates that
    round to 0 mL/h are no setting at all: their own warning says so.)"""
    by_setting: dict[Fraction, list[int]] = {}
    for rung in rungs:
        pump = rung.calculation.pump
        if pump is not None and pump.rate.value:
            by_setting.setdefault(pump.rate.value, []).append(rung.step)
    return [tuple(steps) for steps in by_setting.values() if len(steps) > 1]


#: at most this many warnings about steps that share a setting; then a count
MAX_COLLAPSE_WARNINGS = 5


def _collapse_warnings(
    rungs: Sequence[Rung], groups: Sequence[tuple[int, ...]], resolution: Fraction
) -> list[str]:
    """One warning per group of steps that set the pump alike, at most
    :data:`MAX_COLLAPSE_WARNINGS` of them (a fine ladder can have hundreds)."""
    found = [_collapse_warning(rungs, group, resolution) for group in groups]
    if len(found) <= MAX_COLLAPSE_WARNINGS:
        return found
    rest = len(found) - MAX_COLLAPSE_WARNINGS
    return [
        *found[:MAX_COLLAPSE_WARNINGS],
        f"... and {rest} more groups of steps that set the pump alike (marked * in the table)",
    ]


def _collapse_warning(rungs: Sequence[Rung], steps: tuple[int, ...], resolution: Fraction) -> str:
    """``steps 1 and 2 (0.01 and 0.012 mcg/kg/min) both set the pump to 3 mL/h: ...``;
    a run of consecutive steps as ``steps 58 to 81 (0.58 to 0.81 mcg/kg/min)``."""
    from infuse_calc.notation import format_number

    chosen = [rungs[step - 1] for step in steps]
    doses = [format_exact(rung.dose.value) for rung in chosen]
    pump = chosen[0].calculation.pump
    assert pump is not None
    if len(steps) > 2 and steps == tuple(range(steps[0], steps[-1] + 1)):
        which = f"steps {steps[0]} to {steps[-1]} ({doses[0]} to {doses[-1]} {chosen[0].dose.unit})"
    else:
        which = f"steps {_and(map(str, steps))} ({_and(doses)} {chosen[0].dose.unit})"
    return (
        f"{which} {'both' if len(steps) == 2 else 'all'} set the pump to {pump.rate}: at "
        f"{format_number(resolution)} mL/h steps the pump cannot tell them apart"
    )


def _and(items: Iterable[str]) -> str:
    listed = list(items)
    if len(listed) > 4:
        listed = [*listed[:3], f"{len(listed) - 3} more"]
    return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} and {listed[-1]}"


def _rate_checks(rungs: Sequence[Rung], resolution: Fraction) -> list[str]:
    """Rates a pump cannot be set to (one summary line). (A rate above the pump's range is
    the engine's warning, on the step itself.)"""
    from infuse_calc.notation import format_number

    found: list[str] = []
    rates = [r.calculation.pump_rate for r in rungs if r.calculation.pump_rate is not None]
    off_grid = [rate for rate in rates if (rate.value / resolution).denominator != 1]
    if off_grid:
        found.append(
            f"{len(off_grid)} of {len(rates)} pump rates (first {off_grid[0]}) are not "
            f"multiples of the pump resolution {format_number(resolution)} mL/h: the pump "
            "cannot be set to them"
        )
    return found
