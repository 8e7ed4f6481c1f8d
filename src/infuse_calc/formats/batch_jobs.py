"""A CSV batch's rows calculated and written, in this process or shared among workers.

Every row is worked out by :meth:`~infuse_calc.batch.records.Table.rows` and written by
:meth:`~infuse_calc.formats.output.CsvWriter.write_table`, whoever runs them. A big file
(more than :data:`SERIAL_ROWS` rows) is cut into parts of :data:`PART_ROWS` rows, which
worker processes (forked: each starts with this process's caches) calculate and write to
text; this process reads the rows, hands out the parts and writes their texts in order, with
at most a few parts in flight, so memory stays flat. The output is byte for byte the one a
single process writes (``tests/test_batch_jobs.py``): each row's cells depend on that row
alone.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from infuse_calc.batch import FLAT_WIDTH, BatchOptions, RowError
from infuse_calc.batch.records import Table
from infuse_calc.errors import InfuseCalcError
from infuse_calc.formats.files import STOP_SIGNALS
from infuse_calc.formats.output import CsvWriter

#: The first rows of every batch, worked out in this process: a batch no longer than this
#: never starts workers (they would cost more than they save), and workers started after
#: them begin with the plans and cell texts these rows filled in.
SERIAL_ROWS = 5000
#: Rows per part handed to a worker: big enough that handing it over costs little, small
#: enough that the parts in flight hold little memory.
PART_ROWS = 1000

Records = Iterable[tuple[int, list[str], str | None]]
#: A part's text, its counts (rows, failed, mismatches), a ``--strict`` stop (line and
#: message) and what the worker said on stderr meanwhile.
Done = tuple[str, int, int, int, tuple[int, str] | None, str]


class Counts:
    """What a run wrote: rows, rows with an error, pump rates that did not match."""

    __slots__ = ("failed", "mismatches", "total")

    def __init__(self) -> None:
        self.total = self.failed = self.mismatches = 0

    def add(self, total: int, failed: int, mismatches: int) -> None:
        self.total += total
        self.failed += failed
        self.mismatches += mismatches


#: The most workers ``--jobs 0`` starts, however many CPUs there are.
MOST_JOBS = 8


def default_jobs() -> int:
    """Workers for ``--jobs 0``: one per CPU this process may run on, at most
    :data:`MOST_JOBS` (1 on a single CPU: no workers)."""
    affinity = getattr(os, "sched_getaffinity", None)  # Linux: the CPUs this process may use
    cpus = len(affinity(0)) if affinity else os.cpu_count() or 1
    return max(1, min(cpus, MOST_JOBS))


def write_table(
    header: list[str],
    records: Records,
    options: BatchOptions,
    strict: bool,
    writer: CsvWriter,
    make_writer: Callable[[IO[str]], CsvWriter],
    jobs: int = 1,
) -> Counts:
    """Calculate and write every row under ``header`` with ``writer`` (which has written
    the header); ``make_writer`` makes a writer like it for another stream (a worker's).

    The first :data:`SERIAL_ROWS` rows are worked out here; with ``jobs`` > 1 (on a system
    that can fork), workers share the rest. With ``strict``, the rows before the first bad
    one are written, then :class:`~infuse_calc.batch.RowError` is raised.
    """
    table = Table(header, options)
    counts = Counts()
    rows = iter(records)
    _write_rows(table.rows(itertools.islice(rows, SERIAL_ROWS), strict), writer, counts)
    if jobs <= 1 or not _can_fork():
        _write_rows(table.rows(rows, strict), writer, counts)
        return counts
    first = next(rows, None)
    if first is not None:  # forked after the first rows: the workers' caches are warm
        rows = itertools.chain((first,), rows)
        _shared(table, rows, strict, writer, make_writer, jobs, counts)
    return counts


def _write_rows(rows: Iterable[list[Any]], writer: CsvWriter, counts: Counts) -> None:
    """Write ``rows`` (:meth:`Table.rows`), counting failed rows and pump mismatches."""
    assert writer.columns is not None
    match = len(writer.columns) + FLAT_WIDTH  # the match cell, if checked
    checked = writer.checked
    total = failed = mismatches = 0
    try:
        for row in rows:
            total += 1
            if row[-1] is not None:
                failed += 1
            elif checked and row[match] is False:
                mismatches += 1
            writer.write_table(row)
    finally:
        counts.add(total, failed, mismatches)


def _can_fork() -> bool:
    import multiprocessing

    # macOS has fork, but system libraries may not survive it (its default is spawn, which
    # would start each worker from nothing)
    return sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods()


# --- workers ------------------------------------------------------------------------------


class _Worker:
    """A worker's state, made in this process before the fork (so it is never pickled):
    the table (its plans and caches carry over from part to part) and a writer to text."""

    def __init__(self, table: Table, strict: bool, make_writer: Callable[[IO[str]], CsvWriter]):
        self.table = table
        self.strict = strict
        self.buffer = io.StringIO()
        self.writer = make_writer(self.buffer)

    def part(self, records: Records) -> Done:
        """A part's text, its counts, a ``--strict`` stop (line, message) if a row failed
        (the text then ends before that row), and what was said on stderr: the note of a
        drug library read by this worker's first drug row, which each worker would say."""
        self.buffer.seek(0)
        self.buffer.truncate()
        counts = Counts()
        stop = None
        with contextlib.redirect_stderr(io.StringIO()) as said:
            try:
                _write_rows(self.table.rows(records, self.strict), self.writer, counts)
            except RowError as error:
                stop = (error.line, error.message)
        text = self.buffer.getvalue()
        return text, counts.total, counts.failed, counts.mismatches, stop, said.getvalue()


_worker: _Worker | None = None


def _start_worker(parent: int) -> None:
    # The command line turns SIGTERM and SIGHUP into exceptions and Ctrl-C reaches the
    # whole process group: a worker leaves both to this process, which ends the workers.
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN if number == signal.SIGINT else signal.SIG_DFL)
    _end_with(parent)
    # A worker never writes to this process's stdout or stderr (their copies in it hold
    # whatever was buffered, and the locks of a thread that was writing, such as the
    # progress bar's): a process flushes them as it ends. What a part says on stderr is
    # caught and handed back (Worker.part).
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def _end_with(parent: int) -> None:
    """Have the system end this worker when ``parent`` ends, however it ends (SIGKILL, the
    out-of-memory killer): else the worker would wait forever for its next part, since it
    holds a copy of the queue's writing end itself. Linux only (elsewhere a worker whose
    batch was killed outright waits on, idle)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    set_parent_death_signal = 1  # PR_SET_PDEATHSIG, <linux/prctl.h>
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(set_parent_death_signal, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the signal was asked for
        os._exit(1)


def _part(records: Records) -> Done:
    assert _worker is not None
    return _worker.part(records)


def _parts(rows: Iterator[tuple[int, list[str], str | None]]) -> Iterator[list[Any]]:
    while part := list(itertools.islice(rows, PART_ROWS)):
        yield part


def _shared(
    table: Table,
    rows: Iterator[tuple[int, list[str], str | None]],
    strict: bool,
    writer: CsvWriter,
    make_writer: Callable[[IO[str]], CsvWriter],
    jobs: int,
    counts: Counts,
) -> None:
    """Hand the rows out to ``jobs`` workers a part at a time; write their texts in order."""
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _worker
    _worker = _Worker(table, strict, make_writer)
    # nothing buffered here is copied into a worker
    writer.stream.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(jobs, context, initializer=_start_worker, initargs=(os.getpid(),))
    said: set[str] = set()  # what workers said on stderr: said once, as one process would
    parts = _parts(rows)
    first = next(parts)  # the caller saw a row
    try:
        pending: deque[Future[Done]] = deque()
        with stop_signals_deferred():  # the first part forks the workers
            pending.append(pool.submit(_part, first))
        for part in parts:
            pending.append(pool.submit(_part, part))
            if len(pending) >= 2 * jobs:  # a few parts in flight: memory stays flat
                _write_part(pending.popleft().result(), writer, counts, said)
        while pending:
            _write_part(pending.popleft().result(), writer, counts, said)
    except BaseException as error:
        # an error, a --strict stop or a signal (Ctrl-C, SIGTERM) does not wait for the
        # parts still in flight
        pool.shutdown(wait=False, cancel_futures=True)
        if isinstance(error, BrokenProcessPool):
            raise InfuseCalcError(
                "a batch worker process ended before its rows were done (out of memory, "
                "or killed?); run the batch again, or with --jobs 1"
            ) from None
        raise
    finally:
        _worker = None
    pool.shutdown()


@contextlib.contextmanager
def stop_signals_deferred() -> Iterator[None]:
    """While in the block, a stop signal (Ctrl-C, SIGTERM, SIGHUP) is noted rather than
    handled; its handler runs when the block ends. Forking runs Python's own callbacks
    (logging's locks, for one), and an exception a handler raised inside one of them is
    printed and dropped: the run would go on as if the signal had never come."""
    caught: list[int] = []
    previous: dict[int, Any] = {}

    def note(signum: int, frame: Any) -> None:
        caught.append(signum)

    with contextlib.suppress(ValueError):  # not the main thread: the signals are not ours
        for number in STOP_SIGNALS:
            previous[number] = signal.signal(number, note)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            handler = previous[caught[0]]
            if callable(handler):
                handler(caught[0], None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(caught[0])


def _write_part(done: Done, writer: CsvWriter, counts: Counts, said: set[str]) -> None:
    text, total, failed, mismatches, stop, notes = done
    for line in notes.splitlines(keepends=True):
        if line not in said:
            said.add(line)
            sys.stderr.write(line)
    writer.stream.write(text)
    counts.add(total, failed, mismatches)
    if stop is not None:
        raise RowError(*stop)
