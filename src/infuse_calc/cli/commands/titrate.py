"""``infuse-calc titrate``: a dose ladder (or pump-rate ladder), one exact row per step."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import click

from infuse_calc.cli.commands import infuse_command
from infuse_calc.cli.params import (
    RATE_UNIT,
    PatientChoices,
    concentration_option,
    input_errors,
    output_options,
    patient_options,
    pump_resolution_option,
    warn_all,
    warnings_of,
    weight_option,
)

FLAG = "*"
DOSE_FIELDS = [
    "step",
    "clock",
    "elapsed",
    "dose",
    "per_minute",
    "per_hour",
    "per_day",
    "pump_rate",
    "volume_per_day",
    "pump_rate_rounded",
    "rounded_rate_delivers",
    "rounded_rate_difference_percent",
    "warnings",
]
RATE_FIELDS = [
    "step",
    "clock",
    "elapsed",
    "pump_rate",
    "dose_rate",
    "per_minute",
    "per_hour",
    "per_day",
    "volume_per_day",
    "warnings",
]
MEASURE_FIELDS = {
    "elapsed",
    "dose",
    "per_minute",
    "per_hour",
    "per_day",
    "pump_rate",
    "volume_per_day",
    "pump_rate_rounded",
    "rounded_rate_delivers",
    "dose_rate",
}


@infuse_command("titrate")
@click.option(
    "--from", "start", metavar="DOSE", help="First dose: '2 mcg/kg/min', or 2 with --unit."
)
@click.option("--to", "stop", metavar="DOSE", help="Last dose (the ladder goes down if smaller).")
@click.option(
    "--step",
    metavar="DOSE",
    help="Step size, positive, in the dose unit (1, or '0.5 mcg/kg/min'). "
    "Default with --by-rate: 1 mL/h.",
)
@click.option(
    "--doses",
    metavar="LIST",
    help="An explicit list instead of --from/--to/--step: '2,4,7,8' with --unit, "
    "or full doses separated by commas.",
)
@click.option(
    "--unit", type=RATE_UNIT, help="Unit of bare numbers: mcg/kg/min, units/kg/h, mL/h..."
)
@click.option(
    "--by-rate",
    is_flag=True,
    help="Step through pump rates (mL/h) and show the dose each one delivers.",
)
@click.option(
    "--dose-unit",
    type=RATE_UNIT,
    help="With --by-rate: the unit of the delivered dose (default mcg/kg/min or units/kg/h).",
)
@weight_option
@concentration_option
@pump_resolution_option
@click.option(
    "--every", metavar="TIME", help="Time between steps, e.g. 30min or 1h: adds clock times."
)
@click.option(
    "--start", "start_time", metavar="HH:MM", help="Clock time of the first step (default 00:00)."
)
@patient_options()
@output_options
def command(
    start: str | None,
    stop: str | None,
    step: str | None,
    doses: str | None,
    unit: Any,
    by_rate: bool,
    dose_unit: Any,
    weight: Any,
    concentration: Any,
    pump_resolution: Fraction,
    limits: Any,
    every: str | None,
    start_time: str | None,
    patient: PatientChoices,
    fmt: str | None,
    output: str | None,
) -> None:
    """Work out a titration ladder: one row per dose step, each with its totals per minute,
    hour and day and its pump rate (exact, set to the pump resolution, and what that
    setting really delivers).

    Give --from, --to and --step (the ladder includes --to when it is a whole number of
    steps away, and goes down when --to is smaller: weaning), or an explicit --doses list.
    With --by-rate the ladder steps through pump rates and shows the dose each delivers.

    \b
    Examples:
      infuse-calc titrate --from "2 mcg/kg/min" --to "10 mcg/kg/min" --step 1 -w 72 -c "10 mg/mL"
      infuse-calc titrate --from 10 --to 2 --step 2 --unit mcg/kg/min -w 72 -c "10 mg/mL" \\
          --every 30min --start 22:00
      infuse-calc titrate --by-rate --from "1 mL/h" --to "5 mL/h" -w 72 -c "10 mg/mL"
    """
    from infuse_calc import titration as t
    from infuse_calc.cli.patient_options import library_and_weight

    weight, concentration, extras = library_and_weight(None, weight, concentration, patient, output)
    unit_value, unit_warnings = unit if unit is not None else (None, ())
    target, target_warnings = dose_unit if dose_unit is not None else (None, ())
    parse_warnings: list[str] = []
    notes: list[str] = []
    with input_errors():
        values, chosen = _doses(
            start, stop, step, doses, unit_value, by_rate, extras, parse_warnings, notes
        )
        every_minutes = t.parse_interval(every) if every is not None else None
        if start_time is not None and every_minutes is None:
            raise click.UsageError("--start sets the clock of a timed ladder: give --every too")
        start_minutes = t.parse_clock(start_time) if start_time is not None else 0
        ladder = t.build_ladder(
            values,
            chosen,
            weight,
            concentration,
            by_rate=by_rate,
            dose_unit=target,
            pump_resolution=pump_resolution,
            limits=limits,
            every_minutes=every_minutes,
            start_minutes=start_minutes,
        )
    extras.check_calculations([rung.calculation for rung in ladder.rungs])
    warn_all(
        warnings_of(weight, concentration),
        unit_warnings,
        target_warnings,
        parse_warnings,
        notes,
        ladder.warnings,
        extras.warnings,
    )
    from infuse_calc.formats.output import emit

    emit(extras.annotate(titrate_view(ladder, extras.dosing)), fmt, output)


def _doses(
    start: str | None,
    stop: str | None,
    step: str | None,
    doses: str | None,
    unit: Any,
    by_rate: bool,
    extras: Any,
    warnings: list[str],
    notes: list[str],
) -> tuple[list[Fraction], Any]:
    """The ladder's values and their unit: an explicit --doses list, or --from/--to/--step.

    A value without a unit is in the drug's dosing unit when ``--drug`` gives one.
    """
    from infuse_calc import titration as t

    if doses is not None:
        if start is not None or stop is not None or step is not None:
            raise click.UsageError("give either --doses or --from/--to/--step, not both")
        amounts = t.parse_list("--doses", doses, warnings, t.MAX_LADDER_ROWS)
        default = _rate_default(by_rate) or extras.default_unit(amounts, unit)
        chosen = t.common_unit(amounts, unit, default)
        return [amount.value for amount in amounts], chosen
    if start is None or stop is None:
        raise click.UsageError("give --from and --to (or an explicit --doses list)")
    if step is None and not by_rate:
        raise click.UsageError("give the step size with --step (e.g. --step 1)")
    first = t.parse_amount("--from", start, warnings)
    last = t.parse_amount("--to", stop, warnings)
    size = None if step is None else t.parse_amount("--step", step, warnings)
    given = [first, last] + ([size] if size is not None else [])
    default = _rate_default(by_rate) or extras.default_unit(given, unit)
    values, chosen, found = t.ladder_between(first, last, size, unit, default)
    notes.extend(found)
    return values, chosen


def _rate_default(by_rate: bool) -> Any:
    from infuse_calc.quantities import HOUR, ML, RateUnit

    return RateUnit(ML, HOUR) if by_rate else None


def _rung_record(rung: Any, by_rate: bool) -> dict[str, Any]:
    from infuse_calc.dosing import Measure

    record = rung.calculation.record()
    elapsed = None if rung.elapsed_minutes is None else Measure(rung.elapsed_minutes, "min")
    fields = RATE_FIELDS if by_rate else DOSE_FIELDS
    row: dict[str, Any] = {"step": rung.step, "clock": rung.clock, "elapsed": elapsed}
    for name in fields[3:]:
        row[name] = record[name]
    return row


def titrate_view(ladder: Any, dosing: Any = None) -> Any:
    """The :class:`~infuse_calc.formats.output.View` of a :class:`~infuse_calc.titration.Ladder`."""
    from infuse_calc.dosing import Measure
    from infuse_calc.formats.output import View
    from infuse_calc.notation import format_exact, format_number

    timed = ladder.every_minutes is not None
    has_pump = ladder.concentration is not None and not ladder.by_rate
    calcs = [rung.calculation for rung in ladder.rungs]
    # (header, measures, exact): "exact" columns hold values as typed or as set on the pump.
    columns: list[tuple[str, list[Any], bool]] = []
    if ladder.by_rate:
        columns.append(("Pump rate", [c.pump_rate for c in calcs], True))
        columns.append(("Delivers", [c.dose_rate for c in calcs], False))
    else:
        columns.append(("Dose", [c.dose_measure for c in calcs], True))
    columns += [
        ("Per min", [c.per_minute for c in calcs], False),
        ("Per hour", [c.per_hour for c in calcs], False),
        ("Per day", [c.per_day for c in calcs], False),
    ]
    if has_pump:
        columns += [
            ("Exact rate", [c.pump_rate for c in calcs], False),
            ("Set pump", [c.pump.rate for c in calcs], True),
            ("Delivers", [c.pump.delivers for c in calcs], False),
        ]
    headers = ["Step"] + (["Time"] if timed else [])
    cells: list[list[str]] = []
    for label, measures, exact in columns:
        unit = _column_unit(measures)
        headers.append(f"{label}\n{unit}")
        shown = format_exact if exact else format_number
        cells.append([shown(m.to(unit).value) for m in measures])
        if label == "Set pump" and ladder.collapsed:
            flagged = ladder.collapsed_steps
            cells[-1] = [
                text + (FLAG if rung.step in flagged else " ")
                for text, rung in zip(cells[-1], ladder.rungs, strict=True)
            ]
    rows: list[list[str]] = []
    for index, rung in enumerate(ladder.rungs):
        row = [str(rung.step)] + ([rung.clock] if timed else [])
        rows.append(row + [column[index] for column in cells])
    records = [_rung_record(rung, ladder.by_rate) for rung in ladder.rungs]
    notes = _notes(ladder, has_pump)
    document: dict[str, Any] = {
        "command": "titrate",
        "mode": "rate" if ladder.by_rate else "dose",
        "unit": str(ladder.unit),
        "weight": None if ladder.weight is None else Measure(ladder.weight.kg, "kg"),
        "concentration": None
        if not ladder.rungs
        else ladder.rungs[0].calculation.machine["concentration"],
        "pump_resolution": Measure(ladder.pump_resolution, "mL/h"),
        "every": None if not timed else Measure(ladder.every_minutes, "min"),
        "start": None if not timed else _clock(ladder.start_minutes),
        "rows": records,
        "warnings": list(ladder.warnings),
    }
    numeric = set(range(len(headers)))
    return View(
        headers=headers,
        rows=rows,
        document=document,
        csv_fields=RATE_FIELDS if ladder.by_rate else DOSE_FIELDS,
        records=records,
        title=_title(ladder, dosing),
        numeric_columns=numeric,
        key_columns=2 if timed else 1,
        notes=notes,
        measure_fields=MEASURE_FIELDS,
    )


def _notes(ladder: Any, has_pump: bool) -> list[str]:
    """Under the ladder: what each pump column is, and what a flagged setting means."""
    from infuse_calc.notation import format_number

    resolution = format_number(ladder.pump_resolution)
    notes: list[str] = []
    if has_pump:
        notes.append(
            f"Exact rate: calculated, not a pump setting; Set pump: the exact rate rounded to "
            f"{resolution} mL/h (the pump resolution), halves away from zero; Delivers: the "
            "dose at that setting."
        )
    if ladder.collapsed:
        notes.append(
            f"{FLAG} Same pump setting as another step: at {resolution} mL/h steps these "
            "doses cannot be told apart (see the warnings)."
        )
    notes.append("Figures rounded for display; exact values in --format json/csv.")
    return notes


def _column_unit(measures: list[Any]) -> str:
    """One unit for a whole column: the smallest any row chose, so that values never jump
    from 933.12 mg/day to 1.0368 g/day down a ladder."""
    from infuse_calc.units import factor

    reference = measures[0].unit
    return str(min({m.unit for m in measures}, key=lambda unit: factor(unit, reference)))


def _clock(minutes: int) -> str:
    from infuse_calc.titration import clock_text

    return clock_text(minutes)


def _title(ladder: Any, dosing: Any = None) -> str:
    """``Titration ladder, 72 kg actual body weight, 10 mg/mL``: which weight every dose was
    worked out on (``dosing``: the ideal or adjusted one when one was chosen)."""
    from infuse_calc.body_weight import METHOD_LABELS

    calc = ladder.rungs[0].calculation
    parts = ["Pump-rate ladder" if ladder.by_rate else "Titration ladder"]
    if calc.weight is not None:
        label = METHOD_LABELS["actual"] if dosing is None else dosing.label
        parts.append(f"{calc.weight_text()} {label}")
    if calc.concentration_text() is not None:
        parts.append(calc.concentration_text())
    return ", ".join(parts)
