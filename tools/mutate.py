"""The mutation run: hand-made mutants of the dose rules, applied one by one.

Each mutant in ``tools/mutants.toml`` names a file, an exact snippet of it, the snippet it
becomes (a wrong rule: a rounding direction, a bound, a factor...) and the tests that can
see it. For each mutant, in a temporary copy of the tree (the working tree is never
touched), this tool:

1. writes the mutated file and runs the mutant's tests with every hypothesis test
   deselected (``--fixed-only``, see ``tools/pytest_fixed_only.py``): a failure is a kill;
2. if nothing failed, runs the same tests with the hypothesis tests too: a failure now is
   a kill by chance (``random-only``), which counts as a failure of the habit, like a
   survivor. ``--both`` runs this second pass for killed mutants too.

A mutant whose snippet is no longer in its file is ``stale`` (the code moved on: update the
snippet), one found more than once ``ambiguous``; neither is silently skipped. A mutant
that does not change the code's syntax tree, or does not compile, is ``invalid`` (it would
be killed for the wrong reason, or could never be). Every test selection must pass on the
unmutated tree first.

Usage (nice: the machine is shared)::

    nice -n 19 python tools/mutate.py                 # every mutant, report on stdout
    nice -n 19 python tools/mutate.py --only lb-factor --only weight-max
    nice -n 19 python tools/mutate.py --file src/infuse_calc/engine.py
    python tools/mutate.py --check                    # the list only: stale snippets?
    nice -n 19 python tools/mutate.py --update-docs   # and write the summary into the docs

Exit status: 0 when every mutant was killed by fixed tests, 1 when one was not (or is
stale, ambiguous or invalid), 2 when the run itself could not be made.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from mutation_list import (
    ERROR,
    KILLED,
    LIST,
    NOT_TRIED,
    RANDOM_ONLY,
    SURVIVED,
    TOOLS,
    ListError,
    Mutant,
    Outcome,
    load,
    mutated_text,
    problem,
)
from mutation_report import (
    as_json,
    headline,
    markdown,
    summarize,
    update_docs,
)

ROOT = TOOLS.parent

#: What a copy of the tree leaves out: version control, environments, caches.
IGNORED = [".git", ".venv", ".ci-venv", "__pycache__", ".hypothesis", ".mypy_cache"]
IGNORED += [".ruff_cache", ".pytest_cache", "*.egg-info", "build", "dist"]

#: A run slower than this many times the unmutated run of its tests is a kill (a mutant
#: that loops forever), with at least MIN_TIMEOUT seconds.
TIMEOUT_FACTOR = 5
MIN_TIMEOUT = 60.0


# --- running tests ------------------------------------------------------------------------


def copy_tree(root: Path, into: Path) -> Path:
    """A copy of the tree at ``root`` (without caches and environments) inside ``into``."""
    target = into / "tree"
    shutil.copytree(root, target, ignore=shutil.ignore_patterns(*IGNORED), symlinks=True)
    return target


def environment(tree: Path) -> dict[str, str]:
    """The copy's code first on the path (before any installed or editable copy), the
    plugin importable, and no bytecode written: a mutant and its original often have the
    same size and modification second, and a stale .pyc would run the original."""
    env = dict(os.environ)
    paths = [str(tree / "src"), str(tree), str(TOOLS)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTEST_ADDOPTS", None)
    return env


def pytest_command(tests: Sequence[str], fixed_only: bool) -> list[str]:
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-rfE", "--no-header"]
    command += ["-p", "no:cacheprovider", "-p", "pytest_fixed_only", "-m", "not slow"]
    if fixed_only:
        command.append("--fixed-only")
    return [*command, *tests]


@dataclasses.dataclass(frozen=True)
class Run:
    code: int | None  # None: timed out
    seconds: float
    output: str

    @property
    def first_failure(self) -> str:
        """The first test that failed or errored (pytest's short summary), else a hint."""
        if self.code is None:
            return f"timed out after {self.seconds:.0f} s"
        for line in self.output.splitlines():
            if line.startswith(("FAILED ", "ERROR ")):
                return line.split(" - ")[0].split(" ", 1)[1]
        lines = [line for line in self.output.splitlines() if line.strip()]
        return f"exit {self.code}: {lines[-1] if lines else 'no output'}"


class Stopped(Exception):
    """The run was interrupted (Ctrl-C, SIGTERM): no new test run starts."""


_RUNNING: set[int] = set()  # process groups of the test runs going on
_STOPPING = threading.Event()
_RUNNING_GUARD = threading.Lock()


def stop_everything() -> None:
    """Stop every test run going on (each with its children) and start no new one."""
    _STOPPING.set()
    with _RUNNING_GUARD:
        for group in _RUNNING:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)


def reset() -> None:
    """Allow test runs again after :func:`stop_everything`."""
    _STOPPING.clear()


