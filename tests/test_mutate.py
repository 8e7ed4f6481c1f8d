"""The mutation tool itself (tools/mutate.py), so that it cannot silently break.

A tiny tree with one module and its tests gets one mutant of each outcome: killed by a
fixed test, surviving, killed only by a hypothesis test, stale, ambiguous and invalid. The
project's own list is checked too: every snippet is still in its file, once.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


sys.path.insert(0, str(ROOT / "tools"))  # the tool's modules import each other by name
mutate = importlib.import_module("mutate")
listing = importlib.import_module("mutation_list")
report = importlib.import_module("mutation_report")

CALC = """\
def double(x):
    return x * 2


def is_big(x):
    return x > 10


def triple(x):
    return x * 3
"""

TESTS = """\
from hypothesis import given, strategies as st

from calc import double, is_big, triple


def test_double():
    assert double(3) == 6


def test_is_big():
    assert is_big(11)
    assert not is_big(1)


@given(st.integers(1, 1000))
def test_triple(x):
    assert triple(x) == x + x + x
"""

MUTANTS = """\
[selections]
calc = ["tests/test_calc.py"]
broken = ["tests/test_broken.py"]

[[mutant]]
id = "double-triples"
file = "src/calc.py"
rule = "double is times 2"
tests = "calc"
original = '    return x * 2'
mutated = '    return x * 3'

[[mutant]]
id = "big-from-ten"
file = "src/calc.py"
rule = "10 is not big"
tests = "calc"
original = '    return x > 10'
mutated = '    return x >= 10'

[[mutant]]
id = "triple-quadruples"
file = "src/calc.py"
rule = "triple is times 3"
tests = "calc"
original = '    return x * 3'
mutated = '    return x * 4'

[[mutant]]
id = "selection-fails"
file = "src/calc.py"
rule = "a mutant whose tests fail without it"
tests = "broken"
original = '    return x * 2'
mutated = '    return x * 2 + 0 * x'

[[mutant]]
id = "gone"
file = "src/calc.py"
rule = "a rule that was rewritten"
tests = "calc"
original = '    return x * 5'
mutated = '    return x * 6'

[[mutant]]
id = "twice"
file = "src/calc.py"
rule = "too short a snippet"
tests = "calc"
original = 'return x'
mutated = 'return -x'

[[mutant]]
id = "broken"
file = "src/calc.py"
rule = "a mutant that is not Python"
tests = "calc"
original = '    return x > 10'
mutated = '    return x >'

[[mutant]]
id = "spacing"
file = "src/calc.py"
rule = "a mutant that changes nothing"
tests = "calc"
original = '    return x > 10'
mutated = '    return x>10'
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "src" / "calc.py").write_text(CALC, encoding="utf-8")
    (root / "tests" / "test_calc.py").write_text(TESTS, encoding="utf-8")
    (root / "tests" / "test_broken.py").write_text("def test_broken():\n    assert False\n")
    (root / "mutants.toml").write_text(MUTANTS, encoding="utf-8")
    return root


def test_each_outcome_is_reported(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tree.parent / "outcomes.json"
    code = mutate.main(
        ["--root", str(tree), "--list", str(tree / "mutants.toml"), "--json", str(out)]
    )
    assert code == 2  # a selection that fails unmutated: the run cannot be trusted
    document = json.loads(out.read_text(encoding="utf-8"))
    status = {m["id"]: m["status"] for m in document["mutants"]}
    assert status == {
        "double-triples": "killed",
        "big-from-ten": "survived",
        "triple-quadruples": "random-only",
        "selection-fails": "error",
        "gone": "stale",
        "twice": "ambiguous",
        "broken": "invalid",
        "spacing": "invalid",
    }
    detail = {m["id"]: m["detail"] for m in document["mutants"]}
    assert detail["double-triples"] == "tests/test_calc.py::test_double"
    assert detail["triple-quadruples"].startswith("tests/test_calc.py::test_triple")
    assert "no longer in src/calc.py" in detail["gone"]
    assert "3 times" in detail["twice"]
    assert detail["selection-fails"] == (
        "'broken' (fixed tests) does not pass on the unmutated tree: "
        "tests/test_broken.py::test_broken"
    )
    summary = document["summary"]
    assert (summary["ran"], summary["killed"], summary["random_only"]) == (3, 1, 1)
    assert (summary["survived"], summary["not_run"]) == (1, 4)
    # the tree itself is never touched
    assert (tree / "src" / "calc.py").read_text(encoding="utf-8") == CALC
    printed = capsys.readouterr()
    assert "1 of 3 mutants of the dose rules killed by fixed tests (kill rate 33.3%)" in printed.err
    assert "| big-from-ten | src/calc.py | 10 is not big | survived |" in printed.out


def test_check_lists_what_cannot_run(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = mutate.main(["--root", str(tree), "--list", str(tree / "mutants.toml"), "--check"])
    assert code == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0:2] for line in lines] == [
        ["stale", " gone (src/calc.py)"],
        ["ambiguous", " twice (src/calc.py)"],
        ["invalid", " broken (src/calc.py)"],
        ["invalid", " spacing (src/calc.py)"],
    ]


