"""``infuse-calc check``: does the programmed pump rate deliver the order?"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import click

from infuse_calc.cli.commands import infuse_command
from infuse_calc.cli.params import (
    PUMP_RATE,
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

CSV_MEASURES = {
    "order",
    "weight",
    "programmed_rate",
    "expected_pump_rate",
    "expected_pump_rate_rounded",
    "delivered_dose",
    "allowed_difference",
}


class PercentType(click.ParamType):
    """A tolerance percentage: ``5``, ``2.5`` or ``5%``; zero allowed, under 100."""

    name = "percent"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Fraction):
            return value
        from infuse_calc.errors import InputError
        from infuse_calc.quantities import parse_number

        text = str(value).strip()
        number = text.removesuffix("%").strip()
        if number == "0":
            return Fraction(0)
        try:
            percent = parse_number("tolerance", text, number, [])
        except InputError as error:
            self.fail(f"{error.text!r}: {error.reason}", param, ctx)
        if percent >= 100:
            self.fail(f"{text!r}: the tolerance must be under 100%", param, ctx)
        return percent


@infuse_command("check")
@click.argument("order", nargs=-1, required=True, metavar="ORDER")
@click.option(
    "--pump", "pump", type=PUMP_RATE, required=True, help="The rate programmed, e.g. '30.2 mL/h'."
)
@weight_option
@concentration_option
@pump_resolution_option
@click.option(
    "--tolerance",
    type=PercentType(),
    default="5",
    show_default=True,
    help="Allowed difference in percent, on top of half a pump step.",
)
@patient_options()
@output_options
def command(
    order: tuple[str, ...],
    pump: Any,
    weight: Any,
    concentration: Any,
    pump_resolution: Fraction,
    limits: Any,
    tolerance: Fraction,
    patient: PatientChoices,
    fmt: str | None,
    output: str | None,
) -> None:
    """Check a programmed pump rate against the order: MATCH or MISMATCH, and why.

    ORDER is the dose ordered, such as 7 mcg/kg/min. The pump rate it needs is worked out
    and compared with --pump; a mismatch is explained where it is a product of up to three
    common slips (10x, 100x, 1000x decimal or mcg/mg; 60x, 24x, 1440x time units; the
    weight) or their inverses, or on its own one of: pounds typed as kilograms, a double-
    or half-strength bag, the dose's number typed as the mL/h, (with --drug) a rate worked
    out for another of the drug's standard concentrations. Exit status: 0 match, 1
    mismatch (or a rate under half a pump step), 2 bad input.

    \b
    Examples:
      infuse-calc check "7 mcg/kg/min" -w 72 -c "10 mg/mL" --pump "30.2 mL/h"
      infuse-calc check "0.1 units/kg/h" -w 80 --drug insulin --pump "8 mL/h" \\
          --library examples/drug-library.toml --format json
    """
    from infuse_calc.check import check
    from infuse_calc.cli.patient_options import library_and_weight

    parsed = parse_dose_words(order, "'ORDER'", amounts=True)
    weight, concentration, extras = library_and_weight(
        parsed, weight, concentration, patient, output
    )
    applied = extras.applied
    standards = () if applied is None else applied.drug.standards(patient.area)
    given = (parsed, pump, weight, concentration, pump_resolution, tolerance, standards)
    result = check(*given, limits=limits)
    delivered_limits = None
    if applied is not None and not result.match:
        from infuse_calc.library import check_delivered

        kg = None if weight is None else weight.kg
        delivered_limits = check_delivered(
            extras.library, applied.drug, patient.area, result.delivered, kg, raise_on_hard=False
        )
    warn_all(warnings_of(parsed, pump, weight, concentration), extras.warnings, result.warnings)
    dosing = extras.dosing
    from infuse_calc.formats.output import emit

    view = check_view(result, dosing, applied, delivered_limits)
    if applied is not None:
        view.document["drug_library"] = extras.drug_document()
        view.rows[0] = ["Drug", extras.drug_label()]
        ordered = extras.in_dose_unit(parsed, weight)  # the order in the drug's dosing unit
        if ordered is not None:
            at = next(i for i, row in enumerate(view.rows) if row[0] == "Order") + 1
            view.rows.insert(at, [f"Order as {ordered.unit}", str(ordered)])
            view.document["drug_library"]["order_in_dose_unit"] = ordered
    emit(view, fmt, output)
    from infuse_calc.errors import LimitError

    # Exit 1 with the one-line Error every failed check ends with (scripts read stderr).
    if not result.settable:
        from infuse_calc.pump import cannot_set_text

        raise LimitError(
            f"the order needs {result.expected}, which {cannot_set_text(result.pump_resolution)}"
        )
    if not result.match:
        from infuse_calc.check import ratio_text

        raise LimitError(
            f"MISMATCH: the pump ({result.programmed}) is {ratio_text(result.ratio)} the order; "
            f"it should read {result.expected_rounded}"
        )


def check_view(result: Any, dosing: Any = None, applied: Any = None, delivered: Any = None) -> Any:
    """The :class:`~infuse_calc.formats.output.View` of one check."""
    from infuse_calc.check import ratio_text
    from infuse_calc.cli.patient_options import dosing_json, dosing_text
    from infuse_calc.dosing import Measure, order_text
    from infuse_calc.formats.output import View
    from infuse_calc.notation import format_number, format_percent, format_quantity

    order = result.order
    rows: list[list[str]] = []
    if applied is not None:
        rows.append(["Drug", applied.drug.name])
    rows.append(["Order", order_text(order)])
    if result.weight is not None:
        rows.append(
            [
                "Weight",
                f"{format_number(result.weight.kg)} kg" if dosing is None else dosing_text(dosing),
            ]
        )
    if result.concentration is not None:
        rows.append(["Concentration", _concentration_text(result.concentration)])
    rows.append(["Pump reads", str(result.programmed)])
    delivers = str(result.delivered)
    if order.duration is not None:  # the rate delivered, over the order's time
        total = result.delivered.value * order.duration.value
        delivers = f"{format_quantity(total, order.amount_unit)} over {order.duration}"
    rows.append(["Delivers", delivers])
    ratio = f"{ratio_text(result.ratio)} the order ({format_percent(result.difference_percent)})"
    rows.append(["Ratio", ratio])
    tolerance = (
        f"±{result.allowed_difference} (half a step + {format_number(result.tolerance_percent)}%)"
    )
    rows.append(["Tolerance", tolerance])
    verdict = "MATCH" if result.match else "MISMATCH"
    if not result.settable:
        verdict = f"CANNOT BE GIVEN at {format_number(result.pump_resolution)} mL/h steps"
    rows.append(["Result", verdict])
    if not result.match:
        if result.causes:
            rows.extend(["Likely cause", cause.text] for cause in result.causes)
        else:
            rows.append(["Likely cause", "none of the common slips: recheck every input"])
    rows.append(["Pump should read", should_read_text(result)])
    if applied is not None and applied.limits is not None:
        rows.append(["Order limits", _limits_text(applied.limits)])
    if delivered is not None:
        rows.append(["Delivered limits", _limits_text(delivered)])
    document = result.record()
    document["weight_used"] = None if dosing is None else dosing_json(dosing)
    document["drug"] = None if applied is None else applied.drug.name
    document["concentration"] = None
    if result.concentration is not None:
        conc = result.concentration
        document["concentration"] = Measure(
            conc.amount / conc.volume, f"{conc.amount_unit}/{conc.volume_unit}"
        ).to(f"{conc.amount_unit}/mL")
    document["limits"] = None if applied is None else applied.limits
    document["delivered_limits"] = delivered
    document["warnings"] = list(result.warnings) + (
        list(applied.warnings) if applied is not None else []
    )
    record = {**result.record(), "causes": [cause.text for cause in result.causes]}
    fields = [name for name in record if name != "warnings"]
    return View(
        headers=["", ""],
        rows=rows,
        document=document,
        csv_fields=fields,
        records=[record],
        measure_fields=CSV_MEASURES,
        show_headers=False,
    )


def should_read_text(result: Any) -> str:
    """``3 mL/h (nearest 0.1 mL/h step to the exact 3.024 mL/h)``; ``8 mL/h`` when the exact
    rate is a setting."""
    from infuse_calc.notation import format_number
    from infuse_calc.pump import cannot_set_text

    rounded, exact = result.expected_rounded, result.expected
    if not result.settable:
        return f"no setting: {exact} {cannot_set_text(result.pump_resolution)}"
    if rounded.value == exact.value:
        return str(rounded)
    step = format_number(result.pump_resolution)
    return f"{rounded} (nearest {step} mL/h step to the exact {exact})"


def _concentration_text(conc: Any) -> str:
    from infuse_calc.notation import format_exact, format_exact_quantity

    if conc.percent is not None:
        return f"{format_exact(conc.percent)}% w/v"
    amount = format_exact_quantity(conc.amount, conc.amount_unit)
    if conc.per_volume_given:
        return f"{amount} in {format_exact_quantity(conc.volume, conc.volume_unit)}"
    return f"{amount}/{conc.volume_unit}"


def _limits_text(check: Any) -> str:
    return str(check.summary)
