"""What a batch record holds: the computed fields, their output names, and flat rows."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from infuse_calc.dosing import GIVEN_FIELDS, MEASURE_FIELDS, RECORD_FIELDS

#: The columns a row may have that batch reads; any other column passes through.
INPUT_COLUMNS = ("dose", "weight", "concentration", "dose_unit", "pump", "drug")

#: Computed fields, in order: the keys of ``Calculation.record()``.
FIELDS = RECORD_FIELDS

#: Fields added when the rows have a ``pump`` column: the verdict of ``infuse-calc check``
#: on the rate the pump is programmed to (the keys of ``CheckResult.record()``, less the
#: order and weight, which the fields above already give). Empty for a row without a pump.
CHECK_FIELDS = (
    "match",
    "ratio",
    "difference_percent",
    "programmed_rate",
    "expected_pump_rate",
    "expected_pump_rate_rounded",
    "delivered_dose",
    "tolerance_percent",
    "allowed_difference",
    "causes",
)
CHECK_MEASURE_FIELDS = frozenset(
    {
        "programmed_rate",
        "expected_pump_rate",
        "expected_pump_rate_rounded",
        "delivered_dose",
        "allowed_difference",
    }
)

ERROR_FIELD = "error"
RESULT_PREFIX = "result_"

#: Whether each of ``FIELDS`` is a measure: the shape of a flat row, where a measure is two
#: cells (value, unit) and any other field one.
SHAPE = tuple(name in MEASURE_FIELDS for name in FIELDS)
CHECK_SHAPE = tuple(name in CHECK_MEASURE_FIELDS for name in CHECK_FIELDS)
FLAT_WIDTH = len(FIELDS) + len(MEASURE_FIELDS)
#: The cells of ``GIVEN_FIELDS`` in a flat row, which come just before the warnings: blank
#: in most rows (a rate not given over a time, not a bolus).
GIVEN_FLAT_WIDTH = len(GIVEN_FIELDS) + len(MEASURE_FIELDS.intersection(GIVEN_FIELDS))
assert FIELDS[-len(GIVEN_FIELDS) - 1 :] == (*GIVEN_FIELDS, "warnings")
CHECK_FLAT_WIDTH = len(CHECK_FIELDS) + len(CHECK_MEASURE_FIELDS)


class Figure(tuple[float, str]):
    """A computed figure as machine output carries it: ``(nearest float, unit)``.

    Built from a pair, ``Figure((30.24, "mg/h"))``: a plain tuple underneath, because a
    batch makes a dozen of these per row and tuple construction is the cheapest there is.
    """

    __slots__ = ()

    @property
    def value(self) -> float:
        return self[0]

    @property
    def unit(self) -> str:
        return self[1]

    def as_json(self) -> dict[str, Any]:
        """``{"value": ..., "unit": ...}``, like ``Measure.as_json``."""
        return {"value": self[0], "unit": self[1]}


def computed_fields(checked: bool) -> tuple[str, ...]:
    """The computed fields of a record, in order: ``FIELDS`` and, if checked, ``CHECK_FIELDS``."""
    return (*FIELDS, *CHECK_FIELDS) if checked else FIELDS


def is_measure(name: str) -> bool:
    """Whether a computed field holds a :class:`Figure` (two CSV columns)."""
    return name in MEASURE_FIELDS or name in CHECK_MEASURE_FIELDS


def output_names(input_names: Iterable[str], checked: bool = False) -> dict[str, str]:
    """Output name of each computed field and of ``error`` for rows with these columns.

    Input columns keep their names. A computed field whose name (or, for a measure, its
    CSV column ``<name>_value``/``<name>_unit``) is already an input column is written as
    ``result_<name>``: with the usual ``dose``, ``weight``, ``concentration`` and
    ``dose_unit`` columns, the computed ones are ``result_dose``, ``result_weight`` and
    ``result_concentration``.
    """
    taken = set(input_names)
    names: dict[str, str] = {}
    for name in (*computed_fields(checked), ERROR_FIELD):
        chosen = name
        while _clashes(chosen, is_measure(name), taken):
            chosen = RESULT_PREFIX + chosen
        names[name] = chosen
        taken.add(chosen)
        if is_measure(name):
            taken.update((f"{chosen}_value", f"{chosen}_unit"))
    return names


def _clashes(name: str, measure: bool, taken: set[str]) -> bool:
    if name in taken:
        return True
    return measure and (f"{name}_value" in taken or f"{name}_unit" in taken)


@functools.lru_cache(maxsize=64)
def record_keys(input_names: tuple[str, ...], checked: bool) -> tuple[str, ...]:
    """The output names of the computed fields and the error, in record order."""
    names = output_names(input_names, checked)
    return tuple(names[name] for name in (*computed_fields(checked), ERROR_FIELD))


def flatten(values: Iterable[Any], shape: tuple[bool, ...]) -> list[Any]:
    """Fields to a flat row: a measure (a Figure or ``None``) becomes two cells."""
    flat: list[Any] = []
    for value, measure in zip(values, shape, strict=True):
        if not measure:
            flat.append(value)
        elif value is None:
            flat += (None, None)
        else:
            flat += (value[0], value[1])
    return flat


def unflatten(flat: list[Any], shape: tuple[bool, ...]) -> list[Any]:
    """A flat row back to fields, each measure a :class:`Figure` (or ``None``)."""
    values: list[Any] = []
    i = 0
    for measure in shape:
        if not measure:
            values.append(flat[i])
            i += 1
        else:
            value = flat[i]
            # a value is a float or the repr of one; float() reads a repr back exactly
            values.append(None if value is None else Figure((float(value), flat[i + 1])))
            i += 2
    return values
