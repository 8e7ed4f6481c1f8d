"""``infuse-calc concentration``: make up a bag so that a round pump rate gives a round dose,
or state a concentration in its clearest units."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import click

from infuse_calc.cli.commands import infuse_command
from infuse_calc.cli.params import (
    DOSE,
    input_errors,
    output_options,
    warn_all,
    warnings_of,
    weight_option,
)

MEASURE_FIELDS = {
    "want",
    "rate",
    "weight",
    "volume",
    "amount",
    "concentration",
    "per_ml_per_hour",
    "check_dose",
}


@infuse_command("concentration")
@click.argument("amount", required=False)
@click.argument("volume", required=False)
@click.option("--want", type=DOSE, default=None, help="Dose wanted, e.g. '0.1 mcg/kg/min'.")
@click.option(
    "--at", "at", type=DOSE, default=None, help="Pump rate that should give it, '1 mL/h'."
)
@click.option("--volume", "bag", default=None, help="Final bag or syringe volume, e.g. '50 mL'.")
@weight_option
@output_options
def command(
    amount: str | None,
    volume: str | None,
    want: Any,
    at: Any,
    bag: str | None,
    weight: Any,
    fmt: str | None,
    output: str | None,
) -> None:
    """Work out a concentration.

    With AMOUNT and VOLUME ("4 mg" "250 mL"), or one concentration as every command reads
    it ("4 mg/250 mL", "400 mg in 250 mL of D5W"): the concentration in its clearest units.

    With --want, --at and --volume: how much drug to put in the bag so that the pump rate
    --at gives exactly the dose --want (rule-of-6 style: amount = dose x weight x volume /
    rate, exact). --weight is needed for per-kg doses.

    \b
    Examples:
      infuse-calc concentration "4 mg" "250 mL"
      infuse-calc concentration "4 mg/250 mL"
      infuse-calc concentration --want "0.1 mcg/kg/min" --at "1 mL/h" -w 3.2 --volume "50 mL"
    """
    builder = want is not None or at is not None or bag is not None
    if builder:
        if amount is not None or volume is not None:
            raise click.UsageError(
                "give either AMOUNT and VOLUME, or --want, --at and --volume, not both"
            )
        missing = [
            name for name, v in (("--want", want), ("--at", at), ("--volume", bag)) if v is None
        ]
        if missing:
            raise click.UsageError(f"the bag builder needs {', '.join(missing)} too")
        bag_volume = _parse_volume(bag or "", "'--volume'")
        view = build_view(want, at, weight, bag_volume)
        warn_all(warnings_of(want, at, weight), bag_volume[2])
    else:
        if amount is None:
            raise click.UsageError(
                'give AMOUNT and VOLUME ("4 mg" "250 mL"), a concentration ("4 mg/250 mL"), '
                "or --want, --at and --volume"
            )
        if weight is not None:
            raise click.UsageError("--weight is used only with --want")
        if volume is None:
            drug, bag_volume = _parse_concentration(amount)
        else:
            drug = _parse_amount(amount)
            bag_volume = _parse_volume(volume, "'VOLUME'")
        view = state_view(drug, bag_volume)
        warn_all(drug[2], bag_volume[2])
    from infuse_calc.formats.output import emit

    emit(view, fmt, output)


def _parse_concentration(text: str) -> tuple[tuple[Fraction, Any, list[str]], Any]:
    """``4 mg/250 mL`` (any concentration the other commands read) -> the amount and the
    volume in mL, as AMOUNT and VOLUME give them."""
    from infuse_calc import units as u
    from infuse_calc.errors import InputError
    from infuse_calc.quantities import ML, parse_concentration

    try:
        conc = parse_concentration(text)
    except InputError as error:
        try:
            _parse_amount(text)
        except click.BadParameter:
            raise click.BadParameter(
                f"{error.text!r}: {error.reason}", param_hint="'AMOUNT'"
            ) from None
        raise click.UsageError(
            f'give the volume too: "{text.strip()}" "250 mL", or one concentration such as '
            '"4 mg/250 mL"'
        ) from None
    ml = u.magnitude(u.quantity(conc.volume, u.unit(conc.volume_unit.symbol)), u.unit("mL"))
    return (conc.amount, conc.amount_unit, list(conc.warnings)), (ml, ML, [])


def _parse_amount(text: str) -> tuple[Fraction, Any, list[str]]:
    """``4 mg`` -> (4, MG, warnings)."""
    from infuse_calc.quantities import Kind

    value, unit, warnings = _number_and_unit("amount", text, "'AMOUNT'")
    if unit.kind not in (Kind.MASS, Kind.UNITS, Kind.SUBSTANCE, Kind.EQUIVALENTS):
        raise click.BadParameter(
            f"{text!r}: '{unit}' is not a drug amount; write e.g. 4 mg or 25000 units",
            param_hint="'AMOUNT'",
        )
    return value, unit, warnings


def _parse_volume(text: str, hint: str) -> tuple[Fraction, Any, list[str]]:
    """``250 mL`` -> (250, ML, warnings); litres are converted to mL by pint."""
    from infuse_calc import units as u
    from infuse_calc.quantities import ML, Kind

    value, unit, warnings = _number_and_unit("volume", text, hint)
    if unit.kind is not Kind.VOLUME:
        raise click.BadParameter(
            f"{text!r}: '{unit}' is not a volume; use mL or L", param_hint=hint
        )
    ml = u.magnitude(u.quantity(value, u.unit(unit.symbol)), u.unit("mL"))
    return ml, ML, warnings


def _number_and_unit(what: str, text: str, hint: str) -> tuple[Fraction, Any, list[str]]:
    from infuse_calc.errors import InputError
    from infuse_calc.reader import Reader

    try:
        # the reader of every quantity, so a unit reads as in any other input (USP units)
        reader = Reader(what, text)
        first = reader.peek()
        assert first is not None  # an empty text is refused by the tokenizer
        if first.kind != "number":
            from infuse_calc.body_weight import not_a_number

            raise reader.fail(not_a_number(first.text))
        value = reader.number()
        if not reader.at("word"):
            raise reader.fail("expected a number and a unit, e.g. 4 mg or 250 mL")
        unit = reader.unit("a unit")
        extra = reader.peek()
        if extra is not None:
            raise reader.fail(f"unexpected '{extra.text}' after the unit")
    except InputError as error:
        raise click.BadParameter(f"{error.text!r}: {error.reason}", param_hint=hint) from None
    return value, unit, reader.warnings


def state_view(drug: tuple[Fraction, Any, list[str]], volume: tuple[Fraction, Any, Any]) -> Any:
    """The view for ``concentration AMOUNT VOLUME``."""
    from infuse_calc.bag import machine, strength
    from infuse_calc.dosing import Measure
    from infuse_calc.formats.output import View
    from infuse_calc.notation import format_exact, format_exact_quantity

    value, unit, _ = drug
    clearest, as_typed = strength(value, unit, volume[0])
    amount = Measure(value, unit.symbol)
    vol = Measure(volume[0], "mL")
    rows = [
        ["Amount", format_exact_quantity(value, unit)],
        ["Volume", f"{format_exact(volume[0])} mL"],
        ["Concentration", str(clearest)],
    ]
    if as_typed.unit != clearest.unit:
        rows.append([f"In {as_typed.unit}", str(as_typed)])
    # machine output: the amount as typed, the strength in its kind's unit (mg/mL...)
    record = {"amount": amount, "volume": vol, "concentration": machine(clearest, unit.kind, "mL")}
    document = {**record, "concentration_in_amount_unit": as_typed}
    return View(
        headers=["", ""],
        rows=rows,
        document=document,
        csv_fields=list(record),
        records=[record],
        measure_fields=MEASURE_FIELDS,
        show_headers=False,
    )


def build_view(want: Any, at: Any, weight: Any, volume: tuple[Fraction, Any, Any]) -> Any:
    """The view for the bag builder: amount = dose x weight x volume / rate."""
    from infuse_calc.bag import machine, make_up
    from infuse_calc.dosing import Measure
    from infuse_calc.formats.output import View
    from infuse_calc.notation import format_exact, format_exact_quantity, format_number

    with input_errors():
        recipe = make_up(want, at, weight, volume[0])
    amount, clearest = recipe.amount, recipe.concentration
    each, delivered = recipe.each_ml_per_hour, recipe.check_dose
    rows = [
        [
            "Want",
            f"{format_exact_quantity(want.value, want.unit)} at "
            f"{format_exact_quantity(at.value, at.unit)}",
        ]
    ]
    if want.per_kg:
        rows.append(["Weight", f"{format_number(weight.kg)} kg"])
    rows += [
        ["Bag volume", f"{format_exact(volume[0])} mL"],
        ["Add", f"{amount} to make {format_exact(volume[0])} mL"],
        ["Concentration", str(clearest)],
        ["Each 1 mL/h", f"gives {each}"],
        ["Check", f"{format_exact_quantity(at.value, at.unit)} of {clearest} gives {delivered}"],
    ]
    record = {
        "want": Measure(want.value, str(want.unit)),
        "rate": Measure(at.value, str(at.unit)),
        "weight": Measure(weight.kg, "kg") if want.per_kg else None,
        "volume": Measure(volume[0], "mL"),
        "amount": machine(amount, want.unit.kind),  # one unit per kind (mg, units...)
        "concentration": machine(clearest, want.unit.kind, "mL"),
        "per_ml_per_hour": each,
        "check_dose": delivered,
    }
    return View(
        headers=["", ""],
        rows=rows,
        document=dict(record),
        csv_fields=list(record),
        records=[record],
        measure_fields=MEASURE_FIELDS,
        show_headers=False,
    )
