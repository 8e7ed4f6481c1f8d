"""The mutation run's report: the full table, the summary in the docs, the README line."""

from __future__ import annotations

import dataclasses
import datetime
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mutation_list import (
    ERROR,
    KILLED,
    NOT_RUN,
    RANDOM_ONLY,
    SURVIVED,
    ListError,
    Outcome,
)

DOCS_START = "<!-- mutation-report:start (tools/mutate.py --update-docs writes this) -->"
DOCS_END = "<!-- mutation-report:end -->"
README_PREFIX = "Mutation run: "


@dataclasses.dataclass(frozen=True)
class Summary:
    total: int
    ran: int
    killed: int
    random_only: int
    survived: int
    not_run: int
    errors: int
    date: str
    commit: str

    @property
    def rate(self) -> str:
        """The kill rate by fixed tests, of the mutants that ran."""
        if not self.ran:
            return "n/a"
        percent = 100 * self.killed / self.ran
        return f"{percent:.0f}%" if self.killed in (0, self.ran) else f"{percent:.1f}%"

    @property
    def ok(self) -> bool:
        return self.killed == self.total


def summarize(outcomes: Sequence[Outcome], root: Path) -> Summary:
    count = dict.fromkeys((KILLED, RANDOM_ONLY, SURVIVED, ERROR, *NOT_RUN), 0)
    for outcome in outcomes:
        count[outcome.status] += 1
    not_run = sum(count[s] for s in NOT_RUN)
    return Summary(
        total=len(outcomes),
        ran=len(outcomes) - not_run - count[ERROR],
        killed=count[KILLED],
        random_only=count[RANDOM_ONLY],
        survived=count[SURVIVED],
        not_run=not_run,
        errors=count[ERROR],
        date=datetime.date.today().isoformat(),
        commit=commit_of(root),
    )


def commit_of(root: Path) -> str:
    result = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


def headline(summary: Summary) -> str:
    text = (
        f"{summary.killed} of {summary.ran} mutants of the dose rules killed by fixed tests "
        f"(kill rate {summary.rate}); {summary.random_only} killed only by random tests, "
        f"{summary.survived} survived"
    )
    if summary.not_run:
        text += f"; {summary.not_run} not run (stale, ambiguous or invalid: see the list)"
    if summary.errors:
        text += f"; {summary.errors} could not be run"
    return text


def per_file(outcomes: Sequence[Outcome]) -> list[tuple[str, int, int]]:
    """(file, mutants, killed by fixed tests), in the order the files first appear."""
    rows: dict[str, list[int]] = {}
    for outcome in outcomes:
        row = rows.setdefault(outcome.mutant.file, [0, 0])
        row[0] += 1
        row[1] += outcome.status == KILLED
    return [(file, total, killed) for file, (total, killed) in rows.items()]


def markdown(outcomes: Sequence[Outcome], summary: Summary) -> str:
    """The full report: the headline, then one row per mutant (failures first)."""
    lines = [
        f"Mutation run of {summary.date} (commit {summary.commit}): {headline(summary)}.",
        "",
        "| mutant | file | rule it breaks | result | detail |",
        "| --- | --- | --- | --- | --- |",
    ]
    ordered = sorted(outcomes, key=lambda o: (not o.failed, o.mutant.file, o.mutant.id))
    for outcome in ordered:
        m = outcome.mutant
        detail = outcome.detail + (
            f"; with hypothesis: {outcome.random_pass}" if outcome.random_pass else ""
        )
        cells = (m.id, m.file, m.rule, outcome.status, detail)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def docs_block(outcomes: Sequence[Outcome], summary: Summary) -> str:
    """The summary written into docs/reliability.md: headline and kills per file."""
    lines = [
        DOCS_START,
        f"Latest run: {summary.date} (commit {summary.commit}). {headline(summary)}.",
        "",
        "| file | mutants | killed by fixed tests |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| `{file}` | {total} | {killed} |" for file, total, killed in per_file(outcomes)]
    lines.append(DOCS_END)
    return "\n".join(lines)


def readme_line(summary: Summary) -> str:
    return (
        f"{README_PREFIX}{summary.killed} of {summary.ran} mutants of the dose rules killed by "
        f"fixed tests ({summary.rate}, {summary.date}; "
        "[how](docs/reliability.md#mutation-testing))."
    )


def update_docs(
    outcomes: Sequence[Outcome], summary: Summary, reliability: Path, readme: Path
) -> None:
    """Write the summary into the reference page's block and the README's one line."""
    page = reliability.read_text(encoding="utf-8")
    block = re.compile(re.escape(DOCS_START) + ".*?" + re.escape(DOCS_END), re.DOTALL)
    if not block.search(page):
        raise ListError(f"{reliability} has no block between {DOCS_START!r} and {DOCS_END!r}")
    reliability.write_text(block.sub(lambda _: docs_block(outcomes, summary), page), "utf-8")
    text = readme.read_text(encoding="utf-8")
    line = re.compile("^" + re.escape(README_PREFIX) + ".*$", re.MULTILINE)
    if not line.search(text):
        raise ListError(f"{readme} has no line starting {README_PREFIX!r}")
    readme.write_text(line.sub(lambda _: readme_line(summary), text), "utf-8")


def as_json(outcome: Outcome) -> dict[str, Any]:
    m = outcome.mutant
    return {
        "id": m.id,
        "file": m.file,
        "rule": m.rule,
        "status": outcome.status,
        "detail": outcome.detail,
        "seconds": round(outcome.seconds, 2),
        "random_pass": outcome.random_pass,
    }
