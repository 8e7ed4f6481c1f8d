"""Soft and hard limits: where a dose falls against a drug's limits (library data only).

One check for every dose a command meets: a dose typed, each rung of a ladder or cell of a
chart, and the dose a pump rate delivers (:func:`check_delivered`). Limits are compared in
the limit's own unit through pint, with the weight when one side is per kg.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from infuse_calc import units as u
from infuse_calc.errors import IncompatibleError, LimitError, MissingInputError
from infuse_calc.library_model import Drug, Library, Limits
from infuse_calc.notation import format_exact_quantity, format_quantity
from infuse_calc.quantities import Dose, RateUnit
from infuse_calc.quantities import parse_rate_unit as _parse_rate_unit
from infuse_calc.run_warnings import cite


@dataclass(frozen=True)
class LimitCheck:
    """Where a dose falls against a drug's limits."""

    drug: str
    area: str | None
    status: str  # "within", "below_soft_min", "above_soft_max", "below_hard_min", "above_hard_max"
    dose: Dose
    limits: Limits
    library: str
    messages: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """``within the limits (soft max 20 mcg/kg/min, hard max 50 mcg/kg/min)`` or
        ``ABOVE the soft maximum 20 mcg/kg/min``."""
        if self.status == "within":
            shown = ", ".join(
                f"{key.replace('_', ' ')} {format_exact_quantity(d.value, d.unit)}"
                for key, d in self.limits.items()
            )
            if not shown:
                # the built-in data carry none on purpose: limits are a hospital's decision
                return "none (dose limits come only from a library you give with --library)"
            return f"within the limits ({shown})"
        side, kind, end = self.status.split("_")
        limit = getattr(self.limits, f"{kind}_{end}")
        word = "minimum" if end == "min" else "maximum"
        return f"{side.upper()} the {kind} {word} {format_exact_quantity(limit.value, limit.unit)}"

    @property
    def soft_breach(self) -> bool:
        return self.status in ("below_soft_min", "above_soft_max")

    def as_json(self) -> dict[str, Any]:
        from infuse_calc.dosing import Measure

        return {
            "drug": self.drug,
            "area": self.area,
            "status": self.status,
            "soft_breach": self.soft_breach,
            "hard_breach": self.status in ("below_hard_min", "above_hard_max"),
            **{key: Measure(d.value, str(d.unit)).as_json() for key, d in self.limits.items()},
            "source": self.limits.source,
            "library": self.library,
            "messages": list(self.messages),
        }


def check_limits(
    library: Library,
    drug: Drug,
    area: str | None,
    dose: Dose,
    weight_kg: Fraction | None,
    raise_on_hard: bool = True,
) -> LimitCheck:
    """Compare ``dose`` with the drug's limits (via pint, in the limit's own unit).

    A hard-limit breach raises :class:`LimitError` (exit 1) unless ``raise_on_hard`` is
    false; a soft-limit breach is reported in the result's ``status`` and ``messages``.
    """
    if dose.unit.kind is not drug.dose_unit.kind:
        raise IncompatibleError(
            f"dose {dose.text or dose.unit!s} is in {dose.unit.kind.label} but the library "
            f"doses {drug.name} in {drug.dose_unit}"
        )
    _, limits = drug.for_area(area)
    where = f" ({area})" if area else ""
    # limits come only from a user's library: name the file they were read from
    origin = drug.origins.get("limits") or library.source
    status = "within"
    messages: list[str] = []
    for key, limit in limits.items():
        value = _comparable(dose, limit, weight_kg, drug.name)
        low = key.endswith("_min")
        breached = value < limit.value if low else value > limit.value
        if not breached:
            continue
        kind = key.split("_")[0]
        shown = format_quantity(value, str(limit.unit))
        described = f"{'below' if low else 'above'} the {kind} {'minimum' if low else 'maximum'}"
        same = str(dose.unit) == str(limit.unit) and dose.text
        typed = dose.text if same else f"{dose.text or shown} ({shown})"
        message = (
            f"{drug.name}{where}: dose {typed} is {described} "
            f"{format_exact_quantity(limit.value, limit.unit)}"
            f"{cite(origin, limits.source)}"
        )
        if kind == "hard":
            if raise_on_hard:
                raise LimitError(message)
            status = f"{'below' if low else 'above'}_hard_{'min' if low else 'max'}"
            messages.insert(0, message)
        elif status == "within":
            status = f"{'below' if low else 'above'}_soft_{'min' if low else 'max'}"
            messages.append(message)
    return LimitCheck(drug.name, area, status, dose, limits, origin, tuple(messages))


def _comparable(dose: Dose, limit: Dose, weight_kg: Fraction | None, name: str) -> Fraction:
    """``dose`` in the unit of ``limit``, through the weight when one is per kg."""
    if dose.per_kg != limit.per_kg and weight_kg is None:
        raise MissingInputError(
            f"the {name} limit {limit.text!r} and the dose {dose.text!r} differ in being per kg",
            "weight",
        )
    return dose_in(dose, limit.unit, weight_kg)


def dose_in(dose: Dose, unit: RateUnit, weight_kg: Fraction | None) -> Fraction:
    """``dose`` expressed in ``unit`` (exact, through pint), through the weight when one of
    them is per kg and the other not (the caller makes sure a weight is given then)."""
    if dose.per_kg == unit.per_kg:
        return dose.value * u.factor(str(dose.unit), str(unit))
    assert weight_kg is not None
    # the engine's exact factors (cached: a warm call does not import pint)
    if unit.per_kg:
        return dose.value / weight_kg * u.factor(f"{dose.unit}/kg", str(unit))
    return dose.value * weight_kg * u.factor(f"{dose.unit}*kg", str(unit))


def dose_from_measure(value: Fraction, unit: str) -> Dose:
    """A :class:`Dose` for a computed rate (e.g. what a pump delivers), to check limits."""
    rate, _ = _parse_rate_unit(unit)
    return Dose(value, rate, format_quantity(value, unit))


def check_delivered(
    library: Library,
    drug: Drug,
    area: str | None,
    delivered: Any,
    weight_kg: Fraction | None,
    raise_on_hard: bool = True,
) -> LimitCheck:
    """Check the dose a pump rate delivers (a :class:`~infuse_calc.dosing.Measure`): the one
    place a volume rate (mL/h), a reverse calculation or a mismatched pump is checked."""
    dose = dose_from_measure(delivered.value, delivered.unit)
    return check_limits(library, drug, area, dose, weight_kg, raise_on_hard)
