"""Pictures of a schedule: a terminal step chart, and a PNG/SVG drawn with matplotlib.

The terminal chart is plain text (Unicode block characters), fixed width and
deterministic, so it can sit in golden files. matplotlib is an optional extra
(``pip install 'infuse-calc[plot]'``), imported only when a picture file is asked for,
with the Agg canvas and no pyplot (no global state, no display needed).
"""

from __future__ import annotations

import bisect
import io
from fractions import Fraction
from typing import Any

from infuse_calc.errors import InfuseCalcError
from infuse_calc.schedule import Schedule, day_of, midnight_before, minutes_per

CHART_WIDTH = 60
CHART_HEIGHT = 8
MIN_CHART_WIDTH = 12
#: how far a day label ("day 10") can run past the last column of the axis
LABEL_RUN = 5
_EIGHTHS = " ▁▂▃▄▅▆▇█"
PLOT_SIZE_INCHES = (8.0, 6.0)
PLOT_DPI = 100  # so a PNG is 800 x 600 pixels
PLOT_FORMATS = ("png", "svg")
MISSING_MATPLOTLIB = "plotting needs matplotlib: pip install 'infuse-calc[plot]'"


class PlotUnavailableError(InfuseCalcError):
    """matplotlib (the ``plot`` extra) is not installed."""


def chart_series(schedule: Schedule) -> tuple[str, list[tuple[Fraction, Fraction, Fraction]]]:
    """What to draw: ``(unit, [(start, end, value), ...])``.

    The doses themselves when every segment shares one dose unit (mcg/kg/min), otherwise
    the amount per hour, which is comparable across units. Boluses are not rates and are
    left out; a time when nothing runs (after a dose given over a time) is 0. Empty when
    nothing runs at a rate.
    """
    running = [s for s in schedule.segments if not s.is_bolus and s.end > s.start]
    units = {str(s.dose.unit) for s in running}
    same = len(units) == 1
    unit = next(iter(units)) if same else f"{schedule.display_unit}/h"
    series: list[tuple[Fraction, Fraction, Fraction]] = []
    for s in running:
        value = s.dose.value if same else schedule.rate_measure(s.rate).value
        start = series[-1][1] if series else schedule.start
        if s.start > start:
            series.append((start, s.start, Fraction(0)))  # nothing runs
        series.append((s.start, s.end, value))
    if series and series[-1][1] < schedule.end:
        series.append((series[-1][1], schedule.end, Fraction(0)))
    return unit, series


def text_chart(
    schedule: Schedule,
    width: int = CHART_WIDTH,
    height: int = CHART_HEIGHT,
    fit: int | None = None,
) -> list[str]:
    """A step chart of the dose over the course, ``width`` columns by ``height`` rows.

    Each column covers an equal slice of the course and shows the highest dose in it, so a
    short peak is never lost between columns. Bars are scaled to the highest dose of the
    course in eighths of a row. ``fit`` is a terminal width the whole chart must fit in
    (fewer columns, the heading wrapped between words).
    """
    from infuse_calc.formats.layout import wrap
    from infuse_calc.notation import format_number
    from infuse_calc.schedule import duration_text

    unit, series = chart_series(schedule)
    if not series:
        return []
    top = max(value for _, _, value in series)
    top_label, zero_label = format_number(top), "0"
    pad = max(len(top_label), len(zero_label))
    if fit is not None:
        # the axis is pad + 2 + width wide; a day label may run LABEL_RUN past its end
        width = max(MIN_CHART_WIDTH, min(width, fit - pad - 2 - LABEL_RUN))
    start, total = schedule.start, schedule.minutes
    step = total / width
    starts = [a for a, _, _ in series]
    levels: list[int] = []
    for column in range(width):
        low, high = start + column * step, start + (column + 1) * step
        # the segments overlapping [low, high): from the one running at low to the last
        # one starting before high
        first = max(0, bisect.bisect_right(starts, low) - 1)
        last = bisect.bisect_left(starts, high)
        peak = max(value for _, _, value in series[first:last])
        levels.append(_round_half_up(peak / top * height * 8))
    heading = f"Dose ({unit}); each column is {duration_text(step)}, showing its highest dose"
    lines = [heading] if fit is None else wrap(heading, fit)
    for row in range(height, 0, -1):
        label = top_label if row == height else ""
        cells = "".join(_EIGHTHS[max(0, min(8, level - (row - 1) * 8))] for level in levels)
        lines.append(f"{label.rjust(pad)} |{cells}".rstrip())
    axis, labels = _time_axis(schedule, width, step)
    lines.append(f"{zero_label.rjust(pad)} +{axis}")
    lines.append(f"{' ' * pad}  {labels}".rstrip())
    return lines