HANGING = """
import subprocess, sys, time

def test_hang():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open("child.pid", "w") as file:
        file.write(str(child.pid))
    time.sleep(600)
"""


def hanging_tree(root: Path) -> Path:
    (root / "src").mkdir()
    (root / "tests").mkdir()
    (root / "tests" / "test_hang.py").write_text(HANGING, encoding="utf-8")
    return root


def test_a_test_run_past_its_timeout_is_stopped(tmp_path: Path) -> None:
    run = mutate.run_tests(hanging_tree(tmp_path), ["tests/test_hang.py"], True, timeout=3)
    assert run.code is None
    assert run.first_failure == f"timed out after {run.seconds:.0f} s"


def test_stopping_a_run_stops_its_tests_and_their_children(tmp_path: Path) -> None:
    tree = hanging_tree(tmp_path)
    outcome: list[BaseException] = []

    def hang() -> None:
        try:
            mutate.run_tests(tree, ["tests/test_hang.py"], True, timeout=600)
        except BaseException as error:  # Stopped, expected
            outcome.append(error)

    thread = threading.Thread(target=hang)
    thread.start()
    pid_file = tree / "child.pid"
    for _ in range(600):  # the test's own child has started (a loaded machine is slow)
        if pid_file.exists() and pid_file.read_text():
            break
        time.sleep(0.1)
    mutate.stop_everything()
    thread.join(timeout=30)
    mutate.reset()
    assert [type(error).__name__ for error in outcome] == ["Stopped"]
    child = int(pid_file.read_text())
    for _ in range(50):  # the orphan is reaped by init a moment later
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the test's child process was left running")


def test_multi_change_mutants_apply_in_order() -> None:
    mutant = listing.Mutant(
        id="m",
        file="f.py",
        changes=(("a = 1", "a = 2"), ("b = a", "b = -a")),
        rule="",
        tests=("t",),
        selection="t",
    )
    assert listing.mutated_text(mutant, "a = 1\nb = a\n") == "a = 2\nb = -a\n"
    assert listing.mutated_text(mutant, "a = 1\n")[0] == "stale"


def test_update_docs_rewrites_the_block_and_the_line(tmp_path: Path) -> None:
    page = tmp_path / "reliability.md"
    readme = tmp_path / "README.md"
    page.write_text(f"# Tests\n\n{report.DOCS_START}\nold\n{report.DOCS_END}\n\nafter\n", "utf-8")
    readme.write_text(f"intro\n{report.README_PREFIX}old.\n\nmore\n", "utf-8")
    mutant = listing.Mutant("m", "src/a.py", (("x", "y"),), "r", ("t",), "t")
    outcomes = [listing.Outcome(mutant, "killed", "tests/t.py::test")]
    summary = report.Summary(1, 1, 1, 0, 0, 0, 0, "2026-11-30", "abc1234")
    report.update_docs(outcomes, summary, page, readme)
    text = page.read_text("utf-8")
    assert "Latest run: 2026-11-30 (commit abc1234). 1 of 1 mutants" in text
    assert "| `src/a.py` | 1 | 1 |" in text
    assert text.endswith(f"{report.DOCS_END}\n\nafter\n")
    assert readme.read_text("utf-8") == (
        "intro\nMutation run: 1 of 1 mutants of the dose rules killed by fixed tests "
        "(100%, 2026-11-30; [how](docs/reliability.md#mutation-testing)).\n\nmore\n"
    )


# --- the project's own list ---------------------------------------------------------------


def test_every_mutant_of_the_list_can_run_on_this_tree() -> None:
    """No snippet is stale (the code moved on) or ambiguous: `python tools/mutate.py
    --check` names them; copy the rule's new text into the list."""
    mutants = listing.load(listing.LIST)
    problems = [(m.id, found) for m in mutants if (found := listing.problem(m, ROOT))]
    assert problems == []


def test_the_list_holds_the_mutants_of_issue_17() -> None:
    by_id = {m.id: m for m in listing.load(listing.LIST)}
    for name in (
        "issue17-batch-dose-leading-zero",
        "issue17-batch-weight-leading-zero",
        "issue17-sixteen-digits",
        "issue17-rounding-warning-without-abs",
    ):
        assert all(t.startswith("tests/test_parity.py::") for t in by_id[name].tests), name


@pytest.mark.slow
def test_the_mutants_of_issue_17_are_killed_by_fixed_tests(tmp_path: Path) -> None:
    out = tmp_path / "outcomes.json"
    ids = [m.id for m in listing.load(listing.LIST) if m.id.startswith("issue17-")]
    code = mutate.main([f"--only={i}" for i in ids] + ["--json", str(out)])
    assert code == 0
    statuses = {m["status"] for m in json.loads(out.read_text("utf-8"))["mutants"]}
    assert statuses == {"killed"}
