"""Drug libraries: standard concentrations and soft/hard dose limits, from TOML text.

In the spirit of smart-pump drug libraries. A library is user data; this module parses and
validates its text (every error names the file and a line number) and checks doses against
its limits. It reads no files: the command-line edge finds and reads the library.

Format (every limit is a dose with its unit, parsed like a typed dose)::

    [drug.dopamine]
    aliases = ["Intropin"]
    dose_unit = "mcg/kg/min"
    concentrations = ["400 mg/250 mL", "800 mg/250 mL"]
    soft_min = "2 mcg/kg/min"
    soft_max = "20 mcg/kg/min"
    hard_max = "50 mcg/kg/min"
    source = "where the limits come from"

    [drug.dopamine.area.NICU]        # optional care-area overrides
    concentrations = ["60 mg/50 mL"]
    hard_max = "20 mcg/kg/min"

A limit may be per kg while the dose is absolute (or the reverse): comparing them needs the
weight. Names are matched case-insensitively against the drug's key and aliases; the FDA
and ISMP tall-man spelling is used for display where one exists.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from infuse_calc import units as u
from infuse_calc.errors import IncompatibleError, InfuseCalcError, LimitError
from infuse_calc.notation import format_exact, format_number
from infuse_calc.quantities import Concentration, Dose, RateUnit, parse_concentration, parse_dose
from infuse_calc.quantities import parse_rate_unit as _parse_rate_unit

ENV_VAR = "INFUSE_CALC_LIBRARY"
FILE_NAME = "drug-library.toml"

#: Tall-man lettering from the FDA and ISMP lists of look-alike drug names.
TALL_MAN = {
    name.casefold(): name
    for name in (
        "ALPRAZolam",
        "buPROPion",
        "busPIRone",
        "CARBOplatin",
        "CISplatin",
        "chlorproMAZINE",
        "clonazePAM",
        "cycloSERINE",
        "cycloSPORINE",
        "DAUNOrubicin",
        "DOXOrubicin",
        "IDArubicin",
        "DOBUTamine",
        "DOPamine",
        "ePHEDrine",
        "EPINEPHrine",
        "glipiZIDE",
        "glyBURIDE",
        "hydrALAZINE",
        "HYDROcodone",
        "HYDROmorphone",
        "hydrOXYzine",
        "LORazepam",
        "medroxyPROGESTERone",
        "methylPREDNISolone",
        "metFORMIN",
        "niCARdipine",
        "NIFEdipine",
        "oxyCODONE",
        "OXcarbazepine",
        "carBAMazepine",
        "PENTobarbital",
        "PHENobarbital",
        "predniSONE",
        "prednisoLONE",
        "traMADol",
        "traZODone",
        "valACYclovir",
        "valGANciclovir",
        "vinBLAStine",
        "vinCRIStine",
    )
}

LIMIT_KEYS = ("hard_min", "soft_min", "soft_max", "hard_max")
_DRUG_KEYS = {"aliases", "dose_unit", "concentrations", "source", "area", *LIMIT_KEYS}
_AREA_KEYS = {"concentrations", "source", *LIMIT_KEYS}
_TOP_KEYS = {"library", "drug"}
_LIBRARY_KEYS = {"name", "example", "note"}


class LibraryError(InfuseCalcError):
    """A drug library that cannot be used as written (exit 2)."""

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        where = f"{source}, line {line}" if line else source
        super().__init__(f"drug library {where}: {reason}")


def tall_man(name: str) -> str:
    """The tall-man spelling of ``name`` where the FDA/ISMP list has one."""
    return TALL_MAN.get(name.casefold(), name)


@dataclass(frozen=True)
class Limits:
    """Soft and hard limits (any may be ``None``) and where they come from."""

    hard_min: Dose | None = None
    soft_min: Dose | None = None
    soft_max: Dose | None = None
    hard_max: Dose | None = None
    source: str = ""

    def items(self) -> list[tuple[str, Dose]]:
        return [(key, d) for key in LIMIT_KEYS if (d := getattr(self, key)) is not None]


@dataclass(frozen=True)
class Drug:
    """One library entry."""

    key: str
    name: str  # display name (tall man)
    aliases: tuple[str, ...]
    dose_unit: RateUnit
    concentrations: tuple[Concentration, ...]
    limits: Limits
    areas: dict[str, tuple[tuple[Concentration, ...] | None, Limits]] = field(default_factory=dict)
    line: int = 0

    def for_area(self, area: str | None) -> tuple[tuple[Concentration, ...], Limits]:
        """Concentrations and limits for a care area (the drug's own without one)."""
        if area is None:
            return self.concentrations, self.limits
        for name, (concs, limits) in self.areas.items():
            if name.casefold() == area.casefold():
                return (concs if concs is not None else self.concentrations), limits
        known = ", ".join(self.areas) or "none"
        raise IncompatibleError(
            f"care area {area!r} is not in the library for {self.name} (areas: {known})"
        )


@dataclass(frozen=True)
class Library:
    """A parsed, validated drug library."""

    source: str
    drugs: tuple[Drug, ...]
    example: bool = False
    name: str = ""

    def find(self, name: str) -> Drug:
        """The drug called ``name`` (key or alias, any case); unknown names list close ones."""
        wanted = name.strip().casefold()
        for drug in self.drugs:
            if wanted in (n.casefold() for n in (drug.key, drug.name, *drug.aliases)):
                return drug
        names = {n.casefold(): drug.name for drug in self.drugs for n in (drug.key, *drug.aliases)}
        close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.6)
        suggestion = sorted({names[c] for c in close})
        known = ", ".join(sorted(d.name for d in self.drugs))
        hint = f"did you mean {' or '.join(suggestion)}? " if suggestion else ""
        raise IncompatibleError(
            f"drug {name!r} is not in the library {self.source}: {hint}(drugs: {known})"
        )


