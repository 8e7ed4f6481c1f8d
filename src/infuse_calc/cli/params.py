"""click parameter types and the options every command shares.

Each type parses with :mod:`infuse_calc.quantities` and fails through ``self.fail`` so the
user gets ``Error: Invalid value for '--weight': ...`` and exit status 2. Parse warnings
(error-prone spellings) travel on the parsed value and are printed by :func:`warn_all`.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import Any, Final, TypeVar, cast

import click

from infuse_calc.cli.figure_options import (
    LB_PER_KG_KEY as LB_PER_KG_KEY,
)
from infuse_calc.cli.figure_options import (
    lb_per_kg,
    lb_per_kg_option,
    pump_limit_options,
)
from infuse_calc.errors import IncompatibleError, InfuseCalcError, InputError
from infuse_calc.formats import VIEW_FORMATS
from infuse_calc.slots import Slots

F = TypeVar("F", bound=Callable[..., Any])

#: a word, not a quantity: ``--concentration central`` names a standard concentration
LABEL = re.compile(r"[A-Za-z][A-Za-z_-]*", re.ASCII)
#: a number without a unit (``30``, ``2.5``, ``1,000``): for a rate, the unit is missing
BARE_NUMBER = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+", re.ASCII)


#: Unit suffixes offered by shell completion; every one parses without a warning (tested).
COMMON_RATE_UNITS = (
    "mcg/kg/min",
    "mg/kg/h",
    "mcg/kg/h",
    "units/kg/h",
    "mcg/min",
    "mg/h",
    "units/h",
    "units/min",
    "milliunits/min",
    "mmol/h",
    "mEq/h",
    "mL/h",
)
COMMON_WEIGHT_UNITS = ("kg", "lb", "g")
COMMON_CONCENTRATION_UNITS = (
    "mg/mL",
    "mcg/mL",
    "units/mL",
    "mmol/mL",
    "mEq/mL",
    "mg/50 mL",
    "mg/100 mL",
    "mg/250 mL",
    "units/250 mL",
    "%",
)


def complete_units(incomplete: str, units: Iterable[str]) -> list[Any]:
    """``7`` or ``7 mc`` -> ``7 mcg/kg/min`` ...: a typed number with each matching unit."""
    from click.shell_completion import CompletionItem

    text = incomplete.strip()
    digits = len(text) - len(text.lstrip("0123456789."))
    number, rest = text[:digits], text[digits:].strip()
    if not number[:1].isdigit():
        return []
    return [CompletionItem(f"{number} {unit}") for unit in units if unit.startswith(rest)]


class _ParsedType(click.ParamType):
    """A parameter read by one of the core's parsers: text is handed to :meth:`parse` (by
    default the quantities parser ``parser_name``), and its refusal becomes click's one-line
    error naming the option."""

    parser_name = ""
    units: tuple[str, ...] = ()

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return self.parse(value, param, ctx)
        except InputError as error:
            self.fail(f"{error.text!r}: {error.reason}", param, ctx)

    def parse(self, text: str, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from infuse_calc import quantities

        return getattr(quantities, self.parser_name)(text)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        return complete_units(incomplete, self.units)


class DoseType(_ParsedType):
    name = "dose"
    parser_name = "parse_dose"
    units: tuple[str, ...] = COMMON_RATE_UNITS


class PumpRateType(DoseType):
    """The rate a pump is programmed to, ``30.2 mL/h``: a bare number is refused with the
    reading it needs (a pump rate without its unit could be any rate)."""

    name = "mL/h"
    units: tuple[str, ...] = ("mL/h",)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and BARE_NUMBER.fullmatch(value.strip()):
            number = value.strip()
            self.fail(f"{value!r}: give the unit: '{number} mL/h'", param, ctx)
        return super().convert(value, param, ctx)


class WeightType(_ParsedType):
    name = "weight"
    parser_name = "parse_weight"
    units = COMMON_WEIGHT_UNITS

    def parse(self, text: str, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from infuse_calc.quantities import parse_weight

        return parse_weight(text, lb_per_kg(ctx))


class ConcentrationLabel(str):
    """``--concentration second``: a word that picks one of a drug's standard
    concentrations (resolved with ``--drug``); ``reason`` is why it is not a concentration."""

    reason: str = ""


class ConcentrationType(_ParsedType):
    name = "concentration"
    parser_name = "parse_concentration"
    units = COMMON_CONCENTRATION_UNITS

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        takes_label = ctx is not None and any(p.name == "drug" for p in ctx.command.params)
        if not (takes_label and isinstance(value, str) and LABEL.fullmatch(value.strip())):
            return super().convert(value, param, ctx)
        try:
            return self.parse(value, param, ctx)
        except InputError as error:
            # not a concentration: maybe a label for --drug to resolve, which reports this
            # reason (the same words as any bad concentration) when there is no drug
            label = ConcentrationLabel(value.strip())
            label.reason = f"{error.text!r}: {error.reason}"
            return label


class RateUnitType(_ParsedType):
    """A unit expression such as ``mcg/kg/min``; returns ``(RateUnit, warnings)``."""

    name = "unit"

    def __init__(self, amounts: bool = False) -> None:
        self.amounts = amounts  # also an amount's unit, units/kg (a bolus)

    def parse(self, text: str, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from infuse_calc.quantities import parse_rate_unit

        return parse_rate_unit(text, amounts=self.amounts)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(c) for c in COMMON_RATE_UNITS if c.startswith(incomplete)]


class ResolutionType(click.ParamType):
    """A pump resolution in mL/h: ``0.1``, ``0.01``, ``1`` (``mL/h`` may follow)."""

    name = "mL/h"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Fraction):
            return value
        from infuse_calc.quantities import parse_number

        text = str(value).strip()
        number = text.removesuffix("mL/h").strip()
        try:
            resolution = parse_number("pump resolution", text, number, [])
        except InputError as error:
            self.fail(f"{error.text!r}: {error.reason}", param, ctx)
        if resolution > 100:
            self.fail(f"{text!r}: a pump resolution over 100 mL/h is not plausible", param, ctx)
        return resolution


class AmountType(_ParsedType):
    """An amount such as ``10,000 units`` or ``250 mL``; returns ``(value, UnitWord,
    warnings)``."""

    name = "amount"

    def parse(self, text: str, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from infuse_calc.quantities import parse_amount

        what = param.opts[0] if param is not None and param.opts else "amount"
        return parse_amount(text, what)


class StartType(_ParsedType):
    """A start time: ``08:00`` or an ISO 8601 date and time."""

    name = "time"

    def parse(self, text: str, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from infuse_calc.bag_time import parse_start

        return parse_start(text)


DOSE = DoseType()
AMOUNT = AmountType()
START = StartType()
PUMP_RATE = PumpRateType()
WEIGHT = WeightType()
CONCENTRATION = ConcentrationType()
RATE_UNIT = RateUnitType()
RATE_OR_AMOUNT_UNIT = RateUnitType(amounts=True)
RESOLUTION = ResolutionType()


def weight_option(f: F) -> F:
    """``-w/--weight`` and ``--lb-per-kg`` (kept for the command in ``ctx.meta``, not passed)."""
    return lb_per_kg_option(
        click.option(
            "-w",
            "--weight",
            type=WEIGHT,
            help="Patient weight: a bare number is kg; '154 lb' and '850 g' work too.",
        )(f)
    )


def concentration_option(f: F) -> F:
    return click.option(
        "-c",
        "--concentration",
        type=CONCENTRATION,
        help="Drug concentration: '10 mg/mL', '500 mg/250 mL', '500 mg in 250 mL', '1%'; "
        "with --drug also a standard one's label: 'second', 'central'.",
    )(f)


def pump_resolution_option(f: F) -> F:
    """``--pump-resolution``, and the limits every rate is checked against (``--pump-max``,
    ``--daily-volume-max``), handed to the command as one argument, ``limits``: a
    :class:`~infuse_calc.pump.PumpLimits` (see :func:`pump_limit_options`)."""
    return click.option(
        "--pump-resolution",
        type=RESOLUTION,
        default="0.1",
        show_default=True,
        help="Smallest step the pump can be set in, mL/h.",
    )(pump_limit_options(f))


def output_options(f: F) -> F:
    """``--format`` and ``-o/--output``, the same on every command."""
    f = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True, allow_dash=True),
        default=None,
        help="Write to this file (atomically: all or nothing) instead of stdout.",
    )(f)
    f = click.option(
        "--format",
        "fmt",
        type=click.Choice(VIEW_FORMATS),
        default=None,
        help="Output format. Default: table in a terminal, plain when piped or with -o.",
    )(f)
    return f


def warn_all(*sources: Iterable[str] | None) -> None:
    """Print warnings on stderr, in order, each once: a lesson repeated for several inputs
    and a source cited by several warnings are said once (:func:`run_warnings.once`)."""
    messages = [message for source in sources for message in source or ()]
    if not messages:  # the common call: the wording rules (run_warnings) are not loaded
        return
    from infuse_calc.run_warnings import once

    for message in once(messages):
        click.echo(f"Warning: {message}", err=True)


def warnings_of(*values: Any) -> list[str]:
    """The parse warnings carried by parsed values (``None`` values are skipped)."""
    found: list[str] = []
    for value in values:
        found.extend(getattr(value, "warnings", ()) or ())
    return found


@contextmanager
def input_errors() -> Iterator[None]:
    """Core errors as click errors: one ``Error: ...`` line naming the option, exit 2."""
    try:
        yield
    except InputError as error:
        hint = f"'{error.what}'" if error.what.startswith("--") else None
        raise click.BadParameter(f"{error.text!r}: {error.reason}", param_hint=hint) from None
    except IncompatibleError as error:
        raise click.UsageError(str(error)) from None


def parse_dose_words(words: tuple[str, ...], hint: str, **forms: bool) -> Any:
    """A dose given as one argument or as several words (``7 mcg/kg/min``, ``7 mg/h``);
    ``forms`` are :func:`~infuse_calc.quantities.parse_dose`'s ``amounts`` and ``drops``."""
    from infuse_calc.quantities import parse_dose

    try:
        return parse_dose(" ".join(words), **forms)
    except InfuseCalcError as error:
        text, reason = getattr(error, "text", None), getattr(error, "reason", None)
        message = f"{text!r}: {reason}" if reason is not None else str(error)
        raise click.BadParameter(message, param_hint=hint) from None


