"""Schedule files: the TOML and CSV grammars, and every kind of bad file."""

from __future__ import annotations

from fractions import Fraction

import pytest

from infuse_calc.formats.schedule_files import (
    MAX_FILE_BYTES,
    ScheduleFile,
    ScheduleFileError,
    format_of,
    parse,
)

HEAD = 'weight = "72 kg"\n'


def seg(*lines: str) -> str:
    return "[[segment]]\n" + "".join(line + "\n" for line in lines)


def toml(text: str) -> ScheduleFile:
    return parse(text.encode(), "c.toml", "toml")


def error_of(text: str | bytes, fmt: str = "toml", name: str = "c.toml") -> str:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(ScheduleFileError) as caught:
        parse(data, name, fmt)
    return str(caught.value)


def test_toml_day_time_offsets_and_stops() -> None:
    text = (
        HEAD
        + 'concentration = "500 mg/50 mL"\n'
        + seg("day = 1", 'time = "08:00"', 'dose = "7 mcg/kg/min"', 'note = "go"')
        + seg('at = "2d 2h"', 'dose = "8 mcg/kg/min"')
        + seg('at = "3d"', 'dose = "4 mcg/kg/min"')
        + seg("day = 4", 'time = "9:05"', 'dose = "stop"')
    )
    parsed = toml(text)
    assert parsed.weight is not None
    assert parsed.weight.kg == 72
    starts = [s.start for s in parsed.specs]
    # day 1 08:00 = 480 min; + 2d 2h = 480 + 2,880 + 120 = 3,480; + 3d = 480 + 4,320 = 4,800;
    # day 4 09:05 = 3 x 1,440 + 545 = 4,865
    assert starts == [480, 3480, 4800, 4865]
    assert [s.where for s in parsed.specs] == [
        "segment 1 (line 3)",
        "segment 2 (line 8)",
        "segment 3 (line 11)",
        "segment 4 (line 14)",
    ]
    assert parsed.specs[-1].is_stop
    assert parsed.specs[0].note == "go"
    assert parsed.concentration is not None
    assert parsed.concentration.amount == 500


def test_offset_grammar() -> None:
    first = seg("day = 1", 'time = "00:00"', 'dose = "1 mg/h"')
    # 1d 30min = 1,440 + 30; 2d 2h 5min = 2,880 + 120 + 5; 50h = 3,000; 0d 1min = 1
    for offset, minutes in [
        ("1d 30min", 1470),
        ("2d 2h 5min", 3005),
        ("50h", 3000),
        ("0d 1min", 1),
        (" 7 h ", 420),
    ]:
        parsed = toml(first + seg(f'at = "{offset}"', "stop = true"))
        assert parsed.specs[1].start == minutes, offset


def test_stop_true_and_offset_minutes() -> None:
    text = seg("day = 2", 'time = "23:30"', 'dose = "4 mg/h"') + seg('at = "90min"', "stop = true")
    parsed = toml(text)
    # day 2 23:30 = 1,440 + 1,410 = 2,850; + 90 = 2,940
    assert [s.start for s in parsed.specs] == [2850, 2940]
    assert parsed.weight is None


def test_csv_schedule() -> None:
    text = "day,time,at,dose,note\n1,08:00,,7 mcg/kg/min,start\n\n,,6h,stop,\n"
    parsed = parse(text.encode("utf-8-sig"), "c.csv", "csv")
    assert [s.start for s in parsed.specs] == [480, 840]
    assert [s.where for s in parsed.specs] == ["line 2", "line 4"]


