"""Drug libraries: standard concentrations, dosing units and soft/hard dose limits.

In the spirit of smart-pump drug libraries. The built-in library (ASHP Standardize 4 Safety
adult continuous infusion standards, and premixed products' labels: reference data to learn
and check with) is extended or overridden by a user's library file, which is also the only
source of dose limits. This is the core's front door for a calculation naming a drug:
:func:`apply` looks the drug up, chooses the concentration and checks the dose.

The pieces: :mod:`~infuse_calc.library_model` (drugs, lookup),
:mod:`~infuse_calc.library_parse` (text to a library, combining libraries),
:mod:`~infuse_calc.library_choice` (which concentration, which dosing unit) and
:mod:`~infuse_calc.library_limits` (limits). This package reads no files:
:mod:`infuse_calc.formats.library_files` finds and reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from infuse_calc.library_choice import ConcentrationChoice, choose_concentration, dose_unit_for
from infuse_calc.library_limits import (
    LimitCheck,
    check_delivered,
    check_limits,
    dose_from_measure,
)
from infuse_calc.library_model import (
    BUILTIN,
    LIMIT_KEYS,
    TALL_MAN,
    Drug,
    Library,
    LibraryError,
    Limits,
    StandardConcentration,
    tall_man,
)
from infuse_calc.quantities import Concentration, Dose

ENV_VAR = "INFUSE_CALC_LIBRARY"
FILE_NAME = "drug-library.toml"
#: said by every output that uses the built-in data
REFERENCE_NOTICE = (
    "built-in standard concentrations are reference data to learn and check with: "
    "verify against your institution's library"
)

__all__ = [
    "BUILTIN",
    "ENV_VAR",
    "FILE_NAME",
    "LIMIT_KEYS",
    "REFERENCE_NOTICE",
    "TALL_MAN",
    "Applied",
    "ConcentrationChoice",
    "Drug",
    "Library",
    "LibraryError",
    "LimitCheck",
    "Limits",
    "StandardConcentration",
    "apply",
    "check_delivered",
    "check_limits",
    "choose_concentration",
    "dose_from_measure",
    "dose_unit_for",
    "tall_man",
]


@dataclass(frozen=True)
class Applied:
    """What a library contributes to a calculation.

    ``warnings`` are for stderr and the warnings field (a non-standard concentration, soft
    limits); ``notes`` say what was chosen (the first of several standard concentrations).
    """

    drug: Drug
    concentration: Concentration
    limits: LimitCheck | None
    warnings: tuple[str, ...]
    choice: ConcentrationChoice | None = None
    notes: tuple[str, ...] = ()

    @property
    def builtin(self) -> bool:
        """Whether built-in reference data went into the calculation."""
        return BUILTIN in (self.drug.origins.get(f, "") for f in ("concentrations", "dose_unit"))


#: Said when a drug's limits (rates) cannot apply to what was typed.
UNCHECKED_AMOUNT = (
    "the library's limits are for continuous rates: a bolus or an amount given over a time "
    "is not checked against them"
)


def apply(
    library: Library,
    name: str,
    area: str | None,
    dose: Dose | None,
    weight_kg: Fraction | None,
    concentration: Concentration | None,
    label: str | None = None,
) -> Applied:
    """Look ``name`` up, choose the concentration (``label`` picks a standard one by its
    label) and check ``dose`` against the limits.

    A dose that measures something else than the drug (units for a mass drug) is refused.
    A volume-rate dose (mL/h) is not checked here, nor is a missing dose (a ladder checks
    each of its doses): the caller checks those with :func:`check_delivered`.
    """
    drug = library.find(name)
    choice = choose_concentration(drug, area, concentration, label)
    limits = None
    warnings = list(choice.warnings)
    notes = choice.notes
    if dose is not None and (dose.is_bolus or dose.is_timed):
        notes += (UNCHECKED_AMOUNT,)
    elif dose is not None and not dose.is_volume_rate:
        limits = check_limits(library, drug, area, dose, weight_kg)
        warnings += list(limits.messages)
    return Applied(drug, choice.concentration, limits, tuple(warnings), choice, notes)
