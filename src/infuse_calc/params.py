"""click parameter types and the options every command shares.

Each type parses with :mod:`infuse_calc.quantities` and fails through ``self.fail`` so the
user gets ``Error: Invalid value for '--weight': ...`` and exit status 2. Parse warnings
(error-prone spellings) travel on the parsed value and are printed by :func:`warn_all`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any, TypeVar

import click

from infuse_calc.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "plain", "csv", "json")


class _ParsedType(click.ParamType):
    """A parameter read by one of the quantities parsers."""

    parser_name = ""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        from infuse_calc import quantities

        try:
            return getattr(quantities, self.parser_name)(value)
        except InputError as error:
            self.fail(f"{error.text!r}: {error.reason}", param, ctx)


class DoseType(_ParsedType):
    name = "dose"
    parser_name = "parse_dose"


class WeightType(_ParsedType):
    name = "weight"
    parser_name = "parse_weight"


class ConcentrationType(_ParsedType):
    name = "concentration"
    parser_name = "parse_concentration"


class RateUnitType(click.ParamType):
    """A unit expression such as ``mcg/kg/min``; returns ``(RateUnit, warnings)``."""

    name = "unit"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        from infuse_calc.quantities import parse_rate_unit

        try:
            return parse_rate_unit(value)
        except InputError as error:
            self.fail(f"{error.text!r}: {error.reason}", param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from click.shell_completion import CompletionItem

        choices = [
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
        ]
        return [CompletionItem(c) for c in choices if c.startswith(incomplete)]


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


DOSE = DoseType()
WEIGHT = WeightType()
CONCENTRATION = ConcentrationType()
RATE_UNIT = RateUnitType()
RESOLUTION = ResolutionType()


def weight_option(f: F) -> F:
    return click.option(
        "-w",
        "--weight",
        type=WEIGHT,
        help="Patient weight: a bare number is kg; '154 lb' and '850 g' work too.",
    )(f)


def concentration_option(f: F) -> F:
    return click.option(
        "-c",
        "--concentration",
        type=CONCENTRATION,
        help="Drug concentration: '10 mg/mL', '500 mg/250 mL', '500 mg in 250 mL', '1%'.",
    )(f)


def pump_resolution_option(f: F) -> F:
    return click.option(
        "--pump-resolution",
        type=RESOLUTION,
        default="0.1",
        show_default=True,
        help="Smallest step the pump can be set in, mL/h.",
    )(f)


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
        type=click.Choice(FORMATS),
        default=None,
        help="Output format. Default: table in a terminal, plain when piped or with -o.",
    )(f)
    return f


def warn_all(*sources: Iterable[str] | None) -> None:
    """Print warnings on stderr, each once, in order."""
    seen: set[str] = set()
    for source in sources:
        for message in source or ():
            if message not in seen:
                seen.add(message)
                click.echo(f"Warning: {message}", err=True)


def warnings_of(*values: Any) -> list[str]:
    """The parse warnings carried by parsed values (``None`` values are skipped)."""
    found: list[str] = []
    for value in values:
        found.extend(getattr(value, "warnings", ()) or ())
    return found
