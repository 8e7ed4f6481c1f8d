"""docs/architecture.md names every module of the package, and only modules that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "infuse_calc"
DOC = ROOT / "docs" / "architecture.md"


def modules() -> set[str]:
    """Every module's path below the package, `cli/commands/*.py` as one family."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("cli/commands/") or relative.endswith("__init__.py"):
            continue
        found.add(relative.removeprefix("batch/"))
    return found


def named() -> set[str]:
    names = re.findall(r"`((?:[a-z_]+/)*[a-z_<>]+\.py)`", DOC.read_text())
    return {name for name in names if not name.startswith("tests/")}


def test_every_module_is_named() -> None:
    missing = sorted(modules() - named())
    assert not missing, f"docs/architecture.md does not name {missing}"


def test_every_named_module_exists() -> None:
    stale = sorted(
        name
        for name in named()
        if not (PACKAGE / name).exists()
        and not (PACKAGE / "batch" / name).exists()
        and name != "cli/commands/<name>.py"
    )
    assert not stale, f"docs/architecture.md names modules that do not exist: {stale}"


def test_a_missing_module_would_be_found() -> None:
    # the pattern must see the table's spellings, or the first test passes on nothing
    assert {"engine.py", "cli/params.py", "formats/output.py", "cells.py"} <= named()