def run_tests(tree: Path, tests: Sequence[str], fixed_only: bool, timeout: float) -> Run:
    """Run ``tests`` in ``tree``; a run past ``timeout`` is stopped, with its children."""
    started = time.monotonic()
    with _RUNNING_GUARD:
        if _STOPPING.is_set():
            raise Stopped
        process = subprocess.Popen(
            pytest_command(tests, fixed_only),
            cwd=tree,
            env=environment(tree),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: a timeout stops the children too
        )
        _RUNNING.add(process.pid)
    with process:
        try:
            output, _ = process.communicate(timeout=timeout)
            code: int | None = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            code = None
        finally:
            with _RUNNING_GUARD:
                _RUNNING.discard(process.pid)
    if _STOPPING.is_set():
        raise Stopped
    return Run(code, time.monotonic() - started, output)


def imported_from(tree: Path) -> list[str]:
    """The top-level modules under the copy's ``src`` that import from somewhere else."""
    names = [p.stem if p.suffix == ".py" else p.name for p in (tree / "src").iterdir()]
    names = [n for n in names if n.isidentifier()]
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n"
    script += "    print(name, importlib.import_module(name).__file__)\n"
    result = subprocess.run(
        [sys.executable, "-c", script, *names],
        cwd=tree,
        env=environment(tree),
        capture_output=True,
        text=True,
        check=False,
    )
    wrong = [line for line in result.stdout.splitlines() if str(tree) not in line.split(" ", 1)[1]]
    if result.returncode != 0:
        wrong.append(result.stderr.strip().splitlines()[-1])
    return wrong


class Baselines:
    """The unmutated run of each selection (fixed-only and with hypothesis), in a copy of
    the tree that is never mutated: it must pass, and its time sets the mutants' timeout.
    Each is run once, on first need."""

    def __init__(self, tree: Path) -> None:
        self.tree = tree
        self.runs: dict[tuple[str, bool], Run] = {}
        self.locks: dict[tuple[str, bool], threading.Lock] = {}
        self.guard = threading.Lock()

    def get(self, mutant: Mutant, fixed_only: bool) -> Run:
        key = (mutant.selection, fixed_only)
        with self.guard:
            lock = self.locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self.runs:
                self.runs[key] = run_tests(self.tree, mutant.tests, fixed_only, timeout=3600)
            return self.runs[key]


class BaselineError(Exception):
    """A selection that fails (or selects nothing) on the unmutated tree."""


def timeout_for(baseline: Run, factor: float) -> float:
    return max(MIN_TIMEOUT, factor * baseline.seconds)


def tested(
    tree: Path, mutant: Mutant, fixed_only: bool, baselines: Baselines, factor: float
) -> Run:
    """Run the mutant's tests (the mutant already written into ``tree``)."""
    baseline = baselines.get(mutant, fixed_only)
    if baseline.code != 0:
        which = "fixed tests" if fixed_only else "tests with hypothesis"
        raise BaselineError(
            f"{mutant.selection!r} ({which}) does not pass on the unmutated tree: "
            f"{baseline.first_failure}"
        )
    return run_tests(tree, mutant.tests, fixed_only, timeout_for(baseline, factor))


@dataclasses.dataclass(frozen=True)
class Settings:
    both: bool = False  # the tests with hypothesis for killed mutants too
    random: bool = True  # the tests with hypothesis for the mutants fixed tests miss
    timeout_factor: float = TIMEOUT_FACTOR


def try_mutant(tree: Path, mutant: Mutant, baselines: Baselines, settings: Settings) -> Outcome:
    """Apply one mutant in ``tree``, run its tests, put the original back."""
    path = tree / mutant.file
    original = path.read_text(encoding="utf-8")
    started = time.monotonic()
    mutated = mutated_text(mutant, original)
    assert isinstance(mutated, str)  # problem() found none before the run
    path.write_text(mutated, encoding="utf-8")
    try:
        fixed = tested(tree, mutant, True, baselines, settings.timeout_factor)
        killed = fixed.code != 0
        if killed and not settings.both:
            return Outcome(mutant, KILLED, fixed.first_failure, time.monotonic() - started)
        if not killed and not settings.random:
            return Outcome(mutant, SURVIVED, NOT_TRIED, time.monotonic() - started)
        full = tested(tree, mutant, False, baselines, settings.timeout_factor)
    except BaselineError as error:
        return Outcome(mutant, ERROR, str(error), time.monotonic() - started)
    finally:
        path.write_text(original, encoding="utf-8")
    seconds = time.monotonic() - started
    if killed:
        random_pass = "killed" if full.code != 0 else "survived (a flaky test?)"
        return Outcome(mutant, KILLED, fixed.first_failure, seconds, random_pass)
    if full.code != 0:
        return Outcome(mutant, RANDOM_ONLY, full.first_failure, seconds)
    return Outcome(mutant, SURVIVED, "", seconds)


