"""The command-line edge of ``--drug``/``--library``/``--area``, ``--height``/``--sex``/
``--dosing-weight`` and ``--drop-factor``: resolve them before a calculation, check limits
after it, and add their rows and fields to the command's view.

The options themselves are declared in :mod:`infuse_calc.cli.params` (``drug_options``,
``body_weight_options``); the maths lives in :mod:`infuse_calc.library` and
:mod:`infuse_calc.body_weight`. Any command that calls :func:`~infuse_calc.dosing.calculate`
can use this in three lines (see ``commands/convert.py``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infuse_calc.cli.params import PatientChoices

MAX_LIMIT_WARNINGS = 5  # a chart can hold hundreds of doses; a few lines say enough


class Extras:
    """What the drug library, dosing weight and drop factor add to one calculation."""

    __slots__ = (
        "applied",
        "area",
        "delivered_limits",
        "dose_unit",
        "dosing",
        "drip_rate",
        "drop_factor",
        "library",
        "notes",
        "pump_rate",
        "warnings",
    )

    def __init__(self, dosing: Any = None, area: str | None = None) -> None:
        self.dosing = dosing  # body_weight.DosingWeight
        self.library: Any = None  # library.Library
        self.applied: Any = None  # library.Applied
        self.area = area
        self.warnings: list[str] = []
        self.notes: list[str] = []  # printed as they arise, kept for JSON
        self.delivered_limits: Any = None  # library.LimitCheck for a reverse calculation
        self.drop_factor: int | None = None
        self.drip_rate: Any = None  # dosing.Measure in gtt/min
        self.dose_unit: Any = None  # quantities.RateUnit: the drug's, to show a dose in it too
        self.pump_rate: Any = None  # dosing.Measure in mL/h that the drip rate comes from

    def note(self, *messages: str | None) -> None:
        """Print each message once on stderr (``Note: ...``) and keep it for JSON."""
        import click

        for message in messages:
            if message and message not in self.notes:
                self.notes.append(message)
                click.echo(f"Note: {message}", err=True)

    def finish(self, calc: Any, drop_factor: str | int | None = None) -> None:
        """After the calculation: limits on a delivered dose, and the drip rate."""
        if self.applied is not None and calc.direction == "reverse" and calc.dose_rate:
            from infuse_calc.library import check_delivered

            weight = None if calc.weight is None else calc.weight.kg
            self.delivered_limits = check_delivered(
                self.library, self.applied.drug, self.area, calc.dose_rate, weight
            )
            self.warnings.extend(self.delivered_limits.messages)
        if drop_factor is not None and calc.pump_rate is not None:
            # The drip-rate rule lives in the core (one rule for convert and practice).
            from infuse_calc.drip import drip_rate

            self.drop_factor = int(drop_factor)
            self.drip_rate = drip_rate(calc.pump_rate.value, self.drop_factor)
            self.pump_rate = calc.pump_rate

    def check_calculations(self, calcs: list[Any]) -> None:
        """Check every dose of a ladder or chart against the library (hard breach: error).

        Soft breaches become warnings; a volume-rate row is checked by the dose it delivers.
        """
        if self.applied is None:
            return
        from infuse_calc.library import UNCHECKED_AMOUNT, check_delivered, check_limits

        worst = None
        messages: list[str] = []
        for calc in calcs:
            weight = None if calc.weight is None else calc.weight.kg
            drug = self.applied.drug
            if calc.dose.is_bolus or calc.dose.is_timed:  # the limits are for rates
                self.note(UNCHECKED_AMOUNT)
                continue
            if not calc.dose.is_volume_rate:
                result = check_limits(self.library, drug, self.area, calc.dose, weight)
            elif calc.dose_rate is not None:
                result = check_delivered(self.library, drug, self.area, calc.dose_rate, weight)
            else:
                continue
            messages.extend(m for m in result.messages if m not in messages)
            if worst is None or (worst.status == "within" and result.status != "within"):
                worst = result
        shown = messages[:MAX_LIMIT_WARNINGS]
        if len(messages) > len(shown):
            shown.append(f"... and {len(messages) - len(shown)} more doses outside soft limits")
        self.warnings.extend(shown)
        self.delivered_limits = worst

    def default_unit(self, amounts: list[Any], unit: Any) -> Any:
        """The unit for doses typed without one (titrate, chart): the drug's dosing unit when
        a source confirms it (a note says so), else ``None`` (the doses need a unit)."""
        if self.applied is None or unit is not None:
            return None
        if all(getattr(a, "unit", None) is not None for a in amounts):
            return None
        from infuse_calc.errors import InfuseCalcError
        from infuse_calc.library_choice import unitless_dose_unit

        try:
            chosen, message = unitless_dose_unit(self.applied.drug)
        except InfuseCalcError as error:
            import click

            raise click.UsageError(str(error)) from None
        self.note(message)
        return chosen

    def in_dose_unit(self, dose: Any, weight: Any) -> Any:
        """``dose`` in the drug's dosing unit (a Measure) when it was typed in another one,
        for commands whose own view does not show it (check); else ``None``."""
        if self.dose_unit is None or dose.is_volume_rate:
            return None
        from infuse_calc.dosing import Measure
        from infuse_calc.library_limits import dose_in

        kg = None if weight is None else weight.kg
        return Measure(dose_in(dose, self.dose_unit, kg), str(self.dose_unit))

    def drug_document(self) -> dict[str, Any] | None:
        """The JSON ``drug_library`` field: the entry used, how the concentration was chosen
        and where the data come from."""
        applied = self.applied
        if applied is None:
            return None
        from infuse_calc.library import REFERENCE_NOTICE

        drug = applied.drug
        return {
            "drug": drug.name,
            "library": drug.library,
            "libraries": list(self.library.in_effect),
            "dose_unit": str(drug.dose_unit),
            "concentration": applied.choice.as_json() if applied.choice else None,
            "source": drug.source,
            "reference_notice": REFERENCE_NOTICE if applied.builtin else None,
            "notes": list(self.notes),
        }

    def annotate(self, view: Any) -> Any:
        """For table views (one row per dose): notes under the table and JSON fields."""
        if self.applied is not None:
            where = self._where() or f" (library {self.applied.drug.library})"
            view.notes.append(f"Drug: {self.applied.drug.name}{where}")
            view.document["drug"] = self.applied.drug.name
            view.document["drug_library"] = self.drug_document()
        if self.limits is not None:
            view.notes.append(f"Limits: {self.limits.summary}")
            view.document["limits"] = self.limits
        if self.dosing is not None:
            view.notes.append(f"Weight: {dosing_text(self.dosing)}")
            view.document["weight_used"] = dosing_json(self.dosing)
        return view

    def drug_label(self) -> str:
        """The drug's name, and for built-in data that they are reference data."""
        return f"{self.applied.drug.name}{self._where()}"

    def _where(self) -> str:
        """`` (built-in reference data: ...)`` for built-in data, else where it came from."""
        from infuse_calc.library import BUILTIN

        if self.applied.builtin:
            return f" ({BUILTIN} reference data: verify against your institution's library)"
        return ""

    def _explain_drip(self, view: Any) -> None:
        """With --explain, the drip step ends the chain (human notes and JSON)."""
        steps = view.document.get("explanation")
        if steps is None:
            return
        from infuse_calc.drip import explain_drip

        lines = explain_drip(self.pump_rate, self.drop_factor or 0, self.drip_rate)
        steps.extend(lines)
        view.notes.extend(f"  {line}" for line in lines)

    @property
    def limits(self) -> Any:
        if self.delivered_limits is not None:
            return self.delivered_limits
        return None if self.applied is None else self.applied.limits

    def extend(self, view: Any) -> Any:
        """Add rows (human) and fields (JSON, CSV) for whatever options were used."""
        from infuse_calc.notation import format_number

        record = view.records[0] if view.records else {}
        added: dict[str, Any] = {}
        if self.applied is not None:
            choice = self.applied.choice
            for row in view.rows:
                if row[0] == "Concentration" and choice is not None and choice.label:
                    row[1] += f" ({choice.label})"  # which standard one: "central", "second"
            view.rows.insert(0, ["Drug", self.drug_label()])
            added["drug"] = self.applied.drug.name
            view.document["drug_library"] = self.drug_document()
        if self.dosing is not None:
            for row in view.rows:
                if row[0] == "Weight":
                    row[1] = dosing_text(self.dosing)
            view.document["weight_used"] = dosing_json(self.dosing)
        if self.drip_rate is not None:
            from infuse_calc.drip import whole_drops

            whole = whole_drops(self.drip_rate.value)
            text = (
                f"{format_number(whole)} gtt/min ({self.drop_factor} gtt/mL set; exact "
                f"{self.drip_rate})"
            )
            typed = next((row for row in view.rows if row[0] == "Drip rate"), None)
            if typed is not None:  # the drip rate was the dose: its row says so
                typed[1] = f"{self.drip_rate} ({self.drop_factor} gtt/mL set)"
            else:
                pump_labels = ("Pump rate", "Exact rate", "Set pump to")
                position = max(
                    (i + 1 for i, row in enumerate(view.rows) if row[0] in pump_labels),
                    default=len(view.rows),
                )
                view.rows.insert(position, ["Drip rate", text])
                self._explain_drip(view)
            added["drip_rate"] = self.drip_rate
        if self.limits is not None:
            view.rows.append(["Limits", self.limits.summary])
            added["limits_status"] = self.limits.status
            view.document["limits"] = self.limits
        for key in ("drug", "drip_rate"):
            if key in added:
                view.document[key] = added[key]
        if added:
            record.update(added)
            view.csv_fields = [f for f in view.csv_fields if f != "warnings"] + list(added)
            if "warnings" in record:
                view.csv_fields.append("warnings")
            if "drip_rate" in added:
                view.measure_fields = set(view.measure_fields) | {"drip_rate"}
        return view


