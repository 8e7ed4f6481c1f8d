"""The token walker every quantity reader uses, with messages that quote the whole input."""

from __future__ import annotations

from fractions import Fraction

from infuse_calc.errors import InputError
from infuse_calc.tokens import HYPHEN, Token, bad_character_reason, read_number, tokenize
from infuse_calc.unit_words import (
    STANDARD,
    UnitWord,
    is_refused,
    lookup_standard_unit,
    lookup_unit,
    refusal,
)
from infuse_calc.vehicles import match_vehicle


class Reader:
    """Walks a token list with error messages that quote the whole input."""

    def __init__(self, what: str, text: str) -> None:
        self.what = what
        self.text = text
        self.tokens = tokenize(what, text)
        self.pos = 0
        self.warnings: list[str] = []

    def fail(self, reason: str) -> InputError:
        return InputError(self.what, self.text, reason)

    def peek(self, ahead: int = 0) -> Token | None:
        at = self.pos + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def at(self, kind: str, ahead: int = 0) -> bool:
        token = self.peek(ahead)
        return token is not None and token.kind == kind

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.casefold() in words

    def accept(self, kind: str) -> bool:
        if self.at(kind):
            self.pos += 1
            return True
        return False

    def accept_word(self, *words: str) -> bool:
        if self.at_word(*words):
            self.pos += 1
            return True
        return False

    def start(self, token: Token) -> int:
        """Where ``token`` starts in the text."""
        return len(self.text) - token.back

    def span(self, start: int) -> str:
        """The input text of the tokens from index ``start`` to the current position."""
        first, last = self.tokens[start], self.tokens[self.pos - 1]
        return self.text[self.start(first) : self.start(last) + len(last.text)]

    def next(self, expected: str) -> Token:
        token = self.peek()
        if token is None:
            raise self.fail(f"expected {expected} at the end")
        if HYPHEN in token.text:  # "mcg-kg": only a vehicle's name is read hyphenated
            hyphen = self.start(token) + token.text.index(HYPHEN)
            raise self.fail(bad_character_reason(self.text, hyphen))
        self.pos += 1
        return token

    def number(self) -> Fraction:
        token = self.next("a number")
        if token.kind != "number":
            if token.kind == "word" and is_refused(token.text):
                raise self.fail(refusal(token.text))
            raise self.fail(f"expected a number, found '{token.text}'{misplaced(token)}")
        return read_number(self.what, self.text, token.text, self.warnings)

    def unit(self, expected: str) -> UnitWord:
        token = self.next(expected)
        if token.kind == "number":
            raise self.fail(f"expected {expected}, found the number '{token.text}'{self._split()}")
        if token.kind != "word":
            raise self.fail(f"expected {expected}, found '{token.text}'{misplaced(token)}")
        if token.glued and self.pos >= 2 and self.tokens[self.pos - 2].kind == "number":
            number = self.tokens[self.pos - 2].text
            self.warnings.append(
                f"{self.what} {self.text!r}: write a space between number and unit "
                f"({number} {token.text}, not {number}{token.text})"
            )
        if token.key == STANDARD:
            unit = self._standard(token)
        else:
            unit = lookup_unit(self.what, self.text, token.text, self.warnings)
        after = self.peek()
        if after is not None and after.kind == "word" and after.key == STANDARD:
            # "25 units USP/mL": labels write USP after a drug's name ("Heparin Sodium
            # Injection, USP", made to the USP monograph), so after a unit it is not read
            raise self.fail(
                f"'{after.text}' is read only before the units word "
                f"(25,000 {after.text} units), not after '{token.text}'"
            )
        return unit

    def _standard(self, standard: Token) -> UnitWord:
        """The unit after ``USP`` (:func:`lookup_standard_unit`): ``25,000 USP units``."""
        expected = f"units after '{standard.text}' (25,000 {standard.text} units)"
        word = self.next(expected)
        if word.kind != "word":
            raise self.fail(f"expected {expected}, found '{word.text}'")
        return lookup_standard_unit(self.what, self.text, standard.text, word.text, self.warnings)

    def _split(self) -> str:
        """A hint for ``100 000``: thousands split by a space rather than a comma."""
        if self.pos < 2:
            return ""
        before, after = self.tokens[self.pos - 2], self.tokens[self.pos - 1]
        digits = before.kind == "number" and before.text.isdigit() and after.text.isdigit()
        if digits and len(before.text) <= 3 and len(after.text) == 3:
            joined = f"{before.text},{after.text}"
            return f" (a space inside a number is not read: did you mean {joined}?)"
        return ""

    def separator(self) -> bool:
        """Consume ``/`` or ``per`` if next; report whether one was there."""
        return self.accept("slash") or self.accept_word("per")

    def vehicle(self) -> str | None:
        """Consume a vehicle's name if one is next; its canonical name."""
        found = match_vehicle(self.tokens, self.pos)
        if found is None:
            return None
        name, length = found
        self.pos += length
        return name

    def end(self) -> None:
        token = self.peek()
        if token is not None:
            raise self.fail(
                f"unexpected '{token.text}' after the end of the {self.what}{misplaced(token)}"
            )


def misplaced(token: Token) -> str:
    """Why a bracket or a colon cannot stand where it was found."""
    if token.kind == "colon":
        return " (ratio strengths such as 1:1,000 are read only as a concentration)"
    if token.kind in ("lparen", "rparen"):
        return " (brackets are read only around a concentration: 4 mg in 50 mL (80 mcg/mL))"
    return ""


def shown(value: Fraction) -> str:
    """A value for a message: exact when it is a finite decimal, else to 5 figures."""
    from infuse_calc.notation import format_exact, format_number

    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return format_exact(value) if denominator == 1 else "about " + format_number(value)
