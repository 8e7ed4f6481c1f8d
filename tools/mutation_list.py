"""The mutant list (``tools/mutants.toml``): reading it, and what each mutant does to a file.

See ``tools/mutate.py`` for the run and ``docs/reliability.md`` for the habit.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import tomllib
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
LIST = TOOLS / "mutants.toml"

KILLED = "killed"
RANDOM_ONLY = "random-only"
SURVIVED = "survived"
STALE = "stale"
AMBIGUOUS = "ambiguous"
INVALID = "invalid"
ERROR = "error"
#: Statuses of mutants that were not run, and why.
NOT_RUN = (STALE, AMBIGUOUS, INVALID)

NOT_TRIED = "missed by the fixed tests; the hypothesis tests were not run (--no-random)"


class ListError(Exception):
    """The mutant list cannot be read (bad TOML, a missing field, a duplicate id...)."""


@dataclasses.dataclass(frozen=True)
class Mutant:
    id: str
    file: str  # relative to the root of the tree
    changes: tuple[tuple[str, str], ...]  # (original snippet, mutated snippet), in order
    rule: str  # what rule the mutant breaks
    tests: tuple[str, ...]  # test files or node ids, relative to the root
    selection: str  # the selection's name, or the tests joined for an explicit list


@dataclasses.dataclass
class Outcome:
    mutant: Mutant
    status: str
    detail: str = ""  # the first test that failed, or why the mutant was not run
    seconds: float = 0.0
    random_pass: str = ""  # with --both: what the tests with hypothesis did to a killed one

    @property
    def failed(self) -> bool:
        return self.status != KILLED


def load(path: Path) -> list[Mutant]:
    """The mutants of a list file, in order."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ListError(f"{path}: {error}") from None
    selections = document.get("selections", {})
    mutants: list[Mutant] = []
    seen: set[str] = set()
    for number, entry in enumerate(document.get("mutant", []), start=1):
        where = f"{path.name}: mutant {number}"
        missing = [k for k in ("id", "file", "rule", "tests") if k not in entry]
        if missing:
            raise ListError(f"{where} has no {', '.join(missing)}")
        changes = [(entry["original"], entry["mutated"])] if "original" in entry else []
        changes += [(c["original"], c["mutated"]) for c in entry.get("change", [])]
        if not changes or ("original" in entry and "change" in entry):
            raise ListError(f"{where}: give original and mutated, or one or more [[mutant.change]]")
        if entry["id"] in seen:
            raise ListError(f"{where}: the id {entry['id']!r} is used twice")
        seen.add(entry["id"])
        tests = entry["tests"]
        if isinstance(tests, str):
            if tests not in selections:
                raise ListError(f"{where} ({entry['id']}): no selection named {tests!r}")
            selection, tests = tests, selections[tests]
        else:
            selection = " ".join(tests)
        if not tests:
            raise ListError(f"{where} ({entry['id']}): no tests")
        mutants.append(
            Mutant(
                id=entry["id"],
                file=entry["file"],
                changes=tuple(changes),
                rule=entry["rule"],
                tests=tuple(tests),
                selection=selection,
            )
        )
    return mutants


def mutated_text(mutant: Mutant, text: str) -> tuple[str, str] | str:
    """The file's text with every change made, or why it cannot be made (status, detail).

    Each original snippet must be in the text exactly once when its turn comes.
    """
    for number, (original, mutated) in enumerate(mutant.changes, start=1):
        which = "the original snippet" if len(mutant.changes) == 1 else f"original snippet {number}"
        count = text.count(original)
        if count == 0:
            return STALE, f"{which} is no longer in {mutant.file}: update it"
        if count > 1:
            return AMBIGUOUS, f"{which} is in {mutant.file} {count} times: lengthen it"
        if mutated == original:
            return INVALID, f"{which} is left as it is"
        text = text.replace(original, mutated)
    return text


@functools.lru_cache(maxsize=64)
def _syntax_tree(text: str) -> str:
    """A file's syntax tree, once per text (most mutants share their file with others)."""
    return ast.dump(ast.parse(text))


def problem(mutant: Mutant, root: Path) -> tuple[str, str] | None:
    """Why ``mutant`` cannot be run on the tree at ``root`` (status, detail), or None."""
    path = root / mutant.file
    if not path.is_file():
        return STALE, f"{mutant.file} does not exist"
    text = path.read_text(encoding="utf-8")
    mutated = mutated_text(mutant, text)
    if isinstance(mutated, tuple):
        return mutated
    if path.suffix == ".py":
        try:
            after = ast.dump(ast.parse(mutated))
        except SyntaxError as error:
            return INVALID, f"the mutated file does not compile: {error.msg} (line {error.lineno})"
        if _syntax_tree(text) == after:
            return INVALID, "the mutation changes no code (only spacing or a comment)"
    missing = [t for t in mutant.tests if not (root / t.split("::")[0]).exists()]
    if missing:
        return STALE, f"its tests do not exist: {', '.join(missing)}"
    return None