def run_all(
    root: Path, mutants: Sequence[Mutant], jobs: int, settings: Settings
) -> Iterator[Outcome]:
    """Outcomes of ``mutants`` as they finish: the ones that cannot run first."""
    runnable = []
    for mutant in mutants:
        found = problem(mutant, root)
        if found is None:
            runnable.append(mutant)
        else:
            yield Outcome(mutant, found[0], found[1])
    if not runnable:
        return
    reset()
    with tempfile.TemporaryDirectory(prefix="infuse-calc-mutants-") as scratch:
        clean = copy_tree(root, Path(scratch) / "clean")
        wrong = imported_from(clean)
        if wrong:
            raise BaselineError(f"the copy's code is not what the tests import: {wrong}")
        baselines = Baselines(clean)
        trees = [copy_tree(root, Path(scratch) / str(i)) for i in range(max(1, jobs))]
        free: list[Path] = list(trees)
        guard = threading.Lock()

        def one(mutant: Mutant) -> Outcome:
            with guard:
                tree = free.pop()
            try:
                return try_mutant(tree, mutant, baselines, settings)
            finally:
                with guard:
                    free.append(tree)

        with concurrent.futures.ThreadPoolExecutor(max_workers=len(trees)) as pool:
            futures = [pool.submit(one, mutant) for mutant in runnable]
            try:
                for future in concurrent.futures.as_completed(futures):
                    yield future.result()
            except BaseException:  # interrupted, or the caller stopped reading
                pool.shutdown(wait=False, cancel_futures=True)
                stop_everything()
                raise


# --- command line -------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Apply each hand-made mutant of the dose rules and run the tests that can "
        "see it (see the module docstring).",
    )
    parser.add_argument("--list", type=Path, default=LIST, help="the mutant list (TOML)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the tree to mutate (a copy)")
    parser.add_argument("--only", action="append", default=[], metavar="ID", help="this mutant")
    parser.add_argument("--file", action="append", default=[], help="mutants of this file")
    parser.add_argument(
        "--tests",
        action="append",
        default=[],
        metavar="PATH",
        help="run these tests instead of each mutant's selection (does a new test kill it?)",
    )
    parser.add_argument("--check", action="store_true", help="check the list only, run nothing")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once (default 1)")
    parser.add_argument(
        "--both", action="store_true", help="run the tests with hypothesis for killed mutants too"
    )
    parser.add_argument(
        "--no-random",
        action="store_true",
        help="skip the hypothesis pass: a mutant the fixed tests miss is reported survived",
    )
    parser.add_argument("--timeout-factor", type=float, default=TIMEOUT_FACTOR)
    parser.add_argument("--report", type=Path, help="write the full report (Markdown) here")
    parser.add_argument("--json", type=Path, help="write the outcomes (JSON) here")
    parser.add_argument(
        "--update-docs",
        action="store_true",
        help="write the summary into docs/reliability.md and README.md (a whole run only)",
    )
    return parser.parse_args(argv)


def chosen(mutants: list[Mutant], only: list[str], files: list[str]) -> list[Mutant]:
    unknown = sorted(set(only) - {m.id for m in mutants})
    if unknown:
        raise ListError(f"no mutant with the id {', '.join(unknown)}")
    if only:
        mutants = [m for m in mutants if m.id in only]
    if files:
        mutants = [m for m in mutants if m.file in files]
    return mutants


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM and SIGHUP stop the run as Ctrl-C does: test runs stopped, copies removed."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    root = args.root.resolve()
    try:
        mutants = chosen(load(args.list), args.only, args.file)
        if args.tests:
            tests = tuple(args.tests)
            mutants = [
                dataclasses.replace(m, tests=tests, selection=" ".join(tests)) for m in mutants
            ]
    except ListError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    if args.check:
        problems = [(m, found) for m in mutants if (found := problem(m, root)) is not None]
        for mutant, (status, detail) in problems:
            print(f"{status}: {mutant.id} ({mutant.file}): {detail}")
        print(f"{len(mutants)} mutants, {len(problems)} that cannot run", file=sys.stderr)
        return 1 if problems else 0
    if args.update_docs and (args.only or args.file or args.tests):
        print("Error: --update-docs reports a whole run, as listed", file=sys.stderr)
        return 2
    if args.update_docs and args.no_random:
        print("Error: --update-docs needs the hypothesis pass (not --no-random)", file=sys.stderr)
        return 2
    settings = Settings(args.both, not args.no_random, args.timeout_factor)
    outcomes: list[Outcome] = []
    handlers = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        for outcome in run_all(root, mutants, args.jobs, settings):
            outcomes.append(outcome)
            where = f" ({outcome.detail})" if outcome.detail else ""
            print(
                f"[{len(outcomes)}/{len(mutants)}] {outcome.status}: {outcome.mutant.id}{where}",
                file=sys.stderr,
            )
    except BaselineError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Stopped):
        print(f"Interrupted after {len(outcomes)} of {len(mutants)} mutants", file=sys.stderr)
        return 130
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    order = {m.id: i for i, m in enumerate(mutants)}
    outcomes.sort(key=lambda o: order[o.mutant.id])
    summary = summarize(outcomes, root)
    report = markdown(outcomes, summary)
    if args.report:
        args.report.write_text(report, encoding="utf-8")
    else:
        print(report)
    if args.json:
        document = {
            "summary": dataclasses.asdict(summary),
            "mutants": [as_json(o) for o in outcomes],
        }
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if args.update_docs:
        update_docs(outcomes, summary, root / "docs" / "reliability.md", root / "README.md")
    print(headline(summary), file=sys.stderr)
    if summary.errors:
        return 2
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
