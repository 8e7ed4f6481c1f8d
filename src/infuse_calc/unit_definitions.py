"""The text of ``units.txt``: read by the registry (:mod:`infuse_calc.units`) and hashed
into the factor cache's key (:mod:`infuse_calc.factor_cache`), which both import it from
here so that neither imports the other."""

from __future__ import annotations

import functools
import os

UNITS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "units.txt")


@functools.cache
def definitions() -> bytes:
    """The content of ``units.txt``."""
    with open(UNITS_FILE, "rb") as file:
        return file.read()
