"""Many dose calculations, one per input row, with the same figures as ``convert``.

:func:`process` takes rows (mappings of column name to cell) and yields one output record
per row, in order: the row's own columns unchanged, the fields of
:meth:`~infuse_calc.dosing.Calculation.record` and an ``error`` field (``None`` on success,
the one-line message otherwise). A bad row never stops the others.

Why there is a fast path: building a pint quantity costs far more than the arithmetic. A
batch has few distinct unit spellings, so each distinct unit text is parsed once (cached)
and each combination of units gets a :class:`Plan`: the exact conversion factors, worked
out once by pint, that :func:`~infuse_calc.dosing.calculate` would apply. A row is then
integer arithmetic on the numerators and denominators of its numbers, and each figure is
one correctly rounded ``int / int`` division, which is exactly ``float(Fraction)`` of the
value ``calculate`` computes: the JSON numbers are bit-identical to ``convert``'s.

Anything the fast path does not cover (parse warnings, calculation warnings, errors, unusual
spellings) goes through the real parsers and :func:`calculate`, so messages and warnings are
``convert``'s own text.

This module is pure: no click, no rich, no files.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from infuse_calc.dosing import (
    MEASURE_FIELDS,
    PUMP_MAX_RATE,
    RECORD_FIELDS,
    ROUNDING_WARNING_PERCENT,
    Measure,
    round_for_pump,
)
from infuse_calc.errors import InfuseCalcError, InputError
from infuse_calc.quantities import (
    KG,
    LADDERS,
    MAX_INPUT_LENGTH,
    MAX_WEIGHT_KG,
    MIN_WEIGHT_KG,
    ML,
    Concentration,
    Dose,
    Kind,
    RateUnit,
    UnitWord,
    Weight,
    parse_concentration,
    parse_dose,
    parse_rate_unit,
    parse_weight,
)

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


@dataclass(frozen=True)
class BatchOptions:
    """Settings for a whole batch.

    ``mapping`` maps a column batch reads (``dose``...) to the column that holds it in the
    input (``--map dose=rate_ordered``).
    """

    pump_resolution: Fraction = Fraction(1, 10)
    mapping: Mapping[str, str] = field(default_factory=dict)
    #: Add ``CHECK_FIELDS``: ``None`` decides per row (the row has a pump column).
    check_pump: bool | None = None
    #: The drug library for rows with a ``drug`` cell; ``None`` passes the column through.
    drugs: DrugLibrary | None = None

    def column(self, name: str) -> str:
        return self.mapping.get(name, name)


class DrugLibrary:
    """The drug library for a batch, loaded on first use (by the first row with a drug).

    ``load`` returns a :class:`~infuse_calc.library.Library` or raises; a load error is
    kept, so every row that names a drug fails with the same message and the file is read
    once. ``area`` is the care area (``--area``) for every row.
    """

    def __init__(self, load: Callable[[], Any], area: str | None = None) -> None:
        self.load = load
        self.area = area
        self._library: Any = None
        self._error: InfuseCalcError | None = None

    def get(self) -> Any:
        """The library; raises the load error (an :class:`InfuseCalcError`) for each row."""
        if self._library is None and self._error is None:
            try:
                self._library = self.load()
            except InfuseCalcError as error:
                self._error = error
        if self._error is not None:
            raise self._error
        return self._library


@dataclass
class InputRow:
    """One row as read: where it starts (``line``), its cells, and a reading problem.

    ``problem`` is set when the row could not be read cleanly (wrong number of columns,
    bytes that are not UTF-8, a JSON line that is not an object...): the row is reported
    as an error with that message, and its cells (whatever could be read) pass through.
    """

    line: int
    fields: dict[str, Any]
    problem: str | None = None


class RowError(InfuseCalcError):
    """A row that could not be calculated, with its line for ``--strict`` messages."""

    exit_code = 1  # the run started and a row failed, as for a failed check

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


# --- cells --------------------------------------------------------------------------------


def cell_text(name: str, value: Any) -> str | None:
    """The text of one cell; ``None`` for an empty or missing cell.

    JSON numbers are accepted: an integer is its digits, a float the shortest decimal that
    reads back as the same float, written out in full (``72.0`` is ``72``, ``1e-05`` is
    ``0.00001``). A float's ``.0`` is how JSON writes numbers, not a typing slip, so it gives
    no trailing-zero warning.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        raise InputError(name, str(value).lower(), "expected text or a number, not true/false")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(name, repr(value), "is not a finite number")
        text = format(Decimal(repr(value)), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    raise InputError(name, _short(value), "expected text or a number")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- fast parsing of the common spellings ---------------------------------------------------

# A number parse_number accepts without a warning (no leading dot, no trailing zero), then
# whitespace and the unit part. Anything else is left to the real parsers.
_PLAIN = re.compile(r"(0|[1-9][0-9]*)(?:\.([0-9]*[1-9]))?", re.ASCII)
# number text -> (numerator, denominator, repr of the nearest float): a figure that is the
# number itself (the dose, the weight entered) is written without another float repr.
_NUMBERS: dict[str, tuple[int, int, str] | None] = {}
_MAX_NUMBERS = 65536  # distinct number texts remembered (memory stays bounded)


def _plain_number(text: str) -> tuple[int, int] | None:
    """``"7.25"`` -> ``(725, 100)``, if parse_number reads it without a word; else ``None``."""
    match = _PLAIN.fullmatch(text)
    if match is None:
        return None
    whole, fraction = match.groups()
    if fraction is None:
        numerator, denominator = int(whole), 1
    else:
        numerator, denominator = int(whole + fraction), 10 ** len(fraction)
    if numerator == 0 or len(whole) + len(fraction or "") > 15:
        return None
    return numerator, denominator


def _number(text: str) -> tuple[int, int, str] | None:
    """:func:`_plain_number` with the float's repr, remembered in ``_NUMBERS``."""
    if len(_NUMBERS) >= _MAX_NUMBERS:
        _NUMBERS.clear()
    plain = _plain_number(text)
    value = None if plain is None else (*plain, repr(plain[0] / plain[1]))
    _NUMBERS[text] = value
    return value


@functools.lru_cache(maxsize=1024)
def _dose_unit_part(rest: str) -> RateUnit | None:
    """The rate unit of ``"<number> <rest>"`` if it parses cleanly, else ``None``."""
    try:
        dose = parse_dose("1 " + rest)
    except InfuseCalcError:
        return None
    return None if dose.warnings else dose.unit


@functools.lru_cache(maxsize=1024)
def _weight_unit_part(rest: str | None) -> tuple[UnitWord, Fraction] | None:
    """The weight unit of ``"<number> <rest>"`` and its exact size in kg (from pint)."""
    from infuse_calc.units import weight_in_kg

    if rest is None:
        return KG, Fraction(1)
    try:
        weight = parse_weight("100 " + rest)
    except InfuseCalcError:
        return None
    if weight.warnings:
        return None
    return weight.unit, weight_in_kg(Fraction(1), weight.unit)


@functools.lru_cache(maxsize=4096)
def _concentration(text: str) -> Concentration | InfuseCalcError:
    # Bags come in a few standard strengths, so whole concentration texts repeat.
    try:
        return parse_concentration(text)
    except InfuseCalcError as error:
        return error


@functools.lru_cache(maxsize=1024)
def _rate_unit(text: str) -> tuple[RateUnit, tuple[str, ...]] | InfuseCalcError:
    try:
        return parse_rate_unit(text)
    except InfuseCalcError as error:
        return error


# --- plans --------------------------------------------------------------------------------

Ladder = tuple[tuple[str, int, int], ...]  # (unit symbol, factor numerator, denominator)


@dataclass(frozen=True, slots=True)
class Plan:
    """Exact factors ``calculate`` applies for one combination of units.

    Each figure is ``dose * weight**w * concentration**c * factor``; a ladder lists the
    candidate units of one figure (the clearest is chosen per row, as ``calculate`` does).
    """

    dose_unit: str
    per_kg: bool
    forward: bool
    concentration: Ladder
    amount_c: int  # exponent of the concentration in amount rates (1 in reverse)
    per_minute: Ladder
    per_hour: Ladder
    per_day: Ladder
    volume_c: int  # exponent of the concentration in volume rates (-1 forward)
    volume: tuple[int, int, int, int] | None  # factors to mL/h and to mL/day
    dose_rate_unit: str | None
    dose_rate_per_kg: bool
    dose_rate_from_volume: bool
    dose_rate: tuple[int, int]


def _ratio(value: Fraction) -> tuple[int, int]:
    return value.numerator, value.denominator


@functools.lru_cache(maxsize=1024)
def _plan(
    dose_unit: RateUnit,
    has_weight: bool,
    concentration_units: tuple[UnitWord, UnitWord] | None,
    target: RateUnit | None,
) -> Plan | None:
    """The plan for a unit combination, or ``None`` if ``calculate`` refuses it."""
    from infuse_calc import units as u
    from infuse_calc.dosing import _default_dose_unit, calculate

    one = Fraction(1)
    dose = Dose(one, dose_unit, str(dose_unit))
    weight = Weight(one, KG, one, "1") if has_weight else None
    conc = None
    if concentration_units is not None:
        conc = Concentration(one, concentration_units[0], one, concentration_units[1], "1")
    try:
        calculate(dose, weight, conc, target)
    except InfuseCalcError:
        return None

    def ladder(quantity: Any, floor: UnitWord, per: UnitWord) -> Ladder:
        steps = [w for w in LADDERS[floor.kind] if w.rank >= floor.rank] or [floor]
        return tuple(
            (f"{w}/{per}", *_ratio(u.magnitude(quantity, u.compose(f"{w}/{per}")))) for w in steps
        )

    kg = u.quantity(one, u.unit("kg"))
    rate = u.quantity(one, u.rate_unit(dose_unit))
    if dose_unit.per_kg:
        rate = rate * kg
    conc_q = None
    conc_ladder: Ladder = ()
    if conc is not None:
        conc_q = u.quantity(one, u.unit(conc.amount_unit.symbol) / u.unit(conc.volume_unit.symbol))
        conc_ladder = ladder(conc_q, LADDERS[conc.kind][0], ML)
    forward = not dose.is_volume_rate
    volume = None
    amount_c = volume_c = 0
    if forward:
        amount, floor = rate, dose_unit.amount
        if conc_q is not None:
            volume, volume_c = rate / conc_q, -1
    else:
        volume = rate
        if conc_q is not None:
            assert conc is not None
            amount, floor, amount_c = rate * conc_q, conc.amount_unit, 1
        else:
            amount, floor = rate, ML
    chosen = target or _default_dose_unit(dose, conc, weight)
    dose_rate_unit = None
    dose_rate = (1, 1)
    if chosen is not None:
        source = volume if chosen.kind is Kind.VOLUME else amount
        if chosen.per_kg:
            source = source / kg
        dose_rate_unit = str(chosen)
        dose_rate = _ratio(u.magnitude(source, u.rate_unit(chosen)))
    volume_factors = None
    if volume is not None:
        to_hour = _ratio(u.magnitude(volume, u.compose("mL/h")))
        volume_factors = (*to_hour, *_ratio(u.magnitude(volume, u.compose("mL/day"))))
    return Plan(
        dose_unit=str(dose_unit),
        per_kg=dose_unit.per_kg,
        forward=forward,
        concentration=conc_ladder,
        amount_c=amount_c,
        per_minute=ladder(amount, floor, _time("min")),
        per_hour=ladder(amount, floor, _time("h")),
        per_day=ladder(amount, floor, _time("day")),
        volume_c=volume_c,
        volume=volume_factors,
        dose_rate_unit=dose_rate_unit,
        dose_rate_per_kg=chosen is not None and chosen.per_kg,
        dose_rate_from_volume=chosen is not None and chosen.kind is Kind.VOLUME,
        dose_rate=dose_rate,
    )


def _time(symbol: str) -> UnitWord:
    from infuse_calc.quantities import DAY, HOUR, MINUTE

    return {"min": MINUTE, "h": HOUR, "day": DAY}[symbol]


def _best(numerator: int, denominator: int, ladder: Ladder) -> Figure:
    """The clearest unit: the last whose value is at least 1, else the first."""
    best = ladder[0]
    for step in ladder[1:]:
        if numerator * step[1] >= denominator * step[2]:
            best = step
    return Figure((numerator * best[1] / (denominator * best[2]), best[0]))


# A ladder step ready for the per-row choice: (lower, upper, factor numerator, denominator,
# unit). The figure in that unit is value * n / d, which reaches 1 at value = d / n; lower and
# upper bracket that threshold as floats, so a float comparison decides every value but those
# within a hair of it, which the integers then settle exactly.
_Step = tuple[float, float, int, int, str]
_Choice = tuple[tuple[_Step, ...], tuple[int, int, str]]  # larger units first; the first unit


def _choice(ladder: Ladder) -> _Choice:
    steps = []
    for unit, n, d in reversed(ladder[1:]):
        threshold = d / n
        steps.append((threshold * (1 - 1e-9), threshold * (1 + 1e-9), n, d, unit))
    symbol, n, d = ladder[0]
    return tuple(steps), (n, d, symbol)


# --- one row ------------------------------------------------------------------------------


class _Cells(NamedTuple):
    dose: str | None
    weight: str | None
    concentration: str | None
    dose_unit: str | None


#: Whether each of ``FIELDS`` is a measure: the shape of a flat row (see :func:`_flat_row`).
_SHAPE = tuple(name in MEASURE_FIELDS for name in FIELDS)
_CHECK_SHAPE = tuple(name in CHECK_MEASURE_FIELDS for name in CHECK_FIELDS)
FLAT_WIDTH = len(FIELDS) + len(MEASURE_FIELDS)
CHECK_FLAT_WIDTH = len(CHECK_FIELDS) + len(CHECK_MEASURE_FIELDS)


def _flatten(values: Iterable[Any], shape: tuple[bool, ...]) -> list[Any]:
    flat: list[Any] = []
    for value, measure in zip(values, shape, strict=True):
        if not measure:
            flat.append(value)
        elif value is None:
            flat += (None, None)
        else:
            flat += (value[0], value[1])
    return flat


def _unflatten(flat: list[Any], shape: tuple[bool, ...]) -> list[Any]:
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


class _Run:
    """Per-batch settings and caches for :func:`_fast_row`."""

    __slots__ = ("res_d", "res_n", "res_text", "resolution", "rounded")

    def __init__(self, resolution: Fraction) -> None:
        self.resolution = resolution
        self.res_n = resolution.numerator
        self.res_d = resolution.denominator
        self.res_text = repr(self.res_n / self.res_d)
        # steps of the rounded pump rate -> its repr: pump rates repeat a lot
        self.rounded: dict[int, str] = {}


def _flat_row(cells: _Cells, run: _Run) -> list[Any]:
    """The computed fields of a row, flat: a measure is two cells, value then unit.

    A value is a float or the ``repr`` of one (machine output writes a float as its repr).
    """
    fast = _fast_row(cells[0], cells[1], cells[2], cells[3], run)
    if fast is not None:
        return fast
    return _flatten(_slow_row(cells, run.resolution), _SHAPE)


@dataclass(frozen=True, slots=True)
class _Setup:
    """Everything about a row that depends only on its unit texts, worked out once."""

    plan: Plan
    dose_unit: RateUnit
    weight_symbol: str | None
    kg: tuple[int, int] | None  # the weight unit's size in kg; None when it is kg
    concentration: tuple[int, int] | None  # amount per volume, in the units of plan
    concentration_cells: tuple[str | None, str | None]
    choices: tuple[_Choice, _Choice, _Choice]  # per minute, per hour, per day


_SETUPS: dict[tuple[str, str | None, str | None, str | None], _Setup | None] = {}
_MAX_SETUPS = 4096  # distinct unit combinations remembered (memory stays bounded)
_MIN_KG = (MIN_WEIGHT_KG.numerator, MIN_WEIGHT_KG.denominator)
_MAX_KG = (MAX_WEIGHT_KG.numerator, MAX_WEIGHT_KG.denominator)
_WARN_PERCENT = (ROUNDING_WARNING_PERCENT.numerator, ROUNDING_WARNING_PERCENT.denominator)
_MAX_RATE = (PUMP_MAX_RATE.numerator, PUMP_MAX_RATE.denominator)


def _setup(
    dose_rest: str, weight_rest: str | None, concentration: str | None, target_text: str | None
) -> _Setup | None:
    dose_unit = _dose_unit_part(dose_rest)
    if dose_unit is None:
        return None
    weight_symbol = None
    kg = None
    if weight_rest is not None:
        weight_part = _weight_unit_part(weight_rest or None)
        if weight_part is None:
            return None
        weight_symbol = weight_part[0].symbol
        if weight_part[1] != 1:
            kg = _ratio(weight_part[1])
    conc_units = None
    conc_value = None
    if concentration is not None:
        parsed = _concentration(concentration)
        if isinstance(parsed, InfuseCalcError) or parsed.warnings:
            return None
        conc_units = (parsed.amount_unit, parsed.volume_unit)
        conc_value = _ratio(parsed.amount / parsed.volume)
    target = None
    if target_text is not None:
        parsed_unit = _rate_unit(target_text)
        if isinstance(parsed_unit, InfuseCalcError) or parsed_unit[1]:
            return None
        target = parsed_unit[0]
    plan = _plan(dose_unit, weight_rest is not None, conc_units, target)
    if plan is None:
        return None
    conc_cells: tuple[str | None, str | None] = (None, None)
    if conc_value is not None:
        figure = _best(*conc_value, plan.concentration)
        conc_cells = (repr(figure[0]), figure[1])
    choices = (_choice(plan.per_minute), _choice(plan.per_hour), _choice(plan.per_day))
    return _Setup(plan, dose_unit, weight_symbol, kg, conc_value, conc_cells, choices)


_NO_WEIGHT = (None, None, None, None)
_NO_PUMP = (None,) * 7


def _fast_row(
    dose: str | None, weight: str | None, concentration: str | None, target: str | None, run: _Run
) -> list[Any] | None:
    """The flat row by plan arithmetic, or ``None`` when only ``calculate`` can say it right.

    The hot loop of a batch: everything that depends only on unit texts is in the cached
    :class:`_Setup`, so what is left is integer arithmetic and one division per figure.
    """
    if dose is None or len(dose) > MAX_INPUT_LENGTH:
        return None
    number, _, dose_rest = dose.partition(" ")
    numbers = _NUMBERS
    dose_number = numbers[number] if number in numbers else _number(number)
    if dose_number is None:
        return None
    dn, dd, dose_text = dose_number
    weight_rest = None
    if weight is not None:
        if len(weight) > MAX_INPUT_LENGTH:
            return None
        number, _, weight_rest = weight.partition(" ")
        weight_number = numbers[number] if number in numbers else _number(number)
        if weight_number is None:
            return None
    key = (dose_rest, weight_rest, concentration, target)
    try:
        setup = _SETUPS[key]
    except KeyError:
        if len(_SETUPS) >= _MAX_SETUPS:
            _SETUPS.clear()
        setup = _SETUPS[key] = _setup(*key)
    if setup is None:
        return None
    plan = setup.plan

    if weight is None:
        wn = wd = 1
        weight_cells: tuple[Any, ...] = _NO_WEIGHT
    else:
        en, ed, entered_text = weight_number  # type: ignore[misc]  # set when weight is
        kg = setup.kg
        kg_text: str | float = entered_text  # a float: the csv module writes its repr
        if kg is None:
            wn, wd = en, ed
        else:
            wn, wd = en * kg[0], ed * kg[1]
            kg_text = wn / wd
        if wn * _MIN_KG[1] < _MIN_KG[0] * wd or wn * _MAX_KG[1] > _MAX_KG[0] * wd:
            return None  # parse_weight refuses it, in its words
        weight_cells = (kg_text, "kg", entered_text, setup.weight_symbol)
    cn, cd = setup.concentration or (1, 1)

    rn, rd = (dn * wn, dd * wd) if plan.per_kg else (dn, dd)
    an, ad = (rn * cn, rd * cd) if plan.amount_c else (rn, rd)
    vn, vd = (rn * cd, rd * cn) if plan.volume_c else (rn, rd)

    row: list[Any] = ["forward" if plan.forward else "reverse", dose_text, plan.dose_unit]
    row += weight_cells
    x = an / ad
    for steps, first in setup.choices:
        for lower, upper, n, d, unit in steps:
            if x >= upper or (x >= lower and an * n >= ad * d):
                row += (an * n / (ad * d), unit)
                break
        else:
            row += (an * first[0] / (ad * first[1]), first[2])
    row += setup.concentration_cells

    warnings: list[str] = []
    pump_cells: tuple[Any, ...] = _NO_PUMP
    volume = plan.volume
    if volume is None:
        row += (None, None, None, None)
    else:
        pn, pd = vn * volume[0], vd * volume[1]
        row += (pn / pd, "mL/h", vn * volume[2] / (vd * volume[3]), "mL/day")
        if plan.forward:
            # round_to_step, in integers: steps = rate / resolution, halves away from zero
            res_n, res_d = run.res_n, run.res_d
            sd = pd * res_n
            whole, remainder = divmod(pn * res_d, sd)
            if 2 * remainder >= sd:
                whole += 1
            diff_n = (whole * res_n * pd - res_d * pn) * 100
            diff_d = res_d * pn
            if (
                whole == 0
                or abs(diff_n) * _WARN_PERCENT[1] > _WARN_PERCENT[0] * diff_d
                or pn * _MAX_RATE[1] > _MAX_RATE[0] * pd
            ):
                # calculate warns here: let its own function round and word the warnings
                pump = round_for_pump(
                    Dose(Fraction(dn, dd), setup.dose_unit),
                    Measure(Fraction(pn, pd), "mL/h"),
                    run.resolution,
                    warnings,
                )
                assert pump.delivers is not None
                pump_cells = (
                    float(pump.resolution),
                    "mL/h",
                    float(pump.rate.value),
                    "mL/h",
                    float(pump.delivers.value),
                    pump.delivers.unit,
                    float(pump.difference_percent),
                )
            else:
                rounded = run.rounded
                if whole in rounded:
                    rounded_text = rounded[whole]
                else:
                    if len(rounded) >= _MAX_NUMBERS:
                        rounded.clear()
                    rounded_text = rounded[whole] = repr(whole * res_n / res_d)
                pump_cells = (
                    run.res_text,
                    "mL/h",
                    rounded_text,
                    "mL/h",
                    dn * whole * res_n * pd / (dd * res_d * pn),
                    plan.dose_unit,
                    diff_n / diff_d,
                )

    if plan.dose_rate_unit is None:
        row += (None, None)
    else:
        xn, xd = (vn, vd) if plan.dose_rate_from_volume else (an, ad)
        if plan.dose_rate_per_kg:
            xn, xd = xn * wd, xd * wn
        row += (xn * plan.dose_rate[0] / (xd * plan.dose_rate[1]), plan.dose_rate_unit)
    row += pump_cells
    row.append(warnings)
    return row


def _drug_row(
    cells: _Cells, name: str, drugs: DrugLibrary, resolution: Fraction
) -> tuple[_Cells, tuple[Any, ...]]:
    """A row naming a drug, as ``convert --drug``: the library's concentration if the row
    has none, and the dose checked against the limits (a hard breach raises
    :class:`~infuse_calc.errors.LimitError`, a soft one is a warning).

    Returns the cells calculated (with the library's concentration) and the computed fields.
    """
    from infuse_calc.library import apply

    library = drugs.get()
    dose = parse_dose(cells.dose if cells.dose is not None else "")
    weight = None if cells.weight is None else parse_weight(cells.weight)
    given = None if cells.concentration is None else parse_concentration(cells.concentration)
    kg = None if weight is None else weight.kg
    applied = apply(library, name, drugs.area, dose, kg, given)
    if given is None:
        cells = cells._replace(concentration=applied.concentration.text)
    return cells, _slow_row(cells, resolution, (library, applied, drugs.area))


def _slow_row(
    cells: _Cells, resolution: Fraction, drug: tuple[Any, Any, str | None] | None = None
) -> tuple[Any, ...]:
    """The row through the real parsers and :func:`calculate`: convert's own path.

    ``drug`` is ``(library, applied, area)`` for a row naming a drug (see :func:`_drug_row`).
    """
    from infuse_calc.dosing import calculate

    dose = parse_dose(cells.dose if cells.dose is not None else "")
    weight = None if cells.weight is None else parse_weight(cells.weight)
    conc = None
    if cells.concentration is not None:
        parsed = _concentration(cells.concentration)
        if isinstance(parsed, InfuseCalcError):
            raise parsed
        conc = parsed
    target = None
    unit_warnings: tuple[str, ...] = ()
    if cells.dose_unit is not None:
        parsed_unit = _rate_unit(cells.dose_unit)
        if isinstance(parsed_unit, InfuseCalcError):
            raise parsed_unit
        target, unit_warnings = parsed_unit
    calc = calculate(dose, weight, conc, target, resolution)
    drug_warnings: list[str] = []
    if drug is not None:
        library, applied, area = drug
        drug_warnings.extend(applied.warnings)
        if calc.direction == "reverse" and calc.dose_rate:
            # as convert: a volume rate is checked by the dose it delivers
            from infuse_calc.library import check_limits, dose_from_measure

            delivered = dose_from_measure(calc.dose_rate.value, calc.dose_rate.unit)
            kg = None if calc.weight is None else calc.weight.kg
            drug_warnings.extend(check_limits(library, applied.drug, area, delivered, kg).messages)
    record = calc.record()
    values: list[Any] = []
    for name in FIELDS[:-1]:
        value = record[name]
        if value is not None and name in MEASURE_FIELDS:
            value = Figure((float(value.value), value.unit))
        elif isinstance(value, Fraction):
            value = float(value)
        values.append(value)
    warnings: list[str] = []
    for source in (
        dose.warnings,
        () if weight is None else weight.warnings,
        () if conc is None else conc.warnings,
        unit_warnings,
        drug_warnings,
        calc.warnings,
    ):
        warnings.extend(w for w in source if w not in warnings)
    return (*values, warnings)


# --- many rows ----------------------------------------------------------------------------


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
def _record_keys(input_names: tuple[str, ...], checked: bool) -> tuple[str, ...]:
    names = output_names(input_names, checked)
    return tuple(names[name] for name in (*computed_fields(checked), ERROR_FIELD))


_EMPTY = (None,) * len(FIELDS)
_EMPTY_CHECK = (None,) * len(CHECK_FIELDS)


class Record(dict[str, Any]):
    """An output record: a dict, which also knows how many of its fields came from the
    input (``width``, the first ones) and whether it has the ``CHECK_FIELDS``."""

    __slots__ = ("checked", "width")
    width: int
    checked: bool


def process(
    rows: Iterable[InputRow | Mapping[str, Any]],
    options: BatchOptions | None = None,
    strict: bool = False,
) -> Iterator[Record]:
    """One output record per input row, in order (see the module docstring).

    A record is the row's own fields, then :func:`computed_fields`, then the error (always
    the last field, see :func:`error_of`). With ``strict``, the first bad row raises
    :class:`RowError` instead. Plain mappings are numbered from line 1; :class:`InputRow`
    carries its own line and any reading problem.
    """
    options = options or BatchOptions()
    columns = tuple(options.column(name) for name in _Cells._fields)
    pump_column = options.column("pump")
    drugs = options.drugs
    drug_column = options.column("drug")
    resolution = options.pump_resolution
    run = _Run(resolution)
    new_cells = tuple.__new__  # builds _Cells without NamedTuple's Python-level __new__
    shape: tuple[str, ...] | None = None
    shape_checked = False
    keys: tuple[str, ...] = ()
    for number, row in enumerate(rows, start=1):
        if isinstance(row, InputRow):
            fields, problem, line = row.fields, row.problem, row.line
        else:
            fields, problem, line = dict(row), None, number
        checked = options.check_pump
        if checked is None:
            checked = pump_column in fields
        names = tuple(fields)
        if names != shape or checked != shape_checked:  # rows of a CSV file all match
            shape, shape_checked = names, checked
            keys = _record_keys(names, checked)
        computed: Iterable[Any] = _EMPTY
        verdict: tuple[Any, ...] = _EMPTY_CHECK
        error = problem
        if error is None:
            try:
                values = [fields.get(name) for name in columns]
                for i, value in enumerate(values):
                    # the common case, a non-blank string, is the cell's text as it is
                    if value.__class__ is not str or not value or value[0].isspace():
                        values[i] = cell_text(columns[i], value)
                cells: _Cells = new_cells(_Cells, values)
                drug = None
                if drugs is not None and drug_column in fields:
                    drug = _cell(drug_column, fields[drug_column])
                if drug is None:
                    computed = _unflatten(_flat_row(cells, run), _SHAPE)
                else:
                    assert drugs is not None
                    cells, computed = _drug_row(cells, drug, drugs, resolution)
                if checked:
                    pump = _cell(pump_column, fields.get(pump_column))
                    if pump is not None:
                        verdict = _check_row(cells, pump, resolution)
            except InfuseCalcError as failure:
                error = str(failure)
            except Exception as failure:  # a bug must cost one row, not the batch
                error = f"internal error ({type(failure).__name__}: {failure})"
        if error is not None:
            computed, verdict = _EMPTY, _EMPTY_CHECK
            error = " ".join(error.split())
            if strict:
                raise RowError(line, error)
        record = Record(fields)
        record.width = len(names)
        record.checked = checked
        record.update(zip(keys, computed, strict=False))  # keys go on to the error
        if checked:
            record.update(zip(keys[len(FIELDS) :], verdict, strict=False))
        record[keys[-1]] = error
        yield record


def process_table(
    header: list[str],
    records: Iterable[tuple[int, list[str], str | None]],
    options: BatchOptions | None = None,
    strict: bool = False,
) -> Iterator[list[Any]]:
    """:func:`process` for rows of text cells under one header (CSV), as flat output rows.

    ``records`` gives each row's line, cells and reading problem (as :class:`InputRow`).
    Each output row is the input cells (exactly one per header column: a short row is padded
    with ``""``, a long one cut), then the computed fields flat (a measure is two cells,
    value then unit, a value being a float or its ``repr``; ``warnings`` and ``causes`` are
    lists, ``match`` a bool), then the error. The figures are :func:`process`'s, without a
    dict per row: this is the path a big CSV batch takes.
    """
    options = options or BatchOptions()
    width = len(header)
    # a column the header lacks reads as the blank cell appended at index width
    index = [header.index(c) if c in header else width for c in map(options.column, _Cells._fields)]
    di, wi, ci, ui = index
    pump_column = options.column("pump")
    checked = options.check_pump
    if checked is None:
        checked = pump_column in header
    pi = header.index(pump_column) if checked and pump_column in header else width
    drugs = options.drugs
    drug_column = options.column("drug")
    # without a library or a drug column, every row reads the blank cell at index width
    ri = header.index(drug_column) if drugs is not None and drug_column in header else width
    run = _Run(options.pump_resolution)
    empty = [None] * (FLAT_WIDTH + (CHECK_FLAT_WIDTH if checked else 0))
    no_verdict = [None] * CHECK_FLAT_WIDTH
    for line, text_cells, error in records:
        cells: list[Any] = text_cells
        if error is None:
            cells.append("")
            try:
                dose: str | None = cells[di]
                weight: str | None = cells[wi]
                conc: str | None = cells[ci]
                target: str | None = cells[ui]
                # cell_text for text: a blank cell is missing, any other is the text as is
                if not dose or dose.isspace():
                    dose = None
                if not weight or weight.isspace():
                    weight = None
                if not conc or conc.isspace():
                    conc = None
                if not target or target.isspace():
                    target = None
                drug: str | None = cells[ri]
                if not drug or drug.isspace():
                    flat = _fast_row(dose, weight, conc, target, run)
                    if flat is None:
                        row = _Cells(dose, weight, conc, target)
                        flat = _flatten(_slow_row(row, run.resolution), _SHAPE)
                else:
                    assert drugs is not None
                    row, values = _drug_row(
                        _Cells(dose, weight, conc, target), drug, drugs, run.resolution
                    )
                    conc = row.concentration  # the library's, if the row had none
                    flat = _flatten(values, _SHAPE)
                if checked:
                    pump = _cell(pump_column, cells[pi])
                    if pump is None:
                        flat += no_verdict
                    else:
                        verdict = _check_row(
                            _Cells(dose, weight, conc, target), pump, run.resolution
                        )
                        flat += _flatten(verdict, _CHECK_SHAPE)
            except InfuseCalcError as failure:
                error = str(failure)
            except Exception as failure:  # a bug must cost one row, not the batch
                error = f"internal error ({type(failure).__name__}: {failure})"
            else:
                cells.pop()
                cells += flat
                cells.append(None)
                yield cells
                continue
            cells.pop()
        error = " ".join(error.split())
        if strict:
            raise RowError(line, error)
        if len(cells) != width:
            cells = (cells + [""] * width)[:width]
        cells += empty
        cells.append(error)
        yield cells


def _check_row(cells: _Cells, pump_text: str, resolution: Fraction) -> tuple[Any, ...]:
    """``CHECK_FIELDS`` for a row with a pump rate: ``infuse-calc check``'s own core, pint."""
    from infuse_calc.check import check

    # the row has just been calculated, so these parse
    dose = parse_dose(cells.dose or "")
    weight = None if cells.weight is None else parse_weight(cells.weight)
    conc = None if cells.concentration is None else parse_concentration(cells.concentration)
    try:
        programmed = parse_dose(pump_text)
    except InputError as error:
        raise InputError("pump", pump_text, error.reason) from None
    result = check(dose, programmed, weight, conc, resolution)
    record = result.record()
    values: list[Any] = []
    for name in CHECK_FIELDS:
        value = record[name]
        if name in CHECK_MEASURE_FIELDS:
            value = Figure((float(value.value), value.unit))
        elif isinstance(value, Fraction):
            value = float(value)
        elif name == "causes":
            value = [cause.text for cause in value]
        values.append(value)
    return tuple(values)


def _cell(name: str, value: Any) -> str | None:
    # the common case (a non-blank string) without a call to cell_text
    if value.__class__ is str and value and not value[0].isspace():
        return value
    return cell_text(name, value)


def mismatched(record: Record) -> bool:
    """Whether a record's pump rate failed its check (``match`` is false)."""
    if not record.checked:
        return False
    values = list(record.values())
    return values[-1 - len(CHECK_FIELDS)] is False


def error_of(record: dict[str, Any]) -> str | None:
    """The error of an output record of :func:`process` (its last field)."""
    value = record[next(reversed(record))]
    return None if value is None else str(value)