# --- drug library and dosing weight (shared by convert, check, titrate, chart) -------------


def drug_options(f: F) -> F:
    """``--drug``, ``--library`` and ``--area``; resolve them with :func:`load_library`."""
    f = click.option(
        "--area", default=None, help="Care area whose limits apply (as named in the library)."
    )(f)
    f = click.option(
        "--library",
        "library_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="Drug library TOML file over the built-in one (default: $INFUSE_CALC_LIBRARY, "
        "then the user config directory's drug-library.toml if there is one).",
    )(f)
    f = click.option(
        "--drug",
        default=None,
        help="Drug name or alias (built-in or from --library): its standard concentration, "
        "dosing unit and any limits.",
    )(f)
    return f


def load_library(library_path: str | None) -> Any:
    """The drug library in effect (built-in, extended by ``--library``, $INFUSE_CALC_LIBRARY
    or the user config directory's drug-library.toml); its warnings go to stderr."""
    from infuse_calc.formats.library_files import load

    loaded = load(library_path, origin=library_origin(library_path))
    warn_all(loaded.warnings)
    return loaded.library


def library_origin(library_path: str | None) -> str:
    """What named the library file: ``--library``, or, when click took the value from the
    settings (the config file < ``$INFUSE_CALC_LIBRARY``, which wins), the one it came from."""
    from click.core import ParameterSource

    from infuse_calc.library import ENV_VAR

    ctx = click.get_current_context(silent=True)
    sources = (
        () if ctx is None else (ctx.get_parameter_source(n) for n in ("library_path", "library"))
    )
    if ParameterSource.DEFAULT_MAP not in sources:
        return "--library"
    if library_path and os.environ.get(ENV_VAR) == library_path:
        return f"${ENV_VAR}"
    assert ctx is not None
    path = getattr(ctx.find_root().default_map, "path", None)
    return "the config file" if path is None else f"the config file {path}"


def body_weight_options(f: F) -> F:
    """``--height``, ``--sex`` and ``--dosing-weight``; resolve them with
    :func:`resolve_dosing_weight`."""
    f = click.option(
        "--dosing-weight",
        type=click.Choice(["actual", "ideal", "adjusted"]),
        default="actual",
        show_default=True,
        help="Weight to dose on: actual, ideal (Devine) or adjusted (IBW + 0.4 x excess).",
    )(f)
    f = click.option("--sex", default=None, help="male or female (for ideal body weight).")(f)
    f = click.option(
        "--height",
        default=None,
        help="Height for ideal body weight: '180 cm', '70.9 in' or '5 ft 11 in'.",
    )(f)
    return f


class PatientChoices(Slots):
    """What was given with ``--height``/``--sex``/``--dosing-weight`` and
    ``--drug``/``--library``/``--area``: resolved by
    :func:`~infuse_calc.cli.patient_options.library_and_weight`."""

    __slots__ = ("area", "dosing_weight", "drug", "height", "library_path", "sex")

    def __init__(
        self,
        height: str | None = None,
        sex: str | None = None,
        dosing_weight: str = "actual",
        drug: str | None = None,
        library_path: str | None = None,
        area: str | None = None,
    ) -> None:
        self.height: Final = height
        self.sex: Final = sex
        self.dosing_weight: Final = dosing_weight
        self.drug: Final = drug
        self.library_path: Final = library_path
        self.area: Final = area


def patient_options(body_weight: bool = True) -> Callable[[F], F]:
    """:func:`drug_options` and (with ``body_weight``) :func:`body_weight_options`, handed
    to the command as one argument, ``patient``: a :class:`PatientChoices`."""
    names = PatientChoices.__slots__

    def decorate(f: F) -> F:
        @functools.wraps(f)
        def command(*args: Any, **kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in names if name in kwargs}
            return f(*args, patient=PatientChoices(**given), **kwargs)

        # wraps() shares f's click parameters, so these options keep their place in --help
        wrapped = drug_options(cast(F, command))
        return body_weight_options(wrapped) if body_weight else wrapped

    return decorate


def resolve_dosing_weight(
    weight: Any, height: str | None, sex: str | None, method: str
) -> tuple[Any, Any]:
    """``(Weight to calculate with, DosingWeight or None)``; the weight is ``weight`` when no
    height, sex or method other than actual was given. Bad height/sex: click errors."""
    if height is None and sex is None and method == "actual":
        return weight, None
    from infuse_calc.body_weight import dosing_weight, parse_height, parse_sex
    from infuse_calc.quantities import KG, Weight

    try:
        parsed_height = None if height is None else parse_height(height)
    except InputError as error:
        reason = f"{error.text!r}: {error.reason}"
        raise click.BadParameter(reason, param_hint="'--height'") from None
    try:
        parsed_sex = None if sex is None else parse_sex(sex)
    except InputError as error:
        raise click.BadParameter(f"{error.text!r}: {error.reason}", param_hint="'--sex'") from None
    chosen = dosing_weight(None if weight is None else weight.kg, parsed_height, parsed_sex, method)
    if method == "actual":
        return weight, chosen
    # the weight typed stays with it: machine output gives both (weight_entered, weight)
    text = f"{method} body weight"
    return Weight(chosen.kg, KG, chosen.kg, text, method=method, entered=weight), chosen
