"""The lowest layer of reading input: tokens and exact numbers.

Every reader of typed quantities (:mod:`infuse_calc.quantities` and the few option parsers
that read a number and a unit) splits text with :func:`tokenize` and reads numbers with
:func:`parse_number`, so a number means the same thing wherever it is typed.

Numbers are plain decimals read exactly (``7``, ``0.5``, ``2500``), optionally with ISMP
thousands separators: digits, then groups of exactly three (``25,000``, ``1,000,000.5``).
Any other comma (``7,5``, ``7,50``, ``1,0000``, ``,5``) may be a decimal comma and is
refused with the readings it could have ("did you mean 7.5 or 75?").
"""

from __future__ import annotations

import re
from fractions import Fraction

from infuse_calc.errors import InputError
from infuse_calc.memo import Memo

MAX_INPUT_LENGTH = 200
MAX_DIGITS = 15

#: what the tokenizer takes for a number token (then read, or refused, by parse_number)
_NUMBER_PATTERN = r"[0-9.,]*[0-9][0-9.,]*(?:[eE][+-]?[0-9]+)?|[.,]+"
#: the marks the grammar reads, each a token of its own kind
_MARKS = {
    "/": "slash",
    "%": "percent",
    "(": "lparen",
    ")": "rparen",
    ":": "colon",
    "'": "apostrophe",
    "’": "apostrophe",
}
#: the hyphen-minus read inside a word: "half-normal saline", a vehicle's name
HYPHEN = "-"
#: a word: letters, joined by single hyphens between letters. A hyphen anywhere else (-5,
#: 2-4, mg-) stays a character outside the grammar, and a hyphenated word is read only
#: where a table spells it (vehicles): Reader refuses it as a number or a unit.
_WORD_PATTERN = r"[A-Za-zµμ]+(?:" + HYPHEN + r"[A-Za-zµμ]+)*(?:\(s\))?"
# One pass over the text: each match is the spaces before a token, then the token in the
# group of its kind (a number, a word, a mark) or, in the last group, a character outside
# the grammar. Every non-space character starts a match, so matches are contiguous and only
# trailing spaces are left unmatched.
_TOKENS = re.compile(
    r"(\s*)(?:("
    + _NUMBER_PATTERN
    + r")|("
    + _WORD_PATTERN
    + r")|(["
    + re.escape("".join(_MARKS))
    + r"])|(\S))",
    re.ASCII,
)
MINUS_SIGNS = "-−–—"  # hyphen-minus, U+2212 minus, en dash, em dash


class Token:
    """One token of typed text. A plain class with slots: every text read makes a few, and
    batch reads tens of thousands (a dataclass costs more to make, and to import)."""

    __slots__ = ("back", "glued", "kind", "text")

    def __init__(self, kind: str, text: str, glued: bool, back: int) -> None:
        # "number" | "word" | "slash" | "percent" | "lparen" | "rparen" | "colon" | "apostrophe"
        self.kind = kind
        self.text = text
        self.glued = glued  # no space before this token
        # Where it starts, counted back from the end of the text (messages quote spans of
        # the input): so the tokens of a text's end are the same whatever comes before.
        self.back = back

    def __repr__(self) -> str:
        return f"Token({self.kind!r}, {self.text!r}, glued={self.glued}, back={self.back})"

    @property
    def key(self) -> str:
        """The text compared when matching fixed phrases: case and apostrophe style folded."""
        return "'" if self.kind == "apostrophe" else self.text.casefold()


# The tokens of the tails of texts read before (all after the first token), by the tail's
# text. A tail splits the same after any first token: each token is matched where the last
# one ended, a tail's first token is glued exactly when the tail starts without a space, and
# positions count from the end. Only tails of texts that split without an error are kept
# (an error's message depends on the whole text), and a batch has few tails: "mcg/kg/min"
# after thousands of numbers.
_TAILS: Memo[str, tuple[Token, ...]] = Memo(4096)


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
    first = _TOKENS.match(text)  # not None: a character other than a space starts a match
    assert first is not None
    tail = text[first.end() :]
    known = _TAILS.get(tail)
    if known is None or first.group(5):  # not read before, or a first character refused
        tokens = _split(what, text)
        _TAILS.keep(tail, tuple(tokens[1:]))
        return tokens
    _, number, word, mark, _ = first.groups()
    return [_token(number, word, mark, False, len(text) - len(first.group(1))), *known]


