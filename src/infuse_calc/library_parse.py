"""Drug library text to a :class:`~infuse_calc.library_model.Library`, and combining libraries.

One reader for the built-in data and for users' files (every error names the file and a
line). Format (every quantity is read by :mod:`infuse_calc.quantities`, as if typed)::

    [library]
    name = "ward library"
    builtin = false                  # optional: stand alone, without the built-in data

    [drug.dopamine]
    aliases = ["Intropin"]
    dose_unit = "mcg/kg/min"
    concentrations = ["400 mg/250 mL", { value = "800 mg/250 mL", label = "central" }]
    soft_min = "2 mcg/kg/min"
    hard_max = "50 mcg/kg/min"
    source = "where the limits come from"

    [drug.dopamine.area.NICU]        # optional care-area overrides
    concentrations = ["60 mg/50 mL"]
    hard_max = "20 mcg/kg/min"

A user's entry whose name is a built-in drug's name (or alias) overrides that entry field by
field: what it leaves out (dose_unit, concentrations, aliases, source) is the built-in one,
so a hospital can add limits to a built-in drug in three lines. It may not change what the
dose measures (a mass drug stays a mass drug).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import replace
from fractions import Fraction
from importlib import resources
from typing import Any

from infuse_calc import units as u
from infuse_calc.errors import InfuseCalcError
from infuse_calc.library_model import (
    BUILTIN,
    LIMIT_KEYS,
    Area,
    Drug,
    Library,
    LibraryError,
    Limits,
    StandardConcentration,
    tall_man,
)
from infuse_calc.quantities import Dose, RateUnit, parse_concentration, parse_dose
from infuse_calc.quantities import parse_rate_unit as _parse_rate_unit

_DRUG_KEYS = {
    "aliases",
    "dose_unit",
    "dose_unit_source",
    "concentrations",
    "source",
    "population",
    "area",
    *LIMIT_KEYS,
}
_AREA_KEYS = {"concentrations", "source", *LIMIT_KEYS}
_CONCENTRATION_KEYS = {"value", "label", "published", "basis", "reference"}
_TOP_KEYS = {"library", "drug"}
_LIBRARY_KEYS = {"name", "example", "note", "version", "population", "sources", "builtin"}
#: the fields ``drugs show`` traces to a library
TRACED = ("aliases", "dose_unit", "concentrations", "limits", "population", "source")


#: The built-in data file (package data, like units.txt).
DATA_FILE = "standard-concentrations.toml"


def builtin_text() -> str:
    """The built-in data file's text."""
    return (resources.files("infuse_calc") / "data" / DATA_FILE).read_text("utf-8")


@functools.cache
def builtin_library() -> Library:
    """The built-in library, parsed once per process."""
    return parse_library(builtin_text(), BUILTIN)


def parse_library(text: str, source: str = "<library>", base: Library | None = None) -> Library:
    """Parse and validate library text. Raises :class:`LibraryError` with a line number.

    With ``base`` (the built-in library), entries that name a base drug complete and
    override it (see the module docstring), unless ``[library] builtin = false``.
    """
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
    meta = _meta(data.get("library", {}), lines, source)
    if meta["builtin"] is False:
        base = None
    drugs_data = data.get("drug", {})
    if not isinstance(drugs_data, dict) or not drugs_data:
        raise LibraryError(source, None, "no drugs: add [drug.NAME] tables")
    reader = _DrugReader(lines, source, base, str(meta.get("population", "")))
    drugs = tuple(reader.drug(key, value) for key, value in drugs_data.items())
    seen: dict[str, str] = {}
    for drug in drugs:
        for name in drug.names:
            other = seen.setdefault(name.casefold(), drug.key)
            if other != drug.key:
                raise LibraryError(
                    source, drug.line, f"name {name!r} is used by both {other} and {drug.key}"
                )
    return Library(
        source,
        drugs,
        example=bool(meta.get("example", False)),
        name=str(meta.get("name", "")),
        version=str(meta.get("version", "")),
        note=str(meta.get("note", "")),
        sources=tuple(meta.get("sources", ())),
        builtin=bool(meta["builtin"]),
    )


def combine(base: Library | None, user: Library | None) -> Library:
    """The library in effect: ``user`` over ``base`` (the built-in data), either alone."""
    if user is None:
        assert base is not None
        return replace(base, layers=(base.source,))
    if base is None or not user.builtin:
        return replace(user, layers=(user.source,))
    replaced = {d.key: d for d in user.drugs if d.key in {b.key for b in base.drugs}}
    drugs = [replaced.get(d.key, d) for d in base.drugs]
    drugs += [d for d in user.drugs if d.key not in replaced]
    return replace(
        user,
        drugs=tuple(drugs),
        sources=base.sources + user.sources,
        layers=(base.source, user.source),
    )


