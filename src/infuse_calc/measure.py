"""An exact figure with its unit: what every calculation gives (:class:`Measure`)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Final

from infuse_calc import units as u
from infuse_calc.figure_units import Figure
from infuse_calc.notation import format_quantity
from infuse_calc.slots import Slots


class Measure(Slots):
    """An exact value with the unit string it is expressed in (pint-parsable). Immutable
    (``Final``, for the type checker), equal and hashed by both fields."""

    __slots__ = ("unit", "value")

    def __init__(self, value: Fraction, unit: str) -> None:
        self.value: Final = value
        self.unit: Final = unit

    def __str__(self) -> str:
        return format_quantity(self.value, self.unit)

    def to(self, target: str) -> Measure:
        """The same quantity in another unit of the same dimension (exact)."""
        return Measure(self.value * u.factor(self.unit, target), target)

    def as_json(self) -> dict[str, Any]:
        """``{"value": <nearest float>, "unit": "<unit>"}``: the scripting contract."""
        return {"value": float(self.value), "unit": self.unit}


def measure(figure: Figure) -> Measure:
    """An engine figure as a :class:`Measure`."""
    return Measure(Fraction(figure[0], figure[1]), figure[2])


def optional(figure: Figure | None) -> Measure | None:
    """An engine figure as a :class:`Measure`, or ``None``."""
    return None if figure is None else measure(figure)
