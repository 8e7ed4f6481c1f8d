"""Re-run every ``$ infuse-calc ...`` example in README.md and docs/*.md and write its real
output back.

Usage: ``python tools/update_readme.py`` (rewrite) or ``--check`` (exit 1 if stale).

An example is a fenced ``console`` block whose first line is ``$ infuse-calc ARGS``; the rest
of the block is the command's stdout exactly (plain format, as when piped). A block preceded
by ``<!-- no-check -->`` is left alone. tests/test_docs.py uses :func:`examples` and
:func:`run_example` so the README cannot drift from the tool.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"(?P<skip><!-- no-check -->\n)?```console\n(?P<body>.*?)```", re.DOTALL)


def examples(text: str) -> list[tuple[str, str, bool]]:
    """``(command line, expected output, checked)`` for each console block."""
    found = []
    for match in BLOCK.finditer(text):
        first, _, rest = match.group("body").partition("\n")
        if first.startswith("$ infuse-calc"):
            found.append((first[2:], rest, match.group("skip") is None))
    return found


def run_example(command: str) -> str:
    """The stdout of one README command line, run in-process like a pipe."""
    from click.testing import CliRunner

    from infuse_calc.cli import cli

    args = shlex.split(command)[1:]
    # A user's own config file or INFUSE_CALC_* variables must not leak into the docs.
    env: dict[str, str | None] = {n: None for n in os.environ if n.startswith("INFUSE_CALC_")}
    env.update({"COLUMNS": "100", "NO_COLOR": "1", "INFUSE_CALC_CONFIG": os.devnull})
    result = CliRunner().invoke(cli, args, env=env)
    return result.stdout


def rewrite(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        first = match.group("body").partition("\n")[0]
        if match.group("skip") or not first.startswith("$ infuse-calc"):
            return match.group(0)
        return f"```console\n{first}\n{run_example(first[2:])}```"

    return BLOCK.sub(replace, text)


#: every Markdown file whose console examples are run: README.md and docs/*.md
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]


def main() -> int:
    stale = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        updated = rewrite(text)
        if updated == text:
            continue
        stale.append(path.relative_to(ROOT))
        if "--check" not in sys.argv:
            path.write_text(updated, encoding="utf-8")
    if "--check" in sys.argv and stale:
        print(
            f"examples are stale in {', '.join(map(str, stale))}: run python tools/update_readme.py"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
