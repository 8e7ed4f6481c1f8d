"""The human rows of an amount given over a time or at once (a bolus), and of ``--bag``
and ``--start``: what ``convert`` adds to its view for them (the figures are the core's)."""

from __future__ import annotations

from typing import Any


def given_rows(calc: Any, pump: list[list[str]]) -> list[list[str]]:
    """``6 g over 20 min``: its amount, rate, pump rate and volume; a bolus: its amount and
    volume; with a cap (``--max``), the cap and whether it limited the order. ``pump`` are
    the pump rows (convert's ``pump_rows``)."""
    given = calc.given
    forward = calc.direction == "forward"
    rows: list[list[str]] = [["Bolus" if given.bolus else "Dose", calc.dose_text()]]
    if calc.weight is not None:
        rows.append(["Weight", calc.weight_text()])
    if forward or calc.concentration is not None:
        rows.append(["Amount", str(calc.clear(given.amount))])
    if given.limit is not None:
        state = "capped: the amount is the maximum" if given.capped else "not reached"
        rows.append(["Maximum", f"{calc.clear(given.limit)} ({state})"])
    rates = calc.per_minute is not None and calc.per_hour is not None
    if rates and (forward or calc.concentration is not None):  # else they are the pump rate
        rows += [["Per minute", str(calc.per_minute)], ["Per hour", str(calc.per_hour)]]
    if calc.dose_rate is not None:
        label = "Dose as " + calc.dose_rate.unit if forward else "Delivers"
        rows.append([label, str(calc.dose_rate)])
    if calc.concentration_text() is not None:
        rows.append(["Concentration", calc.concentration_text()])
    rows += pump
    if given.volume is not None and (forward or given.bolus):  # else the volume was typed
        over = "" if given.bolus else f" over {calc.dose.duration}"
        rows.append(["Volume", f"{calc.clear(given.volume)}{over}"])
    return rows


def add_timing(view: Any, calc: Any, timing: Any) -> Any:
    """Rows and fields for ``--bag`` (how long it lasts, when it runs out) and ``--start``
    (when a dose given over a time ends); fields only when asked for."""
    from infuse_calc.bag_time import span_text
    from infuse_calc.dosing import Measure
    from infuse_calc.notation import format_number

    added: dict[str, Any] = {}
    if timing.volume is not None:
        rate = f"{format_number(calc.pump_rate.value)} mL/h"
        bag = f"{format_number(timing.volume)} mL"
        view.rows.append(["Bag lasts", f"{span_text(timing.hours)} ({bag} at {rate})"])
        added["bag_volume"] = Measure(timing.volume, "mL")
        added["bag_lasts"] = Measure(timing.hours, "h")
        if timing.empty is not None:
            view.rows.append(["Bag runs out", f"{timing.empty.shown} (from {timing.start})"])
            added["bag_empty_at"] = timing.empty.iso
            added["bag_empty_day"] = timing.empty.day
    if timing.ends is not None:
        view.rows.append(["Ends", f"{timing.ends.shown} (from {timing.start})"])
        added["ends_at"] = timing.ends.iso
        added["ends_day"] = timing.ends.day
    if not added:
        return view
    record = view.records[0]
    record.update(added)
    view.document.update(added)
    fields = [name for name in view.csv_fields if name != "warnings"]
    view.csv_fields = [*fields, *added, "warnings"]
    measures = {"bag_volume", "bag_lasts"} & set(added)
    view.measure_fields = set(view.measure_fields) | measures
    return view
