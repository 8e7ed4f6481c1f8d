"""Vehicles (diluents) a concentration may name: ``400 mg in 250 mL of D5W``.

One table, kept as data: each canonical name (what infuse-calc shows and puts in the
``vehicle`` field) with the spellings read as it, case-insensitively. A spelling is matched
token by token, so ``D5W``/``d5w``, ``0.9% NaCl``/``0.9 % nacl`` and ``Ringer's``/``Ringer’s``
are the same; nothing outside the table is guessed. A hyphen is read only inside a word
(``half-normal``), so a name written with and without it is listed both ways. The figures
inside a vehicle's name (``0.9%``, ``D5``, ``1/2``) belong to the name and are never read
as the drug's strength.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from infuse_calc.tokens import Token, tokenize

#: canonical name -> every spelling read as it (the canonical name is one of them).
VEHICLES: dict[str, tuple[str, ...]] = {
    "D5W": (
        "D5W",
        "5DW",
        "dextrose 5%",
        "5% dextrose",
        "dextrose 5% in water",
        "5% dextrose in water",
        "dextrose 5% injection",
        "5% dextrose injection",
    ),
    "D10W": (
        "D10W",
        "10DW",
        "dextrose 10%",
        "10% dextrose",
        "dextrose 10% in water",
        "10% dextrose in water",
    ),
    "NS": (
        "NS",
        "NSS",
        "normal saline",
        "normal saline solution",
        "0.9% NaCl",
        "NaCl 0.9%",
        "0.9% sodium chloride",
        "sodium chloride 0.9%",
        "0.9% sodium chloride injection",
        "0.9% NS",
        "0.9% normal saline",
        "0.9% saline",
    ),
    "1/2 NS": (
        "1/2 NS",
        "half normal saline",
        "half-normal saline",
        "0.45% NaCl",
        "NaCl 0.45%",
        "0.45% sodium chloride",
        "sodium chloride 0.45%",
        "0.45% sodium chloride injection",
        "0.45% NS",
        "0.45% saline",
    ),
    "D5NS": (
        "D5NS",
        "D5 0.9% NaCl",
        "D5 normal saline",
        "dextrose 5% in normal saline",
        "dextrose 5% in 0.9% NaCl",
    ),
    "D5 1/2 NS": (
        "D5 1/2 NS",
        "D5 0.45% NaCl",
        "D5 half normal saline",
        "D5 half-normal saline",
        "dextrose 5% in 0.45% NaCl",
    ),
    "LR": (
        "LR",
        "RL",
        "lactated Ringer's",
        "lactated Ringers",
        "lactated Ringer",
        "lactated Ringer's solution",
        "lactated Ringer's injection",
        "Ringer's lactate",
        "Ringers lactate",
    ),
    "D5LR": ("D5LR", "D5 LR", "D5 lactated Ringer's"),
    "sterile water": (
        "sterile water",
        "sterile water for injection",
        "SWFI",
        "water for injection",
    ),
}


def known_vehicles() -> str:
    """The canonical names, for messages: ``D5W, D10W, NS, ...``."""
    return ", ".join(VEHICLES)


@functools.cache
def _spellings(first: str) -> tuple[tuple[tuple[str, ...], str], ...]:
    """The spellings starting with the character ``first`` (folded) as their token keys,
    longest first (so the longest match wins). A spelling's first token key starts with
    its first character folded, so only these can match a text whose next key starts
    with ``first``; a ``convert`` tokenizes a few spellings rather than all of them."""
    table = [
        (tuple(token.key for token in tokenize("vehicle", spelling)), name)
        for name, spellings in VEHICLES.items()
        for spelling in spellings
        if spelling[0].casefold() == first
    ]
    return tuple(sorted(table, key=lambda entry: -len(entry[0])))


def match_vehicle(tokens: Sequence[Token], pos: int) -> tuple[str, int] | None:
    """The vehicle spelled by ``tokens`` from ``pos``: its canonical name and token count."""
    if pos >= len(tokens):
        return None
    keys = tuple(token.key for token in tokens[pos:])
    for spelling, name in _spellings(keys[0][0]):
        if keys[: len(spelling)] == spelling:
            return name, len(spelling)
    return None
