"""Reading schedule files: TOML (``[[segment]]`` tables) and CSV (one row per segment).

TOML::

    weight = "72 kg"            # optional; --weight on the command line wins
    concentration = "10 mg/mL"  # optional; --concentration wins

    [[segment]]
    day = 1                     # calendar day of the course, 1 = the first
    time = "08:00"              # 24-hour clock, HH:MM
    dose = "7 mcg/kg/min"
    note = "start"              # optional, shown in the table

    [[segment]]
    at = "50h"                  # or: an offset from the course start
    dose = "8 mcg/kg/min"

    [[segment]]
    day = 5
    time = "16:00"
    stop = true                 # or dose = "stop": the course ends here

CSV: a header row naming some of ``day,time,at,dose,note``, then one row per segment
(``dose`` is ``stop`` on the last one); weight and concentration come from the command line.

Start of a segment: ``day`` and ``time`` together, or ``at``. The first segment must give
``day`` and ``time`` (it fixes the course on the calendar, so midnights are known); ``at``
is measured from the first segment's start and is whole numbers of ``d``, ``h`` and
``min`` in that order, e.g. ``50h``, ``2d 2h``, ``1d 30min``.

Every problem becomes one :class:`ScheduleFileError` naming the file and the line (or the
segment) at fault.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from infuse_calc.errors import InfuseCalcError
from infuse_calc.formats.files import MAX_TEXT_FILE_BYTES
from infuse_calc.quantities import Concentration, Weight
from infuse_calc.schedule import MAX_DAY, MAX_SEGMENTS, SegmentSpec, midnight_before, minutes_per

MAX_FILE_BYTES = MAX_TEXT_FILE_BYTES
TOP_LEVEL_KEYS = ("weight", "concentration", "segment")
SEGMENT_KEYS = ("day", "time", "at", "dose", "stop", "note")
CSV_COLUMNS = ("day", "time", "at", "dose", "note")
MAX_NOTE = 200
FORMATS = ("toml", "csv")

_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", re.ASCII)
_OFFSET = re.compile(
    r"\s*(?:(?P<d>[0-9]{1,6})\s*d)?\s*(?:(?P<h>[0-9]{1,6})\s*h)?\s*(?:(?P<min>[0-9]{1,7})\s*min)?\s*",
    re.ASCII,
)
_SEGMENT_HEADER = re.compile(r"\s*\[\[\s*segment\s*\]\]")


class ScheduleFileError(InfuseCalcError):
    """A schedule file that cannot be read: the message names the file and line."""


@dataclass(frozen=True)
class ScheduleFile:
    """What a schedule file says: its segments and, optionally, weight and concentration."""

    specs: tuple[SegmentSpec, ...]
    weight: Weight | None = None
    concentration: Concentration | None = None
    warnings: tuple[str, ...] = field(default=())


def format_of(name: str, given: str | None) -> str:
    """The file format: ``given`` if set, else from the extension."""
    if given:
        return given
    lowered = name.lower()
    for fmt in FORMATS:
        if lowered.endswith("." + fmt):
            return fmt
    where = "standard input" if name == "-" else repr(name)
    raise ScheduleFileError(
        f"cannot tell the format of {where}: name it .toml or .csv, or give --input-format toml|csv"
    )


def read_bytes(stream: Any, name: str) -> bytes:
    """Read at most :data:`MAX_FILE_BYTES` (one more to notice a larger file)."""
    from infuse_calc.formats.files import TooLargeError, read_capped

    try:
        return read_capped(stream, MAX_FILE_BYTES)
    except TooLargeError:
        raise ScheduleFileError(
            f"{_name(name)}: is larger than {MAX_FILE_BYTES:,} bytes; a schedule file is "
            "at most 1 MB"
        ) from None


def parse(data: bytes, name: str, fmt: str, lb_per_kg: Fraction | None = None) -> ScheduleFile:
    """Decode and parse a schedule file's bytes (``fmt`` is ``toml`` or ``csv``); a weight
    in pounds is read with ``lb_per_kg`` (``None``: the exact pound)."""
    text = _decode(data, name)
    if fmt == "toml":
        return _parse_toml(text, name, lb_per_kg)
    return _parse_csv(text, name)


def _name(name: str) -> str:
    return "standard input" if name == "-" else name


def _decode(data: bytes, name: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise ScheduleFileError(f"{_name(name)}: is larger than {MAX_FILE_BYTES:,} bytes")
    if b"\x00" in data:
        raise ScheduleFileError(
            f"{_name(name)}: looks like a binary file (it contains NUL bytes); expected a "
            "TOML or CSV text file"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ScheduleFileError(
            f"{_name(name)}: line {line}: is not UTF-8 text (byte 0x{data[error.start]:02x}); "
            "save the file as UTF-8"
        ) from None
    if not text.strip():
        raise ScheduleFileError(f"{_name(name)}: is empty; expected a schedule of segments")
    return text


# --- TOML ---------------------------------------------------------------------------------


def _parse_toml(text: str, name: str, lb_per_kg: Fraction | None = None) -> ScheduleFile:
    import tomllib

    try:
        document = tomllib.loads(text, parse_float=str)
    except tomllib.TOMLDecodeError as error:
        raise ScheduleFileError(f"{_name(name)}: is not valid TOML: {error}") from None
    unknown = [key for key in document if key not in TOP_LEVEL_KEYS]
    if unknown:
        raise ScheduleFileError(
            f"{_name(name)}: unknown key {unknown[0]!r} at the top level; allowed keys: "
            f"{', '.join(TOP_LEVEL_KEYS)}"
        )
    weight = _file_value(document, "weight", name, lb_per_kg)
    concentration = _file_value(document, "concentration", name)
    raw = document.get("segment")
    if raw is None:
        raise ScheduleFileError(
            f"{_name(name)}: has no segments; add [[segment]] tables with day, time and dose"
        )
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise ScheduleFileError(
            f"{_name(name)}: 'segment' must be an array of tables, written [[segment]]"
        )
    if len(raw) > MAX_SEGMENTS + 1:
        raise ScheduleFileError(
            f"{_name(name)}: has {len(raw):,} segments; at most {MAX_SEGMENTS:,} are accepted"
        )
    headers = [i + 1 for i, line in enumerate(text.splitlines()) if _SEGMENT_HEADER.match(line)]
    lines = headers if len(headers) == len(raw) else [None] * len(raw)
    specs: list[SegmentSpec] = []
    warnings: list[str] = [*_warnings(weight), *_warnings(concentration)]
    for i, (item, line) in enumerate(zip(raw, lines, strict=True)):
        where = f"segment {i + 1}" + (f" (line {line})" if line else "")
        unknown = [key for key in item if key not in SEGMENT_KEYS]
        if unknown:
            raise _error(
                name, where, f"unknown key {unknown[0]!r}; allowed keys: {', '.join(SEGMENT_KEYS)}"
            )
        stop = item.get("stop", False)
        if not isinstance(stop, bool):
            raise _error(name, where, "stop must be true or false")
        if stop and "dose" in item:
            raise _error(name, where, "give either stop = true or a dose, not both")
        dose = "stop" if stop else item.get("dose")
        spec = _spec(name, where, i, specs, item, dose, warnings)
        specs.append(spec)
    return ScheduleFile(tuple(specs), weight, concentration, tuple(warnings))


def _file_value(
    document: dict[str, Any], key: str, name: str, lb_per_kg: Fraction | None = None
) -> Any:
    from infuse_calc import quantities

    value = document.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ScheduleFileError(f'{_name(name)}: {key} must be text such as "72 kg"')
    try:
        if key == "weight":
            return quantities.parse_weight(str(value), lb_per_kg)
        return quantities.parse_concentration(str(value))
    except InfuseCalcError as error:
        raise ScheduleFileError(f"{_name(name)}: {error}") from None


def _warnings(value: Any) -> tuple[str, ...]:
    return tuple(getattr(value, "warnings", ()) or ())


# --- CSV ----------------------------------------------------------------------------------


def _parse_csv(text: str, name: str) -> ScheduleFile:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    specs: list[SegmentSpec] = []
    warnings: list[str] = []
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise ScheduleFileError(f"{_name(name)}: is empty; expected a header row")
        columns = [cell.strip().lower() for cell in header]
        for column in columns:
            if column not in CSV_COLUMNS:
                raise ScheduleFileError(
                    f"{_name(name)}: line {reader.line_num}: unknown column {column!r}; "
                    f"allowed columns: {', '.join(CSV_COLUMNS)}"
                )
        if len(set(columns)) != len(columns):
            raise ScheduleFileError(f"{_name(name)}: line {reader.line_num}: a column is repeated")
        if "dose" not in columns:
            raise ScheduleFileError(
                f"{_name(name)}: line {reader.line_num}: the header has no 'dose' column"
            )
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            where = f"line {reader.line_num}"
            if len(row) > len(columns):
                raise _error(
                    name, where, f"has {len(row)} fields but the header has {len(columns)}"
                )
            if len(specs) >= MAX_SEGMENTS + 1:
                raise ScheduleFileError(
                    f"{_name(name)}: has more than {MAX_SEGMENTS:,} segments; at most "
                    f"{MAX_SEGMENTS:,} are accepted"
                )
            item: dict[str, Any] = {
                column: cell.strip()
                for column, cell in zip(columns, row, strict=False)
                if cell.strip()
            }
            if "day" in item:
                item["day"] = _csv_int(name, where, item["day"])
            specs.append(_spec(name, where, len(specs), specs, item, item.get("dose"), warnings))
    except csv.Error as error:
        raise ScheduleFileError(f"{_name(name)}: line {reader.line_num}: {error}") from None
    if not specs:
        raise ScheduleFileError(f"{_name(name)}: has a header but no segments")
    return ScheduleFile(tuple(specs), None, None, tuple(warnings))


def _csv_int(name: str, where: str, text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        raise _error(name, where, f"day {text!r} must be a whole number such as 3")
    return int(text)


# --- one segment --------------------------------------------------------------------------


def _error(name: str, where: str, reason: str) -> ScheduleFileError:
    return ScheduleFileError(f"{_name(name)}: {where}: {reason}")


def _spec(
    name: str,
    where: str,
    index: int,
    earlier: list[SegmentSpec],
    item: dict[str, Any],
    dose_value: Any,
    warnings: list[str],
) -> SegmentSpec:
    from infuse_calc.quantities import parse_dose

    start = _start(name, where, index, earlier, item)
    if dose_value is None:
        raise _error(name, where, 'has no dose; give dose = "7 mcg/kg/min", or stop = true')
    if not isinstance(dose_value, str):
        raise _error(name, where, 'dose must be text with its unit, such as "7 mcg/kg/min"')
    note = item.get("note", "")
    if not isinstance(note, str) or len(note) > MAX_NOTE or "\n" in note:
        raise _error(name, where, f"note must be one line of text (at most {MAX_NOTE} characters)")
    if dose_value.strip().lower() == "stop":
        return SegmentSpec(start, None, where, note)
    try:
        dose = parse_dose(dose_value, amounts=True)
    except InfuseCalcError as error:
        raise _error(name, where, str(error)) from None
    warnings.extend(f"{where}: {warning}" for warning in dose.warnings)
    return SegmentSpec(start, dose, where, note)


def _start(
    name: str, where: str, index: int, earlier: list[SegmentSpec], item: dict[str, Any]
) -> Fraction:
    has_clock = "day" in item or "time" in item
    if has_clock and "at" in item:
        raise _error(name, where, "give either day and time or at, not both")
    if "at" in item:
        if index == 0:
            raise _error(
                name,
                where,
                'the first segment must give day and time (e.g. day = 1, time = "08:00"); '
                "'at' offsets count from it",
            )
        return earlier[0].start + _offset(name, where, item["at"])
    if "day" not in item or "time" not in item:
        missing = "time" if "day" in item else "day"
        raise _error(
            name,
            where,
            f"{missing} is missing: a segment starts at a day and time (day = 3, "
            'time = "08:00") or at an offset from the course start (at = "50h")',
        )
    day = item["day"]
    if isinstance(day, bool) or not isinstance(day, int):
        raise _error(name, where, f"day {day!r} must be a whole number such as 3")
    if not 1 <= day <= MAX_DAY:
        raise _error(name, where, f"day {day} is outside 1 to {MAX_DAY}")
    time = item["time"]
    match = _CLOCK.fullmatch(time) if isinstance(time, str) else None
    if match is None:
        raise _error(
            name, where, f'time {time!r} must be a 24-hour clock time HH:MM, such as "08:00"'
        )
    hours, minutes = (int(part) for part in match.groups())
    return midnight_before(day) + hours * minutes_per("h") + minutes


def _offset(name: str, where: str, value: Any) -> Fraction:
    from infuse_calc import units as u

    match = _OFFSET.fullmatch(value) if isinstance(value, str) else None
    if match is None or not any(match.groups()):
        raise _error(
            name,
            where,
            f"at {value!r} must be an offset from the course start in whole d, h and min, "
            'such as "50h", "2d 2h" or "1d 30min"',
        )
    total = Fraction(0)
    for symbol in ("d", "h", "min"):
        part = match.group(symbol)
        if part:
            total += int(part) * u.factor("day" if symbol == "d" else symbol, "min")
    if total >= MAX_DAY * minutes_per("day"):
        raise _error(name, where, f"at {value!r} is beyond {MAX_DAY} days")
    return total
