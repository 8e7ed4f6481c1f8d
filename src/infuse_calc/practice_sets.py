"""Seeded sets of practice problems, and the options that choose them.

Sets are drawn from ``random.Random(seed)`` with integer draws only, so a seed gives the
same problems on every platform and Python version. With ``all``, each round deals every
available type once, in an order drawn from the seed; a longer set starts with the shorter.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from itertools import islice

from infuse_calc.practice import DEFAULT_LEVEL, LEVELS, MAX_COUNT, PracticeError, Problem
from infuse_calc.practice_types import TYPE_NAMES, TYPES, ProblemType

MAX_ATTEMPTS = 200


def parse_level(text: str) -> int:
    """``1``-``3`` or ``basic``/``intermediate``/``advanced`` (any capitalisation)."""
    value = text.strip().casefold()
    for number, name in LEVELS.items():
        if value in (str(number), name):
            return number
    names = ", ".join(f"{n} ({name})" for n, name in LEVELS.items())
    raise PracticeError(f"unknown level {text!r}: use {names}")


def kinds_for(name: str) -> tuple[str, ...]:
    """The types a ``--type`` deals: one, or every available type for ``all``."""
    if name == "all":
        return tuple(n for n in TYPE_NAMES if TYPES[n].make is not None)
    problem_type = TYPES.get(name)
    if problem_type is None:
        raise PracticeError(f"unknown problem type {name!r}: use {', '.join(TYPE_NAMES)} or all")
    if problem_type.make is None:
        raise PracticeError(
            f"problem type {name!r} is not yet available: this version of infuse-calc does "
            f"not work out {problem_type.missing}"
        )
    return (name,)


def check_count(count: int) -> int:
    if count < 1 or count > MAX_COUNT:
        raise PracticeError(f"count {count:,}: give 1 to {MAX_COUNT:,} problems")
    return count


def generate(seed: int, kind: str = "all", level: int = DEFAULT_LEVEL) -> Iterator[Problem]:
    """Problems without end for ``seed``: with ``all``, each round deals every type once."""
    kinds = kinds_for(kind)
    if level not in LEVELS:
        raise PracticeError(f"unknown level {level!r}")
    rng = random.Random(seed)
    number = 0
    while True:
        order = list(kinds)
        rng.shuffle(order)
        for name in order:
            number += 1
            yield replace(_make(TYPES[name], rng, level), number=number)


def problem_set(
    seed: int, count: int, kind: str = "all", level: int = DEFAULT_LEVEL
) -> list[Problem]:
    """The first ``count`` problems of :func:`generate` (a worksheet)."""
    return list(islice(generate(seed, kind, level), check_count(count)))


def _make(problem_type: ProblemType, rng: random.Random, level: int) -> Problem:
    assert problem_type.make is not None
    for _ in range(MAX_ATTEMPTS):
        problem = problem_type.make(rng, level)
        if problem is not None:
            return problem
    raise PracticeError(f"could not make a sensible {problem_type.name} problem (a data bug)")
