"""A course of changing dose rates: segments, checks, splitting at midnight and totals.

A schedule is a list of :class:`SegmentSpec` in time order. Each one starts at an instant
and runs at its dose until the next one starts; the last one must be a stop. Instants are
exact :class:`~fractions.Fraction` minutes after midnight at the start of calendar day 1,
so a segment that crosses midnight can be cut there exactly and every total is exact::

    day 1 08:00 -> day 3 08:00  7 mcg/kg/min  for 72 kg: 504 mcg/min x 2,880 min
    day 3 08:00 -> day 3 14:00  8 mcg/kg/min
    ...
    day 5 16:00  stop

Each segment's dose goes through :func:`infuse_calc.dosing.calculate` (so the same
compatibility checks apply as for ``convert``); the amount per minute is then converted by
pint into one amount unit for the whole course, and amounts are that rate times minutes.

Pure: no I/O, no click. The file formats live in :mod:`infuse_calc.formats.schedule_files`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from infuse_calc.errors import InfuseCalcError
from infuse_calc.quantities import LADDERS, Concentration, Dose, Kind, Weight

MAX_SEGMENTS = 10_000
MAX_DAY = 366  # a course is planned in days, not years: a larger day number is a typo


class ScheduleError(InfuseCalcError):
    """A schedule that cannot be worked out (out of order, no stop, missing weight...)."""


@functools.cache
def minutes_per(unit_symbol: str) -> Fraction:
    """Minutes in one ``h`` or ``day``, from the pint registry (never a literal 60)."""
    from infuse_calc import units as u

    return u.factor(unit_symbol, "min")


def day_of(instant: Fraction) -> int:
    """The calendar day (1 = the first) an instant falls on; midnight begins the new day."""
    return int(instant // minutes_per("day")) + 1


def midnight_before(day: int) -> Fraction:
    """The instant at 00:00 on calendar ``day``."""
    return (day - 1) * minutes_per("day")


def clock(instant: Fraction) -> str:
    """``HH:MM`` on the 24-hour clock (``HH:MM:SS`` if the instant is not a whole minute)."""
    of_day = instant - midnight_before(day_of(instant))
    hours, minutes = divmod(of_day, minutes_per("h"))
    text = f"{int(hours):02d}:{int(minutes):02d}"
    from infuse_calc import units as u

    seconds = (minutes - int(minutes)) * u.factor("min", "s")
    if seconds:
        text += f":{int(seconds):02d}"
    return text


def when(instant: Fraction) -> str:
    """``day 3 08:00``."""
    return f"day {day_of(instant)} {clock(instant)}"


def duration_text(minutes: Fraction) -> str:
    """``48 h``, ``4 h 30 min``, ``45 min`` (display only; the rule is
    :func:`infuse_calc.durations.duration_text`)."""
    from infuse_calc.durations import duration_text as text

    return "0 min" if minutes == 0 else text(minutes)


@dataclass(frozen=True)
class SegmentSpec:
    """One line of a schedule as written: from ``start`` on, ``dose`` (``None``: stop).

    A rate runs until the next segment starts; an amount given over a time
    (``150 mg over 10 min``) for its time, and a bolus (``80 units/kg``) at its start: the
    next segment may start later (nothing runs between) or, after a bolus, at once.
    ``where`` locates it in its file (``"segment 3 (line 12)"``) for error messages.
    """

    start: Fraction
    dose: Dose | None
    where: str = ""
    note: str = ""

    @property
    def is_stop(self) -> bool:
        return self.dose is None

    @property
    def own_end(self) -> Fraction | None:
        """When a segment that ends by itself ends (a bolus: at once); ``None`` for a rate."""
        if self.dose is None or not (self.dose.is_bolus or self.dose.is_timed):
            return None
        if self.dose.duration is None:
            return self.start
        return self.start + self.dose.duration.minutes


@dataclass(frozen=True)
class Segment:
    """A worked segment. Amounts are in :attr:`Schedule.amount_unit`, volumes in mL."""

    number: int
    start: Fraction
    end: Fraction
    dose: Dose
    note: str
    rate: Fraction  # amount per minute (0 for a bolus)
    volume_rate: Fraction | None  # mL per minute
    amount: Fraction
    volume: Fraction | None
    cumulative_amount: Fraction
    cumulative_volume: Fraction | None

    @property
    def minutes(self) -> Fraction:
        return self.end - self.start

    @property
    def is_bolus(self) -> bool:
        """Given at once at :attr:`start`: its amount is no rate times a time."""
        return self.dose.is_bolus


@dataclass(frozen=True)
class DayTotal:
    """What was given on one calendar day (segments crossing midnight are cut there)."""

    day: int
    first: Fraction  # the first instant of infusion that day
    last: Fraction  # the last instant of infusion that day
    amount: Fraction
    volume: Fraction | None
    cumulative_amount: Fraction
    cumulative_volume: Fraction | None

    @property
    def minutes(self) -> Fraction:
        return self.last - self.first


@dataclass(frozen=True)
class Schedule:
    """A whole course: its segments, per-day totals and course totals."""

    segments: tuple[Segment, ...]
    days: tuple[DayTotal, ...]
    amount_unit: str  # the unit every amount is held in (the smallest dose amount unit)
    kind: Kind
    weight: Weight | None
    concentration: Concentration | None
    warnings: tuple[str, ...] = field(default=())

    @property
    def start(self) -> Fraction:
        return self.segments[0].start

    @property
    def end(self) -> Fraction:
        return self.segments[-1].end

    @property
    def minutes(self) -> Fraction:
        return self.end - self.start

    @property
    def total_amount(self) -> Fraction:
        return self.segments[-1].cumulative_amount

    @property
    def total_volume(self) -> Fraction | None:
        return self.segments[-1].cumulative_volume

    @functools.cached_property
    def display_unit(self) -> str:
        """The amount unit people read amounts and rates in: the largest unit of the drug's
        kind in which every segment's amount and hourly rate is still at least 1
        (725.76 mg and 30.24 mg/h, not 725,760 mcg or 0.03024 g/h), for human output only
        (machine output: :meth:`machine_amount`)."""
        from infuse_calc.engine import clearest, display_floor

        typed = next(w for w in LADDERS[self.kind] if w.symbol == self.amount_unit)
        floor = display_floor(typed)
        per_hour = minutes_per("h")
        figures = [s.amount for s in self.segments]
        figures += [s.rate * per_hour for s in self.segments if not s.is_bolus]
        return clearest(min(figures), self.amount_unit, floor)[2]

    def amount_measure(self, value: Fraction) -> Any:
        """An amount as a :class:`~infuse_calc.dosing.Measure` in :attr:`display_unit`."""
        from infuse_calc.dosing import Measure

        return Measure(value, self.amount_unit).to(self.display_unit)

    def rate_measure(self, per_minute: Fraction) -> Any:
        """An amount per minute as a Measure per hour in :attr:`display_unit`."""
        from infuse_calc.dosing import Measure

        return Measure(per_minute, f"{self.amount_unit}/min").to(f"{self.display_unit}/h")

    def machine_amount(self, value: Fraction) -> Any:
        """An amount as a Measure in its kind's machine unit (JSON, CSV: mg for any mass)."""
        from infuse_calc.dosing import Measure
        from infuse_calc.engine import machine_unit

        return Measure(value, self.amount_unit).to(machine_unit(self.kind))

    def machine_rate(self, per_minute: Fraction) -> Any:
        """An amount per minute as a Measure per hour in its kind's machine unit (mg/h)."""
        from infuse_calc.dosing import Measure
        from infuse_calc.engine import machine_unit

        return Measure(per_minute, f"{self.amount_unit}/min").to(machine_unit(self.kind, "h"))


