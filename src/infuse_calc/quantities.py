"""Reading what people type: doses, weights, concentrations and unit expressions.

pint's own string parser is a calculator and silently misreads dose input (``500 mg/250 mL``
is 2 mg*mL to it, ``7,5 mg`` is 75 mg, ``05 mg`` is 0 mg) or hangs (``9**9**9 mg``). So user
text never reaches pint: this module tokenises it against a small grammar and an allow-list
of unit spellings, and produces plain values (exact :class:`~fractions.Fraction` numbers and
:class:`UnitWord` objects). :mod:`infuse_calc.dosing` then builds pint quantities from those
values, one known unit name at a time.

This module imports neither pint nor click, so parsing is cheap and can run at option-parse
time.

Grammar (``NUMBER`` is a plain decimal such as ``7``, ``0.5`` or ``2500``)::

    dose          NUMBER AMOUNT / [kg /] TIME        7 mcg/kg/min, 4 mg/h, 3 mL/h
    weight        NUMBER [kg | g | lb]               72, 72 kg, 154 lb, 850 g
    concentration NUMBER AMOUNT / [NUMBER] VOLUME    10 mg/mL, 500 mg/250 mL
                  NUMBER AMOUNT in NUMBER VOLUME     500 mg in 250 mL
                  NUMBER %                           1% (w/v: 1 g per 100 mL)

``per`` may be written for ``/``. Error-prone spellings (``ug``, ``µg``, ``cc``, ``U``,
``IU``, ``.5``, ``5.0``, ``10mg``) are understood and reported as warnings naming the safe
spelling; anything else outside the grammar is refused with an :class:`InputError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction

from infuse_calc.errors import InputError

MAX_INPUT_LENGTH = 200
MAX_DIGITS = 15
MIN_WEIGHT_KG = Fraction(1, 10)
MAX_WEIGHT_KG = Fraction(650)


class Kind(Enum):
    """What an amount measures. Amounts of different kinds never convert into each other."""

    MASS = "mass"
    UNITS = "units"
    SUBSTANCE = "substance"
    EQUIVALENTS = "equivalents"
    VOLUME = "volume"
    WEIGHT = "weight"
    TIME = "time"

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
}


@dataclass(frozen=True)
class UnitWord:
    """One unit, by its safe printed symbol.

    ``symbol`` is both what infuse-calc prints and the name the unit has in the project's
    pint registry (see ``units.txt``), so every unit string we emit parses with
    :func:`infuse_calc.units.registry`.
    """

    symbol: str
    kind: Kind
    rank: int = 0  # orders the units of one kind, smallest first (ng < mcg < mg < g)

    def __str__(self) -> str:
        return self.symbol


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

#: Units of each kind in increasing size; display picks among these.
LADDERS: dict[Kind, tuple[UnitWord, ...]] = {
    Kind.MASS: (NG, MCG, MG, G),
    Kind.UNITS: (MILLIUNITS, UNITS),
    Kind.SUBSTANCE: (MMOL,),
    Kind.EQUIVALENTS: (MEQ,),
    Kind.VOLUME: (ML,),
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
_ERROR_PRONE: dict[str, tuple[UnitWord, str]] = {
    "ug": (MCG, "mcg"),
    "µg": (MCG, "mcg"),  # U+00B5 MICRO SIGN
    "μg": (MCG, "mcg"),  # U+03BC GREEK SMALL LETTER MU
    "mcgs": (MCG, "mcg"),
    "gm": (G, "g"),
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
}
_ALL_SPELLINGS = {**_AMOUNT_SPELLINGS, **_WEIGHT_SPELLINGS, **_TIME_SPELLINGS}
# Case-insensitive lookup: there are no mega- units here, so "MG" can only mean mg; we
# still say so in a warning because capitals are how mg and Mg get confused.
_FOLDED = {key.casefold(): key for key in _ALL_SPELLINGS}
_FOLDED.update({key.casefold(): key for key in _ERROR_PRONE if key.casefold() not in _FOLDED})


# --- tokens -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>[0-9.,]*[0-9][0-9.,]*(?:[eE][+-]?[0-9]+)?|\.+)
  | (?P<word>[A-Za-zµμ]+)
  | (?P<slash>/)
  | (?P<percent>%)
    """,
    re.VERBOSE | re.ASCII,
)
_MINUS_SIGNS = "-−–—"  # hyphen-minus, U+2212 minus, en dash, em dash


@dataclass(frozen=True)
class Token:
    kind: str  # "number" | "word" | "slash" | "percent"
    text: str
    glued: bool  # no space before this token