def _meta(meta: Any, lines: list[str], source: str) -> dict[str, Any]:
    if not isinstance(meta, dict):
        raise LibraryError(source, _find_line(lines, "library"), "[library] must be a table")
    for key in meta:
        if key not in _LIBRARY_KEYS:
            raise LibraryError(source, _find_line(lines, key), f"unknown key {key!r} in [library]")
    builtin = meta.setdefault("builtin", True)
    if not isinstance(builtin, bool):
        raise LibraryError(
            source,
            _find_line(lines, "builtin"),
            "builtin must be true (extend the built-in library) or false (use this one alone)",
        )
    sources = meta.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise LibraryError(source, _find_line(lines, "sources"), "sources must be a list of text")
    return meta


def _line_from_message(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _find_line(lines: list[str], key: str, start: int = 0) -> int | None:
    """The 1-based line where ``key`` is first written (as a key or table header) from
    ``start`` (a 0-based index: pass a table's 1-based header line to search inside it)."""
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


class _DrugReader:
    """Reads ``[drug.*]`` tables of one library text, over an optional base library."""

    def __init__(self, lines: list[str], source: str, base: Library | None, population: str):
        self.lines = lines
        self.source = source
        self.base = base
        self.population = population

    def drug(self, key: str, data: Any) -> Drug:
        line = _header_line(self.lines, "drug", key) or _find_line(self.lines, key) or 0
        fail = self._failure(f"drug {key!r}", line)

        if not isinstance(data, dict):
            raise fail("must be a table [drug.NAME]")
        for name in data:
            if name not in _DRUG_KEYS:
                expected = ", ".join(sorted(_DRUG_KEYS))
                raise fail(f"unknown key {name!r} (expected one of: {expected})")
        inherited = self._inherited(key, fail)
        dose_unit = self._dose_unit(data, inherited, fail)
        aliases = _names(data.get("aliases", []), fail)
        if "concentrations" in data:
            concentrations = _concentrations(data["concentrations"], dose_unit, fail)
        else:
            concentrations = inherited.concentrations if inherited else ()
        source = str(data["source"]) if "source" in data else ""
        limits = _limits(data, dose_unit, fail, source)
        areas = {
            area: self._area(key, area, area_data, line, dose_unit, limits)
            for area, area_data in (data.get("area") or {}).items()
        }
        given = {f for f in TRACED if f in data and f != "aliases"}
        if limits.items():
            given.add("limits")
        else:
            limits = Limits()  # no limits: the entry's source says nothing about limits
        if inherited is None:
            return Drug(
                key,
                tall_man(key),
                aliases,
                dose_unit,
                concentrations,
                limits,
                areas,
                line,
                str(data.get("population", self.population)),
                source,
                str(data.get("dose_unit_source", "")),
                {"entry": self.source, **dict.fromkeys(TRACED, self.source)},
            )
        known = {n.casefold() for n in inherited.names}
        extra = [n for n in (key, *aliases) if n.casefold() not in known]
        origins = {**inherited.origins, **dict.fromkeys(given, self.source), "entry": self.source}
        if extra:
            origins["aliases"] = f"{inherited.origins.get('aliases', '')} + {self.source}"
        return replace(
            inherited,
            aliases=tuple(dict.fromkeys((*inherited.aliases, *extra))),
            dose_unit=dose_unit,
            concentrations=concentrations,
            limits=limits,
            areas=areas,
            line=line,
            population=str(data.get("population", inherited.population)),
            source=source or inherited.source,
            dose_unit_source=(
                str(data.get("dose_unit_source", ""))
                if "dose_unit" in data
                else inherited.dose_unit_source
            ),
            origins=origins,
        )

    def _failure(self, what: str, line: int) -> Any:
        """``fail(reason, field=None)``: the error for a table starting at ``line``, at the
        line of ``field`` inside it when one is named."""

        def fail(reason: str, field: str | None = None) -> LibraryError:
            at = (_find_line(self.lines, field, line) if field else None) or line
            return LibraryError(self.source, at, f"{what}: {reason}")

        return fail

    def _inherited(self, key: str, fail: Any) -> Drug | None:
        if self.base is None:
            return None
        found = self.base.matches(key)
        if len(found) > 1:
            names = " and ".join(d.name for d in found)
            raise fail(f"names {names} in the {self.base.source} library: use one of their names")
        return found[0] if found else None

    def _dose_unit(self, data: dict[str, Any], inherited: Drug | None, fail: Any) -> RateUnit:
        if "dose_unit" not in data:
            if inherited is None:
                raise fail('dose_unit is missing (e.g. dose_unit = "mcg/kg/min")')
            return inherited.dose_unit
        unit = _rate_unit(data["dose_unit"], fail)
        if inherited is not None and unit.kind is not inherited.dose_unit.kind:
            raise fail(
                f"dose_unit {unit} is in {unit.kind.label} but {inherited.name} in the "
                f"{inherited.library} library is dosed in {inherited.dose_unit} "
                f"({inherited.dose_unit.kind.label}): an entry may change the unit, not what "
                "the dose measures",
                "dose_unit",
            )
        return unit

    def _area(
        self, key: str, area: str, data: Any, line: int, dose_unit: RateUnit, limits: Limits
    ) -> Area:
        area_line = _header_line(self.lines, "drug", key, "area", area) or line
        fail = self._failure(f"drug {key!r}, area {area!r}", area_line)

        if not isinstance(data, dict):
            raise fail("must be a table [drug.NAME.area.AREA]")
        for name in data:
            if name not in _AREA_KEYS:
                raise fail(f"unknown key {name!r}")
        concs = None
        if "concentrations" in data:
            concs = _concentrations(data["concentrations"], dose_unit, fail)
        area_source = str(data.get("source", limits.source))
        fields = {k: d.text for k, d in limits.items()}
        return concs, _limits({**fields, **data}, dose_unit, fail, area_source)


def _names(value: Any, fail: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(a, str) and a.strip() for a in value):
        raise fail("aliases must be a list of names", "aliases")
    return tuple(value)


def _rate_unit(value: Any, fail: Any) -> RateUnit:
    if not isinstance(value, str):
        raise fail('dose_unit must be a string such as "mcg/kg/min"', "dose_unit")
    try:
        unit, _ = _parse_rate_unit(value)
    except InfuseCalcError as error:
        raise fail(f"dose_unit: {error}", "dose_unit") from None
    if unit.kind.value == "volume":
        raise fail(
            "dose_unit must be an amount rate (mcg/kg/min...), not a volume rate", "dose_unit"
        )
    return unit


def _concentrations(
    value: Any, dose_unit: RateUnit, fail: Any
) -> tuple[StandardConcentration, ...]:
    if not isinstance(value, list):
        raise fail('concentrations must be a list such as ["4 mg/250 mL"]', "concentrations")
    found: list[StandardConcentration] = []
    words: set[str] = set()
    for item in value:
        standard = _concentration(item, fail)
        conc = standard.concentration
        if conc.kind is not dose_unit.kind:
            raise fail(
                f"concentration {conc.text!r} is in {conc.kind.label} but dose_unit {dose_unit} "
                f"is in {dose_unit.kind.label}",
                "concentrations",
            )
        for word in standard.labels(len(found)):
            if word.casefold() in words:
                raise fail(f"the label {word!r} names two concentrations", "concentrations")
            words.add(word.casefold())
        found.append(standard)
    return tuple(found)


def _concentration(item: Any, fail: Any) -> StandardConcentration:
    """``"4 mg/250 mL"`` or ``{ value = "4 mg/250 mL", label = "central", ... }``."""
    fields: dict[str, Any] = {"value": item} if isinstance(item, str) else item
    if not isinstance(fields, dict) or not isinstance(fields.get("value"), str):
        raise fail(
            'each concentration is text such as "4 mg/250 mL" or a table with value = "..."',
            "concentrations",
        )
    for name, text in fields.items():
        if name not in _CONCENTRATION_KEYS or not isinstance(text, str):
            expected = ", ".join(sorted(_CONCENTRATION_KEYS))
            raise fail(
                f"concentration key {name!r} must be one of {expected} (text)", "concentrations"
            )
    try:
        conc = parse_concentration(fields["value"])
    except InfuseCalcError as error:
        raise fail(f"concentration: {error}", "concentrations") from None
    return StandardConcentration(
        conc,
        fields.get("label", "").strip(),
        fields.get("published", ""),
        fields.get("basis", ""),
        fields.get("reference", ""),
    )


def _limits(data: dict[str, Any], dose_unit: RateUnit, fail: Any, source: str) -> Limits:
    parsed: dict[str, Dose] = {}
    for key in LIMIT_KEYS:
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, str):
            raise fail(f'{key} must be a dose with its unit, e.g. "20 {dose_unit}"', key)
        try:
            dose = parse_dose(value)
        except InfuseCalcError as error:
            raise fail(f"{key}: {error}", key) from None
        if dose.unit.kind is not dose_unit.kind:
            raise fail(
                f"{key} {value!r} is in {dose.unit.kind.label} but dose_unit {dose_unit} is in "
                f"{dose_unit.kind.label}",
                key,
            )
        parsed[key] = dose
    ordered = [(k, parsed[k]) for k in LIMIT_KEYS if k in parsed]
    for i, (low_key, low) in enumerate(ordered):
        for high_key, high in ordered[i + 1 :]:
            if low.per_kg == high.per_kg and _value_in(low, high.unit) > high.value:
                raise fail(f"{low_key} {low.text!r} is above {high_key} {high.text!r}", low_key)
    return Limits(source=source, **parsed)


def _value_in(dose: Dose, unit: RateUnit) -> Fraction:
    return dose.value * u.factor(str(dose.unit), str(unit))