def build_schedule(
    specs: list[SegmentSpec] | tuple[SegmentSpec, ...],
    weight: Weight | None = None,
    concentration: Concentration | None = None,
) -> Schedule:
    """Check ``specs`` and work out every segment, day and course total.

    Raises :class:`ScheduleError` (or :class:`~infuse_calc.errors.IncompatibleError`
    reworded with the segment's location) for a schedule that cannot be worked out.
    """
    _check_specs(specs)
    given = [spec for spec in specs if not spec.is_stop]
    worked = [_per_minute(spec, weight, concentration) for spec in given]
    kinds = {w[0] for w in worked}
    if len(kinds) > 1:
        first_kind = worked[0][0]
        odd = next(i for i, w in enumerate(worked) if w[0] is not first_kind)
        raise ScheduleError(
            f"{_where(specs[odd], odd)}: dose {_dose_text(specs[odd])} is in "
            f"{worked[odd][0].label} but {_where(specs[0], 0)} is in {first_kind.label}: "
            "a schedule is one drug, every dose must measure the same kind of amount"
        )
    kind = worked[0][0]
    amount_unit = min(
        (next(w for w in LADDERS[kind] if w.symbol == unit) for _, unit, _, _, _ in worked),
        key=lambda w: w.rank,
    ).symbol
    segments: list[Segment] = []
    warnings: list[str] = []
    cumulative = Fraction(0)
    cumulative_volume: Fraction | None = None if concentration is None else Fraction(0)
    for i, (spec, (_, unit, rate, volume_rate, once)) in enumerate(zip(given, worked, strict=True)):
        assert spec.dose is not None
        rate = _in_unit(rate, unit, amount_unit)
        end = spec.own_end if spec.own_end is not None else specs[i + 1].start
        minutes = end - spec.start
        amount = rate * minutes  # a rate, or an amount given over a time: rate x time
        volume = None if volume_rate is None else volume_rate * minutes
        if once is not None:  # a bolus: its amount and volume, given at once
            amount, volume = _in_unit(once[0], unit, amount_unit), once[1]
        cumulative += amount
        if cumulative_volume is not None and volume is not None:
            cumulative_volume += volume
        segments.append(
            Segment(
                number=i + 1,
                start=spec.start,
                end=end,
                dose=spec.dose,
                note=spec.note,
                rate=rate,
                volume_rate=volume_rate,
                amount=amount,
                volume=volume,
                cumulative_amount=cumulative,
                cumulative_volume=cumulative_volume,
            )
        )
        warnings.extend(_calculation(spec.dose, weight, concentration).warnings)
    return Schedule(
        segments=tuple(segments),
        days=_day_totals(segments, concentration is not None),
        amount_unit=amount_unit,
        kind=kind,
        weight=weight,
        concentration=concentration,
        warnings=tuple(dict.fromkeys(warnings)),
    )


