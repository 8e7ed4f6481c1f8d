"""``infuse-calc schedule``: a course of changing dose rates, with daily and course totals."""

from __future__ import annotations

import os
import sys
from fractions import Fraction
from typing import Any

import click

from infuse_calc.cli.commands import infuse_command
from infuse_calc.cli.params import (
    concentration_option,
    output_options,
    warn_all,
    weight_option,
)

MEASURE_FIELDS = {
    "start_offset",
    "end_offset",
    "duration",
    "dose",
    "rate",
    "volume_rate",
    "amount",
    "volume",
    "cumulative_amount",
    "cumulative_volume",
}
TEXT_COLUMNS = {"Start", "End", "Dose", "Note"}
CSV_FIELDS = [
    "row",
    "segment",
    "day",
    "start_day",
    "start_time",
    "end_day",
    "end_time",
    "start_offset",
    "end_offset",
    "duration",
    "dose",
    "rate",
    "volume_rate",
    "amount",
    "volume",
    "cumulative_amount",
    "cumulative_volume",
    "note",
]


@infuse_command("schedule")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@weight_option
@concentration_option
@click.option(
    "--input-format",
    type=click.Choice(["toml", "csv"]),
    default=None,
    help="Format of FILE. Default: from its extension (needed for '-').",
)
@click.option("--chart/--no-chart", default=True, help="Draw the dose chart under the table.")
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Also draw dose over time and per-day totals to FILE.png or FILE.svg (needs the "
    "plot extra: pip install 'infuse-calc[plot]').",
)
@output_options
def command(
    file: str,
    weight: Any,
    concentration: Any,
    input_format: str | None,
    chart: bool,
    plot_path: str | None,
    fmt: str | None,
    output: str | None,
) -> None:
    """Work out a course of changing dose rates: each segment, each day, the whole course.

    FILE (TOML or CSV, '-' for standard input) lists segments in time order. Each starts
    at a day and clock time (day = 3, time = "08:00"), or at an offset from the course
    start (at = "50h", "2d 2h", "1d 30min"); it runs until the next segment starts. The
    last segment is a stop (stop = true, or dose = "stop"). A segment that crosses
    midnight counts towards both calendar days.

    Weight and concentration may be given in a TOML file (weight = "72 kg",
    concentration = "10 mg/mL") or with -w/-c; the command line wins, with a warning if
    the two differ.

    CSV columns, one row per segment, then per calendar day, then the course total: row
    (segment, day or total), segment, day, start_day, start_time, end_day, end_time, then
    a <name>_value and a <name>_unit column for each of start_offset, end_offset,
    duration, dose, rate, volume_rate, amount, volume, cumulative_amount and
    cumulative_volume; and note.

    \b
    Examples:
      infuse-calc schedule examples/ketamine-case.toml
      infuse-calc schedule course.csv -w 72 -c "10 mg/mL" --format json
      infuse-calc schedule examples/ketamine-case.toml --plot ketamine.png
    """
    from infuse_calc.errors import InfuseCalcError
    from infuse_calc.formats import plot as pictures
    from infuse_calc.formats import schedule_files
    from infuse_calc.formats.files import atomic_output, refuse_overwriting_input
    from infuse_calc.formats.output import choose_format, emit
    from infuse_calc.schedule import build_schedule

    refuse_overwriting_input(output, [file])
    refuse_overwriting_input(plot_path, [file], "--plot")

    if plot_path is not None:
        plot_fmt = pictures.plot_format(plot_path)
        pictures.check_plot_available()
        if not os.path.isdir(os.path.dirname(os.path.abspath(plot_path))):
            raise InfuseCalcError(f"--plot {plot_path!r}: its folder does not exist")
    fmt_in = schedule_files.format_of(file, input_format)
    data = _read(file)
    from infuse_calc.cli.figure_options import lb_per_kg

    parsed = schedule_files.parse(data, file, fmt_in, lb_per_kg())
    warnings = list(parsed.warnings)
    weight = _choose("weight", weight, parsed.weight, warnings)
    concentration = _choose("concentration", concentration, parsed.concentration, warnings)
    name = "standard input" if file == "-" else file
    try:
        course = build_schedule(parsed.specs, weight, concentration)
    except InfuseCalcError as error:
        raise schedule_files.ScheduleFileError(f"{name}: {error}") from None
    picture = None if plot_path is None else pictures.render_plot(course, plot_fmt)
    warn_all(warnings, course.warnings)
    human = choose_format(fmt, output) in ("table", "plain")
    emit(schedule_view(course, chart, human), fmt, output)
    if picture is not None:
        with atomic_output(plot_path, "--plot", binary=True) as stream:
            stream.write(picture)


def _read(file: str) -> bytes:
    from infuse_calc.formats.schedule_files import ScheduleFileError, read_bytes

    if file == "-":
        return read_bytes(sys.stdin.buffer, file)
    try:
        with open(file, "rb") as stream:
            return read_bytes(stream, file)
    except FileNotFoundError:
        raise ScheduleFileError(f"{file}: no such file") from None
    except OSError as error:
        raise ScheduleFileError(f"{file}: cannot be read ({error.strerror})") from None


