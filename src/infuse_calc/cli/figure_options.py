"""Options that set how figures are read and checked: ``--lb-per-kg`` (the factor a weight
in pounds is read with) and ``--pump-max``/``--daily-volume-max`` (the limits every pump
rate is checked against). Each is a config setting like any option.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from fractions import Fraction
from typing import Any, TypeVar, cast

import click

from infuse_calc.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])


#: Where a command's ``--lb-per-kg`` is kept for the weights it reads itself (chart's
#: ``--weights``, schedule files, batch cells).
LB_PER_KG_KEY = "infuse_calc.lb_per_kg"


def lb_per_kg(ctx: click.Context | None = None) -> Fraction | None:
    """The ``--lb-per-kg`` of the running command (``None``: the exact pound).

    The option is eager, so a weight option read after it finds it in ``ctx.params``."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return None
    found = ctx.params.get("lb_per_kg", ctx.meta.get(LB_PER_KG_KEY))
    return found if isinstance(found, Fraction) else None


class LbPerKgType(click.ParamType):
    """``2.2`` (or ``2.2 lb/kg``): the factor a course teaches; ``exact`` (the default) is the
    exact pound. Out of 2.2 to 2.21 is refused by the weight parser's own rule."""

    name = "lb/kg"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value is None or isinstance(value, Fraction):
            return value
        text = str(value).strip()
        if text.casefold() == "exact":
            return None
        from infuse_calc.quantities import check_lb_per_kg, parse_number

        try:
            factor = parse_number("lb per kg", text, text.removesuffix("lb/kg").strip(), [])
            return check_lb_per_kg(factor)
        except InputError as error:
            self.fail(f"{error.text!r}: {error.reason}", param, ctx)


def lb_per_kg_option(f: F) -> F:
    """``--lb-per-kg``: read before any weight (eager), kept in ``ctx.meta`` for the weights
    a command reads itself, and not passed to the command."""

    def keep(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        ctx.meta[LB_PER_KG_KEY] = value
        return value

    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop("lb_per_kg", None)
        return f(*args, **kwargs)

    return click.option(
        "--lb-per-kg",
        type=LbPerKgType(),
        default="exact",
        show_default=True,
        is_eager=True,
        callback=keep,
        help="Pounds per kg for weights in lb: 'exact' (0.45359237 kg/lb) or a course's 2.2.",
    )(cast(F, command))


class LimitType(click.ParamType):
    """A rate or volume limit: a number, its unit optional (``500``, ``500 mL/h``);
    ``off`` turns an optional limit off (``None``)."""

    def __init__(self, unit: str, what: str, can_be_off: bool = False) -> None:
        self.name = unit
        self.unit = unit
        self.what = what
        self.can_be_off = can_be_off

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value is None or isinstance(value, Fraction):
            return value
        from infuse_calc.quantities import parse_number

        text = str(value).strip()
        if self.can_be_off and text.casefold() == "off":
            return None
        number = text.removesuffix(self.unit).strip()
        try:
            return parse_number(self.what, text, number, [])
        except InputError as error:
            self.fail(f"{error.text!r}: {error.reason}", param, ctx)


def pump_limit_options(f: F) -> F:
    """``--pump-max`` and ``--daily-volume-max``, handed to the command as ``limits``."""

    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        from infuse_calc.pump import PumpLimits

        limits = PumpLimits(kwargs.pop("pump_max"), kwargs.pop("daily_volume_max"))
        return f(*args, limits=limits, **kwargs)

    # wraps() shares f's click parameters, so these options keep their place in --help
    wrapped = click.option(
        "--daily-volume-max",
        type=LimitType("mL/day", "daily volume limit", can_be_off=True),
        default="2000",
        show_default=True,
        help="Warn when one drug infusion gives more than this a day, mL/day ('off': never).",
    )(cast(F, command))
    wrapped = click.option(
        "--pump-max",
        type=LimitType("mL/h", "pump maximum"),
        default="999",
        show_default=True,
        help="The pump's top rate, mL/h: a faster rate is warned about.",
    )(wrapped)
    return wrapped
