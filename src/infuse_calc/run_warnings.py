"""The warnings of one run, each said once.

A run reads several inputs and works out many figures; the same lesson must not be printed
once per input or per dose:

* a spelling warning (``'ml' read as mL``, ``write a space between number and unit``) is
  given for the first input that has it, naming the others after it: ``weight '72kg':
  write a space between number and unit (72 kg, not 72kg); also in concentration
  '10mg/ml'``;
* a drug library's source is cited by the first warning that rests on it; later ones say
  ``source as above``.

:func:`once` is applied to everything a command prints (``warn_all``) and to each batch row's
``warnings``, so a batch row says what ``convert`` says. This module is pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A parse warning: ``<what> '<text>': <reason>`` (the input named, its text quoted).
_SUBJECT = re.compile(
    r"(?P<subject>(?:--)?[a-z][a-z ]* (?:'[^']*'|\"[^\"]*\")): (?P<reason>.+)", re.S
)
# A reason's example in brackets ("(72 kg, not 72kg)") differs from input to input.
_EXAMPLE = re.compile(r"\s*\([^()]*\)")

_CITATION = " (library {origin}; source: {source})"
_CITED = "; source: "
_AS_ABOVE = " (library {origin}; source as above)"


def cite(origin: str, source: str | None) -> str:
    """The citation a drug library warning ends with: `` (library FILE; source: ...)``."""
    return _CITATION.format(origin=origin, source=source or "not given")


def once(messages: Iterable[str]) -> list[str]:
    """``messages`` in order, without repeats, each lesson once and each source cited once
    (see the module docstring)."""
    kept: list[str] = []
    also: dict[int, list[str]] = {}
    lessons: dict[str, int] = {}
    cited: set[str] = set()
    seen: set[str] = set()
    for message in messages:
        if message in seen:
            continue
        seen.add(message)
        match = _SUBJECT.fullmatch(message)
        if match is not None:
            lesson = _EXAMPLE.sub("", match["reason"])
            first = lessons.get(lesson)
            if first is not None:
                subjects = also.setdefault(first, [])
                if match["subject"] not in subjects:
                    subjects.append(match["subject"])
                continue
            lessons[lesson] = len(kept)
        kept.append(_cited_once(message, cited))
    for index, subjects in also.items():
        kept[index] += "; also in " + ", ".join(subjects)
    return kept


def _cited_once(message: str, cited: set[str]) -> str:
    """``message`` with its source citation, the first time; later: ``source as above``."""
    start = message.rfind(" (library ")
    if start < 0 or not message.endswith(")"):
        return message
    citation = message[start:]
    split = citation.find(_CITED)
    if split < 0:
        return message
    if citation not in cited:
        cited.add(citation)
        return message
    origin = citation[len(" (library ") : split]
    return message[:start] + _AS_ABOVE.format(origin=origin)