def _same(what: str, one: Any, other: Any) -> bool:
    from infuse_calc.bag import same_strength

    return bool(one.kg == other.kg) if what == "weight" else same_strength(one, other)


def _choose(what: str, given: Any, in_file: Any, warnings: list[str]) -> Any:
    """The command line wins over the file; say so when they disagree."""
    if given is None:
        return in_file
    if in_file is not None and not _same(what, given, in_file):
        warnings.append(
            f"{what} {given.text!r} from the command line overrides {in_file.text!r} from the file"
        )
    warnings.extend(getattr(given, "warnings", ()) or ())
    return given


def schedule_view(course: Any, chart: bool = True, human: bool = True) -> Any:
    """The :class:`~infuse_calc.formats.output.View` of a worked schedule.

    ``human=False`` leaves out the formatted rows, the day table and the chart (CSV and
    JSON do not show them, and formatting 10,000 rows is most of the work).
    """
    from infuse_calc.dosing import Measure
    from infuse_calc.formats.output import View
    from infuse_calc.formats.plot import text_chart

    with_volume = course.concentration is not None
    has_notes = any(s.note for s in course.segments)
    headers = ["#", "Start", "End", "Duration", "Dose", "Rate"]
    headers += ["Exact rate"] if with_volume else []
    headers += ["Amount"]
    headers += ["Volume", "Cumulative", "Cum. volume"] if with_volume else ["Cumulative"]
    headers += ["Note"] if has_notes else []
    segments = [_segment_record(course, s) for s in course.segments]
    days = [_day_record(course, d) for d in course.days]
    total = _total_record(course)
    rows = [_segment_row(course, s, has_notes) for s in course.segments] if human else []
    sections = [_day_table(course)] if human else []
    if chart and human:
        sections[0].drawing = lambda width: ["", *text_chart(course, fit=width)]
    document = {
        "weight": None if course.weight is None else Measure(course.weight.kg, "kg"),
        "concentration": None
        if course.concentration is None
        else _concentration(course.concentration),
        "segments": [_document_entry(record) for record in segments],
        "days": [_document_entry(record, day=True) for record in days],
        "total": _document_entry(total),
        "warnings": list(course.warnings),
    }
    return View(
        headers=headers,
        rows=rows,
        document=document,
        csv_fields=CSV_FIELDS,
        records=[*segments, *days, total],
        title=_title(course),
        numeric_columns={i for i, h in enumerate(headers) if h not in TEXT_COLUMNS},
        measure_fields=MEASURE_FIELDS,
        wrap_columns={i for i, h in enumerate(headers) if h == "Note"},
        sections=sections,
    )


def _hours(minutes: Fraction) -> Any:
    from infuse_calc.dosing import Measure
    from infuse_calc.schedule import minutes_per

    return Measure(minutes / minutes_per("h"), "h")


def _volume(value: Fraction | None) -> Any:
    from infuse_calc.dosing import Measure

    return None if value is None else Measure(value, "mL")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _span(course: Any, first: Fraction, last: Fraction, minutes: Fraction) -> dict[str, Any]:
    """The time fields of a record: calendar start and end, offsets, duration."""
    from infuse_calc.schedule import clock, day_of

    return {
        "start_day": day_of(first),
        "start_time": clock(first),
        "end_day": day_of(last),
        "end_time": clock(last),
        "start_offset": _hours(first - course.start),
        "end_offset": _hours(last - course.start),
        "duration": _hours(minutes),
    }


def _segment_record(course: Any, s: Any) -> dict[str, Any]:
    from infuse_calc.dosing import Measure
    from infuse_calc.schedule import minutes_per

    return {
        "row": "segment",
        "segment": s.number,
        "day": None,
        **_span(course, s.start, s.end, s.minutes),
        # as typed: a rate, an amount (given over the duration), a bolus (no rate)
        "dose": Measure(s.dose.amount, s.dose.amount_unit)
        if s.dose.is_timed
        else Measure(s.dose.value, str(s.dose.unit)),
        "rate": None if s.is_bolus else course.machine_rate(s.rate),
        "volume_rate": None
        if s.volume_rate is None or s.is_bolus
        else Measure(s.volume_rate * minutes_per("h"), "mL/h"),
        "amount": course.machine_amount(s.amount),
        "volume": _volume(s.volume),
        "cumulative_amount": course.machine_amount(s.cumulative_amount),
        "cumulative_volume": _volume(s.cumulative_volume),
        "note": s.note,
    }


def _day_record(course: Any, d: Any) -> dict[str, Any]:
    record = {
        "row": "day",
        "segment": None,
        "day": d.day,
        **_span(course, d.first, d.last, d.minutes),
    }
    record["start_day"] = d.day
    record.update(
        {
            "dose": None,
            "rate": None,
            "volume_rate": None,
            "amount": course.machine_amount(d.amount),
            "volume": _volume(d.volume),
            "cumulative_amount": course.machine_amount(d.cumulative_amount),
            "cumulative_volume": _volume(d.cumulative_volume),
            "note": "",
        }
    )
    return record


