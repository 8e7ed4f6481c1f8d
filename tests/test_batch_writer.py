"""The batch CSV writer's own line (``CsvWriter.write_table``) is what ``csv.writer`` writes.

write_table joins a row itself and leaves to csv only the cells csv must quote; these tests
hold it to ``csv.writer(..., lineterminator="\\n").writerow`` of the same row (its lists
and booleans turned into cells by ``cell``, as before), whatever the cells hold.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from infuse_calc.batch import CHECK_FLAT_WIDTH, FLAT_WIDTH
from infuse_calc.formats.output import CsvWriter, cell

# texts with the characters csv quotes (a comma, a quote, line breaks) and others it does not
TEXT = st.text(alphabet=st.sampled_from('ab ,"\n\r;é\t'), max_size=8)
FLOAT = st.floats(allow_nan=False, allow_infinity=False)
VALUE = st.one_of(st.none(), TEXT, FLOAT)
LIST = st.lists(TEXT, max_size=3)


def written(header: list[str], rows: list[list[Any]]) -> tuple[str, str]:
    """What write_table writes, and what csv.writerow writes for the same rows."""
    out = io.StringIO()
    writer = CsvWriter(out, header)
    converted = set(writer.converted)
    expected = io.StringIO()
    oracle = csv.writer(expected, lineterminator="\n")
    oracle.writerow(out.getvalue().rstrip("\n").split(","))  # the header (plain names)
    for row in rows:
        oracle.writerow([cell(v) if i in converted else v for i, v in enumerate(row)])
        writer.write_table(list(row))
    return out.getvalue(), expected.getvalue()


def flat_row(draw: Any, header: list[str], checked: bool, writer: CsvWriter) -> list[Any]:
    width = len(header) + FLAT_WIDTH + (CHECK_FLAT_WIDTH if checked else 0) + 1
    row: list[Any] = [draw(TEXT) for _ in header]
    converted = set(writer.converted)
    for i in range(len(header), width):
        if i in converted:
            row.append(draw(st.one_of(LIST, st.booleans(), st.none())))
        else:
            row.append(draw(VALUE))
    return row


@settings(max_examples=300, deadline=None)
@given(st.data(), st.booleans())
def test_write_table_writes_what_csv_writes(data: Any, checked: bool) -> None:
    header = ["id", "dose", "note"] + (["pump"] if checked else [])
    probe = CsvWriter(io.StringIO(), header)
    rows = [
        flat_row(data.draw, header, checked, probe) for _ in range(data.draw(st.integers(1, 4)))
    ]
    got, expected = written(header, rows)
    assert got == expected


def test_write_table_quotes_warnings_and_inputs_as_csv_does() -> None:
    header = ["id", "dose"]
    probe = CsvWriter(io.StringIO(), header)
    warnings_at = probe.converted[0]
    plain: list[Any] = ["1", "4 mg/h", *([None] * (warnings_at - 2)), [], None]
    warned = list(plain)
    warned[warnings_at] = ['5,670 mL/day is over 2,000 mL/day: count it, or "not"', "x"]
    quoted_input = list(plain)
    quoted_input[1] = "25,000 units/h"
    blank_row = "1,4 mg/h" + "," * (warnings_at - 1) + ",\n"
    got, expected = written(header, [plain, warned, quoted_input, warned])
    assert got == expected
    lines = got.splitlines(keepends=True)
    assert lines[1] == blank_row  # no warnings: blank cells, unquoted
    # a warning with commas and quotes: one quoted cell, its quotes doubled
    assert lines[2].endswith(',"5,670 mL/day is over 2,000 mL/day: count it, or ""not""; x",\n')
    assert lines[3].startswith('1,"25,000 units/h",')
    assert lines[4] == lines[2]  # the same warning again (rendered once, kept)
