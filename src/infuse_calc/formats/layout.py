"""Laying a table out in a terminal width so that no figure is ever split.

A misread figure is the worst output a dose calculator can give, and a terminal that wraps
``1,036.8`` as ``1,036.`` / ``8`` does exactly that. The rules, in order:

1. A figure column (``numeric``) or a column not allowed to wrap is never narrower than its
   widest cell; a heading may wrap, but only between words.
2. Free text wraps between *chunks*: words, where a number is glued to the unit after it
   (``6.9444 mcg/kg/min``, ``4 mg/250 mL``), so a figure never leaves its unit behind.
3. When the columns at their narrowest still do not fit, the table is folded: the columns
   are dealt into several tables, each repeating the key columns (the step, the weight).

This module only measures text; :mod:`infuse_calc.formats.table` draws the result with rich.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass

#: spaces between two columns (the table draws the same gap)
GAP = 2

_GLUE = re.compile(r"(?<=[0-9%]) (?=[A-Za-zµ])")
_SPACES = re.compile(r" +")


def chunks(text: str) -> list[str]:
    """The pieces a line may be broken between: words, each number with its unit."""
    glued = _GLUE.sub("\0", text.strip())
    return [piece.replace("\0", " ") for piece in _SPACES.split(glued) if piece]


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` (a longer chunk keeps a line to itself);
    line breaks already in ``text`` are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for piece in chunks(paragraph):
            if line and len(line) + 1 + len(piece) > width:
                lines.append(line)
                line = piece
            else:
                line = f"{line} {piece}" if line else piece
        lines.append(line)
    return lines


def natural_width(text: str) -> int:
    return max((len(line) for line in text.split("\n")), default=0)


def narrowest(text: str) -> int:
    """The narrowest ``text`` can be wrapped: its longest chunk."""
    return max((len(piece) for line in text.split("\n") for piece in chunks(line)), default=0)


@dataclass(frozen=True)
class Part:
    """One table of a (possibly folded) layout: which columns, and how wide each is."""

    columns: list[int]
    widths: list[int]


@dataclass(frozen=True)
class _Column:
    """What one column holds: its heading, its cells, and whether those may wrap."""

    header: str
    cells: list[str]
    wraps: bool

    @property
    def natural(self) -> int:
        return max([natural_width(self.header), *(natural_width(c) for c in self.cells)])

    @property
    def least(self) -> int:
        cell_least = narrowest if self.wraps else natural_width
        return max([narrowest(self.header), *(cell_least(c) for c in self.cells)])

    def wrapped(self, width: int) -> int:
        """The width the column takes when wrapped to at most ``width`` (>= least)."""
        texts = [self.header, *self.cells] if self.wraps else [self.header]
        found = [max(len(line) for line in wrap(text, width)) for text in texts]
        if not self.wraps:
            found += [natural_width(c) for c in self.cells]
        return max(found)


def plan_columns(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Set[int],
    wrap_columns: Set[int] | None,
    key_columns: int,
    width: int,
) -> list[Part]:
    """The tables to draw ``rows`` in, at most ``width`` wide when that is possible.

    ``wrap_columns`` are the columns whose cells may wrap (``None``: every column not in
    ``numeric``). The first ``key_columns`` columns are repeated in every fold. A part that
    cannot fit even one column beside the keys is drawn wider than ``width`` rather than
    cutting a figure.
    """
    wraps = set(range(len(headers))) - set(numeric) if wrap_columns is None else wrap_columns
    columns = [
        _Column(header, [row[i] for row in rows], i in wraps) for i, header in enumerate(headers)
    ]
    least = [column.least for column in columns]
    everything = list(range(len(columns)))
    keys = everything[:key_columns]
    parts: list[list[int]] = []
    current = list(keys)
    for i in everything[len(keys) :]:
        if len(current) > len(keys) and _total(least, [*current, i]) > width:
            parts.append(current)
            current = [*keys, i]
        else:
            current.append(i)
    parts.append(current)
    if _total(least, everything) <= width:
        parts = [everything]
    return [Part(part, _shrink([columns[i] for i in part], width)) for part in parts]


def _total(widths: Sequence[int], columns: Sequence[int]) -> int:
    return sum(widths[i] for i in columns) + GAP * (len(columns) - 1)


def _shrink(columns: list[_Column], width: int) -> list[int]:
    """Natural widths; while too wide, the widest column that can wrap further is wrapped
    one narrower (a heading "Pump rate" becomes "Pump" / "rate": 9 to 5 at once)."""
    widths = [column.natural for column in columns]
    least = [column.least for column in columns]
    while sum(widths) + GAP * (len(widths) - 1) > width:
        shrinkable = [i for i, w in enumerate(widths) if w > least[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] = columns[widest].wrapped(widths[widest] - 1)
    return widths
