"""Which standard concentration a calculation uses, and the drug's dosing unit for a dose.

One rule each, used by every command: with several standard concentrations the first is
used and the choice is stated; a label (``second``, ``central``) or a concentration picks
another; a dose typed in another unit is also shown in the drug's dosing unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from infuse_calc import units as u
from infuse_calc.errors import IncompatibleError
from infuse_calc.library_model import BUILTIN, Drug, StandardConcentration
from infuse_calc.notation import format_exact, unit_text
from infuse_calc.quantities import Concentration, Dose, RateUnit


@dataclass(frozen=True)
class ConcentrationChoice:
    """The concentration to calculate with and how it was chosen.

    ``how`` is ``only`` (the one standard), ``first`` (the first of several, none asked
    for), ``label`` (picked by a label), ``standard`` (typed, equal to a standard one) or
    ``given`` (typed, not a standard one: a warning says so).
    """

    concentration: Concentration
    standard: StandardConcentration | None
    label: str
    how: str
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        standard = self.standard
        return {
            "text": self.concentration.text,
            "label": self.label or None,
            "chosen": self.how,
            "published": standard.published if standard else None,
            "basis": standard.basis or None if standard else None,
            "reference": standard.reference or None if standard else None,
        }


def per_ml(conc: Concentration) -> Fraction:
    """The amount per mL in the smallest unit of its kind, to compare concentrations."""
    per = f"{conc.amount_unit.symbol}/{conc.volume_unit.symbol}"
    smallest = {"mass": "ng", "units": "milliunits"}.get(conc.kind.value, conc.amount_unit.symbol)
    return conc.amount / conc.volume * u.factor(per, f"{smallest}/mL")


def written(conc: Concentration) -> str:
    """A concentration as written, in the display notation: ``25,000 units/250 mL``."""
    if conc.percent is not None:
        return f"{format_exact(conc.percent)}%"
    volume = f"{format_exact(conc.volume)} " if conc.per_volume_given else ""
    amount = format_exact(conc.amount)
    return f"{amount} {unit_text(amount, str(conc.amount_unit))}/{volume}{conc.volume_unit}"


def labelled(standards: tuple[StandardConcentration, ...], start: int = 0) -> str:
    """``1.5 mg/mL (peripheral), 3.6 mg/mL (central)``: each with the word that picks it."""
    return ", ".join(
        f"{written(s.concentration)} ({s.labels(i)[-1]})"
        for i, s in enumerate(standards[start:], start)
    )


def choose_concentration(
    drug: Drug, area: str | None, given: Concentration | None, label: str | None = None
) -> ConcentrationChoice:
    """The concentration for ``drug``: ``given``, the one picked by ``label``, or the
    library's (the first of several, with a note saying so)."""
    standards, _ = drug.for_area(area)
    if label is not None:
        return _by_label(drug, standards, label)
    if given is not None:
        wanted = per_ml(given)
        for index, standard in enumerate(standards):
            if per_ml(standard.concentration) == wanted:
                return ConcentrationChoice(given, standard, standard.labels(index)[-1], "standard")
        warnings: tuple[str, ...] = ()
        if standards:
            warnings = (
                f"{written(given)} is not a standard concentration of {drug.name} in the "
                f"library (standard: {', '.join(written(s.concentration) for s in standards)})",
            )
        return ConcentrationChoice(given, None, "", "given", (), warnings)
    if not standards:
        raise IncompatibleError(
            f"the library has no standard concentration for {drug.name}: give --concentration"
        )
    first = standards[0]
    if len(standards) == 1:
        return ConcentrationChoice(first.concentration, first, first.label, "only")
    others = labelled(standards, 1)
    label = f" ({first.label})" if first.label else ""
    note = (
        f"{drug.name} has {len(standards)} standard concentrations; using the first, "
        f"{written(first.concentration)}{label} (others: {others}; pick one with "
        f"--concentration {standards[1].labels(1)[-1]})"
    )
    return ConcentrationChoice(first.concentration, first, first.labels(0)[-1], "first", (note,))


def _by_label(
    drug: Drug, standards: tuple[StandardConcentration, ...], label: str
) -> ConcentrationChoice:
    wanted = label.strip().casefold()
    for index, standard in enumerate(standards):
        if wanted in (w.casefold() for w in standard.labels(index)):
            return ConcentrationChoice(
                standard.concentration, standard, standard.labels(index)[-1], "label"
            )
    words = [w for i, s in enumerate(standards) for w in s.labels(i)]
    known = ", ".join(words) if words else "none: it has no standard concentration"
    raise IncompatibleError(
        f"--concentration {label!r}: {drug.name} has no standard concentration called "
        f"{label.strip()!r} (labels: {known}); or give the concentration itself, e.g. 4 mg/250 mL"
    )


def dose_unit_for(drug: Drug, dose: Dose, weight_given: bool) -> tuple[RateUnit | None, str | None]:
    """The drug's dosing unit when ``dose`` is in another one (to show the dose in it too),
    or a note saying why it cannot be shown; ``(None, None)`` when nothing is to add.

    A volume rate (mL/h) delivers a dose shown in the dosing unit; per kg needs the weight.
    """
    target = drug.dose_unit
    if dose.is_bolus:  # an amount: it has no rate to show in the dosing unit
        return None, None
    if dose.unit == target or (not dose.is_volume_rate and dose.unit.kind is not target.kind):
        return None, None
    if target.per_kg and not weight_given:
        if dose.is_volume_rate:
            return RateUnit(target.amount, target.time), None
        return None, f"give --weight to show the dose in {target}, {drug.name}'s dosing unit"
    if dose.per_kg and not target.per_kg and not weight_given:
        return None, None  # a per-kg dose cannot have been calculated without the weight
    return target, None


def unitless_dose_unit(drug: Drug) -> tuple[RateUnit, str]:
    """The unit doses typed without one are read in, and the note that says so.

    Only a dosing unit confirmed by a source: an unconfirmed one could turn 18 (units/kg/h
    meant) into 18 units/h.
    """
    if not drug.dose_unit_source and drug.origins.get("dose_unit") == BUILTIN:
        raise IncompatibleError(
            f"doses without a unit: the built-in entry for {drug.name} does not confirm its "
            f"dosing unit ({drug.dose_unit}); write the unit with the dose or give --unit"
        )
    source = f" (source: {drug.dose_unit_source})" if drug.dose_unit_source else ""
    return drug.dose_unit, (
        f"doses without a unit are read as {drug.dose_unit}, {drug.name}'s dosing unit{source}"
    )
