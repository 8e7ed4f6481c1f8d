"""Teaching data for practice problems: the drugs (bags and dosing unit) and the ranges.

:func:`drug_facts` is the one place that says which bags a practice drug comes in and which
unit it is dosed in: the built-in standard-concentration library (never a user's library,
so that a seed gives the same problems on every machine).

The dose, weight and fluid ranges live in ``practice_ranges.toml``, package data that
practice owns: ranges chosen to make realistic practice problems, **not dosing guidance**.
They are never shown as limits.
"""

from __future__ import annotations

import functools
import random
import tomllib
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from typing import Any

from infuse_calc.errors import InfuseCalcError


@dataclass(frozen=True)
class DrugFacts:
    """A practice drug: its name, its standard concentrations and the unit it is dosed in."""

    name: str  # as printed, tall-man lettering where ISMP uses it
    concentrations: tuple[str, ...]  # as the concentration parser reads them, first first
    dose_unit: str


class PracticeDataError(InfuseCalcError):
    """Practice data that does not hold together (a bug in the package data, caught by tests)."""


@functools.cache
def drug_facts(name: str) -> DrugFacts:
    """A practice drug, from the built-in standard-concentration library (any capitalisation)."""
    from infuse_calc.library_parse import builtin_library

    try:
        drug = builtin_library().find(name)
    except InfuseCalcError as error:
        raise PracticeDataError(f"practice drug {name!r}: {error}") from None
    concentrations = tuple(c.text for c in drug.concentrations)
    return DrugFacts(drug.name, concentrations, str(drug.dose_unit))


@dataclass(frozen=True)
class Span:
    """Values from ``start`` to ``stop`` (both included) in steps of ``step``, exactly."""

    start: Fraction
    stop: Fraction
    step: Fraction

    def __len__(self) -> int:
        return int((self.stop - self.start) / self.step) + 1

    def draw(self, rng: random.Random) -> Fraction:
        """One value, uniformly (integers only: the same on every platform and Python)."""
        return self.start + self.step * rng.randrange(len(self))


@dataclass(frozen=True)
class DoseRange:
    """Doses of one drug, ordered in ``unit``; ``answer_step`` rounds a dose asked for."""

    drug: str
    unit: str
    span: Span
    answer_step: Fraction


@dataclass(frozen=True)
class GivenRange:
    """Amounts given over a time (``over_time``) or at once (``bolus``): of a drug (its bags
    from the library unless ``concentrations`` names the vials used), or a volume of a fluid
    (``fluid``: one of the maintenance fluids) or of a ``name`` (``piggyback``)."""

    unit: str  # the amount's unit: mL, g, mg, units, mcg/kg, units/kg
    span: Span
    times: tuple[str, ...] = ()  # as written after "over"; none for a bolus
    drug: str = ""
    name: str = ""
    fluid: bool = False
    concentrations: tuple[str, ...] = ()
    limits: tuple[str, ...] = ()  # maxima (--max), one drawn; none: no maximum


@dataclass(frozen=True)
class Ranges:
    weight_kg: Span
    weight_lb: Span
    doses: tuple[DoseRange, ...]
    fluids: tuple[str, ...]
    fluid_rate: Span
    over_time: tuple[GivenRange, ...] = ()
    boluses: tuple[GivenRange, ...] = ()


@functools.cache
def ranges() -> Ranges:
    """The practice ranges (package data, read once)."""
    text = resources.files("infuse_calc").joinpath("practice_ranges.toml").read_text("utf-8")
    return parse_ranges(text)


def parse_ranges(text: str) -> Ranges:
    """Read the ranges file; any inconsistency is a :class:`PracticeDataError`."""
    try:
        data = tomllib.loads(text)
        doses = tuple(
            DoseRange(entry["drug"], entry["unit"], _span(entry), _positive(entry["answer_step"]))
            for entry in data["dose"]
        )
        return Ranges(
            weight_kg=_span(data["weight"]["kg"]),
            weight_lb=_span(data["weight"]["lb"]),
            doses=doses,
            fluids=tuple(data["fluids"]["names"]),
            fluid_rate=_span(data["fluids"]["rate"]),
            over_time=tuple(_given(entry, timed=True) for entry in data.get("over_time", ())),
            boluses=tuple(_given(entry, timed=False) for entry in data.get("bolus", ())),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, ZeroDivisionError) as error:
        raise PracticeDataError(f"practice ranges: {error}") from None


def _given(entry: dict[str, Any], timed: bool) -> GivenRange:
    given = GivenRange(
        entry["unit"],
        _span(entry),
        tuple(entry["times"]) if timed else (),
        entry.get("drug", ""),
        entry.get("name", ""),
        bool(entry.get("fluid", False)),
        tuple(entry.get("concentrations", ())),
        tuple(entry.get("max", ())),
    )
    if timed and not given.times:
        raise ValueError(f"{entry}: an amount over a time needs its 'times'")
    if not given.drug and given.unit != "mL":
        raise ValueError(f"{entry}: an amount other than a volume needs its 'drug'")
    return given


def _positive(text: Any) -> Fraction:
    value = Fraction(str(text))
    if value <= 0:
        raise ValueError(f"{text!r} must be greater than zero")
    return value


def _span(entry: dict[str, Any]) -> Span:
    span = Span(_positive(entry["from"]), _positive(entry["to"]), _positive(entry["step"]))
    if span.stop < span.start or (span.stop - span.start) % span.step:
        raise ValueError(f"range {entry} does not run from 'from' to 'to' in whole steps")
    return span
