"""The rendering and file-format layer, between the core and the command line.

- :mod:`~infuse_calc.formats.output`: one output system. A command's :class:`View` and
  batch's records become plain text, CSV, JSON or JSON Lines here, and only here.
- :mod:`~infuse_calc.formats.table`: rich tables for a terminal (the only module that
  imports rich, and only when a table is drawn).
- :mod:`~infuse_calc.formats.plot`: schedule pictures: a text chart, and PNG/SVG through
  matplotlib (imported only for ``--plot``).
- :mod:`~infuse_calc.formats.files`: reading the small files users hand us (capped) and
  writing every output file atomically (``-o``, ``--plot``, batch).
- :mod:`~infuse_calc.formats.batch_input`: reading order files (CSV, JSON Lines) as rows.

Nothing here imports click: errors are :class:`~infuse_calc.errors.InfuseCalcError`, which
the command line reports in one line.
"""

#: what a command's output can be written as (``--format``)
VIEW_FORMATS = ("table", "plain", "csv", "json")
#: what batch reads, and what it writes
BATCH_INPUT_FORMATS = ("csv", "jsonl")
BATCH_OUTPUT_FORMATS = ("csv", "jsonl", "json")
