"""One module per CLI command; each defines ``command`` (a click command).

What they all share is here, in a module the command line can import without loading any
command (``--help`` imports none).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

ROUNDING_HELP = (
    "Figures are exact; human output rounds to 5 significant figures (never rounding "
    "whole-number digits, halves away from zero, no trailing zeros). JSON and CSV carry "
    "full precision."
)

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def infuse_command(name: str) -> Callable[[Callable[..., Any]], click.Command]:
    """``@click.command`` with the context settings and the rounding note every calculating
    command shares."""
    return click.command(name, context_settings=CONTEXT_SETTINGS, epilog=ROUNDING_HELP)
