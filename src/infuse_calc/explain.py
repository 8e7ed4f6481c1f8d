"""The dimensional-analysis chain a student would write for a calculation (``--explain``).

Every number in the chain is a figure of the :class:`~infuse_calc.dosing.Calculation`
(rounded for display only); the time factors (60 min/h, 24 h/day) come from pint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infuse_calc import units as u
from infuse_calc.dosing import Calculation, Measure
from infuse_calc.notation import format_exact, format_number
from infuse_calc.pump import setting_text
from infuse_calc.quantities import DAY, HOUR, KG, MINUTE, UnitWord

if TYPE_CHECKING:
    from infuse_calc.given import Given

_TIMES = (MINUTE, HOUR, DAY)


def explain(calc: Calculation) -> list[str]:
    """One line per step, e.g. ``7 mcg/kg/min × 72 kg = 504 mcg/min``."""
    lines: list[str] = []
    if calc.weight is not None and calc.weight.unit is not KG:
        lines.append(weight_line(calc))
    if calc.drip is not None:
        from infuse_calc.drip import explain_volume

        lines.append(explain_volume(*calc.drip, calc.dose))
    if calc.given is not None:
        _given_lines(calc, calc.given, lines)
        return lines
    dose = Measure(calc.dose.value, str(calc.dose.unit))
    amount_symbol, time = _split(dose.unit)
    base = dose
    if calc.weight is not None and calc.dose.per_kg:
        base = Measure(dose.value * calc.weight.kg, f"{amount_symbol}/{time}")
        lines.append(f"{dose} × {format_number(calc.weight.kg)} kg = {base}")
    if calc.direction == "forward":
        _per_period_lines(calc, base, lines)
        if calc.dose_rate is not None:
            _dose_rate_lines(calc, lines)
        if calc.pump_rate is not None and calc.concentration_per_ml is not None:
            conc = calc.concentration_per_ml
            per_hour = _restate(calc.rates[1], f"{conc.unit.split('/')[0]}/h", lines)
            lines.append(f"{per_hour} ÷ {conc} = {calc.pump_rate}")
            _volume_line(calc, lines)
    else:
        volume = _restate(base, f"mL/{time}", lines)
        if calc.concentration_per_ml is not None:
            conc = calc.concentration_per_ml
            amount = Measure(volume.value * conc.value, f"{conc.unit.split('/')[0]}/{time}")
            lines.append(f"{volume} × {conc} = {amount}")
            _per_period_lines(calc, amount, lines)
            if calc.dose_rate is not None:
                _dose_rate_lines(calc, lines)
            if calc.pump_rate is not None and volume.unit != calc.pump_rate.unit:
                lines.append(f"{volume} = {calc.pump_rate}")
            _volume_line(calc, lines)
        else:
            _per_period_lines(calc, volume, lines)
    if calc.pump is not None and calc.pump_rate is not None:
        setting = setting_text(calc.pump, calc.pump_rate, calc.delivered_text())
        lines.append(f"set the pump to {setting}")
    return lines


def weight_line(calc: Calculation) -> str:
    """``154 lb ÷ 2.2046 lb/kg = 69.853 kg``: the weight as entered, to kg (factor by pint)."""
    weight = calc.weight
    assert weight is not None
    symbol = weight.unit.symbol
    # the factor the weight was read with: the exact pound, or a course's 2.2
    per_kg = format_number(weight.lb_per_kg or u.factor("kg", symbol))
    entered = f"{format_exact(weight.value)} {symbol}"
    return f"{entered} ÷ {per_kg} {symbol}/kg = {format_number(weight.kg)} kg"


def _split(unit: str) -> tuple[str, str]:
    parts = unit.split("/")
    return parts[0], parts[-1]


def _time_word(symbol: str) -> UnitWord:
    return next(t for t in _TIMES if t.symbol == symbol)


def _per_period_lines(calc: Calculation, base: Measure, lines: list[str]) -> None:
    """Chain min -> h -> day from the base rate, each step from the one before."""
    amount, time = _split(base.unit)
    shown = {_split(m.unit)[1]: m for m in calc.rates}
    order = [t.symbol for t in _TIMES]
    start = order.index(time)
    restated = _restate_text(base, shown[time])
    if restated:
        lines.append(restated)
    for path in (order[start + 1 :], order[:start][::-1]):
        current = shown[time]
        current_time = time
        for target_time in path:
            amount = _split(current.unit)[0]
            raw = Measure(
                current.value * u.factor(f"{amount}/{current_time}", f"{amount}/{target_time}"),
                f"{amount}/{target_time}",
            )
            lines.append(
                f"{current} {_time_factor(current_time, target_time)} = "
                f"{_chain(raw, shown[target_time])}"
            )
            current, current_time = shown[target_time], target_time


def _time_factor(source: str, target: str) -> str:
    """``× 60 min/h`` or ``÷ 24 h/day``: how a per-``source`` rate becomes per-``target``."""
    longer, shorter = (target, source) if _rank(target) > _rank(source) else (source, target)
    count = u.factor(longer, shorter)
    sign = "×" if _rank(target) > _rank(source) else "÷"
    return f"{sign} {format_number(count)} {shorter}/{longer}"


def _rank(symbol: str) -> int:
    return _time_word(symbol).rank


def _chain(raw: Measure, shown: Measure) -> str:
    if raw.unit == shown.unit:
        return str(raw)
    return f"{raw} = {shown}"


def _restate_text(base: Measure, target: Measure) -> str:
    if base.unit == target.unit:
        return ""
    return f"{base} = {target}"


def _restate(measure: Measure, unit: str, lines: list[str]) -> Measure:
    if measure.unit == unit:
        return measure
    restated = measure.to(unit)
    lines.append(f"{measure} = {restated}")
    return restated


def _volume_line(calc: Calculation, lines: list[str]) -> None:
    if calc.pump_rate is not None and calc.volume_per_day is not None:
        lines.append(f"{calc.pump_rate} {_time_factor('h', 'day')} = {calc.volume_per_day}")


def _dose_rate_lines(calc: Calculation, lines: list[str]) -> None:
    assert calc.dose_rate is not None
    target = calc.dose_rate
    if calc.direction == "forward" and calc.dose.per_kg == ("/kg/" in target.unit):
        lines.append(f"{calc.dose_measure} = {target}")
        return
    time = _split(target.unit)[1]
    per_kg = "/kg/" in target.unit
    per_minute, per_hour, per_day = calc.rates
    source = per_hour if time == "h" else per_minute if time == "min" else per_day
    step = source
    if per_kg and calc.weight is not None:
        step_unit = source.unit.replace("/", "/kg/")
        step = Measure(source.value / calc.weight.kg, step_unit)
        lines.append(f"{source} ÷ {format_number(calc.weight.kg)} kg = {step}")
    if step.unit != target.unit:
        lines.append(f"{step} = {target}")


# --- amounts given over a time, and boluses -----------------------------------------------


def _given_lines(calc: Calculation, given: Given, lines: list[str]) -> None:
    """``6 g ÷ 20 min × 60 min/h = 18 g/h``, ``18 g/h ÷ 40 mg/mL = 450 mL/h``,
    ``450 mL/h × 20 min ÷ 60 min/h = 150 mL``; a bolus: the amount and the volume."""
    dose = calc.typed_dose
    typed = calc.dose_measure  # 6 g, 500 mcg/kg, 1,000 mL
    amount = typed
    if calc.weight is not None and dose.per_kg:
        amount = Measure(typed.value * calc.weight.kg, dose.unit.amount.symbol)
        lines.append(
            f"{typed} × {format_number(calc.weight.kg)} kg = {_chain(amount, calc.clear(amount))}"
        )
        amount = calc.clear(amount)
    conc = calc.concentration_per_ml
    if given.capped:  # the cap is of the kind typed (checked by calculate)
        assert given.limit is not None
        limit = calc.clear(given.limit)
        lines.append(f"{amount} is more than the maximum {limit}: capped at {limit}")
        amount = limit
    if dose.is_bolus:
        if conc is not None and given.volume is not None:
            volume = calc.clear(given.volume)
            if calc.direction == "forward":
                lines.append(f"{amount} ÷ {conc} = {volume}")
            else:
                lines.append(f"{volume} × {conc} = {calc.clear(given.amount)}")
        return
    assert dose.duration is not None
    assert calc.per_hour is not None
    duration = f"{format_exact(dose.duration.value)} {dose.duration.unit}"
    to_hours = (
        "" if dose.duration.unit is HOUR else f" {_time_factor(dose.duration.unit.symbol, 'h')}"
    )
    hourly = calc.per_hour if calc.direction == "forward" else calc.pump_rate
    assert hourly is not None
    raw = Measure(amount.value / dose.duration.value, f"{amount.unit}/{dose.duration.unit}")
    raw = raw.to(f"{amount.unit}/h")
    lines.append(f"{amount} ÷ {duration}{to_hours} = {_chain(raw, hourly)}")
    if calc.pump_rate is not None and conc is not None:
        if calc.direction == "forward":
            lines.append(f"{calc.per_hour} ÷ {conc} = {calc.pump_rate}")
        else:
            lines.append(f"{calc.pump_rate} × {conc} = {calc.per_hour}")
    if given.volume is not None and calc.pump_rate is not None:
        volume = calc.clear(given.volume)
        if calc.direction == "forward":
            lines.append(
                f"{calc.pump_rate} × {duration}{_from_hours(dose.duration.unit)} = {volume}"
            )
        elif conc is not None:
            lines.append(f"{volume} × {conc} = {calc.clear(given.amount)}")
    if calc.pump is not None and calc.pump_rate is not None:
        setting = setting_text(calc.pump, calc.pump_rate, calc.delivered_text())
        lines.append(f"set the pump to {setting}")


def _from_hours(unit: UnitWord) -> str:
    """``÷ 60 min/h``: how a per-hour rate times a time in ``unit`` becomes an amount."""
    if unit is HOUR:
        return ""
    return f" {_time_factor('h', unit.symbol)}"