def tokenize(what: str, text: str) -> list[Token]:
    """Split ``text`` into tokens, refusing any character outside the grammar."""
    if len(text) > MAX_INPUT_LENGTH:
        raise InputError(
            what,
            text[:40] + "...",
            f"is too long ({len(text):,} characters; at most {MAX_INPUT_LENGTH})",
        )
    if not text.strip():
        raise InputError(what, text, "is empty")
    tokens: list[Token] = []
    pos = 0
    glued = False
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise InputError(what, text, _bad_character_reason(text, pos))
        kind = match.lastgroup
        assert kind is not None
        if kind == "space":
            glued = False
        else:
            tokens.append(Token(kind, match.group(), glued and bool(tokens)))
            glued = True
        pos = match.end()
    return tokens


def _bad_character_reason(text: str, pos: int) -> str:
    char = text[pos]
    if char in _MINUS_SIGNS and pos + 1 < len(text) and (text[pos + 1].isdigit()):
        return "negative values are not accepted; the value must be greater than zero"
    if char == ":":
        return "ratio strengths (1:1000) are not accepted; write a concentration such as 1 mg/mL"
    if char == "*":
        return "'*' is not accepted; write units as amount/kg/time, e.g. 7 mcg/kg/min"
    if char.isdigit():
        return f"'{char}' is not an ASCII digit; type the number with 0-9"
    name = f"U+{ord(char):04X}"
    return f"unexpected character {char!r} ({name}) at position {pos + 1}"


# --- numbers ------------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?", re.ASCII)
# What the tokenizer reads as one number; parse_number then says what is wrong with it.
_NUMBER_TOKEN = re.compile(r"[0-9.,]*[0-9][0-9.,]*(?:[eE][+-]?[0-9]+)?|\.+", re.ASCII)


def _not_a_number_reason(token: str) -> str:
    if not token.strip():
        return "expected a number"
    for pos, char in enumerate(token):
        if char in _MINUS_SIGNS or (char.isdigit() and not char.isascii()):
            return _bad_character_reason(token, pos)
    return f"expected a number such as 0.1, found '{token}'"


def parse_number(what: str, text: str, token: str, warnings: list[str]) -> Fraction:
    """Read one decimal number exactly. ``text`` is the whole input, for messages."""
    if not _NUMBER_TOKEN.fullmatch(token):
        # Callers such as --pump-resolution pass raw text, not a tokenizer's number.
        raise InputError(what, text, _not_a_number_reason(token))
    if "," in token:
        raise InputError(
            what,
            text,
            f"'{token}': commas are not accepted in numbers; use a decimal point (7.5) "
            "and no thousands separators (25000)",
        )
    if "e" in token.lower():
        raise InputError(what, text, f"'{token}': write the number in full, without exponents")
    if token.count(".") > 1 or set(token) == {"."}:
        raise InputError(what, text, f"'{token}' is not a number")
    if token.endswith("."):
        raise InputError(
            what, text, f"'{token}': a number cannot end with a decimal point; write {token[:-1]}"
        )
    digits = sum(c.isdigit() for c in token)
    if digits > MAX_DIGITS:
        raise InputError(what, text, f"'{token}' has too many digits (at most {MAX_DIGITS})")
    shown = token
    if token.startswith("."):
        shown = "0" + token
        warnings.append(f"{what} {text!r}: '{token}' read as {shown}; write a leading zero")
    if not _PLAIN_NUMBER.fullmatch(shown):
        raise InputError(
            what,
            text,
            f"'{token}': a leading zero must be followed by a decimal point "
            f"(did you mean {token[0]}.{token[1:].lstrip('0') or '0'} or {token.lstrip('0')}?)",
        )
    if "." in shown and shown.endswith("0"):
        clean = shown.rstrip("0").rstrip(".")
        warnings.append(
            f"{what} {text!r}: '{token}' read as {clean}; trailing zeros are error-prone "
            f"({token} can be misread as ten times more), write {clean}"
        )
    value = Fraction(shown)
    if value == 0:
        raise InputError(what, text, "must be greater than zero")
    return value


# --- unit words ---------------------------------------------------------------------------


def lookup_unit(what: str, text: str, word: str, warnings: list[str]) -> UnitWord:
    """The unit a spelling stands for (weight units are resolved by the caller)."""
    refused = _REFUSED.get(word.casefold())
    if refused:
        raise InputError(what, text, f"'{word}' {refused}" if word.isalpha() else refused)
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
    return _WEIGHT_SPELLINGS[key]