def _round_half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def _time_axis(schedule: Schedule, width: int, step: Fraction) -> tuple[str, str]:
    """The axis line with a tick at each midnight, and day labels under the ticks."""
    axis = ["-"] * width
    labels = [" "] * (width + LABEL_RUN)
    first_day, last_day = day_of(schedule.start), day_of(schedule.end)
    marks = [(schedule.start, first_day)]
    marks += [(midnight_before(day), day) for day in range(first_day + 1, last_day + 1)]
    end_of_labels = -1
    for instant, day in marks:
        if instant >= schedule.end:
            continue
        column = int((instant - schedule.start) / step)
        if column:  # column 0's tick is the axis corner itself
            axis[column] = "+"
        text = f"day {day}" if column > end_of_labels else ""
        if text and column + len(text) <= len(labels):
            labels[column : column + len(text)] = text
            end_of_labels = column + len(text)
    return "".join(axis), "".join(labels)


def check_plot_available() -> None:
    """Raise :class:`PlotUnavailableError` if matplotlib cannot be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise PlotUnavailableError(MISSING_MATPLOTLIB) from None


def plot_format(path: str) -> str:
    """``png`` or ``svg`` from a file name; anything else is refused."""
    lowered = path.lower()
    for fmt in PLOT_FORMATS:
        if lowered.endswith("." + fmt):
            return fmt
    raise InfuseCalcError(f"--plot {path!r}: the file name must end in .png or .svg")


def render_plot(schedule: Schedule, fmt: str) -> bytes:
    """Draw the dose over time and the per-day totals; return the PNG or SVG bytes."""
    import matplotlib

    figure = figure_of(schedule)
    buffer = io.BytesIO()
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {}
    # A fixed salt makes SVG element ids, and so the whole file, the same on every run.
    with matplotlib.rc_context({"svg.hashsalt": "infuse-calc"}):
        figure.savefig(buffer, format=fmt, dpi=PLOT_DPI, metadata=metadata)
    return buffer.getvalue()


def figure_of(schedule: Schedule) -> Any:
    """The matplotlib figure of a schedule: dose over time above, per-day totals below."""
    check_plot_available()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    unit, series = chart_series(schedule)
    per_hour = minutes_per("h")
    figure = Figure(figsize=PLOT_SIZE_INCHES, dpi=PLOT_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    doses, totals = figure.subplots(2, 1, height_ratios=(3, 2))
    _plot_doses(doses, schedule, unit, series, per_hour)
    _plot_days(totals, schedule)
    from matplotlib.ticker import FuncFormatter

    # ticks in the safe notation of every other figure: 0.1 and 5, never 0.10 or 5.0;
    # thousands separators (1,000)
    ticks = FuncFormatter(lambda value, _position: tick_text(value))
    for axis in (doses.xaxis, doses.yaxis, totals.yaxis):
        axis.set_major_formatter(ticks)
    return figure


def tick_text(value: float) -> str:
    """A tick label: the figure as :func:`~infuse_calc.notation.format_number` writes it (a
    tick is a round value, so 5 significant figures show it whole)."""
    from infuse_calc.notation import format_number

    return format_number(Fraction(value))


def _plot_doses(
    axes: Any,
    schedule: Schedule,
    unit: str,
    series: list[tuple[Fraction, Fraction, Fraction]],
    per_hour: Fraction,
) -> None:
    if not series:  # boluses only: no rate to draw
        axes.set_title("No dose rate (boluses only)")
        return
    hours = [float((a - schedule.start) / per_hour) for a, _, _ in series]
    hours.append(float((series[-1][1] - schedule.start) / per_hour))
    values = [float(v) for _, _, v in series]
    axes.stairs(values, hours, fill=True, alpha=0.35, color="tab:blue")
    axes.stairs(values, hours, color="tab:blue", linewidth=1.5)
    first_day, last_day = day_of(schedule.start), day_of(schedule.end)
    for day in range(first_day + 1, last_day + 1):
        midnight = midnight_before(day)
        if midnight < schedule.end:
            axes.axvline(float((midnight - schedule.start) / per_hour), color="0.8", lw=0.8)
    axes.set_xlim(0, hours[-1])
    axes.set_ylim(0, max(values) * 1.15)
    axes.set_xlabel("hours from the start of the course")
    axes.set_ylabel(unit)
    axes.set_title("Dose over time")


def _plot_days(axes: Any, schedule: Schedule) -> None:
    unit = schedule.display_unit
    labels = [f"day {d.day}" for d in schedule.days]
    amounts = [float(schedule.amount_measure(d.amount).value) for d in schedule.days]
    bars = axes.bar(labels, amounts, color="tab:orange")
    axes.bar_label(bars, labels=[str(schedule.amount_measure(d.amount)) for d in schedule.days])
    axes.set_ylim(0, max(amounts) * 1.25)
    axes.set_ylabel(unit)
    axes.set_title("Total per calendar day")
