"""The program's single pint registry, built once and lazily from ``units.txt``.

The registry is built with ``non_int_type=Fraction``: definitions such as
``pound = 0.45359237 * kilogram`` become exact rationals and so does every conversion
factor, which is why 7 mcg/kg/min for 72 kg comes out as exactly 725.76 mg/day rather than
725.7600000000001. Building it from our few definitions takes milliseconds, where pint's
default registry costs about as much again as importing pint.

Only names from ``units.txt`` are ever handed to pint (via :class:`UnitWord` symbols), never
user text.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infuse_calc.quantities import RateUnit, UnitWord


@functools.cache
def registry() -> Any:
    """The one :class:`pint.UnitRegistry` of the program (Fraction magnitudes)."""
    import pint

    ureg: Any = pint.UnitRegistry(
        None,
        cache_folder=None,
        non_int_type=Fraction,
        autoconvert_offset_to_baseunit=False,
    )
    definitions = resources.files("infuse_calc").joinpath("units.txt").read_text("utf-8")
    ureg.load_definitions(definitions.splitlines())
    return ureg


@functools.cache
def unit(symbol: str) -> Any:
    """The pint unit for one symbol from ``units.txt`` (``"mcg"``, ``"kg"``, ``"h"``...)."""
    return registry().Unit(symbol)


@functools.cache
def rate_unit(rate: RateUnit) -> Any:
    """The pint unit of a :class:`RateUnit` (``mcg/kg/min``...)."""
    return compose(str(rate))


def quantity(value: Fraction, pint_unit: Any) -> Any:
    """A pint quantity with an exact magnitude."""
    return registry().Quantity(Fraction(value), pint_unit)


def magnitude(q: Any, target: Any) -> Fraction:
    """``q`` expressed in ``target`` as an exact Fraction (pint raises if dimensions differ)."""
    value = q.to(target).magnitude
    return Fraction(value)


@functools.cache
def factor(source: str, target: str) -> Fraction:
    """The exact factor from one composed unit string to another, e.g. ("mcg/min", "mg/h")."""
    return magnitude(quantity(Fraction(1), compose(source)), compose(target))


def compose(expression: str) -> Any:
    """The pint unit of a unit string infuse-calc produced (``"mcg/kg/min"``, ``"mL/h"``)."""
    # Our own unit strings ("mcg/kg/min", "mL/h") are symbol/symbol/...; build them
    # symbol by symbol so that even these never go through pint's expression parser.
    parts = expression.split("/")
    composed = unit(parts[0])
    for part in parts[1:]:
        composed = composed / unit(part)
    return composed


def weight_in_kg(value: Fraction, weight_unit: UnitWord) -> Fraction:
    """Convert a weight to kg with pint (lb is exactly 0.45359237 kg)."""
    return magnitude(quantity(value, unit(weight_unit.symbol)), unit("kg"))
