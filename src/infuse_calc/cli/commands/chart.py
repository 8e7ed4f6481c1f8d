"""``infuse-calc chart``: a bedside chart of pump rates, weights by doses."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import click

from infuse_calc.cli.commands import infuse_command
from infuse_calc.cli.figure_options import lb_per_kg
from infuse_calc.cli.params import (
    AMOUNT,
    RATE_OR_AMOUNT_UNIT,
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
#: what JSON gives for each cell of a bolus chart
BOLUS_CELL_FIELDS = ("dose", "bolus_amount", "bolus_volume", "capped", "warnings")


@infuse_command("chart")
@click.option(
    "--doses",
    metavar="LIST",
    required=True,
    help="Dose columns: '0.05,0.1,0.2' with --unit, a range '0.05..0.3/0.05', "
    "or full doses separated by commas.",
)
@click.option(
    "--unit",
    type=RATE_OR_AMOUNT_UNIT,
    help="Unit of bare dose numbers (per kg: mcg/kg/min..., or units/kg for a bolus chart).",
)
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
@click.option(
    "--max",
    "limit",
    type=AMOUNT,
    default=None,
    help="A bolus chart's maximum: '10,000 units' (capped cells are marked *).",
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
    limit: Any,
    patient: PatientChoices,
    fmt: str | None,
    output: str | None,
) -> None:
    """Print a chart of pump rates in mL/h: one row per weight, one column per dose.

    By default each cell is the rate rounded to the pump resolution (the number you set on
    the pump); --exact shows the exact rate instead. Cells where that rounding changes the
    dose by more than 5% (or rounds to 0, or exceed 999 mL/h) are marked *. JSON and CSV
    carry the exact rates.

    Doses that are amounts (80 units/kg, or 40,80 with --unit units/kg) make a bolus chart:
    each cell is the bolus volume in mL, capped at --max if given (capped cells marked *).

    \b
    Examples:
      infuse-calc chart --doses 0.05,0.1,0.2,0.3 --unit mcg/kg/min --weights 40..90/5 \\
          -c "4 mg/250 mL"
      infuse-calc chart --doses 1..5/1 --unit mcg/kg/min --weights "50,70,154 lb" \\
          -c "400 mg/250 mL"
      infuse-calc chart --doses "18 units/kg/h" --weights 60..100/10 -c "25000 units/250 mL" --exact
      infuse-calc chart --doses "80 units/kg" --weights 50..130/10 -c "1000 units/mL" \
          --max "10000 units"
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
        amounts = parse_list("--doses", doses, parse_warnings, ch.MAX_CHART_DOSES, amounts=True)
        chosen = common_unit(amounts, unit_value, extras.default_unit(amounts, unit_value))
        cap = None if limit is None else limit[:2]
        grid = ch.build_chart(
            [a.value for a in amounts], chosen, rows, concentration, pump_resolution, limits, cap
        )
    extras.check_calculations([cell.calculation for row in grid.rows for cell in row.cells])
    warn_all(
        warnings_of(weight, concentration),
        unit_warnings,
        parse_warnings,
        [] if limit is None else limit[2],
        grid.warnings,
        extras.warnings,
    )
    from infuse_calc.formats.output import emit

    view = bolus_view(grid) if grid.bolus else chart_view(grid, round_to_pump)
    emit(extras.annotate(view), fmt, output)


def column_name(dose: Any, rounded: bool = False) -> str:
    """The CSV column of one dose: ``dose_0.05_mcg/kg/min_pump_rate_mL/h`` (exact rate), or
    with ``rounded`` ``dose_0.05_mcg/kg/min_pump_rate_rounded_mL/h`` (the pump setting)."""
    from infuse_calc.notation import format_exact

    field = "pump_rate_rounded" if rounded else "pump_rate"
    return f"dose_{format_exact(dose.value, separators=False)}_{dose.unit}_{field}_mL/h"