def test_dose_warnings_carry_the_location() -> None:
    parsed = toml(
        seg("day = 1", 'time = "08:00"', 'dose = "7 ug/kg/min"') + seg('at="1h"', "stop=true")
    )
    assert parsed.warnings == (
        "segment 1 (line 1): dose '7 ug/kg/min': 'ug' is error-prone; read as mcg, write mcg",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "c.toml: is empty"),
        ("  \n\n", "c.toml: is empty"),
        ("weight = [\n", "c.toml: is not valid TOML: "),
        ('weight = "72"\nx = 1\n', "unknown key 'x' at the top level; allowed keys: weight, "),
        (HEAD, "has no segments"),
        ("segment = 3\n", "'segment' must be an array of tables"),
        ("weight = true\n" + seg("day=1"), "weight must be text"),
        ('weight = "700 kg"\n' + seg("day=1"), "c.toml: weight '700 kg': is over 650 kg"),
        ('concentration = "10 mg"\n', "c.toml: concentration '10 mg': expected amount per"),
        (
            seg("day = 1", 'time = "08:00"', 'dose = "1 mg/h"', "rate = 3"),
            "segment 1 (line 1): unknown key 'rate'; allowed keys: day, time, at, dose, stop, note",
        ),
        (seg("day = 1", 'time = "08:00"', "stop = 1"), "stop must be true or false"),
        (
            seg("day = 1", 'time = "08:00"', "stop = true", 'dose = "1 mg/h"'),
            "give either stop = true or a dose, not both",
        ),
        (seg("day = 1", 'time = "08:00"'), "segment 1 (line 1): has no dose"),
        (seg("day = 1", 'time = "08:00"', "dose = 7"), "dose must be text with its unit"),
        (seg("day = 1", 'time = "08:00"', 'dose = "7"'), "dose '7': expected a unit"),
        (seg("day = 1", 'time = "08:00"', 'dose = "-7 mg/h"'), "negative values"),
        (seg("day = 1", 'time = "08:00"', 'dose = "0 mg/h"'), "must be greater than zero"),
        (seg("day = 1", 'time = "08:00"', 'dose = "nan mg/h"'), "is not a number"),
        (seg("day = 1", 'time = "08:00"', 'dose = "1e9 mg/h"'), "without exponents"),
        (seg("day = 1", 'time = "08:00"', 'dose = "7 mcg/kg/min over 2 h"'), "a schedule, not"),
        (seg("day = 1", 'time = "08:00"', 'dose = "7 mg over 8 days"'), "longer than 7 days"),
        (
            seg("day = 1", 'time = "08:00"', 'dose = "1 mg/h"', 'note = "' + "x" * 201 + '"'),
            "note must be one line",
        ),
        (seg('time = "08:00"', 'dose = "1 mg/h"'), "day is missing"),
        (seg("day = 1", 'dose = "1 mg/h"'), "time is missing"),
        (seg('at = "0h"', 'dose = "1 mg/h"'), "the first segment must give day and time"),
        (
            seg("day = 1", 'time = "08:00"', 'at = "1h"', 'dose = "1 mg/h"'),
            "give either day and time or at, not both",
        ),
        (seg("day = 0", 'time = "08:00"', 'dose = "1 mg/h"'), "day 0 is outside 1 to 366"),
        (seg("day = 367", 'time = "08:00"', 'dose = "1 mg/h"'), "day 367 is outside"),
        (seg("day = 1.5", 'time = "08:00"', 'dose = "1 mg/h"'), "day '1.5' must be a whole"),
        (seg("day = true", 'time = "08:00"', 'dose = "1 mg/h"'), "must be a whole number"),
        (seg("day = 1", 'time = "24:00"', 'dose = "1 mg/h"'), "time '24:00' must be a 24-hour"),
        (seg("day = 1", 'time = "8am"', 'dose = "1 mg/h"'), "time '8am' must be"),
        (seg("day = 1", "time = 8", 'dose = "1 mg/h"'), "time 8 must be"),
        (
            seg("day = 1", 'time = "08:00"', 'dose = "1 mg/h"') + seg('at = "2h 1d"', "stop=true"),
            "segment 2 (line 5): at '2h 1d' must be an offset",
        ),
        (
            seg("day = 1", 'time = "08:00"', 'dose = "1 mg/h"') + seg('at = "-2h"', "stop=true"),
            "at '-2h' must be an offset",
        ),
        (
            seg("day = 1", 'time = "08:00"', 'dose = "1 mg/h"') + seg('at = ""', "stop=true"),
            "at '' must be an offset",
        ),
        (
            seg("day = 1", 'time = "08:00"', 'dose = "1 mg/h"') + seg('at = "400d"', "stop=true"),
            "beyond 366 days",
        ),
    ],
)
def test_bad_toml(text: str, message: str) -> None:
    assert message in error_of(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "c.csv: is empty"),
        ("\n\n", "c.csv: is empty"),
        ("day,time,dose\n", "has a header but no segments"),
        ("day,time,rate\n", "line 1: unknown column 'rate'; allowed columns: day, time, at, dose"),
        ("day,time\n1,08:00\n", "the header has no 'dose' column"),
        ("day,day,dose\n", "a column is repeated"),
        ("day,time,dose\n1,08:00,1 mg/h,extra\n", "line 2: has 4 fields but the header has 3"),
        ("day,time,dose\nx,08:00,1 mg/h\n", "line 2: day 'x' must be a whole number"),
        ("day,time,dose\n1,08:00,\n", "line 2: has no dose"),
        ('day,time,dose\n1,08:00,"1 mg/h\n', "unexpected end of data"),
    ],
)
def test_bad_csv(text: str, message: str) -> None:
    assert message in error_of(text, "csv", "c.csv")


def test_bytes_that_are_not_a_text_file() -> None:
    assert "looks like a binary file" in error_of(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert "line 2: is not UTF-8 text (byte 0xe9)" in error_of(b"weight = 1\nnote = '\xe9'\n")
    assert "is larger than 1,000,000 bytes" in error_of(b"#" * (MAX_FILE_BYTES + 1))


def test_segment_caps() -> None:
    rows = "".join(f",,{i}min,1 mg/h\n" for i in range(1, 10_002))
    text = "day,time,at,dose\n1,00:00,,1 mg/h\n" + rows
    assert "more than 10,000 segments" in error_of(text, "csv", "c.csv")
    many = "".join(seg("day = 1", 'time = "00:00"', 'dose = "1 mg/h"') for _ in range(10_002))
    assert "has 10,002 segments; at most 10,000" in error_of(many)


def test_format_of() -> None:
    assert format_of("a.TOML", None) == "toml"
    assert format_of("a.csv", None) == "csv"
    assert format_of("-", "csv") == "csv"
    with pytest.raises(ScheduleFileError, match="cannot tell the format of standard input"):
        format_of("-", None)
    with pytest.raises(ScheduleFileError, match=r"cannot tell the format of 'a\.txt'"):
        format_of("a.txt", None)


def test_exact_instants() -> None:
    parsed = toml(
        seg("day = 366", 'time = "23:59"', 'dose = "1 mg/h"') + seg('at="1min"', "stop=true")
    )
    assert parsed.specs[0].start == Fraction(365 * 1440 + 23 * 60 + 59)