# --- parsing --------------------------------------------------------------------------------


def parse_library(text: str, source: str = "<library>") -> Library:
    """Parse and validate library text. Raises :class:`LibraryError` with a line number."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = getattr(error, "lineno", None) or _line_from_message(str(error))
        reason = str(error).split(" (at line")[0]
        raise LibraryError(source, line, f"not valid TOML: {reason}") from None
    lines = text.splitlines()
    unknown = set(data) - _TOP_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise LibraryError(
            source, _find_line(lines, key), f"unknown key {key!r} (expected [library], [drug.*])"
        )
    meta = data.get("library", {})
    if not isinstance(meta, dict):
        raise LibraryError(source, _find_line(lines, "library"), "[library] must be a table")
    for key in meta:
        if key not in _LIBRARY_KEYS:
            raise LibraryError(source, _find_line(lines, key), f"unknown key {key!r} in [library]")
    drugs_data = data.get("drug", {})
    if not isinstance(drugs_data, dict) or not drugs_data:
        raise LibraryError(source, None, "no drugs: add [drug.NAME] tables")
    drugs = tuple(_parse_drug(key, value, lines, source) for key, value in drugs_data.items())
    seen: dict[str, str] = {}
    for drug in drugs:
        for name in (drug.key, *drug.aliases):
            other = seen.setdefault(name.casefold(), drug.key)
            if other != drug.key:
                raise LibraryError(
                    source, drug.line, f"name {name!r} is used by both {other} and {drug.key}"
                )
    return Library(source, drugs, bool(meta.get("example", False)), str(meta.get("name", "")))


def _line_from_message(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _find_line(lines: list[str], key: str, start: int = 0) -> int | None:
    """The 1-based line where ``key`` is first written (as a key or table header)."""
    pattern = re.compile(rf"^\s*(\[+[^\]]*\b{re.escape(key)}\b[^\]]*\]+|{re.escape(key)}\s*=)")
    for number in range(start, len(lines)):
        if pattern.search(lines[number]):
            return number + 1
    return None


def _header_line(lines: list[str], *path: str) -> int | None:
    """The line of the table header ``[drug.<key>...]`` (quoted keys allowed)."""
    parts = [rf"\s*(?:{re.escape(p)}|\"{re.escape(p)}\"|'{re.escape(p)}')\s*" for p in path]
    pattern = re.compile(r"^\s*\[" + r"\.".join(parts) + r"\]")
    for number, line in enumerate(lines):
        if pattern.match(line):
            return number + 1
    return None


def _parse_drug(key: str, data: Any, lines: list[str], source: str) -> Drug:
    line = _header_line(lines, "drug", key) or _find_line(lines, key)

    def fail(reason: str, at: int | None = None) -> LibraryError:
        return LibraryError(source, at or line, f"drug {key!r}: {reason}")

    if not isinstance(data, dict):
        raise fail("must be a table [drug.NAME]")
    for name in data:
        if name not in _DRUG_KEYS:
            expected = ", ".join(sorted(_DRUG_KEYS))
            raise fail(f"unknown key {name!r} (expected one of: {expected})")
    if "dose_unit" not in data:
        raise fail('dose_unit is missing (e.g. dose_unit = "mcg/kg/min")')
    dose_unit = _rate_unit(data["dose_unit"], fail)
    aliases = data.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise fail("aliases must be a list of names")
    concentrations = _concentrations(data.get("concentrations", []), dose_unit, fail)
    limits = _limits(data, dose_unit, fail, str(data.get("source", "")))
    areas: dict[str, tuple[tuple[Concentration, ...] | None, Limits]] = {}
    for area, area_data in (data.get("area") or {}).items():
        area_line = _header_line(lines, "drug", key, "area", area) or line

        def area_fail(
            reason: str, at: int | None = None, _a: str = area, _l: Any = area_line
        ) -> Any:
            return LibraryError(source, at or _l, f"drug {key!r}, area {_a!r}: {reason}")

        if not isinstance(area_data, dict):
            raise area_fail("must be a table [drug.NAME.area.AREA]")
        for name in area_data:
            if name not in _AREA_KEYS:
                raise area_fail(f"unknown key {name!r}")
        concs = None
        if "concentrations" in area_data:
            concs = _concentrations(area_data["concentrations"], dose_unit, area_fail)
        area_source = str(area_data.get("source", limits.source))
        area_limits = _limits(
            {**_limit_fields(limits), **area_data}, dose_unit, area_fail, area_source
        )
        areas[area] = (concs, area_limits)
    return Drug(
        key,
        tall_man(key),
        tuple(aliases),
        dose_unit,
        concentrations,
        limits,
        areas,
        line or 0,
    )


def _limit_fields(limits: Limits) -> dict[str, str]:
    return {key: dose.text for key, dose in limits.items()}


def _rate_unit(value: Any, fail: Any) -> RateUnit:
    if not isinstance(value, str):
        raise fail('dose_unit must be a string such as "mcg/kg/min"')
    try:
        unit, _ = _parse_rate_unit(value)
    except InfuseCalcError as error:
        raise fail(f"dose_unit: {error}") from None
    if unit.kind.value == "volume":
        raise fail("dose_unit must be an amount rate (mcg/kg/min...), not a volume rate")
    return unit


def _concentrations(value: Any, dose_unit: RateUnit, fail: Any) -> tuple[Concentration, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail('concentrations must be a list of strings such as "4 mg/250 mL"')
    found = []
    for text in value:
        try:
            conc = parse_concentration(text)
        except InfuseCalcError as error:
            raise fail(f"concentration: {error}") from None
        if conc.kind is not dose_unit.kind:
            raise fail(
                f"concentration {text!r} is in {conc.kind.label} but dose_unit {dose_unit} is "
                f"in {dose_unit.kind.label}"
            )
        found.append(conc)
    return tuple(found)


def _limits(data: dict[str, Any], dose_unit: RateUnit, fail: Any, source: str) -> Limits:
    parsed: dict[str, Dose] = {}
    for key in LIMIT_KEYS:
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, str):
            raise fail(f'{key} must be a dose with its unit, e.g. "20 {dose_unit}"')
        try:
            dose = parse_dose(value)
        except InfuseCalcError as error:
            raise fail(f"{key}: {error}") from None
        if dose.unit.kind is not dose_unit.kind:
            raise fail(
                f"{key} {value!r} is in {dose.unit.kind.label} but dose_unit {dose_unit} is in "
                f"{dose_unit.kind.label}"
            )
        parsed[key] = dose
    ordered = [(k, parsed[k]) for k in LIMIT_KEYS if k in parsed]
    for (low_key, low), (high_key, high) in itertools_pairs(ordered):
        if low.per_kg == high.per_kg and _value_in(low, high.unit) > high.value:
            raise fail(f"{low_key} {low.text!r} is above {high_key} {high.text!r}")
    return Limits(source=source, **parsed)


def itertools_pairs(
    items: list[tuple[str, Dose]],
) -> list[tuple[tuple[str, Dose], tuple[str, Dose]]]:
    """Every pair (earlier, later) in ``items``: each limit must not exceed any later one."""
    return [(a, b) for i, a in enumerate(items) for b in items[i + 1 :]]


def _value_in(dose: Dose, unit: RateUnit) -> Fraction:
    return dose.value * u.factor(str(dose.unit), str(unit))


# --- choosing a concentration and checking limits -------------------------------------------


def choose_concentration(
    drug: Drug, area: str | None, given: Concentration | None
) -> tuple[Concentration, list[str]]:
    """The library's concentration, or ``given`` (which picks a standard one or overrides).

    Several standard concentrations and none given is an error listing them.
    """
    standard, _ = drug.for_area(area)
    if given is not None:
        per_ml = _per_ml(given)
        if standard and all(_per_ml(c) != per_ml for c in standard):
            listed = ", ".join(c.text for c in standard)
            return given, [
                f"{given.text} is not a standard concentration of {drug.name} in the library "
                f"(standard: {listed})"
            ]
        return given, []
    if not standard:
        raise IncompatibleError(
            f"the library has no standard concentration for {drug.name}: give --concentration"
        )
    if len(standard) > 1:
        listed = ", ".join(repr(c.text) for c in standard)
        raise IncompatibleError(
            f"{drug.name} has several standard concentrations in the library ({listed}): "
            "choose one with --concentration"
        )
    return standard[0], []


def _per_ml(conc: Concentration) -> Fraction:
    per = f"{conc.amount_unit.symbol}/{conc.volume_unit.symbol}"
    smallest = {"mass": "ng", "units": "milliunits"}.get(conc.kind.value, conc.amount_unit.symbol)
    return conc.amount / conc.volume * u.factor(per, f"{smallest}/mL")


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
                f"{key.replace('_', ' ')} {format_exact(d.value)} {d.unit}"
                for key, d in self.limits.items()
            )
            return f"within the limits ({shown})" if shown else "no limits in the library"
        side, kind, end = self.status.split("_")
        limit = getattr(self.limits, f"{kind}_{end}")
        word = "minimum" if end == "min" else "maximum"
        return f"{side.upper()} the {kind} {word} {format_exact(limit.value)} {limit.unit}"

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
    status = "within"
    messages: list[str] = []
    for key, limit in limits.items():
        value = _comparable(dose, limit, weight_kg, drug.name)
        low = key.endswith("_min")
        breached = value < limit.value if low else value > limit.value
        if not breached:
            continue
        kind = key.split("_")[0]
        shown = f"{format_number(value)} {limit.unit}"
        described = f"{'below' if low else 'above'} the {kind} {'minimum' if low else 'maximum'}"
        same = str(dose.unit) == str(limit.unit) and dose.text
        typed = dose.text if same else f"{dose.text or shown} ({shown})"
        message = (
            f"{drug.name}{where}: dose {typed} is {described} "
            f"{format_exact(limit.value)} {limit.unit}"
            f" (library {library.source}; source: {limits.source or 'not given'})"
        )
        if kind == "hard":
            if raise_on_hard:
                raise LimitError(message)
            status = f"{'below' if low else 'above'}_hard_{'min' if low else 'max'}"
            messages.insert(0, message)
        elif status == "within":
            status = f"{'below' if low else 'above'}_soft_{'min' if low else 'max'}"
            messages.append(message)
    return LimitCheck(drug.name, area, status, dose, limits, library.source, tuple(messages))


def _comparable(dose: Dose, limit: Dose, weight_kg: Fraction | None, name: str) -> Fraction:
    """``dose`` in the unit of ``limit``, through the weight when one is per kg."""
    if dose.per_kg == limit.per_kg:
        return dose.value * u.factor(str(dose.unit), str(limit.unit))
    if weight_kg is None:
        raise IncompatibleError(
            f"the {name} limit {limit.text!r} and the dose {dose.text!r} differ in being per "
            "kg: give the weight with --weight to compare them"
        )
    if limit.per_kg:
        return dose.value / weight_kg * u.factor(f"{dose.unit}/kg", str(limit.unit))
    return dose.value * weight_kg * u.factor(f"{dose.unit}*kg", str(limit.unit))


@dataclass(frozen=True)
class Applied:
    """What a library contributes to a calculation."""

    drug: Drug
    concentration: Concentration
    limits: LimitCheck | None
    warnings: tuple[str, ...]


def apply(
    library: Library,
    name: str,
    area: str | None,
    dose: Dose | None,
    weight_kg: Fraction | None,
    concentration: Concentration | None,
) -> Applied:
    """Look ``name`` up, choose the concentration and check ``dose`` against the limits.

    A volume-rate dose (mL/h) is not checked here, nor is a missing dose (a ladder checks
    each of its doses): the caller checks those with :func:`check_limits`.
    """
    drug = library.find(name)
    conc, warnings = choose_concentration(drug, area, concentration)
    limits = None
    if dose is not None and not dose.is_volume_rate:
        limits = check_limits(library, drug, area, dose, weight_kg)
        warnings += list(limits.messages)
    return Applied(drug, conc, limits, tuple(warnings))


def dose_from_measure(value: Fraction, unit: str) -> Dose:
    """A :class:`Dose` for a computed rate (e.g. what a pump delivers), to check limits."""
    rate, _ = _parse_rate_unit(unit)
    return Dose(value, rate, f"{format_number(value)} {unit}")
