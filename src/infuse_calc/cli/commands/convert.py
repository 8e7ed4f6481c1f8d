"""``infuse-calc convert``: a dose rate to totals and pump rate, or a pump rate to dose."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import click

from infuse_calc.cli.commands import infuse_command
from infuse_calc.cli.params import (
    AMOUNT,
    RATE_UNIT,
    START,
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
@click.option(
    "--max",
    "limit",
    type=AMOUNT,
    default=None,
    help="Cap a bolus or an amount given over a time: '10,000 units', '150 mg'.",
)
@click.option(
    "--bag",
    type=AMOUNT,
    default=None,
    help="Volume in the bag, e.g. '250 mL': how long it lasts at the pump rate.",
)
@click.option(
    "--start",
    type=START,
    default=None,
    help="When the infusion starts, '08:00' or '2026-11-30T08:00': when the bag runs out "
    "(--bag) or a dose given over a time ends.",
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
    limit: Any,
    bag: Any,
    start: Any,
    patient: PatientChoices,
    fmt: str | None,
    output: str | None,
) -> None:
    """Convert a dose rate to totals per minute, hour and day and a pump rate.

    DOSE is a rate such as 7 mcg/kg/min, 250 mcg/min or 4 mg/h (one argument or number and
    unit as separate words). A volume rate such as 3 mL/h works the other way: with
    --concentration it gives the dose the pump delivers; so does a drip rate in drops
    (30 gtt/min) with --drop-factor. An amount over a time (6 g over 20 min,
    500 mcg/kg over 1 min, 1000 mL over 8 h) gives its rate, pump rate and volume; an
    amount alone (80 units/kg) is a bolus: its amount and volume.

    \b
    Examples:
      infuse-calc convert 7 mcg/kg/min -w 72 -c "10 mg/mL"
      infuse-calc convert 3 mL/h -w 72 -c "500 mg in 50 mL" --dose-unit mg/kg/h
      infuse-calc convert "0.1 units/kg/h" -w "154 lb" -c "100 units/100 mL" --format json
      infuse-calc convert "6 g over 20 min" -c "40 g in 1000 mL"
      infuse-calc convert "80 units/kg" -w 70 -c "1000 units/mL" --max "10000 units"
      infuse-calc convert 7 mcg/kg/min -w 72 -c "10 mg/mL" --bag "250 mL" --start 08:00
    """
    from infuse_calc.cli.patient_options import library_and_weight
    from infuse_calc.dosing import calculate
    from infuse_calc.errors import InfuseCalcError

    parsed, worked, drip = _read_dose(dose, drop_factor)
    target, unit_warnings = dose_unit if dose_unit is not None else (None, ())
    weight, concentration, extras = library_and_weight(
        worked, weight, concentration, patient, output
    )
    target = target or extras.dose_unit  # --drug: the dose in the drug's dosing unit too
    try:
        calc = calculate(
            worked,
            weight,
            concentration,
            target,
            pump_resolution,
            limits,
            limit=None if limit is None else limit[:2],
            drip=drip,
        )
        timing = None if bag is None and start is None else bag_figures(calc, bag, start)
    except InfuseCalcError as error:
        raise click.UsageError(str(error)) from None
    extras.finish(calc, drop_factor)
    warn_all(
        warnings_of(parsed, weight, concentration),
        [warning for amount in (limit, bag) if amount for warning in amount[2]],
        unit_warnings,
        extras.warnings,
        calc.warnings,
        () if timing is None else timing.warnings,
    )
    from infuse_calc.formats.output import emit

    view = extras.extend(convert_view(calc, explain))
    if timing is not None:
        from infuse_calc.cli.amounts_view import add_timing

        view = add_timing(view, calc, timing)
    emit(view, fmt, output)


def _read_dose(dose: tuple[str, ...], drop_factor: str | None) -> tuple[Any, Any, Any]:
    """The dose as typed, the dose worked out (a drip rate in drops: the volume rate it is,
    read with the drop factor that makes it mL; batch, with none, refuses it in the same
    words) and the drip rate with its drop factor (``None`` unless one)."""
    parsed = parse_dose_words(dose, "'DOSE'", amounts=True, drops=drop_factor is not None)
    if drop_factor is None or not parsed.is_drip_rate:
        return parsed, parsed, None
    from infuse_calc.drip import volume_rate

    drip = (parsed, int(drop_factor))
    return parsed, volume_rate(*drip), drip


def bag_figures(calc: Any, bag: Any, start: Any) -> Any:
    """``--bag`` and ``--start`` worked out for a calculation (core: bag_time)."""
    from infuse_calc.bag_time import bag_ml, work_out

    hours = None
    if calc.given is not None and calc.given.duration is not None:
        from infuse_calc import units

        hours = calc.given.duration.value * units.factor("min", "h")
    rate = None if calc.pump_rate is None else calc.pump_rate.value
    volume = None if bag is None else bag_ml(bag)
    return work_out(volume, start, rate, hours, calc.typed_dose.is_bolus)


#: the row of the exact pump rate (a figure to check against, not to set) and the row of
#: what to set the pump to; options that add pump figures (the drip rate) go after them
EXACT_RATE = "Exact rate"
SET_PUMP = "Set pump to"


def pump_rows(calc: Any, entered_is_pump_rate: bool) -> list[list[str]]:
    """The exact rate, labelled as not settable, then what to set (one row when equal)."""
    from infuse_calc.pump import setting_text

    if calc.pump_rate is None or entered_is_pump_rate:
        return []
    if calc.pump is None:  # a volume rate typed in other units: the same rate in mL/h
        return [["Pump rate", str(calc.pump_rate)]]
    setting = [SET_PUMP, setting_text(calc.pump, calc.pump_rate, calc.delivered_text())]
    if calc.pump.rate.value == calc.pump_rate.value:
        return [setting]
    return [[EXACT_RATE, f"{calc.pump_rate} (calculated: not a pump setting)"], setting]


def convert_view(calc: Any, explain: bool = False) -> Any:
    """The :class:`~infuse_calc.formats.output.View` of one calculation."""
    if calc.given is not None:
        from infuse_calc.cli.amounts_view import given_rows

        return _view(calc, given_rows(calc, pump_rows(calc, False)), explain)
    return _view(calc, _rate_rows(calc), explain)


def _rate_rows(calc: Any) -> list[list[str]]:
    """The human rows of a rate (or a volume rate, worked backwards)."""
    reverse = calc.direction == "reverse"
    entered_is_pump_rate = reverse and str(calc.dose.unit) == "mL/h"
    first_label = "Dose" if not reverse else "Pump rate" if entered_is_pump_rate else "Volume rate"
    if calc.drip is not None:
        first_label = "Drip rate"  # the drop factor's row (patient_options) fills it in
    rows: list[list[str]] = [[first_label, calc.dose_text()]]
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
    return rows


def _view(calc: Any, rows: list[list[str]], explain: bool) -> Any:
    from infuse_calc.dosing import MEASURE_FIELDS
    from infuse_calc.formats.output import View

    record = calc.record()
    document = dict(record)
    notes: list[str] = []
    if explain:
        from infuse_calc.explain import explain as explain_steps

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
