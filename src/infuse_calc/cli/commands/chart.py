"""``infuse-calc chart``: a bedside chart of pump rates, weights by doses."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import click

from infuse_calc.cli.commands import infuse_command
from infuse_calc.cli.figure_options import lb_per_kg
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
#: what JSON gives for each cell of the chart
JSON_CELL_FIELDS = (
    "dose",
    "pump_rate",
    "pump_rate_rounded",
    "rounded_rate_delivers",
    "rounded_rate_difference_percent",
    "warnings",
)


@infuse_command("chart")
@click.option(
    "--doses",
    metavar="LIST",
    required=True,
    help="Dose columns: '0.05,0.1,0.2' with --unit, a range '0.05..0.3/0.05', "
    "or full doses separated by commas.",
)
@click.option("--unit", type=RATE_UNIT, help="Unit of bare dose numbers (per kg: mcg/kg/min...).")
@click.option(
    "--weights",
    metavar="LIST",
    help="Weight rows in kg: '50,60,70', a range '40..90/5' (start..stop/step), or both; "
    "list items may carry a unit ('154 lb').",
)
@weight_option
@concentration_option
@pump_resolution_option
@click.option(
    "--round-to-pump/--exact",
    "round_to_pump",
    default=True,
    show_default=True,
    help="Cells show the rate rounded to the pump resolution (what you set), or the exact "
    "rate to 5 significant figures.",
)
@patient_options(body_weight=False)
@output_options
def command(
    doses: str,
    unit: Any,
    weights: str | None,
    weight: Any,
    concentration: Any,
    pump_resolution: Fraction,
    limits: Any,
    round_to_pump: bool,
    patient: PatientChoices,
    fmt: str | None,
    output: str | None,
) -> None:
    """Print a chart of pump rates in mL/h: one row per weight, one column per dose.

    By default each cell is the rate rounded to the pump resolution (the number you set on
    the pump); --exact shows the exact rate instead. Cells where that rounding changes the
    dose by more than 5% (or rounds to 0, or exceed 999 mL/h) are marked *. JSON and CSV
    carry the exact rates.

    \b
    Examples:
      infuse-calc chart --doses 0.05,0.1,0.2,0.3 --unit mcg/kg/min --weights 40..90/5 \\
          -c "4 mg/250 mL"
      infuse-calc chart --doses 1..5/1 --unit mcg/kg/min --weights "50,70,154 lb" \\
          -c "400 mg/250 mL"
      infuse-calc chart --doses "18 units/kg/h" --weights 60..100/10 -c "25000 units/250 mL" --exact
    """
    from infuse_calc import chart as ch
    from infuse_calc.cli.patient_options import library_and_weight
    from infuse_calc.titration import common_unit, parse_list

    _, concentration, extras = library_and_weight(None, None, concentration, patient, output)

    unit_value, unit_warnings = unit if unit is not None else (None, ())
    parse_warnings: list[str] = []
    with input_errors():
        if weights is not None and weight is not None:
            raise click.UsageError("give either --weights (the chart rows) or -w, not both")
        if weights is None and weight is None:
            raise click.UsageError("give the weight rows with --weights, e.g. --weights 40..90/5")
        factor = lb_per_kg()
        rows = [weight] if weights is None else ch.parse_weights(weights, parse_warnings, factor)
        amounts = parse_list("--doses", doses, parse_warnings, ch.MAX_CHART_DOSES)
        chosen = common_unit(amounts, unit_value, extras.default_unit(amounts, unit_value))
        grid = ch.build_chart(
            [a.value for a in amounts], chosen, rows, concentration, pump_resolution, limits
        )
    extras.check_calculations([cell.calculation for row in grid.rows for cell in row.cells])
    warn_all(
        warnings_of(weight, concentration),
        unit_warnings,
        parse_warnings,
        grid.warnings,
        extras.warnings,
    )
    from infuse_calc.formats.output import emit

    emit(extras.annotate(chart_view(grid, round_to_pump)), fmt, output)


def column_name(dose: Any, rounded: bool = False) -> str:
    """The CSV column of one dose: ``dose_0.05_mcg/kg/min_pump_rate_mL/h`` (exact rate), or
    with ``rounded`` ``dose_0.05_mcg/kg/min_pump_rate_rounded_mL/h`` (the pump setting)."""
    from infuse_calc.notation import format_exact

    field = "pump_rate_rounded" if rounded else "pump_rate"
    return f"dose_{format_exact(dose.value, separators=False)}_{dose.unit}_{field}_mL/h"


def chart_view(grid: Any, round_to_pump: bool = True) -> Any:
    """The :class:`~infuse_calc.formats.output.View` of a :class:`~infuse_calc.chart.Chart`."""
    from infuse_calc.dosing import Measure
    from infuse_calc.formats.output import View
    from infuse_calc.notation import format_exact, format_exact_quantity, format_number

    any_flag = any(cell.flagged for row in grid.rows for cell in row.cells)
    headers = ["Weight"] + [format_exact_quantity(d.value, d.unit) for d in grid.doses]
    rows: list[list[str]] = []
    records: list[dict[str, Any]] = []
    json_rows: list[dict[str, Any]] = []
    for row in grid.rows:
        first = row.cells[0].calculation
        cells: list[str] = []
        record: dict[str, Any] = {
            "weight": Measure(row.weight.kg, "kg"),
            "weight_entered": Measure(row.weight.value, row.weight.unit.symbol),
        }
        json_cells: list[dict[str, Any]] = []
        for dose, cell in zip(grid.doses, row.cells, strict=True):
            if round_to_pump:
                text = format_exact(cell.pump_setting.value)
            else:
                text = format_number(cell.pump_rate.value)
            if any_flag:
                text += FLAG if cell.flagged else " "
            cells.append(text)
            record[column_name(dose)] = cell.pump_rate.value
            record[column_name(dose, rounded=True)] = cell.pump_setting.value
            calc_record = cell.calculation.record()
            json_cells.append({name: calc_record[name] for name in JSON_CELL_FIELDS})
        rows.append([first.weight_text(), *cells])
        records.append(record)
        json_rows.append(
            {
                "weight": Measure(row.weight.kg, "kg"),
                "weight_entered": Measure(row.weight.value, row.weight.unit.symbol),
                "cells": json_cells,
            }
        )
    notes = _notes(grid, round_to_pump, any_flag)
    first_calc = grid.rows[0].cells[0].calculation
    document = {
        "command": "chart",
        "unit": str(grid.unit),
        "concentration": first_calc.machine["concentration"],
        "pump_resolution": Measure(grid.pump_resolution, "mL/h"),
        "cells_show": "pump_rate_rounded" if round_to_pump else "pump_rate",
        "doses": [Measure(d.value, str(d.unit)) for d in grid.doses],
        "rows": json_rows,
        "warnings": list(grid.warnings),
    }
    return View(
        headers=headers,
        rows=rows,
        document=document,
        csv_fields=list(records[0]),
        records=records,
        title=f"Pump rate (mL/h) by weight and dose, {first_calc.concentration_text()}",
        numeric_columns=set(range(len(headers))),
        notes=notes,
        measure_fields={"weight", "weight_entered"},
    )


def _notes(grid: Any, round_to_pump: bool, any_flag: bool) -> list[str]:
    """Under the chart: the rounding policy, and what a flagged cell means."""
    from infuse_calc.notation import format_number

    resolution = format_number(grid.pump_resolution)
    if round_to_pump:
        policy = (
            f"Pump rates in mL/h, rounded to {resolution} mL/h (the pump resolution), halves "
            "away from zero; exact values in --format json/csv."
        )
    else:
        policy = (
            "Pump rates in mL/h, exact to 5 significant figures (halves away from zero), not "
            f"rounded to the pump resolution ({resolution} mL/h); exact values in "
            "--format json/csv."
        )
    notes = [policy]
    if any_flag:
        notes.append(
            f"{FLAG} Check this cell: at the pump resolution the dose changes by more than 5%, "
            "or the rate rounds to 0, is above the pump's maximum or gives more than the daily "
            "volume limit (see the warnings)."
        )
    return notes