def _split(what: str, text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    for space, number, word, mark, bad in _TOKENS.findall(text):
        pos += len(space)
        if bad:
            raise InputError(what, text, bad_character_reason(text, pos))
        tokens.append(_token(number, word, mark, not space and pos > 0, len(text) - pos))
        pos += len(number or word or mark)
    return tokens


def _token(number: str, word: str, mark: str, glued: bool, back: int) -> Token:
    """A token from the groups of its match (one of number, word and mark is not empty)."""
    if number:
        return Token("number", number, glued, back)
    if word:
        return Token("word", word, glued, back)
    return Token(_MARKS[mark], mark, glued, back)


def bad_character_reason(text: str, pos: int) -> str:
    char = text[pos]
    if char in MINUS_SIGNS and pos + 1 < len(text) and text[pos + 1].isdigit():
        before = text[:pos].rstrip()
        if before and before[-1].isdigit():
            return "ranges (2-4) are not read; give one value"
        return "negative values are not accepted; the value must be greater than zero"
    if char == "*":
        return "'*' is not accepted; write units as amount/kg/time, e.g. 7 mcg/kg/min"
    if char.isdigit():
        return f"'{char}' is not an ASCII digit; type the number with 0-9"
    name = f"U+{ord(char):04X}"
    return f"unexpected character {char!r} ({name}) at position {pos + 1}"


# --- numbers ------------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?", re.ASCII)
# ISMP thousands separators: 1 to 3 leading digits, then groups of exactly three.
_GROUPED_NUMBER = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?", re.ASCII)
# What the tokenizer reads as one number; parse_number then says what is wrong with it.
_NUMBER_TOKEN = re.compile(_NUMBER_PATTERN, re.ASCII)


def _not_a_number_reason(token: str) -> str:
    if not token.strip():
        return "expected a number"
    for pos, char in enumerate(token):
        if char in MINUS_SIGNS or (char.isdigit() and not char.isascii()):
            return bad_character_reason(token, pos)
    return f"expected a number such as 0.1, found '{token}'"


def parse_number(what: str, text: str, token: str, warnings: list[str]) -> Fraction:
    """Read one decimal number exactly. ``text`` is the whole input, for messages."""
    if not _NUMBER_TOKEN.fullmatch(token):
        # Callers such as --pump-resolution pass raw text, not a tokenizer's number.
        raise InputError(what, text, _not_a_number_reason(token))
    return _read_number(what, text, token, warnings)


# Numbers read before without a warning, by their text: a number reads the same in any
# input (warnings and errors quote the input: neither is remembered). A batch's doses and
# weights repeat their numbers: 20,000 distinct doses may hold 7,500 distinct numbers.
_NUMBERS: Memo[str, Fraction] = Memo(8192)


def read_number(what: str, text: str, token: str, warnings: list[str]) -> Fraction:
    """:func:`parse_number` of a number token of :func:`tokenize` (already of its shape)."""
    value = _NUMBERS.get(token)
    if value is None:
        value = _NUMBERS.keep_unwarned(
            token, warnings, lambda: _read_number(what, text, token, warnings)
        )
    return value


def _read_number(what: str, text: str, token: str, warnings: list[str]) -> Fraction:
    if "e" in token.lower():
        raise InputError(what, text, f"'{token}': write the number in full, without exponents")
    plain = token
    if "," in token:
        if not _GROUPED_NUMBER.fullmatch(token):
            raise InputError(what, text, _comma_reason(token))
        plain = token.replace(",", "")
    if plain.count(".") > 1 or not plain.strip("."):
        raise InputError(what, text, f"'{token}' is not a number")
    if plain.endswith("."):
        raise InputError(
            what, text, f"'{token}': a number cannot end with a decimal point; write {token[:-1]}"
        )
    digits = len(plain) - plain.count(".")  # all digits and one point by now
    if digits > MAX_DIGITS:
        raise InputError(what, text, f"'{token}' has too many digits (at most {MAX_DIGITS})")
    shown = plain
    display = token  # keeps its thousands separators in messages
    if plain.startswith("."):
        shown = display = "0" + plain
        warnings.append(f"{what} {text!r}: '{token}' read as {shown}; write a leading zero")
    if not _PLAIN_NUMBER.fullmatch(shown):
        readings = _leading_zero_readings(plain)
        if not readings:
            raise InputError(what, text, "must be greater than zero")
        raise InputError(
            what,
            text,
            f"'{token}': a leading zero must be followed by a decimal point "
            f"(did you mean {' or '.join(readings)}?)",
        )
    if "." in display and display.endswith("0"):
        clean = display.rstrip("0").rstrip(".")
        warnings.append(
            f"{what} {text!r}: '{token}' read as {clean}; trailing zeros are error-prone "
            f"({token} can be misread as ten times more), write {clean}"
        )
    # from ints: Fraction's own reading of a string is several times slower
    whole, _, decimals = shown.partition(".")
    numerator = int(whole + decimals)
    if numerator == 0:
        raise InputError(what, text, "must be greater than zero")
    return Fraction(numerator, 10 ** len(decimals)) if decimals else Fraction(numerator)


def _leading_zero_readings(plain: str) -> list[str]:
    """``05``: 0.5 (a point was meant) or 5 (the zero is a slip)."""
    stripped = plain.lstrip("0")
    candidates = [stripped if not stripped.startswith(".") else "0" + stripped]
    if "." not in plain:
        candidates.insert(0, "0." + stripped)
    return _readable(candidates)


def _readable(candidates: list[str]) -> list[str]:
    """The candidates that are plain positive numbers, each once, as they would be read."""
    from infuse_calc.notation import format_exact

    readings: list[str] = []
    seen: set[Fraction] = set()
    for candidate in candidates:
        number = "0" + candidate if candidate.startswith(".") else candidate
        if not _PLAIN_NUMBER.fullmatch(number) or len(number) > MAX_DIGITS + 1:
            continue
        value = Fraction(number)
        if value > 0 and value not in seen:
            seen.add(value)
            readings.append(format_exact(value, separators=True))
    return readings


def _comma_reason(token: str) -> str:
    readings = _comma_readings(token)
    question = f"; did you mean {' or '.join(readings)}?" if readings else ""
    return (
        f"'{token}': commas are not accepted in numbers; use a decimal point, and a comma "
        f"only between groups of three digits (25,000){question}"
    )


def _comma_readings(token: str) -> list[str]:
    """What a badly placed comma could mean, each written as it would be read."""
    candidates = []
    if token.count(",") == 1:
        # a decimal comma, possibly after European thousands points (1.000,5)
        whole, _, decimals = token.partition(",")
        candidates.append(whole.replace(".", "") + "." + decimals)
    if "." not in token or token.count(",") > 1:
        candidates.append(token.replace(",", ""))  # separators in the wrong places
    return _readable(candidates)
