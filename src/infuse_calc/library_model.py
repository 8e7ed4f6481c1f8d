"""Drug libraries as values: drugs, their standard concentrations and limits, and lookup.

A :class:`Library` is what one library file (or the built-in data) says, or several of them
combined: a user's library extends or overrides the built-in entries by name
(:func:`infuse_calc.library_parse.combine`). Each :class:`Drug` records which library every
field came from, so ``drugs show`` can say so. Parsing lives in
:mod:`infuse_calc.library_parse`; limits in :mod:`infuse_calc.library_limits`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from infuse_calc.errors import IncompatibleError, InfuseCalcError
from infuse_calc.quantities import Concentration, Dose, RateUnit

#: the name the built-in library goes by in messages, ``config show`` and ``drugs show``
BUILTIN = "built-in"

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
#: positional labels: every standard concentration answers to its place in the list
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")
#: how close a typed name must be to a known one to be suggested (difflib ratio); 0.75 keeps
#: "heprin" -> heparin but never suggests heparin for phenylephrine
CLOSE_NAME_CUTOFF = 0.75
#: and within this of the closest, so one near-exact match is not joined by a look-alike
CLOSE_NAME_MARGIN = 0.1


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
class StandardConcentration:
    """One standard concentration of a drug, with what the source says about it."""

    concentration: Concentration
    label: str = ""  # "peripheral", "central", "first"... as the source labels it
    published: str = ""  # the figure as the source prints it (and where)
    basis: str = ""  # "standard" or "premix label" (built-in data); "" in user libraries
    reference: str = ""  # the source's key in the library's [library] sources

    @property
    def text(self) -> str:
        return self.concentration.text

    def labels(self, index: int) -> tuple[str, ...]:
        """The words that pick this concentration: its place (``second``) and its label."""
        ordinal = ORDINALS[index] if index < len(ORDINALS) else str(index + 1)
        return tuple(dict.fromkeys(w for w in (ordinal, self.label) if w))


Area = tuple[tuple[StandardConcentration, ...] | None, Limits]


@dataclass(frozen=True)
class Drug:
    """One library entry. ``origins`` maps each field to the library it came from."""

    key: str
    name: str  # display name (tall man)
    aliases: tuple[str, ...]
    dose_unit: RateUnit
    concentrations: tuple[StandardConcentration, ...]
    limits: Limits
    areas: dict[str, Area] = field(default_factory=dict)
    line: int = 0
    population: str = ""
    source: str = ""
    dose_unit_source: str = ""
    origins: Mapping[str, str] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the drug answers to: key, display name and aliases."""
        return tuple(dict.fromkeys((self.key, self.name, *self.aliases)))

    @property
    def library(self) -> str:
        """The library that defined (or last changed) the entry."""
        return self.origins.get("entry", "")

    def for_area(self, area: str | None) -> tuple[tuple[StandardConcentration, ...], Limits]:
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

    def standards(self, area: str | None) -> tuple[tuple[Concentration, str], ...]:
        """The standard concentrations for a care area with their labels, as
        :func:`~infuse_calc.check.check` takes them: a rate worked out for another of the
        drug's bags is a likely cause of a mismatch."""
        listed, _ = self.for_area(area)
        return tuple((s.concentration, s.label) for s in listed)


@dataclass(frozen=True)
class Library:
    """A parsed, validated drug library, or several combined (``layers``, weakest first)."""

    source: str
    drugs: tuple[Drug, ...]
    example: bool = False
    name: str = ""
    version: str = ""
    note: str = ""
    sources: tuple[str, ...] = ()
    builtin: bool = True  # False: a user library that turns the built-in one off
    layers: tuple[str, ...] = ()

    @property
    def in_effect(self) -> tuple[str, ...]:
        """The libraries combined here, weakest first (``built-in``, then files)."""
        return self.layers or (self.source,)

    @property
    def files(self) -> tuple[str, ...]:
        """The library files in effect (not the built-in data)."""
        return tuple(layer for layer in self.in_effect if layer != BUILTIN)

    @property
    def uses_builtin(self) -> bool:
        return BUILTIN in self.in_effect

    def describe(self) -> str:
        return " + ".join(self.in_effect)

    def matches(self, name: str) -> list[Drug]:
        """Every drug that answers to ``name`` (any case)."""
        wanted = name.strip().casefold()
        return [d for d in self.drugs if wanted in (n.casefold() for n in d.names)]

    def find(self, name: str) -> Drug:
        """The drug called ``name`` (key, tall-man name or alias, any case).

        An unknown name lists close ones; a name two drugs answer to lists both.
        """
        found = self.matches(name)
        if len(found) == 1:
            return found[0]
        if found:
            listed = "; ".join(
                f"{d.name} ({d.library or self.describe()}: {', '.join(d.names)})" for d in found
            )
            raise IncompatibleError(
                f"drug {name!r} is ambiguous: it names {len(found)} drugs: {listed}; "
                "use a name only one of them has"
            )
        close = self.close_names(name)
        known = self.catalogue()
        hint = f"did you mean {' or '.join(close)}? ({known})" if close else known
        raise IncompatibleError(
            f"drug {name!r} is not in the drug library ({self.describe()}): {hint}"
        )

    def close_names(self, name: str) -> list[str]:
        """Display names of the drugs whose name, tall-man name or alias is close to ``name``."""
        names = {n.casefold(): d.name for d in self.drugs for n in d.names}
        wanted = name.strip().casefold()
        scored = []
        for candidate in names:
            matcher = difflib.SequenceMatcher(None, wanted, candidate)
            if matcher.real_quick_ratio() >= CLOSE_NAME_CUTOFF:
                scored.append((matcher.ratio(), candidate))
        best = max((score for score, _ in scored), default=0.0)
        # only the nearest: "noradrenalin" is noradrenaline, not also adrenaline (epinephrine)
        close = sorted(
            (c for c in scored if c[0] >= max(CLOSE_NAME_CUTOFF, best - CLOSE_NAME_MARGIN)),
            reverse=True,
        )
        return list(dict.fromkeys(names[c] for _, c in close))[:3]

    def catalogue(self) -> str:
        """``drugs: a, b, c`` for a small library; a pointer to ``drugs list`` otherwise."""
        if len(self.drugs) <= 12:
            return "drugs: " + ", ".join(sorted((d.name for d in self.drugs), key=str.casefold))
        return f"infuse-calc drugs list shows all {len(self.drugs)}"

    def search(self, text: str) -> list[Drug]:
        """Drugs whose key, tall-man name or an alias contains ``text`` (any case)."""
        wanted = text.strip().casefold()
        return [d for d in self.drugs if any(wanted in n.casefold() for n in d.names)]
