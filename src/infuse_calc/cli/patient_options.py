"""The command-line edge of ``--drug``/``--library``/``--area``, ``--height``/``--sex``/
``--dosing-weight`` and ``--drop-factor``: resolve them before a calculation, check limits
after it, and add their rows and fields to the command's view.

The options themselves are declared in :mod:`infuse_calc.cli.params` (``drug_options``,
``body_weight_options``); the maths lives in :mod:`infuse_calc.library` and
:mod:`infuse_calc.body_weight`. Any command that calls :func:`~infuse_calc.dosing.calculate`
can use this in three lines (see ``commands/convert.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infuse_calc.cli.params import PatientChoices

MAX_LIMIT_WARNINGS = 5  # a chart can hold hundreds of doses; a few lines say enough


@dataclass
class Extras:
    """What the drug library, dosing weight and drop factor add to one calculation."""

    dosing: Any = None  # body_weight.DosingWeight
    library: Any = None  # library.Library
    applied: Any = None  # library.Applied
    area: str | None = None
    warnings: list[str] = field(default_factory=list)
    delivered_limits: Any = None  # library.LimitCheck for a reverse calculation
    drop_factor: int | None = None
    drip_rate: Any = None  # dosing.Measure in gtt/min

    def finish(self, calc: Any, drop_factor: str | int | None = None) -> None:
        """After the calculation: limits on a delivered dose, and the drip rate."""
        if self.applied is not None and calc.direction == "reverse" and calc.dose_rate:
            from infuse_calc.library import check_limits, dose_from_measure

            delivered = dose_from_measure(calc.dose_rate.value, calc.dose_rate.unit)
            weight = None if calc.weight is None else calc.weight.kg
            self.delivered_limits = check_limits(
                self.library, self.applied.drug, self.area, delivered, weight
            )
            self.warnings.extend(self.delivered_limits.messages)
        if drop_factor is not None and calc.pump_rate is not None:
            from infuse_calc.bag import drip_rate

            self.drop_factor = int(drop_factor)
            self.drip_rate = drip_rate(calc.pump_rate.value, self.drop_factor)

    def check_calculations(self, calcs: list[Any]) -> None:
        """Check every dose of a ladder or chart against the library (hard breach: error).

        Soft breaches become warnings; a volume-rate row is checked by the dose it delivers.
        """
        if self.applied is None:
            return
        from infuse_calc.library import check_limits, dose_from_measure

        worst = None
        messages: list[str] = []
        for calc in calcs:
            dose = calc.dose
            if dose.is_volume_rate:
                if calc.dose_rate is None:
                    continue
                dose = dose_from_measure(calc.dose_rate.value, calc.dose_rate.unit)
            weight = None if calc.weight is None else calc.weight.kg
            result = check_limits(self.library, self.applied.drug, self.area, dose, weight)
            messages.extend(m for m in result.messages if m not in messages)
            if worst is None or (worst.status == "within" and result.status != "within"):
                worst = result
        shown = messages[:MAX_LIMIT_WARNINGS]
        if len(messages) > len(shown):
            shown.append(f"... and {len(messages) - len(shown)} more doses outside soft limits")
        self.warnings.extend(shown)
        self.delivered_limits = worst

    def annotate(self, view: Any) -> Any:
        """For table views (one row per dose): notes under the table and JSON fields."""
        if self.applied is not None:
            view.notes.append(f"Drug: {self.applied.drug.name} (library {self.library.source})")
            view.document["drug"] = self.applied.drug.name
        if self.limits is not None:
            view.notes.append(f"Limits: {self.limits.summary}")
            view.document["limits"] = self.limits
        if self.dosing is not None:
            view.notes.append(f"Weight: {dosing_text(self.dosing)}")
            view.document["weight_used"] = dosing_json(self.dosing)
        return view

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
            view.rows.insert(0, ["Drug", self.applied.drug.name])
            added["drug"] = self.applied.drug.name
        if self.dosing is not None:
            for row in view.rows:
                if row[0] == "Weight":
                    row[1] = dosing_text(self.dosing)
            added["dosing_weight"] = self.dosing.method
            view.document["weight_used"] = dosing_json(self.dosing)
        if self.drip_rate is not None:
            whole = _whole(self.drip_rate.value)
            text = (
                f"{format_number(whole)} gtt/min ({self.drop_factor} gtt/mL set; exact "
                f"{self.drip_rate})"
            )
            position = next(
                (i + 1 for i, row in enumerate(view.rows) if row[0] == "Pump rate"), len(view.rows)
            )
            view.rows.insert(position, ["Drip rate", text])
            added["drip_rate"] = self.drip_rate
        if self.limits is not None:
            view.rows.append(["Limits", self.limits.summary])
            added["limits_status"] = self.limits.status
            view.document["limits"] = self.limits
        for key in ("drug", "dosing_weight", "drip_rate"):
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


def _whole(value: Fraction) -> Fraction:
    from infuse_calc.notation import round_to_step

    return round_to_step(value, Fraction(1))


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

    from infuse_calc.cli.params import load_library, resolve_dosing_weight

    weight, dosing = resolve_dosing_weight(
        weight, patient.height, patient.sex, patient.dosing_weight
    )
    extras = Extras(dosing=dosing, area=patient.area)
    if dosing is not None:
        extras.warnings.extend(dosing.warnings)
    if patient.drug is None:
        if patient.area is not None or patient.library_path is not None:
            raise click.UsageError("--area and --library need --drug")
        return weight, concentration, extras
    from infuse_calc.library import apply

    extras.library = load_library(patient.library_path)
    from infuse_calc.formats.files import refuse_overwriting_input

    refuse_overwriting_input(output, [extras.library.source])
    kg = None if weight is None else weight.kg
    extras.applied = apply(extras.library, patient.drug, patient.area, dose, kg, concentration)
    extras.warnings.extend(extras.applied.warnings)
    return weight, extras.applied.concentration, extras
