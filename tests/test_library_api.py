"""The library API as documented: docs/library-api.md's Python example and the docstring."""

from __future__ import annotations

import contextlib
import doctest
import io
import re
from pathlib import Path

import pytest

import infuse_calc

PAGE = Path(__file__).resolve().parent.parent / "docs" / "library-api.md"


def test_documented_python_example_runs_and_prints_what_it_says() -> None:
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks, "docs/library-api.md has no Python example"
    for block in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, PAGE.name, "exec"), {})
        printed = out.getvalue().splitlines()
        # each print's trailing comment says what it prints (up to the first ':')
        expected = [c.split(":")[0].strip() for c in re.findall(r"# (.*)", block)]
        assert printed[0] == expected[0] == "30.24 mg/h"
        assert printed[1] == "756/25"  # str(Fraction(756, 25)): 30.24 exactly


def test_package_docstring_example() -> None:
    failures, tried = doctest.testmod(infuse_calc)
    assert tried > 0
    assert failures == 0


def test_lazy_attributes() -> None:
    assert infuse_calc.calculate.__module__ == "infuse_calc.dosing"
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = infuse_calc.no_such_thing
