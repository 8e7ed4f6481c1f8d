"""Docs that cannot drift: the CLI reference, README examples and README set-up commands."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path
from types import ModuleType

import pytest

from infuse_calc.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
#: Markdown whose ```console examples are re-run.
EXAMPLE_FILES = [README, *sorted((ROOT / "docs").glob("*.md"))]


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen_cli_docs = _tool("gen_cli_docs")
update_readme = _tool("update_readme")


def _examples() -> list[tuple[str, str, str, bool]]:
    found = []
    for path in EXAMPLE_FILES:
        if path.exists():
            text = path.read_text(encoding="utf-8")
            for command, expected, checked in update_readme.examples(text):
                found.append((path.name, command, expected, checked))
    return found


EXAMPLES = _examples()


def test_cli_reference_is_fresh() -> None:
    """docs/cli.md is exactly what tools/gen_cli_docs.py writes now."""
    current = gen_cli_docs.TARGET.read_text(encoding="utf-8")
    assert current == gen_cli_docs.render(), "docs/cli.md is stale: python tools/gen_cli_docs.py"


def test_cli_reference_covers_every_command() -> None:
    text = gen_cli_docs.TARGET.read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"\n## infuse-calc {name}\n" in text
        assert f"Usage: infuse-calc {name} " in text


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_has_a_readme_example(name: str) -> None:
    text = "".join(path.read_text(encoding="utf-8") for path in EXAMPLE_FILES)
    assert re.search(rf"```console\n\$ infuse-calc {re.escape(name)}(\s|$)", text), (
        f"README.md and docs/ have no ```console example starting with `$ infuse-calc {name}`"
    )


@pytest.mark.parametrize(
    ("where", "command", "expected"),
    [(where, command, expected) for where, command, expected, checked in EXAMPLES if checked],
    ids=[f"{where}: {command}" for where, command, _, checked in EXAMPLES if checked],
)
def test_console_example_output_is_exact(where: str, command: str, expected: str) -> None:
    assert shlex.split(command)[0] == "infuse-calc"
    assert update_readme.run_example(command) == expected, (
        f"{where}: `{command}` prints something else now (tools/update_readme.py rewrites it)"
    )


def test_examples_are_found_and_few_are_unchecked() -> None:
    """The example tests above cannot pass vacuously, and no-check stays rare."""
    readme = [e for e in EXAMPLES if e[0] == README.name]
    assert len(readme) >= len(COMMANDS)
    unchecked = [e for e in EXAMPLES if not e[3]]
    assert len(unchecked) <= max(2, len(EXAMPLES) // 10)


def _ci_test_line() -> str:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    found = [line for line in lines if line.startswith("python -m pip install -e ")]
    assert len(found) == 1, ".ci/run must have exactly one install-and-test line"
    return found[0]


def test_readme_test_command_is_what_ci_runs() -> None:
    line = _ci_test_line()
    assert "python -m pytest" in line
    assert f"\n{line}\n" in README.read_text(encoding="utf-8")


def test_readme_quick_start_installs_and_runs_the_seed_example() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    setups = [b.strip() for b in blocks if "pip install" in b]
    assert len(setups) >= 2, "README needs an install-and-run command and a test command"
    first = setups[0]
    assert "pip install ." in first
    run = first.split("&&")[-1].strip()
    assert run.startswith("infuse-calc ")
    # The command it runs is also a checked console example, so its output is verified.
    checked = {command for where, command, _, ok in EXAMPLES if ok and where == README.name}
    assert run in checked
    assert _ci_test_line() in setups
