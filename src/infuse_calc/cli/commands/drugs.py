"""``infuse-calc drugs``: the drug library in effect: list, search and show entries."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import click

from infuse_calc.cli.commands import CONTEXT_SETTINGS
from infuse_calc.cli.params import output_options

LIBRARY_HELP = (
    "Drug library TOML file over the built-in one (default: $INFUSE_CALC_LIBRARY, then the "
    "user config directory's drug-library.toml if there is one)."
)
LIST_FIELDS = [
    "name",
    "key",
    "aliases",
    "dose_unit",
    "concentrations",
    "population",
    "basis",
    "library",
    "source",
]
SHOW_FIELDS = [
    "name",
    "label",
    "concentration",
    "per_ml",
    "published",
    "basis",
    "reference",
    "dose_unit",
    "dose_unit_source",
    "library",
]


def library_option(f: Any) -> Any:
    return click.option(
        "--library", "library_path", type=click.Path(dir_okay=False), help=LIBRARY_HELP
    )(f)


@click.group("drugs", context_settings=CONTEXT_SETTINGS)
def command() -> None:
    """The drug library in effect: built-in standard concentrations, and your library.

    The built-in entries are the ASHP Standardize 4 Safety adult continuous infusion
    standards (version 1.01) and, where those could not be read, the concentrations of
    premixed products from their FDA labels, each marked with its source. They carry no
    dose limits. Reference data to learn and check with: verify against your
    institution's library. A library file (--library) extends or overrides them by name.

    \b
    Examples:
      infuse-calc drugs list
      infuse-calc drugs search vaso
      infuse-calc drugs show norepinephrine --format json
    """


@command.command("list", context_settings=CONTEXT_SETTINGS)
@library_option
@output_options
def list_command(library_path: str | None, fmt: str | None, output: str | None) -> None:
    """Every drug: name, aliases, dosing unit, standard concentrations and library.

    \b
    Examples:
      infuse-calc drugs list
      infuse-calc drugs list --format csv -o drugs.csv
    """
    library = _load(library_path, output)
    _emit(list_view(library, list(library.drugs)), fmt, output, library.uses_builtin)


@command.command("search", context_settings=CONTEXT_SETTINGS)
@click.argument("text")
@library_option
@output_options
def search_command(
    text: str, library_path: str | None, fmt: str | None, output: str | None
) -> None:
    """Drugs whose name, tall-man name or an alias contains TEXT (any case).

    \b
    Examples:
      infuse-calc drugs search vaso
      infuse-calc drugs search levophed --format json
    """
    if not text.strip():
        raise click.BadParameter("give some text to search for", param_hint="'TEXT'")
    library = _load(library_path, output)
    found = library.search(text)
    view = list_view(library, found)
    view.document["search"] = text
    if not found:
        view.notes.insert(0, f"No drug name or alias contains {text.strip()!r}.")
    _emit(view, fmt, output, library.uses_builtin)


@command.command("show", context_settings=CONTEXT_SETTINGS)
@click.argument("name")
@library_option
@output_options
def show_command(name: str, library_path: str | None, fmt: str | None, output: str | None) -> None:
    """Everything about one drug: every standard concentration (as published, with its
    label), the dosing unit, limits, the sources, and which library each field came from.

    \b
    Examples:
      infuse-calc drugs show DOPamine
      infuse-calc drugs show Levophed --format json
    """
    from infuse_calc.library import BUILTIN

    library = _load(library_path, output)
    drug = library.find(name)
    builtin = BUILTIN in (drug.origins.get("concentrations"), drug.origins.get("dose_unit"))
    _emit(show_view(library, drug), fmt, output, builtin)


def _load(library_path: str | None, output: str | None) -> Any:
    from infuse_calc.cli.params import load_library
    from infuse_calc.formats.files import refuse_overwriting_input

    library = load_library(library_path)
    refuse_overwriting_input(output, list(library.files))
    return library


def _emit(view: Any, fmt: str | None, output: str | None, builtin: bool) -> None:
    """Emit ``view``, saying it is reference data when built-in data are in it."""
    from infuse_calc.formats.output import choose_format, emit
    from infuse_calc.library import REFERENCE_NOTICE

    if builtin:
        view.document["reference_notice"] = REFERENCE_NOTICE
        view.notes.append(f"Note: {REFERENCE_NOTICE}.")
        if choose_format(fmt, output) == "csv":
            click.echo(f"Note: {REFERENCE_NOTICE}", err=True)
    emit(view, fmt, output)


def _concentrations_text(drug: Any) -> str:
    from infuse_calc.library_choice import labelled, written

    if len(drug.concentrations) == 1:
        return written(drug.concentrations[0].concentration)
    return labelled(drug.concentrations)


def _basis(drug: Any) -> str:
    return ", ".join(dict.fromkeys(c.basis for c in drug.concentrations if c.basis))


def list_view(library: Any, drugs: list[Any]) -> Any:
    """One row per drug."""
    from infuse_calc.formats.output import View

    rows = [
        [d.name, ", ".join(d.aliases), str(d.dose_unit), _concentrations_text(d), d.library]
        for d in drugs
    ]
    records = [
        {
            "name": d.name,
            "key": d.key,
            "aliases": list(d.aliases),
            "dose_unit": str(d.dose_unit),
            "concentrations": [c.text for c in d.concentrations],
            "population": d.population,
            "basis": _basis(d),
            "library": d.library,
            "source": d.source,
        }
        for d in drugs
    ]
    document = {
        "libraries": list(library.in_effect),
        "drugs": [drug_json(d) for d in drugs],
    }
    return View(
        headers=["Drug", "Aliases", "Dosing unit", "Standard concentrations", "Library"],
        rows=rows,
        document=document,
        csv_fields=LIST_FIELDS,
        records=records,
        notes=[f"Libraries in effect: {library.describe()}."],
    )


def show_view(library: Any, drug: Any) -> Any:
    """One row per field, with the library it came from."""
    from infuse_calc.formats.output import View
    from infuse_calc.library import BUILTIN

    origin = drug.origins.get
    rows: list[list[str]] = [
        ["Drug", drug.name, origin("entry", "")],
        ["Aliases", ", ".join(drug.aliases) or "-", origin("aliases", "")],
        ["Population", drug.population or "-", origin("population", "")],
    ]
    unit_text = str(drug.dose_unit)
    if drug.dose_unit_source:
        unit_text += f"; source: {drug.dose_unit_source}"
    elif origin("dose_unit") == BUILTIN:
        unit_text += "; source: not confirmed by a source consulted"
    rows.append(["Dosing unit", unit_text, origin("dose_unit", "")])
    records = []
    for index, standard in enumerate(drug.concentrations):
        item = concentration_json(standard, index)
        text = f"{item['per_ml_text']} ({', '.join(item['labels'])})"
        if standard.basis:
            text += f"; {standard.basis}, {standard.reference}"
        if standard.published:
            text += f"; published: {standard.published}"
        rows.append(["Concentration", text, origin("concentrations", "")])
        records.append(
            {
                "name": drug.name,
                "label": ", ".join(item["labels"]),
                "concentration": standard.text,
                "per_ml": item["per_ml"],
                "published": standard.published,
                "basis": standard.basis,
                "reference": standard.reference,
                "dose_unit": str(drug.dose_unit),
                "dose_unit_source": drug.dose_unit_source,
                "library": origin("concentrations", ""),
            }
        )
    if not drug.concentrations:
        rows.append(["Concentration", "none: give --concentration", origin("concentrations", "")])
    limits = ", ".join(f"{k.replace('_', ' ')} {d.text}" for k, d in drug.limits.items())
    limits = limits or "none (only a library you give has limits)"
    rows.append(["Limits", limits, origin("limits", "")])
    for area in drug.areas:
        _, area_limits = drug.for_area(area)
        shown = ", ".join(f"{k.replace('_', ' ')} {d.text}" for k, d in area_limits.items())
        rows.append([f"Area {area}", shown or "-", origin("limits", "")])
    rows.append(["Source", drug.source or "-", origin("source", "")])
    document = {"libraries": list(library.in_effect), "drug": drug_json(drug)}
    return View(
        headers=["Field", "Value", "From"],
        rows=rows,
        document=document,
        csv_fields=SHOW_FIELDS,
        records=records,
        measure_fields={"per_ml"},
        notes=[f"Libraries in effect: {library.describe()}."],
    )


def concentration_json(standard: Any, index: int) -> dict[str, Any]:
    """A standard concentration with its amount per mL (exact, via the dosing engine)."""
    from infuse_calc.dosing import calculate
    from infuse_calc.quantities import HOUR, Dose, RateUnit

    conc = standard.concentration
    # the concentration as the engine shows it, for a nominal 1 amount/h dose
    calc = calculate(Dose(Fraction(1), RateUnit(conc.amount_unit, HOUR)), None, conc)
    return {
        "text": standard.text,
        "labels": list(standard.labels(index)),
        "label": standard.label or None,
        "per_ml": calc.machine["concentration"],  # machine output: one unit per kind
        "per_ml_text": calc.concentration_text(),
        "published": standard.published or None,
        "basis": standard.basis or None,
        "reference": standard.reference or None,
    }


def drug_json(drug: Any) -> dict[str, Any]:
    """The machine-readable entry: every field, and the library each came from."""
    from infuse_calc.dosing import Measure

    concentrations = []
    for index, standard in enumerate(drug.concentrations):
        item = concentration_json(standard, index)
        del item["per_ml_text"]
        concentrations.append(item)
    return {
        "name": drug.name,
        "key": drug.key,
        "aliases": list(drug.aliases),
        "population": drug.population or None,
        "dose_unit": str(drug.dose_unit),
        "dose_unit_source": drug.dose_unit_source or None,
        "concentrations": concentrations,
        "limits": {k: Measure(d.value, str(d.unit)) for k, d in drug.limits.items()},
        "limits_source": drug.limits.source or None,
        "areas": list(drug.areas),
        "source": drug.source or None,
        "library": drug.library,
        "origins": {k: v for k, v in drug.origins.items() if k != "entry"},
    }