def dosing_text(dosing: Any) -> str:
    """``74.99 kg (ideal body weight (Devine); actual 100 kg; adjusted 84.994 kg)``."""
    from infuse_calc.notation import format_number

    extra = [dosing.label]
    for method, value in (
        ("actual", dosing.actual_kg),
        ("ideal", dosing.ideal_kg),
        ("adjusted", dosing.adjusted_kg),
    ):
        if method != dosing.method and value is not None:
            extra.append(f"{method} {format_number(value)} kg")
    return f"{format_number(dosing.kg)} kg ({'; '.join(extra)})"


def dosing_json(dosing: Any) -> dict[str, Any]:
    """The dosing weight, the method and the alternatives (kg), and the height (in)."""
    from infuse_calc.dosing import Measure

    def kg(value: Fraction | None) -> Any:
        return None if value is None else Measure(value, "kg")

    return {
        "method": dosing.method,
        "weight": kg(dosing.kg),
        "actual": kg(dosing.actual_kg),
        "ideal": kg(dosing.ideal_kg),
        "adjusted": kg(dosing.adjusted_kg),
        "height": None if dosing.height is None else Measure(dosing.height.inches, "in"),
        "sex": dosing.sex,
    }


def library_and_weight(
    dose: Any, weight: Any, concentration: Any, patient: PatientChoices, output: str | None = None
) -> tuple[Any, Any, Extras]:
    """Before the calculation: the dosing weight, then the library's concentration and a
    limit check of ``dose`` (hard breach: :class:`~infuse_calc.errors.LimitError`).
    ``output`` (the command's ``-o``) may not name the library file.

    Returns ``(weight, concentration, extras)`` to calculate with.
    """
    import click

    from infuse_calc.cli.params import ConcentrationLabel, load_library, resolve_dosing_weight

    weight, dosing = resolve_dosing_weight(
        weight, patient.height, patient.sex, patient.dosing_weight
    )
    extras = Extras(dosing=dosing, area=patient.area)
    if dosing is not None:
        extras.warnings.extend(dosing.warnings)
    label = concentration if isinstance(concentration, ConcentrationLabel) else None
    if patient.drug is None:
        # a library chosen once (config file, $INFUSE_CALC_LIBRARY) is no error without --drug
        ctx = click.get_current_context(silent=True)
        typed = ctx is not None and ctx.get_parameter_source("library_path") in (
            click.core.ParameterSource.COMMANDLINE,
            None,
        )
        if patient.area is not None or (patient.library_path is not None and typed):
            raise click.UsageError("--area and --library need --drug")
        if label is not None:
            raise click.BadParameter(label.reason, param_hint="'-c' / '--concentration'")
        return weight, concentration, extras
    from infuse_calc.library import REFERENCE_NOTICE, apply, dose_unit_for

    extras.library = load_library(patient.library_path)
    from infuse_calc.formats.files import refuse_overwriting_input

    refuse_overwriting_input(output, list(extras.library.files))
    kg = None if weight is None else weight.kg
    given = None if label is not None else concentration
    extras.applied = apply(extras.library, patient.drug, patient.area, dose, kg, given, label)
    extras.warnings.extend(extras.applied.warnings)
    extras.note(*extras.applied.notes)
    if dose is not None:
        extras.dose_unit, why = dose_unit_for(extras.applied.drug, dose, weight is not None)
        extras.note(why)
    if extras.applied.builtin:
        extras.note(REFERENCE_NOTICE)
    return weight, extras.applied.concentration, extras
