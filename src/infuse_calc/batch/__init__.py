"""Many dose calculations, one per input row, with the same figures as ``convert``.

:func:`process` takes rows (mappings of column name to cell) and yields one output record
per row, in order: the row's own columns unchanged, the fields of
:meth:`~infuse_calc.dosing.Calculation.record` and an ``error`` field (``None`` on success,
the one-line message otherwise). A bad row never stops the others. :func:`process_table`
does the same for rows of text cells under one header (CSV), as flat rows.

A row is read by ``convert``'s own parsers (:mod:`.cells`, each distinct text once) and
worked out by the engine's plan for its combination of units (:mod:`.rows`, the very
evaluation ``convert`` uses), so batch refuses, warns and calculates exactly as ``convert``
does by construction. :mod:`.records` shapes the records; :mod:`.fields` names them.

This package is pure: no click, no rich, no files.
"""

from __future__ import annotations

from infuse_calc.batch.cells import cell_text
from infuse_calc.batch.fields import (
    CHECK_FIELDS,
    CHECK_FLAT_WIDTH,
    CHECK_MEASURE_FIELDS,
    ERROR_FIELD,
    FIELDS,
    FLAT_WIDTH,
    INPUT_COLUMNS,
    RESULT_PREFIX,
    Figure,
    computed_fields,
    is_measure,
    output_names,
)
from infuse_calc.batch.records import (
    BatchOptions,
    DrugLibrary,
    InputRow,
    Record,
    RowError,
    error_of,
    mismatched,
    process,
    process_table,
)

__all__ = [
    "CHECK_FIELDS",
    "CHECK_FLAT_WIDTH",
    "CHECK_MEASURE_FIELDS",
    "ERROR_FIELD",
    "FIELDS",
    "FLAT_WIDTH",
    "INPUT_COLUMNS",
    "RESULT_PREFIX",
    "BatchOptions",
    "DrugLibrary",
    "Figure",
    "InputRow",
    "Record",
    "RowError",
    "cell_text",
    "computed_fields",
    "error_of",
    "is_measure",
    "mismatched",
    "output_names",
    "process",
    "process_table",
]
