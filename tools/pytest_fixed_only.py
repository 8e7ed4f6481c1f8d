"""pytest plugin: ``--fixed-only`` deselects every hypothesis test (``@given``).

``tools/mutate.py`` loads it (``-p pytest_fixed_only``) to tell a mutant that fixed tests
catch from one that only a random example happened to catch. A test is random when
hypothesis drives it (:func:`hypothesis.is_hypothesis_test`); the rest of the suite uses
fixed values (a seeded ``random.Random`` is fixed too).
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fixed-only",
        action="store_true",
        default=False,
        help="deselect hypothesis tests: run only the tests with fixed values",
    )


def is_random(item: pytest.Item) -> bool:
    """Whether hypothesis generates the test's inputs."""
    from hypothesis import is_hypothesis_test

    function = getattr(item, "obj", None)
    return function is not None and is_hypothesis_test(function)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--fixed-only"):
        return
    random = [item for item in items if is_random(item)]
    if random:
        config.hook.pytest_deselected(items=random)
        items[:] = [item for item in items if not is_random(item)]
