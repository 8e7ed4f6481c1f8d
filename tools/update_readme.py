"""Re-run every ``$ infuse-calc ...`` example in README.md and docs/*.md; write the output back.

Usage::

    python tools/update_readme.py                   # rewrite every file
    python tools/update_readme.py --check           # exit 1 if any example is stale
    python tools/update_readme.py docs/convert.md   # only the files named (--check too)

An example is a fenced ``console`` block whose first line is ``$ infuse-calc ARGS``; the rest
of the block is the command's stdout exactly (plain format, as when piped, run from the
repository root). A block preceded by ``<!-- no-check -->`` is left alone.
tests/test_docs.py uses :func:`markdown_files`, :func:`examples` and :func:`run_example` so
the docs cannot drift from the tool.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
BLOCK = re.compile(r"(?P<skip><!-- no-check -->\n)?```console\n(?P<body>.*?)```", re.DOTALL)


def markdown_files() -> list[Path]:
    """README.md, then every docs/*.md in name order: the files whose examples are run."""
    return [README, *sorted(DOCS.glob("*.md"))]


def examples(text: str) -> list[tuple[str, str, bool]]:
    """``(command line, expected output, checked)`` for each console block."""
    found = []
    for match in BLOCK.finditer(text):
        first, _, rest = match.group("body").partition("\n")
        if first.startswith("$ infuse-calc"):
            found.append((first[2:], rest, match.group("skip") is None))
    return found


def run_example(command: str) -> str:
    """The stdout of one example command line, run in-process like a pipe."""
    from click.testing import CliRunner

    from infuse_calc.cli import cli

    args = shlex.split(command)[1:]
    # A user's own config file or INFUSE_CALC_* variables must not leak into the docs.
    env: dict[str, str | None] = {n: None for n in os.environ if n.startswith("INFUSE_CALC_")}
    env.update({"COLUMNS": "100", "NO_COLOR": "1", "INFUSE_CALC_CONFIG": os.devnull})
    # Examples name files such as examples/orders.csv relative to the repository root.
    with contextlib.chdir(ROOT):
        result = CliRunner().invoke(cli, args, env=env)
    return result.stdout


def rewrite(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        first = match.group("body").partition("\n")[0]
        if match.group("skip") or not first.startswith("$ infuse-calc"):
            return match.group(0)
        return f"```console\n{first}\n{run_example(first[2:])}```"

    return BLOCK.sub(replace, text)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    named = [Path(arg).resolve() for arg in argv if arg != "--check"]
    stale = []
    for path in named or markdown_files():
        text = path.read_text(encoding="utf-8")
        updated = rewrite(text)
        if updated == text:
            continue
        stale.append(path)
        if not check:
            path.write_text(updated, encoding="utf-8")
    for path in stale:
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        verb = "examples are stale" if check else "updated"
        print(f"{where}: {verb}", file=sys.stderr if check else sys.stdout)
    if check and stale:
        print("run python tools/update_readme.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
