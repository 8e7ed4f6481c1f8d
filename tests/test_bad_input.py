"""The bad-input tables (docs/bad-input.md, docs/input.md) cannot drift from the tool.

Each table row is ``| `infuse-calc ARGS` | `Error: ...` | EXIT |``. The command is run again
(in a temporary directory holding a copy of ``examples/``) and its last stderr line and
exit status must equal the row. ``UPDATE_GOLDEN=1`` rewrites the message and exit columns
from what the tool says now (review the diff).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.test_fuzz import check_outcome, invoke

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "docs" / "bad-input.md"
#: Every Markdown file whose bad-input table rows are re-run.
TABLES = [TABLE, ROOT / "docs" / "input.md"]
ROW = re.compile(
    r"^\| `(?P<command>infuse-calc [^`]+)` \| `(?P<message>[^`]*)` \| (?P<code>\d) \|$"
)


def rows(table: Path = TABLE) -> list[tuple[str, str, int]]:
    found = []
    for line in table.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            found.append((match["command"], match["message"], int(match["code"])))
    return found


def run_row(command: str, sandbox: Path) -> tuple[str, int]:
    """The last stderr line and exit status of one table command."""
    if not (sandbox / "examples").exists():
        shutil.copytree(ROOT / "examples", sandbox / "examples")
    cwd = Path.cwd()
    os.chdir(sandbox)
    try:
        args = shlex.split(command)[1:]
        result = invoke(args, env={"INFUSE_CALC_CONFIG": str(sandbox / "none.toml")})
    finally:
        os.chdir(cwd)
    check_outcome(result, args)
    assert result.stderr, f"{command} printed nothing on stderr"
    return result.stderr.splitlines()[-1], result.exit_code


ROWS = [row for table in TABLES if table.exists() for row in rows(table)]


def test_the_table_has_enough_rows_and_is_all_failures() -> None:
    assert len(ROWS) >= 25
    assert all(code in (1, 2) for _, _, code in ROWS)
    commands = {command.split()[1] for command, _, _ in ROWS}
    assert {"convert", "batch", "schedule", "check"} <= commands


@pytest.mark.parametrize(("command", "message", "code"), ROWS, ids=[r[0][12:60] for r in ROWS])
def test_each_row_is_what_the_tool_says(
    command: str, message: str, code: int, tmp_path: Path
) -> None:
    actual, status = run_row(command, tmp_path)
    if os.environ.get("UPDATE_GOLDEN"):
        assert "`" not in actual
        assert "|" not in actual
        old = f"| `{command}` | `{message}` | {code} |"
        for table in TABLES:
            text = table.read_text(encoding="utf-8")
            table.write_text(
                text.replace(old, f"| `{command}` | `{actual}` | {status} |"), encoding="utf-8"
            )
        return
    assert (actual, status) == (message, code)
    # the example files are still there: no row overwrote its input
    assert (tmp_path / "examples" / "orders.csv").read_bytes() == (
        ROOT / "examples" / "orders.csv"
    ).read_bytes()