def chart_view(grid: Any, round_to_pump: bool = True) -> Any:
    """The :class:`~infuse_calc.formats.output.View` of a :class:`~infuse_calc.chart.Chart`."""
    from infuse_calc.dosing import Measure
    from infuse_calc.notation import format_exact, format_number

    def text(cell: Any) -> str:
        if round_to_pump:
            return format_exact(cell.pump_setting.value)
        return format_number(cell.pump_rate.value)

    def json_cell(calc: Any) -> dict[str, Any]:
        record = calc.record()
        return {name: record[name] for name in JSON_CELL_FIELDS}

    def values(dose: Any, cell: Any) -> dict[str, Fraction]:
        return {
            column_name(dose): cell.pump_rate.value,
            column_name(dose, rounded=True): cell.pump_setting.value,
        }

    grid_parts = _grid(grid, text, values, json_cell)
    first_calc = grid.rows[0].cells[0].calculation
    document = {
        "command": "chart",
        "unit": str(grid.unit),
        "concentration": first_calc.machine["concentration"],
        "pump_resolution": Measure(grid.pump_resolution, "mL/h"),
        "cells_show": "pump_rate_rounded" if round_to_pump else "pump_rate",
    }
    title = f"Pump rate (mL/h) by weight and dose, {first_calc.concentration_text()}"
    notes = _notes(grid, round_to_pump, grid_parts[3])
    return _chart(grid, grid_parts, document, title, notes)


def _grid(
    grid: Any,
    text: Callable[[Any], str],
    values: Callable[[Any, Any], dict[str, Fraction]],
    json_cell: Callable[[Any], dict[str, Any]],
) -> tuple[list[list[str]], list[dict[str, Any]], list[dict[str, Any]], bool]:
    """A chart's human rows (each cell's ``text``, flagged cells marked), CSV records (the
    ``values`` of each dose and cell, by column) and JSON rows (``json_cell`` of each
    calculation); and whether any cell is flagged."""
    from infuse_calc.dosing import Measure

    any_flag = any(cell.flagged for row in grid.rows for cell in row.cells)
    rows: list[list[str]] = []
    records: list[dict[str, Any]] = []
    json_rows: list[dict[str, Any]] = []
    for row in grid.rows:
        cells: list[str] = []
        record: dict[str, Any] = {
            "weight": Measure(row.weight.kg, "kg"),
            "weight_entered": Measure(row.weight.value, row.weight.unit.symbol),
        }
        for dose, cell in zip(grid.doses, row.cells, strict=True):
            shown = text(cell)
            cells.append(shown + (FLAG if cell.flagged else " ") if any_flag else shown)
            record |= values(dose, cell)
        rows.append([row.cells[0].calculation.weight_text(), *cells])
        records.append(record)
        json_rows.append(
            {
                "weight": Measure(row.weight.kg, "kg"),
                "weight_entered": Measure(row.weight.value, row.weight.unit.symbol),
                "cells": [json_cell(cell.calculation) for cell in row.cells],
            }
        )
    return rows, records, json_rows, any_flag


def _chart(
    grid: Any, parts: tuple[Any, ...], document: dict[str, Any], title: str, notes: list[str]
) -> Any:
    """The view of a chart from its :func:`_grid` parts and its own document fields."""
    from infuse_calc.dosing import Measure
    from infuse_calc.formats.output import View
    from infuse_calc.notation import format_exact_quantity

    rows, records, json_rows, _ = parts
    headers = ["Weight"] + [format_exact_quantity(d.value, d.unit) for d in grid.doses]
    document |= {
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
        title=title,
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


def bolus_view(grid: Any) -> Any:
    """The view of a bolus chart: the volume (mL) of each dose at each weight."""
    from infuse_calc.notation import format_exact, format_number, format_quantity

    def column(dose: Any) -> str:
        return f"dose_{format_exact(dose.value, separators=False)}_{dose.unit}_bolus_volume_mL"

    def json_cell(calc: Any) -> dict[str, Any]:
        record = calc.record()
        return {name: record[name] for name in BOLUS_CELL_FIELDS}

    parts = _grid(
        grid,
        lambda cell: format_number(cell.volume.value),
        lambda dose, cell: {column(dose): cell.volume.value},
        json_cell,
    )
    notes = ["Bolus volumes in mL, to 5 significant figures; exact values in --format json/csv."]
    if parts[3]:
        notes.append(f"{FLAG} Check this cell: capped at the maximum (see the warnings).")
    limit = grid.limit
    first = grid.rows[0].cells[0].calculation
    document = {
        "command": "chart",
        "unit": str(grid.unit),
        "concentration": first.machine["concentration"],
        # in its machine unit, as every cell's max_amount (docs/json.md)
        "max_amount": None if first.given is None else first.given.limit,
        "cells_show": "bolus_volume",
    }
    conc = grid.rows[0].cells[0].calculation.concentration_text()
    cap = "" if limit is None else f", at most {format_quantity(limit[0], limit[1].symbol)}"
    return _chart(
        grid, parts, document, f"Bolus volume (mL) by weight and dose, {conc}{cap}", notes
    )
