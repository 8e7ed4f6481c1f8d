"""A :class:`~infuse_calc.formats.output.View` as a rich table, for a terminal.

The only module of the package that imports rich: :func:`~infuse_calc.formats.output.emit`
imports this one only when a table is drawn, so piped and machine output never load rich.
The widths come from :mod:`infuse_calc.formats.layout` (no figure is ever split: a table
too wide for the terminal is folded); rich only draws them.
"""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from infuse_calc.formats.layout import GAP, Part, plan_columns, wrap

if TYPE_CHECKING:
    from infuse_calc.formats.output import View


def render_table(view: View, stream: IO[str], color: bool | None = None) -> None:
    is_stdout = stream is sys.stdout
    console = Console(
        file=stream,
        highlight=False,
        force_terminal=color if is_stdout else False,
        no_color=None if is_stdout else True,
        soft_wrap=False,
        # rich's NO_COLOR drops colours but keeps bold; no-color.org users want no escapes.
        color_system=None if os.environ.get("NO_COLOR") else "auto",
    )
    _draw(view, console)


def _draw(view: View, console: Console) -> None:
    width = console.width
    if view.title:
        _print_lines(console, wrap(view.title, width), "italic")
    parts = plan_columns(
        view.headers, view.rows, view.numeric_columns, view.wrap_columns, view.key_columns, width
    )
    for number, part in enumerate(parts):
        if number:
            console.print()
        table = _table(view, part)
        needed = sum(part.widths) + GAP * (len(part.widths) - 1)
        # a part wider than the terminal (one column beside the keys does not fit) is drawn
        # whole: the terminal may wrap its lines, but rich must not crop a figure
        console.print(table, width=max(width, needed), crop=False)
    for note in view.notes:
        # a note that fits is printed exactly as it is; a longer one wraps between chunks
        _print_lines(console, [note] if len(note) <= width else wrap(note, width), None)
    if view.drawing is not None:
        _print_lines(console, view.drawing(width), None)
    for section in view.sections:
        console.print()
        _draw(section, console)


def _table(view: View, part: Part) -> Table:
    table = Table(
        box=box.SIMPLE_HEAVY if view.show_headers else None,
        show_header=view.show_headers,
        show_edge=False,
        pad_edge=False,
        # one space of padding and the box's blank divider: GAP spaces between columns
        padding=(0, GAP - 1, 0, 0) if view.show_headers else (0, GAP, 0, 0),
    )
    columns = list(zip(part.columns, part.widths, strict=True))
    for i, width in columns:
        table.add_column(
            _cell(view.headers[i], width),
            justify="right" if i in view.numeric_columns else "left",
            style="bold" if i == 0 else None,
            width=width,
            no_wrap=True,
        )
    for row in view.rows:
        table.add_row(*(_cell(row[i], width) for i, width in columns))
    return table


def _cell(text: str, width: int) -> Text:
    """A cell wrapped by :func:`~infuse_calc.formats.layout.wrap` (rich never wraps it).

    Text, not markup: a cell such as "config.toml [defaults]" must print as typed. A cell
    that fits is left exactly as it is (a chart cell's trailing space aligns the flags).
    """
    fits = all(len(line) <= width for line in text.split("\n"))
    return Text(text if fits else "\n".join(wrap(text, width)), no_wrap=True)


def _print_lines(console: Console, lines: list[str], style: str | None) -> None:
    for line in lines:
        # soft_wrap: rich neither wraps nor crops the line (a text chart wider than the
        # terminal loses nothing; the lines given are already wrapped where they may be)
        console.print(Text(line, style=style or ""), soft_wrap=True)