def _suggestion(word: str) -> str:
    known = "mcg, mg, g, ng, units, milliunits, mmol, mEq, mL, L, kg, lb, min, h, day"
    return f" (known units: {known})"


# --- values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateUnit:
    """``amount / [kg /] time``, e.g. mcg/kg/min, units/h, mL/h."""

    amount: UnitWord
    time: UnitWord
    per_kg: bool = False

    def __str__(self) -> str:
        middle = "/kg" if self.per_kg else ""
        return f"{self.amount.symbol}{middle}/{self.time.symbol}"

    @property
    def kind(self) -> Kind:
        return self.amount.kind


@dataclass(frozen=True)
class Dose:
    """A dose rate as typed: a positive exact number and a :class:`RateUnit`."""

    value: Fraction
    unit: RateUnit
    text: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def per_kg(self) -> bool:
        return self.unit.per_kg

    @property
    def is_volume_rate(self) -> bool:
        return self.unit.kind is Kind.VOLUME


@dataclass(frozen=True)
class Weight:
    """A body weight as typed (value and unit) and its exact value in kg."""

    value: Fraction
    unit: UnitWord
    kg: Fraction
    text: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Concentration:
    """``amount`` of drug in ``volume`` of solution, e.g. 500 mg in 250 mL.

    ``per_volume_given`` records whether the volume was written (``500 mg/250 mL``) or
    implied (``10 mg/mL``); ``percent`` holds the percentage for ``1%`` style input.
    """

    amount: Fraction
    amount_unit: UnitWord
    volume: Fraction
    volume_unit: UnitWord
    text: str = ""
    per_volume_given: bool = False
    percent: Fraction | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def kind(self) -> Kind:
        return self.amount_unit.kind


# --- parsers ------------------------------------------------------------------------------


class _Reader:
    """Walks a token list with error messages that quote the whole input."""

    def __init__(self, what: str, text: str) -> None:
        self.what = what
        self.text = text
        self.tokens = tokenize(what, text)
        self.pos = 0
        self.warnings: list[str] = []

    def fail(self, reason: str) -> InputError:
        return InputError(self.what, self.text, reason)

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self, expected: str) -> Token:
        token = self.peek()
        if token is None:
            raise self.fail(f"expected {expected} at the end")
        self.pos += 1
        return token

    def number(self) -> Fraction:
        token = self.next("a number")
        if token.kind != "number":
            if token.kind == "word" and token.text.casefold() in _REFUSED:
                raise self.fail(f"'{token.text}' {_REFUSED[token.text.casefold()]}")
            raise self.fail(f"expected a number, found '{token.text}'")
        return parse_number(self.what, self.text, token.text, self.warnings)

    def unit(self, expected: str) -> UnitWord:
        token = self.next(expected)
        if token.kind == "number":
            raise self.fail(f"expected {expected}, found the number '{token.text}'")
        if token.kind != "word":
            raise self.fail(f"expected {expected}, found '{token.text}'")
        if token.glued and self.pos >= 2 and self.tokens[self.pos - 2].kind == "number":
            number = self.tokens[self.pos - 2].text
            self.warnings.append(
                f"{self.what} {self.text!r}: write a space between number and unit "
                f"({number} {token.text}, not {number}{token.text})"
            )
        return lookup_unit(self.what, self.text, token.text, self.warnings)

    def separator(self) -> bool:
        """Consume ``/`` or ``per`` if next; report whether one was there."""
        token = self.peek()
        if token is not None and (
            token.kind == "slash" or (token.kind == "word" and token.text.casefold() == "per")
        ):
            self.pos += 1
            return True
        return False

    def end(self) -> None:
        token = self.peek()
        if token is not None:
            raise self.fail(f"unexpected '{token.text}' after the end of the {self.what}")


def _rate_unit(reader: _Reader) -> RateUnit:
    amount = reader.unit("a unit such as mcg/kg/min")
    if amount.kind in (Kind.TIME,):
        raise reader.fail(f"'{amount}' is a time; the unit must start with an amount (mcg, mL...)")
    if amount.kind is Kind.WEIGHT:
        if amount is GRAM_WEIGHT:
            amount = G
        else:
            raise reader.fail(
                f"a dose cannot be in {amount}; the amount comes first (7 mcg/kg/min)"
            )
    per_kg = False
    time: UnitWord | None = None
    while reader.separator():
        denominator = reader.unit("kg or a time unit (min, h, day) after '/'")
        if denominator.kind is Kind.TIME and time is None:
            time = denominator
        elif denominator is KG and not per_kg:
            per_kg = True
        elif denominator is KG:
            raise reader.fail("'kg' appears twice")
        elif denominator.kind is Kind.WEIGHT:
            raise reader.fail(f"doses are per kg, not per {denominator}; convert the weight")
        elif denominator.kind is Kind.TIME:
            raise reader.fail("more than one time unit")
        else:
            raise reader.fail(f"'{denominator}' cannot follow '/' in a dose rate")
    if time is None:
        raise reader.fail(
            "expected a rate: amount per time, such as mcg/kg/min, mg/h or mL/h "
            "(one-off doses are not infusions)"
        )
    return RateUnit(amount, time, per_kg)


