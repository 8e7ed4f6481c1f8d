"""Exceptions raised by the core.

All derive from :class:`InfuseCalcError`, which is also a :class:`ValueError`, so callers of
the library can catch either. The CLI turns them into a one-line ``Error: ...`` message and
exit status 2 (bad input) or 1 (a limit or a check failed).
"""

from __future__ import annotations


class InfuseCalcError(ValueError):
    """Base class of every error infuse-calc raises on purpose."""

    exit_code = 2


class InputError(InfuseCalcError):
    """User input that cannot be read unambiguously.

    ``what`` names the input (``"dose"``, ``"weight"``...), ``text`` is what was typed and
    ``reason`` says what was expected.
    """

    def __init__(self, what: str, text: str, reason: str) -> None:
        self.what = what
        self.text = text
        self.reason = reason
        super().__init__(f"{what} {text!r}: {reason}")


class IncompatibleError(InfuseCalcError):
    """Two inputs that cannot be combined (a units dose with a mg/mL bag, for example)."""


class LimitError(InfuseCalcError):
    """A figure outside a hard limit (drug library) or a failed check."""

    exit_code = 1
