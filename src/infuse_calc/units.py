"""The program's single pint registry, and the exact conversion factors it gives.

The registry is built with ``non_int_type=Fraction`` from ``units.txt``: definitions such as
``pound = 0.45359237 * kilogram`` become exact rationals and so does every conversion
factor, which is why 7 mcg/kg/min for 72 kg comes out as exactly 725.76 mg/day rather than
725.7600000000001.

The rest of the program asks this module for :func:`factor` (``factor("mcg/kg/min*kg",
"mg/h")`` is 3/50): pint works each one out once, and :mod:`infuse_calc.factor_cache` keeps
it between runs, so a call that asks nothing new does not import pint at all. A factor is
the same exact Fraction whichever way it arrives.

Only unit expressions this program builds from ``units.txt`` names (``mcg/kg/min``,
``mL/h*mg/mL``) are ever handed to pint, never user text. This module imports nothing from
the rest of the package but the
factor cache and the text of ``units.txt``: it is the bottom layer.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from infuse_calc.unit_definitions import definitions

if TYPE_CHECKING:  # a Protocol class costs start-up to make; the type checker alone needs it
    from typing import Protocol

    class _Named(Protocol):
        @property
        def symbol(self) -> str: ...


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
    ureg.load_definitions(definitions().decode("utf-8").splitlines())
    return ureg


@functools.cache
def unit(symbol: str) -> Any:
    """The pint unit for one symbol from ``units.txt`` (``"mcg"``, ``"kg"``, ``"h"``...)."""
    return registry().Unit(symbol)


def rate_unit(rate: object) -> Any:
    """The pint unit of a rate unit such as ``RateUnit`` (by its text, ``mcg/kg/min``)."""
    return compose(str(rate))


def quantity(value: Fraction, pint_unit: Any) -> Any:
    """A pint quantity with an exact magnitude."""
    return registry().Quantity(Fraction(value), pint_unit)


def magnitude(q: Any, target: Any) -> Fraction:
    """``q`` expressed in ``target`` as an exact Fraction (pint raises if dimensions differ)."""
    value = q.to(target).magnitude
    return Fraction(value)


@functools.cache
def compose(expression: str) -> Any:
    """The pint unit of a unit expression this program built (``"mcg/kg/min*kg"``).

    Read left to right, ``*`` and ``/`` between names from ``units.txt``; built name by name
    so that not even these go through pint's expression parser.
    """
    composed = None
    operator = "*"
    name = ""
    for char in expression + "*":
        if char not in "*/":
            name += char
            continue
        if composed is None:
            composed = unit(name)
        else:
            composed = composed * unit(name) if operator == "*" else composed / unit(name)
        operator, name = char, ""
    return composed


_FACTORS: dict[tuple[str, str], Fraction] = {}


def factor(source: str, target: str) -> Fraction:
    """The exact factor from one unit expression to another: ``factor("mcg/min", "mg/h")``
    is 3/50. pint's own figure, from memory, from the factor cache or from pint itself."""
    key = (source, target)
    value = _FACTORS.get(key)
    if value is None:
        value = _FACTORS[key] = _stored_or_computed(source, target)
    return value


def _stored_or_computed(source: str, target: str) -> Fraction:
    if source == target:
        return Fraction(1)
    from infuse_calc import factor_cache

    value = factor_cache.get(source, target)
    if value is None:
        value = pint_factor(source, target)
        factor_cache.put(source, target, value)
    return value


def pint_factor(source: str, target: str) -> Fraction:
    """The factor worked out by pint now, past every cache (tests compare the two)."""
    return magnitude(quantity(Fraction(1), compose(source)), compose(target))


def forget() -> None:
    """Drop the factors held in memory and the factor cache's state (for tests)."""
    from infuse_calc import factor_cache

    _FACTORS.clear()
    factor_cache.reset()


def weight_in_kg(value: Fraction, weight_unit: _Named) -> Fraction:
    """A weight in kg (lb is exactly 0.45359237 kg), by pint's factor."""
    return value * factor(weight_unit.symbol, "kg")