Piece = tuple[Segment, int, Fraction, Fraction]


def pieces(segments: tuple[Segment, ...] | list[Segment]) -> list[Piece]:
    """Each segment cut at every midnight it crosses: ``(segment, day, start, end)``; a
    bolus is one piece of no length, on the day it is given."""
    found: list[Piece] = []
    for segment in segments:
        if segment.is_bolus:
            found.append((segment, day_of(segment.start), segment.start, segment.start))
            continue
        start = segment.start
        while start < segment.end:
            day = day_of(start)
            end = min(segment.end, midnight_before(day + 1))
            found.append((segment, day, start, end))
            start = end
    return found


def _day_totals(segments: list[Segment], with_volume: bool) -> tuple[DayTotal, ...]:
    by_day: dict[int, list[tuple[Segment, Fraction, Fraction]]] = {}
    for segment, day, start, end in pieces(segments):
        by_day.setdefault(day, []).append((segment, start, end))
    days: list[DayTotal] = []
    cumulative = Fraction(0)
    cumulative_volume: Fraction | None = Fraction(0) if with_volume else None
    for day, parts in by_day.items():
        amount = sum((_piece_amount(s, start, end) for s, start, end in parts), Fraction(0))
        volume: Fraction | None = None
        if with_volume:
            volume = sum((_piece_volume(s, start, end) for s, start, end in parts), Fraction(0))
        cumulative += amount
        if cumulative_volume is not None and volume is not None:
            cumulative_volume += volume
        days.append(
            DayTotal(day, parts[0][1], parts[-1][2], amount, volume, cumulative, cumulative_volume)
        )
    return tuple(days)


def _piece_amount(segment: Segment, start: Fraction, end: Fraction) -> Fraction:
    """What part of a segment gives from ``start`` to ``end`` (a bolus: all, at once)."""
    return segment.amount if segment.is_bolus else segment.rate * (end - start)


def _piece_volume(segment: Segment, start: Fraction, end: Fraction) -> Fraction:
    if segment.is_bolus:
        return segment.volume or Fraction(0)
    return (segment.volume_rate or Fraction(0)) * (end - start)


def _where(spec: SegmentSpec, index: int) -> str:
    return spec.where or f"segment {index + 1}"


def _dose_text(spec: SegmentSpec) -> str:
    assert spec.dose is not None
    return repr(spec.dose.text or f"{spec.dose.value} {spec.dose.unit}")


def _check_specs(specs: list[SegmentSpec] | tuple[SegmentSpec, ...]) -> None:
    if not specs:
        raise ScheduleError("the schedule has no segments")
    if len(specs) > MAX_SEGMENTS + 1:
        raise ScheduleError(
            f"the schedule has {len(specs):,} segments; at most {MAX_SEGMENTS:,} are accepted"
        )
    if specs[0].is_stop:
        raise ScheduleError(f"{_where(specs[0], 0)}: the course cannot begin with a stop")
    for i, spec in enumerate(specs):
        if spec.start < 0 or day_of(spec.start) > MAX_DAY:
            raise ScheduleError(f"{_where(spec, i)}: starts outside day 1 to day {MAX_DAY}")
        if i > 0:
            _check_order(specs, i)
    last = specs[-1]
    if not last.is_stop and last.own_end is None:
        raise ScheduleError(
            f"{_where(last, len(specs) - 1)}: the last segment has no end; finish the course "
            'with a stop (stop = true, or dose "stop")'
        )


