"""Unit words: what each spelling a user may type stands for.

One allow-list for every reader. A :class:`UnitWord` carries the safe symbol infuse-calc
prints, which is also the unit's name in the project's pint registry (``units.txt``), so
user text never reaches pint. Error-prone spellings (``ug``, ``cc``, ``U``...) are read
with a warning naming the safe one; a few (grains, drams, ounces) are refused.
"""

from __future__ import annotations

from enum import Enum
from typing import Final

from infuse_calc.errors import InputError
from infuse_calc.memo import Memo
from infuse_calc.slots import Slots


class Kind(Enum):
    """What an amount measures. Amounts of different kinds never convert into each other."""

    MASS = "mass"
    UNITS = "units"
    SUBSTANCE = "substance"
    EQUIVALENTS = "equivalents"
    VOLUME = "volume"
    WEIGHT = "weight"
    TIME = "time"
    DROPS = "drops"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    Kind.MASS: "mass (mcg, mg, g...)",
    Kind.UNITS: "units",
    Kind.SUBSTANCE: "mmol",
    Kind.EQUIVALENTS: "mEq",
    Kind.VOLUME: "volume (mL)",
    Kind.WEIGHT: "weight (kg)",
    Kind.TIME: "time",
    Kind.DROPS: "drops (gtt: a drop factor in gtt/mL turns them into mL)",
}


class UnitWord(Slots):
    """One unit, by its safe printed symbol.

    ``symbol`` is both what infuse-calc prints and the name the unit has in the project's
    pint registry (see ``units.txt``), so every unit string we emit parses with
    :func:`infuse_calc.units.registry`. ``rank`` orders the units of one kind, smallest
    first (ng < mcg < mg < g).
    """

    __slots__ = ("kind", "rank", "symbol")

    def __init__(self, symbol: str, kind: Kind, rank: int = 0) -> None:
        self.symbol: Final = symbol
        self.kind: Final = kind
        self.rank: Final = rank

    def __str__(self) -> str:
        return self.symbol

    def __hash__(self) -> int:
        # Equal words have equal symbols. The fields' hash would also hash the Kind, in
        # Python (an enum's hash), and batch hashes units for every new dose text.
        return hash(self.symbol)


NG = UnitWord("ng", Kind.MASS, 0)
MCG = UnitWord("mcg", Kind.MASS, 1)
MG = UnitWord("mg", Kind.MASS, 2)
G = UnitWord("g", Kind.MASS, 3)
MILLIUNITS = UnitWord("milliunits", Kind.UNITS, 0)
UNITS = UnitWord("units", Kind.UNITS, 1)
MMOL = UnitWord("mmol", Kind.SUBSTANCE, 0)
MEQ = UnitWord("mEq", Kind.EQUIVALENTS, 0)
ML = UnitWord("mL", Kind.VOLUME, 0)
LITER = UnitWord("L", Kind.VOLUME, 1)
KG = UnitWord("kg", Kind.WEIGHT, 1)
GRAM_WEIGHT = UnitWord("g", Kind.WEIGHT, 0)
LB = UnitWord("lb", Kind.WEIGHT, 2)
MINUTE = UnitWord("min", Kind.TIME, 0)
HOUR = UnitWord("h", Kind.TIME, 1)
DAY = UnitWord("day", Kind.TIME, 2)
DROP = UnitWord("gtt", Kind.DROPS, 0)

#: Units of each kind in increasing size; display picks among these.
LADDERS: dict[Kind, tuple[UnitWord, ...]] = {
    Kind.MASS: (NG, MCG, MG, G),
    Kind.UNITS: (MILLIUNITS, UNITS),
    Kind.SUBSTANCE: (MMOL,),
    Kind.EQUIVALENTS: (MEQ,),
    Kind.VOLUME: (ML,),
    Kind.DROPS: (DROP,),
}


def _plural(*words: str) -> list[str]:
    return [w for word in words for w in (word, word + "s")]