def _total_record(course: Any) -> dict[str, Any]:
    return {
        "row": "total",
        "segment": None,
        "day": None,
        **_span(course, course.start, course.end, course.minutes),
        "dose": None,
        "rate": None,
        "volume_rate": None,
        "amount": course.machine_amount(course.total_amount),
        "volume": _volume(course.total_volume),
        "cumulative_amount": course.machine_amount(course.total_amount),
        "cumulative_volume": _volume(course.total_volume),
        "note": "",
    }


def _segment_row(course: Any, s: Any, has_notes: bool) -> list[str]:
    from infuse_calc.dosing import Measure, order_text
    from infuse_calc.schedule import duration_text, minutes_per, when

    row = [
        str(s.number),
        when(s.start),
        when(s.end),
        duration_text(s.minutes),
        order_text(s.dose) + (" (bolus)" if s.is_bolus else ""),
        "" if s.is_bolus else str(course.rate_measure(s.rate)),
    ]
    with_volume = course.concentration is not None
    if with_volume:
        rate = Measure(s.volume_rate * minutes_per("h"), "mL/h")
        row.append("" if s.is_bolus else str(rate))
    row.append(str(course.amount_measure(s.amount)))
    if with_volume:
        row.append(_text(_volume(s.volume)))
    row.append(str(course.amount_measure(s.cumulative_amount)))
    if with_volume:
        row.append(_text(_volume(s.cumulative_volume)))
    if has_notes:
        row.append(s.note)
    return row


def _day_table(course: Any) -> Any:
    """The totals per calendar day and for the course, shown under the segments."""
    from infuse_calc.formats.output import View
    from infuse_calc.schedule import clock, duration_text, when

    with_volume = course.concentration is not None
    rows: list[list[str]] = []
    for d in course.days:
        row = [
            f"day {d.day}",
            f"{clock(d.first)}-{_end_clock(d.last)}",
            duration_text(d.minutes),
            str(course.amount_measure(d.amount)),
        ]
        if with_volume:
            row.append(_text(_volume(d.volume)))
        rows.append(row)
    total_text = str(course.amount_measure(course.total_amount))
    if with_volume:
        total_text += f", {_volume(course.total_volume)}"
    rows.append(
        [
            "course",
            f"{when(course.start)}-{when(course.end)}",
            duration_text(course.minutes),
            *total_text.split(", "),
        ]
    )
    return View(
        headers=["Day", "Infusing", "Time", "Amount"] + (["Volume"] if with_volume else []),
        rows=rows,
        document=None,
        csv_fields=[],
        records=[],
        title="Totals per calendar day (a segment crossing midnight is split there):",
        numeric_columns={2, 3, 4},
        wrap_columns=set(),
    )


def _concentration(concentration: Any, machine: bool = True) -> Any:
    """The concentration per mL: in its machine unit (JSON, CSV) or, for human output, in
    the clearest unit (4 mg/250 mL: 16 mcg/mL)."""
    from infuse_calc.dosing import Measure
    from infuse_calc.engine import concentration_figure, concentration_machine

    n, d, unit = (concentration_machine if machine else concentration_figure)(concentration)
    return Measure(Fraction(n, d), unit)


def _end_clock(instant: Fraction) -> str:
    from infuse_calc.schedule import clock

    text = clock(instant)
    return "24:00" if text == "00:00" else text


def _title(course: Any) -> str:
    from infuse_calc.notation import format_weight

    parts = []
    if course.weight is not None:
        weight = course.weight
        typed = format_weight(weight.value, weight.unit.symbol, weight.kg, weight.course_factor)
        parts.append(f"weight {typed}")
    if course.concentration is not None:
        per_ml = _concentration(course.concentration, machine=False)
        parts.append(f"concentration {per_ml}")
    return "Schedule" + (f" ({', '.join(parts)})" if parts else "") + ":"


def _document_entry(record: dict[str, Any], day: bool = False) -> dict[str, Any]:
    """A CSV record reshaped for JSON: start/end as objects, no empty fields."""
    entry: dict[str, Any] = {}
    if record["segment"] is not None:
        entry["segment"] = record["segment"]
    if day:
        entry["day"] = record["day"]
    entry["start"] = {
        "day": record["start_day"],
        "time": record["start_time"],
        "offset": record["start_offset"],
    }
    entry["end"] = {
        "day": record["end_day"],
        "time": record["end_time"],
        "offset": record["end_offset"],
    }
    for key in (
        "duration",
        "dose",
        "rate",
        "volume_rate",
        "amount",
        "volume",
        "cumulative_amount",
        "cumulative_volume",
    ):
        if record[key] is not None:
            entry[key] = record[key]
    if record.get("note"):
        entry["note"] = record["note"]
    return entry