def _check_order(specs: list[SegmentSpec] | tuple[SegmentSpec, ...], i: int) -> None:
    """Segment ``i`` starts when (or after) the one before it has ended."""
    spec, previous = specs[i], specs[i - 1]
    if previous.is_stop:
        raise ScheduleError(
            f"{_where(spec, i)}: comes after the stop at {when(previous.start)} "
            f"({_where(previous, i - 1)}); a stop ends the course, nothing may follow it"
        )
    own_end = previous.own_end
    if own_end is not None and spec.start < own_end:
        raise ScheduleError(
            f"{_where(spec, i)}: starts at {when(spec.start)}, before {_where(previous, i - 1)} "
            f"({_dose_text(previous)}) has ended at {when(own_end)}: segments cannot overlap"
        )
    if spec.start == previous.start and own_end is None:
        raise ScheduleError(
            f"{_where(spec, i)}: starts at {when(spec.start)}, the same time as "
            f"{_where(previous, i - 1)}, which would then last no time at all"
        )
    if spec.start < previous.start:
        raise ScheduleError(
            f"{_where(spec, i)}: starts at {when(spec.start)}, before "
            f"{_where(previous, i - 1)} at {when(previous.start)}: segments must be in "
            "time order and cannot overlap"
        )


@functools.cache
def _calculation(dose: Dose, weight: Weight | None, concentration: Concentration | None) -> Any:
    from infuse_calc.dosing import calculate

    return calculate(dose, weight, concentration)


#: What one segment's dose gives: its kind, amount unit, amount per minute, mL per minute,
#: and for a bolus the amount (in that unit) and volume given at once.
Worked = tuple[Kind, str, Fraction, Fraction | None, tuple[Fraction, Fraction | None] | None]


#: where a schedule's missing input can be given (the engine says which one is missing)
_FROM_FILE = {
    "weight": 'give the weight in the file (weight = "72 kg") or with --weight',
    "concentration": "give the concentration in the file "
    '(concentration = "10 mg/mL") or with --concentration',
}


def _per_minute(
    spec: SegmentSpec, weight: Weight | None, concentration: Concentration | None
) -> Worked:
    """The drug kind, amount unit, amount per minute and mL per minute of one dose (a
    bolus: none per minute, and what it gives at once)."""
    from infuse_calc import units as u
    from infuse_calc.errors import IncompatibleError, MissingInputError

    dose = spec.dose
    assert dose is not None
    where = spec.where or "a segment"
    if dose.is_volume_rate and concentration is None:
        # a volume rate alone is a valid order (convert gives its volumes); a course's
        # totals are amounts of drug, so a schedule needs the bag
        raise ScheduleError(
            f"{where}: dose {_dose_text(spec)} is a volume rate: give the concentration in "
            'the file (concentration = "10 mg/mL") or with --concentration to know the amount'
        )
    try:
        calc = _calculation(dose, weight, concentration)
    except MissingInputError as error:
        # the engine's rule, with the remedy a schedule file offers
        raise ScheduleError(f"{where}: {error.reworded(_FROM_FILE[error.needed])}") from None
    except IncompatibleError as error:
        raise ScheduleError(f"{where}: {error}") from None
    # Hold amounts in the unit the dose was written in (the bag's for a mL/h dose), not in
    # the size-dependent unit calculate() picks for display, so that the unit of a course
    # does not change when its doses do.
    word = dose.unit.amount
    if dose.is_volume_rate and concentration is not None:
        word = concentration.amount_unit
    amount_unit = word.symbol
    if dose.is_bolus:
        given = calc.given
        once = given.amount.value * u.factor(given.amount.unit, amount_unit)
        volume = None if given.volume is None else given.volume.value
        no_volume = None if concentration is None else Fraction(0)
        return word.kind, amount_unit, Fraction(0), no_volume, (once, volume)
    rate = calc.per_minute.value * u.factor(calc.per_minute.unit, f"{amount_unit}/min")
    volume_rate = None
    if calc.pump_rate is not None:
        volume_rate = calc.pump_rate.value * u.factor(calc.pump_rate.unit, "mL/min")
    return word.kind, amount_unit, rate, volume_rate, None


def _in_unit(per_minute: Fraction, source: str, target: str) -> Fraction:
    """An amount per minute in another amount unit of the same kind (pint's factor)."""
    from infuse_calc import units as u

    return per_minute if source == target else per_minute * u.factor(source, target)