# Spelling -> (unit, warning). A warning names the error-prone spelling and the safe one.
# "g" is listed as mass; weight parsing reinterprets it.
_AMOUNT_SPELLINGS: dict[str, UnitWord] = {
    **dict.fromkeys(["mcg", *_plural("microgram", "microgramme")], MCG),
    **dict.fromkeys(["ng", *_plural("nanogram", "nanogramme")], NG),
    **dict.fromkeys(["mg", *_plural("milligram", "milligramme")], MG),
    **dict.fromkeys(["g", *_plural("gram", "gramme")], G),
    **dict.fromkeys(["units", "unit"], UNITS),
    **dict.fromkeys(_plural("milliunit"), MILLIUNITS),
    **dict.fromkeys(["mmol", *_plural("millimole")], MMOL),
    **dict.fromkeys(["mEq", *_plural("milliequivalent")], MEQ),
    **dict.fromkeys(["mL", *_plural("milliliter", "millilitre")], ML),
    **dict.fromkeys(["L", *_plural("liter", "litre")], LITER),
}
_WEIGHT_SPELLINGS: dict[str, UnitWord] = {
    **dict.fromkeys(["kg", *_plural("kilogram", "kilogramme")], KG),
    **dict.fromkeys(["g", *_plural("gram", "gramme")], GRAM_WEIGHT),
    **dict.fromkeys(["lb", "lbs", *_plural("pound")], LB),
}
_TIME_SPELLINGS: dict[str, UnitWord] = {
    **dict.fromkeys(["min", "mins", *_plural("minute")], MINUTE),
    **dict.fromkeys(["h", "hr", "hrs", *_plural("hour")], HOUR),
    **dict.fromkeys(_plural("day"), DAY),
}
# A drip rate counted in drops; readers decide whether they accept it.
_DROP_SPELLINGS: dict[str, UnitWord] = dict.fromkeys(["gtt", "gtts", *_plural("drop")], DROP)
_ERROR_PRONE: dict[str, tuple[UnitWord, str]] = {
    "ug": (MCG, "mcg"),
    "µg": (MCG, "mcg"),  # U+00B5 MICRO SIGN
    "μg": (MCG, "mcg"),  # U+03BC GREEK SMALL LETTER MU
    "mcgs": (MCG, "mcg"),
    "gm": (G, "g"),
    "gms": (G, "g"),
    "cc": (ML, "mL"),
    "U": (UNITS, "units"),
    "u": (UNITS, "units"),
    "IU": (UNITS, "units"),
    "iu": (UNITS, "units"),
    "mU": (MILLIUNITS, "milliunits"),
    "mIU": (MILLIUNITS, "milliunits"),
    "d": (DAY, "day"),
}
_REFUSED = {
    # shown after the spelling: "'gr' (grain) is not accepted..."
    "gr": "(grain) is not accepted: it is easily confused with gram; write mg or g",
    "grain": "is not accepted: write mg or g",
    "grains": "are not accepted: write mg or g",
    "dr": "(dram) is not accepted: write mL or g",
    "oz": "(ounces) is not accepted: write kg, lb or mL",
    "nan": "is not a number",
    "inf": "is not a finite number",
    "infinity": "is not a finite number",
    "to": "(a range) is not read: give one value",
}
_ALL_SPELLINGS = {**_AMOUNT_SPELLINGS, **_WEIGHT_SPELLINGS, **_TIME_SPELLINGS, **_DROP_SPELLINGS}
# Case-insensitive lookup: there are no mega- units here, so "MG" can only mean mg; we
# still say so in a warning because capitals are how mg and Mg get confused.
_FOLDED = {key.casefold(): key for key in _ALL_SPELLINGS}
_FOLDED.update({key.casefold(): key for key in _ERROR_PRONE if key.casefold() not in _FOLDED})


# --- lookup -------------------------------------------------------------------------------


def is_refused(word: str) -> bool:
    """Whether ``word`` is a spelling refused on purpose (grains, ounces, nan...)."""
    return word.casefold() in _REFUSED


def refusal(word: str) -> str:
    """Why ``word`` is refused: ``'gr' (grain) is not accepted: ...``."""
    return f"'{word}' {_REFUSED[word.casefold()]}"


#: spellings looked up before that were read without a warning (the lookup depends on the
#: spelling alone; the input is only quoted in warnings and errors, never remembered)
_CLEAN: Memo[str, UnitWord] = Memo(1024)  # long spellings in any mix of capitals


def lookup_unit(what: str, text: str, word: str, warnings: list[str]) -> UnitWord:
    """The unit a spelling stands for (weight units are resolved by the caller).

    ``hour(s)``, ``minute(s)``: a plural written with ``(s)`` is read as the word itself.
    """
    unit = _CLEAN.get(word)
    if unit is None:
        unit = _CLEAN.keep_unwarned(word, warnings, lambda: _lookup(what, text, word, warnings))
    return unit


def _lookup(what: str, text: str, word: str, warnings: list[str]) -> UnitWord:
    if word.endswith("(s)"):
        word = word[:-3]
    if is_refused(word):
        raise InputError(what, text, refusal(word))
    key = word if (word in _ALL_SPELLINGS or word in _ERROR_PRONE) else _FOLDED.get(word.casefold())
    if key is None:
        raise InputError(what, text, f"unknown unit '{word}'{_suggestion(word)}")
    if key in _ERROR_PRONE:
        unit, safe = _ERROR_PRONE[key]
        warnings.append(f"{what} {text!r}: '{word}' is error-prone; read as {safe}, write {safe}")
        return unit
    if key != word and len(word) <= 3:
        warnings.append(f"{what} {text!r}: '{word}' read as {key}; write {key}")
    if key in _AMOUNT_SPELLINGS:
        return _AMOUNT_SPELLINGS[key]
    if key in _TIME_SPELLINGS:
        return _TIME_SPELLINGS[key]
    if key in _DROP_SPELLINGS:
        return _DROP_SPELLINGS[key]
    return _WEIGHT_SPELLINGS[key]


# "USP" before a units word names the standard the unit is defined by (the United States
# Pharmacopeia's reference standard): heparin, insulin and oxytocin labels write
# "25,000 USP units/250 mL". The amount is in units all the same, so it is read as units,
# and milliunits as thousandths of them; infuse-calc prints "units", never "USP units".
# No warning: unlike U or IU it cannot be misread as a number or as another unit, and
# "units" is the same amount. Before any other unit it means nothing ("USP mg"), and before
# IU it names two standards at once: both are refused.
STANDARD = "usp"
_OTHER_STANDARD = frozenset({"iu", "miu"})  # international units, a standard of their own


def lookup_standard_unit(
    what: str, text: str, standard: str, word: str, warnings: list[str]
) -> UnitWord:
    """The unit ``word`` after the standard's name ``standard`` (``USP``): units or
    milliunits, with the warnings its spelling raises (``USP U``: U is error-prone)."""
    unit = None
    if word.casefold() not in _OTHER_STANDARD:
        try:
            unit = lookup_unit(what, text, word, warnings)
        except InputError:  # unknown or refused: say what may follow the standard
            unit = None
    if unit is None or unit.kind is not Kind.UNITS:
        raise InputError(
            what,
            text,
            f"'{standard}' is read only before units or milliunits "
            f"(25,000 {standard} units), not before '{word}'",
        )
    return unit


def _suggestion(word: str) -> str:
    known = "mcg, mg, g, ng, units, milliunits, mmol, mEq, mL, L, kg, lb, min, h, day, gtt"
    return f" (known units: {known})"
