"""A :class:`~infuse_calc.formats.output.View` as a rich table, for a terminal.

The only module of the package that imports rich: :func:`~infuse_calc.formats.output.emit`
imports this one only when a table is drawn, so piped and machine output never load rich.
"""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

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
    table = Table(
        title=view.title,
        box=box.SIMPLE_HEAVY if view.show_headers else None,
        show_header=view.show_headers,
        title_justify="left",
    )
    heads = [max(len(line) for line in header.split("\n")) for header in view.headers]
    widths = [max([heads[i]] + [len(row[i]) for row in view.rows]) for i in range(len(heads))]
    # A minimum width keeps cells on one line, but a table wider than the terminal would
    # then be cropped at its edge, hiding figures: there, let rich fold cells instead.
    fits = sum(widths) + 3 * len(widths) + 1 <= console.width
    for i, header in enumerate(view.headers):
        table.add_column(
            header,
            justify="right" if i in view.numeric_columns else "left",
            style="bold" if i == 0 else None,
            min_width=min(widths[i], 24) if fits else None,
            overflow="fold",
        )
    for row in view.rows:
        # Text, not markup: a cell such as "config.toml [defaults]" must print as typed.
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)
    for note in view.notes:
        console.print(note, markup=False)
