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


#: What each input a calculation may lack is called in a remedy (``give the patient's
#: weight with --weight``): the command line's option has the input's name.
NEEDED = {"weight": "the patient's weight", "concentration": "the concentration"}


class MissingInputError(IncompatibleError):
    """Inputs that combine only with one more: ``problem`` says why (``dose 7 mcg/kg/min
    is per kg``), ``needed`` names the input (a key of :data:`NEEDED`).

    The message ends with the remedy, which depends on where the input comes from: by
    default the command line's option (``give the patient's weight with --weight``); a
    caller that reads it elsewhere (a batch's column) words its own with :meth:`reworded`,
    so the rule that raises stays in one place.
    """

    def __init__(self, problem: str, needed: str, remedy: str | None = None) -> None:
        self.problem = problem
        self.needed = needed
        self.remedy = remedy or f"give {NEEDED[needed]} with --{needed}"
        super().__init__(f"{problem}: {self.remedy}")

    def reworded(self, remedy: str) -> MissingInputError:
        """The same error with another remedy."""
        return MissingInputError(self.problem, self.needed, remedy)


class LimitError(InfuseCalcError):
    """A figure outside a hard limit (drug library) or a failed check."""

    exit_code = 1
