"""``infuse-calc convert``: a dose rate to totals and pump rate, or a pump rate to dose."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import click

from infuse_calc.cli.commands import infuse_command
from infuse_calc.cli.params import (
    RATE_UNIT,
    PatientChoices,
    concentration_option,
    output_options,
    parse_dose_words,
    patient_options,
    pump_resolution_option,
    warn_all,
    warnings_of,
    weight_option,
)
from infuse_calc.drip import DROP_FACTORS


@infuse_command("convert")
@click.argument("dose", nargs=-1, required=True, metavar="DOSE")
@weight_option
@concentration_option
@click.option(
    "--dose-unit",
    type=RATE_UNIT,
    help="Show the dose in this unit too (reverse default: mcg/kg/min or units/kg/h).",
)
@pump_resolution_option
@click.option("--explain", is_flag=True, help="Show the dimensional-analysis steps.")
@click.option(
    "--drop-factor",
    type=click.Choice([str(factor) for factor in DROP_FACTORS]),
    default=None,
    help="Gravity giving set, gtt/mL: adds the drip rate in drops per minute.",
)
@patient_options()
@output_options
def command(
    dose: tuple[str, ...],
    weight: Any,
    concentration: Any,
    dose_unit: Any,
    pump_resolution: Fraction,
    limits: Any,
    explain: bool,
    drop_factor: str | None,
    patient: PatientChoices,
    fmt: str | None,
    output: str | None,
) -> None:
    """Convert a dose rate to totals per minute, hour and day and a pump rate.

    DOSE is a rate such as 7 mcg/kg/min, 250 mcg/min or 4 mg/h (one argument or number and
    unit as separate words). A volume rate such as 3 mL/h works the other way: with
    --concentration it gives the dose the pump delivers.

    \b
    Examples:
      infuse-calc convert 7 mcg/kg/min -w 72 -c "10 mg/mL"
      infuse-calc convert 3 mL/h -w 72 -c "500 mg in 50 mL" --dose-unit mg/kg/h
      infuse-calc convert "0.1 units/kg/h" -w "154 lb" -c "100 units/100 mL" --format json
    """
    from infuse_calc.cli.patient_options import library_and_weight
    from infuse_calc.dosing import calculate
    from infuse_calc.errors import InfuseCalcError

    parsed = parse_dose_words(dose, "'DOSE'")
    target, unit_warnings = dose_unit if dose_unit is not None else (None, ())
    weight, concentration, extras = library_and_weight(
        parsed, weight, concentration, patient, output
    )
    target = target or extras.dose_unit  # --drug: the dose in the drug's dosing unit too
    try:
        calc = calculate(parsed, weight, concentration, target, pump_resolution, limits)
    except InfuseCalcError as error:
        raise click.UsageError(str(error)) from None
    extras.finish(calc, drop_factor)
    warn_all(
        warnings_of(parsed, weight, concentration), unit_warnings, extras.warnings, calc.warnings
    )
    from infuse_calc.formats.output import emit

    emit(extras.extend(convert_view(calc, explain)), fmt, output)


#: the row of the exact pump rate (a figure to check against, not to set) and the row of
#: what to set the pump to; options that add pump figures (the drip rate) go after them
EXACT_RATE = "Exact rate"
SET_PUMP = "Set pump to"


def pump_rows(calc: Any, entered_is_pump_rate: bool) -> list[list[str]]:
    """The exact rate, labelled as not settable, then what to set (one row when equal)."""
    from infuse_calc.explain import setting_text

    if calc.pump_rate is None or entered_is_pump_rate:
        return []
    if calc.pump is None:  # a volume rate typed in other units: the same rate in mL/h
        return [["Pump rate", str(calc.pump_rate)]]
    setting = [SET_PUMP, setting_text(calc.pump, calc.pump_rate)]
    if calc.pump.rate.value == calc.pump_rate.value:
        return [setting]
    return [[EXACT_RATE, f"{calc.pump_rate} (calculated: not a pump setting)"], setting]


def convert_view(calc: Any, explain: bool = False) -> Any:
    """The :class:`~infuse_calc.formats.output.View` of one calculation."""
    from infuse_calc.dosing import MEASURE_FIELDS
    from infuse_calc.explain import explain as explain_steps
    from infuse_calc.formats.output import View
    from infuse_calc.notation import format_exact_quantity

    reverse = calc.direction == "reverse"
    entered_is_pump_rate = reverse and str(calc.dose.unit) == "mL/h"
    first_label = "Dose" if not reverse else "Pump rate" if entered_is_pump_rate else "Volume rate"
    rows: list[list[str]] = [[first_label, format_exact_quantity(calc.dose.value, calc.dose.unit)]]
    if calc.weight is not None:
        rows.append(["Weight", calc.weight_text()])
    if calc.direction == "reverse" and calc.concentration_text() is not None:
        rows.append(["Concentration", calc.concentration_text()])
    if calc.dose_rate is not None and calc.direction == "reverse":
        rows.append(["Delivers", str(calc.dose_rate)])
    rows += [
        ["Per minute", str(calc.per_minute)],
        ["Per hour", str(calc.per_hour)],
        ["Per day", str(calc.per_day)],
    ]
    if calc.direction == "forward":
        if calc.dose_rate is not None:
            rows.append(["Dose as " + calc.dose_rate.unit, str(calc.dose_rate)])
        if calc.concentration_text() is not None:
            rows.append(["Concentration", calc.concentration_text()])
    rows += pump_rows(calc, entered_is_pump_rate)
    if calc.volume_per_day is not None:
        rows.append(["Volume per day", str(calc.volume_per_day)])
    record = calc.record()
    document = dict(record)
    notes: list[str] = []
    if explain:
        steps = explain_steps(calc)
        document["explanation"] = steps
        notes = ["", "How it is worked out:", *(f"  {step}" for step in steps)]
    fields = [name for name in record if name != "warnings"] + ["warnings"]
    return View(
        headers=["", ""],
        rows=rows,
        document=document,
        csv_fields=fields,
        records=[record],
        notes=notes,
        measure_fields=MEASURE_FIELDS,
        show_headers=False,
    )