def parse_dose(text: str) -> Dose:
    """Parse a dose rate such as ``7 mcg/kg/min``, ``4 mg/h`` or ``3 mL/h``."""
    reader = _Reader("dose", text)
    value = reader.number()
    unit = _rate_unit(reader)
    reader.end()
    return Dose(value, unit, text, tuple(reader.warnings))


def parse_rate_unit(text: str, what: str = "dose unit") -> tuple[RateUnit, tuple[str, ...]]:
    """Parse a unit expression without a number, such as ``mcg/kg/min`` or ``mL/h``."""
    reader = _Reader(what, text)
    unit = _rate_unit(reader)
    reader.end()
    return unit, tuple(reader.warnings)


def parse_weight(text: str) -> Weight:
    """Parse a body weight: a bare number is kg; ``kg``, ``g`` and ``lb`` may follow.

    Refuses weights outside 0.1 to 650 kg: those are typing errors, not patients.
    """
    from infuse_calc.units import weight_in_kg

    reader = _Reader("weight", text)
    value = reader.number()
    unit = KG
    if reader.peek() is not None:
        word = reader.unit("a weight unit (kg, g or lb)")
        # the allow-list reads "g" as a drug mass; here it is a body weight
        unit = GRAM_WEIGHT if word is G else word
        if unit.kind is not Kind.WEIGHT:
            raise reader.fail(f"'{word}' is not a weight unit; use kg, g or lb")
    reader.end()
    kg = weight_in_kg(value, unit)
    if kg < MIN_WEIGHT_KG:
        raise reader.fail(f"is below {_exact(MIN_WEIGHT_KG)} kg; check the weight and its unit")
    if kg > MAX_WEIGHT_KG:
        raise reader.fail(f"is over {_exact(MAX_WEIGHT_KG)} kg; check the weight and its unit")
    return Weight(value, unit, kg, text, tuple(reader.warnings))


def _exact(value: Fraction) -> str:
    from infuse_calc.notation import format_exact

    return format_exact(value)


def parse_concentration(text: str) -> Concentration:
    """Parse ``10 mg/mL``, ``500 mg/250 mL``, ``500 mg in 250 mL`` or ``1%`` (w/v)."""
    reader = _Reader("concentration", text)
    amount = reader.number()
    token = reader.peek()
    if token is not None and token.kind == "percent":
        reader.pos += 1
        reader.end()
        if amount > 100:
            raise reader.fail("a w/v percentage cannot exceed 100%")
        return Concentration(
            amount, G, Fraction(100), ML, text, True, amount, tuple(reader.warnings)
        )
    amount_unit = reader.unit("an amount unit (mg, mcg, units, mmol, mEq)")
    if amount_unit.kind is Kind.WEIGHT and amount_unit is GRAM_WEIGHT:
        amount_unit = G
    if amount_unit.kind not in (Kind.MASS, Kind.UNITS, Kind.SUBSTANCE, Kind.EQUIVALENTS):
        raise reader.fail(
            f"'{amount_unit}' is not a drug amount; write amount per volume, e.g. 10 mg/mL"
        )
    token = reader.peek()
    if reader.separator():
        pass
    elif token is not None and token.kind == "word" and token.text.casefold() == "in":
        reader.pos += 1
        nxt = reader.peek()
        if nxt is None or nxt.kind != "number":
            raise reader.fail("expected a volume after 'in', such as 250 mL")
    else:
        raise reader.fail("expected amount per volume: 10 mg/mL, 500 mg/250 mL, 500 mg in 250 mL")
    volume = Fraction(1)
    given = False
    nxt = reader.peek()
    if nxt is not None and nxt.kind == "number":
        volume = reader.number()
        given = True
    volume_unit = reader.unit("a volume unit (mL or L)")
    if volume_unit.kind is not Kind.VOLUME:
        raise reader.fail(f"'{volume_unit}' is not a volume; use mL or L")
    reader.end()
    return Concentration(
        amount, amount_unit, volume, volume_unit, text, given, None, tuple(reader.warnings)
    )
