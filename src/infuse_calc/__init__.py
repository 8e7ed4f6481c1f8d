"""infuse-calc: weight-based infusion dose calculator.

The library API (no click, no rich, no I/O)::

    >>> from infuse_calc import calculate, parse_dose, parse_weight, parse_concentration
    >>> result = calculate(parse_dose("7 mcg/kg/min"), parse_weight("72"),
    ...                    parse_concentration("10 mg/mL"))
    >>> str(result.per_hour)
    '30.24 mg/h'

Figures are exact rationals (:class:`fractions.Fraction`) computed by pint; rounding
happens only when a figure is formatted for display (see :mod:`infuse_calc.notation`).
Heavy modules are imported lazily so that ``infuse-calc --help`` never loads pint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "calculate": "infuse_calc.dosing",
    "Calculation": "infuse_calc.dosing",
    "Measure": "infuse_calc.dosing",
    "parse_dose": "infuse_calc.quantities",
    "parse_weight": "infuse_calc.quantities",
    "parse_concentration": "infuse_calc.quantities",
    "parse_rate_unit": "infuse_calc.quantities",
    "InfuseCalcError": "infuse_calc.errors",
    "InputError": "infuse_calc.errors",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:
    from infuse_calc.dosing import Calculation as Calculation
    from infuse_calc.dosing import Measure as Measure
    from infuse_calc.dosing import calculate as calculate
    from infuse_calc.errors import InfuseCalcError as InfuseCalcError
    from infuse_calc.errors import InputError as InputError
    from infuse_calc.quantities import parse_concentration as parse_concentration
    from infuse_calc.quantities import parse_dose as parse_dose
    from infuse_calc.quantities import parse_rate_unit as parse_rate_unit
    from infuse_calc.quantities import parse_weight as parse_weight


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'infuse_calc' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
