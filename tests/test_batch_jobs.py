"""``batch --jobs``: worker processes that share a big CSV file write what one process writes.

The parts are made small here (``SERIAL_ROWS``, ``PART_ROWS``) so that a few hundred rows
go through several workers and many parts; the workers are forked from the test process.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infuse_calc.formats import batch_jobs
from tests.test_batch import script

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = str(ROOT / "examples" / "drug-library.toml")

HEADER = b"id,dose,weight,concentration,pump,drug\n"

#: Rows of every kind a batch meets, in turn: clean, warned, a bad cell, a cell csv
#: quotes, a pump that does not match, a short row, bytes that are not UTF-8, a drug.
KINDS = [
    b"%d,%d mcg/kg/min,%d,10 mg/mL,,\n",
    b"%d,0.0%d mcg/kg/min,%d,40 mg/mL,,\n",  # rounds to 0 at 0.1 mL/h steps: a warning
    b"%d,%d mcg/kg/mn,%d,10 mg/mL,,\n",  # an unknown unit: an error row
    b'%d,"1%d units/kg/h","%d kg","25,000 units/250 mL",,\n',
    b"%d,%d mcg/kg/min,%d,10 mg/mL,99 mL/h,\n",  # the pump column: no match
    b"%d,%d mcg/kg/min,%d\n",  # 4 cells of 6: an error row
    b"%d,%d mcg/kg/min,%d,10 mg/mL,,\xff\n",  # not UTF-8: an error row
    b"%d,0.%d mg/kg/h,%d,,,ketamine\n",  # the library's bag (500 mg/50 mL)
]


def orders(path: Path, rows: int) -> str:
    lines = [HEADER]
    for n in range(rows):
        lines.append(KINDS[n % len(KINDS)] % (n, 1 + n % 9, 40 + n % 80))
    path.write_bytes(b"".join(lines))
    return str(path)


def cut(monkeypatch: pytest.MonkeyPatch, serial: int, part: int) -> list[int]:
    """Workers after ``serial`` rows, ``part`` rows a part; the list of the numbers of
    workers each run that started them started."""
    monkeypatch.setattr(batch_jobs, "SERIAL_ROWS", serial)
    monkeypatch.setattr(batch_jobs, "PART_ROWS", part)
    shared: list[int] = []
    original = batch_jobs._shared

    def counted(*args: Any) -> None:
        shared.append(args[5])  # the number of workers
        original(*args)

    monkeypatch.setattr(batch_jobs, "_shared", counted)
    return shared


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Workers after 40 rows, 7 rows a part."""
    return cut(monkeypatch, 40, 7)


@pytest.mark.parametrize("jobs", ["2", "3"])
def test_workers_write_byte_for_byte_what_one_process_writes(
    run: Any, tmp_path: Path, small_parts: list[int], jobs: str
) -> None:
    path = orders(tmp_path / "orders.csv", 300)
    given = ["batch", path, "--library", LIBRARY]
    alone = run(*given, "--jobs", "1")
    shared = run(*given, "--jobs", jobs)
    assert small_parts == [int(jobs)]  # only the second run started workers
    assert shared.stdout == alone.stdout
    assert shared.stderr == alone.stderr
    assert shared.exit_code == alone.exit_code == 1
    lines = alone.stdout.splitlines()
    assert len(lines) == 301  # the header, then one line per row, in order
    assert [line.split(",", 1)[0] for line in lines[1:]] == [str(n) for n in range(300)]
    # what the file holds: 300 rows of 8 kinds, the first 4 kinds 38 times, the others 37;
    # the error rows are the bad unit (kind 2: 38), the short rows (5: 37), the bytes (6:
    # 37); the mismatches are the 99 mL/h pumps (4: 37)
    assert "112 of 300 rows had errors" in alone.stderr
    assert "37 of 300 pump rates did not match" in alone.stderr
    assert alone.stderr.count("EXAMPLE drug library") == 1


@pytest.mark.parametrize(
    ("serial", "part", "jobs"),
    [(0, 1, 4), (0, 60, 2), (1, 2, 3), (59, 1, 2), (13, 5, 8)],
)
def test_any_cut_into_parts_writes_the_same(
    run: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    serial: int,
    part: int,
    jobs: int,
) -> None:
    # 60 rows cut every way: none worked out first, parts of one row or of all of them,
    # more workers than parts
    path = orders(tmp_path / "orders.csv", 60)
    given = ["batch", path, "--library", LIBRARY]
    alone = run(*given, "--jobs", "1")
    started = cut(monkeypatch, serial, part)
    shared = run(*given, "--jobs", str(jobs))
    assert started == [jobs]
    assert (shared.stdout, shared.stderr, shared.exit_code) == (
        alone.stdout,
        alone.stderr,
        alone.exit_code,
    )
    assert len(alone.stdout.splitlines()) == 61


def test_strict_stops_at_the_same_row_with_the_same_rows_written(
    run: Any, tmp_path: Path, small_parts: list[int]
) -> None:
    path = tmp_path / "orders.csv"
    good = b"".join(b"%d,%d mcg/kg/min,70,10 mg/mL,,\n" % (n, 1 + n % 9) for n in range(200))
    path.write_bytes(HEADER + good + b"200,7 mcg/kg/mn,70,10 mg/mL,,\n" + good)
    alone = run("batch", str(path), "--strict", "--jobs", "1")
    shared = run("batch", str(path), "--strict", "--jobs", "2")
    assert small_parts == [2]
    assert shared.exit_code == alone.exit_code == 1
    assert shared.stdout == alone.stdout
    assert len(alone.stdout.splitlines()) == 201  # the header and the 200 good rows
    assert shared.stderr == alone.stderr
    assert alone.stderr.startswith(f"Error: {path} line 202: dose")


def test_a_library_first_read_by_the_workers_says_its_note_once(
    run: Any, tmp_path: Path, small_parts: list[int]
) -> None:
    # No drug row among the rows worked out before the workers start: each worker reads
    # the built-in library at its first drug row, and each would say the same note.
    path = tmp_path / "orders.csv"
    plain = b"".join(b"%d,%d mcg/kg/min,70,10 mg/mL,,\n" % (n, 1 + n % 9) for n in range(100))
    drugs = b"".join(b"%d,%d mcg/kg/min,70,,,dopamine\n" % (n, 1 + n % 9) for n in range(100))
    path.write_bytes(HEADER + plain + drugs)
    alone = run("batch", str(path), "--jobs", "1")
    shared = run("batch", str(path), "--jobs", "3")
    assert small_parts == [3]
    assert shared.exit_code == alone.exit_code == 0
    assert shared.stdout == alone.stdout
    assert shared.stderr == alone.stderr
    assert alone.stderr.startswith("Note: built-in standard concentrations are reference data")
    assert alone.stderr.count("\n") == 1


def test_small_files_never_start_workers(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr(batch_jobs, "_shared", lambda *args: started.append(args))
    path = orders(tmp_path / "orders.csv", batch_jobs.SERIAL_ROWS)
    result = run("batch", path, "--jobs", "4")
    assert len(result.stdout.splitlines()) == batch_jobs.SERIAL_ROWS + 1
    assert started == []


def test_a_worker_that_dies_is_an_error_not_a_hang(
    run: Any, tmp_path: Path, small_parts: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def dies(self: Any, records: Any) -> Any:
        os._exit(9)  # as the kernel's out-of-memory killer would end it

    monkeypatch.setattr(batch_jobs._Worker, "part", dies)
    path = orders(tmp_path / "orders.csv", 100)
    out = tmp_path / "out.csv"
    result = run("batch", path, "-o", str(out), "--jobs", "2")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: a batch worker process ended before its rows were done (out of memory, or "
        "killed?); run the batch again, or with --jobs 1"
    )
    assert not out.exists()  # -o is all or nothing


def test_parts_in_flight_are_few_so_memory_stays_flat(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every part written is checked against the rows read so far: at most the first rows,
    # the parts written and 2 x jobs parts in flight (plus the one being cut) were read.
    import io

    from infuse_calc.batch import BatchOptions
    from infuse_calc.formats.output import CsvWriter

    monkeypatch.setattr(batch_jobs, "SERIAL_ROWS", 10)
    monkeypatch.setattr(batch_jobs, "PART_ROWS", 5)
    header = ["id", "dose", "weight", "concentration"]
    read = [0]

    def records() -> Iterator[tuple[int, list[str], str | None]]:
        for n in range(400):
            read[0] += 1
            yield n + 2, [str(n), f"{1 + n % 9} mcg/kg/min", "70", "10 mg/mL"], None

    class Stream(io.StringIO):
        def write(self, text: str) -> int:
            written = self.getvalue().count("\n") - 1  # rows, without the header
            assert read[0] <= 10 + written + (2 * 3 + 1) * 5
            return super().write(text)

    stream = Stream()
    writer = CsvWriter(stream, header)
    counts = batch_jobs.write_table(
        header, records(), BatchOptions(), False, writer, lambda s: CsvWriter(s, header), 3
    )
    assert (counts.total, counts.failed, counts.mismatches) == (400, 0, 0)
    assert stream.getvalue().count("\n") == 401


@pytest.mark.parametrize(("cpus", "jobs"), [(1, 1), (2, 2), (8, 8), (64, batch_jobs.MOST_JOBS)])
def test_jobs_0_is_one_per_cpu_within_reason(
    monkeypatch: pytest.MonkeyPatch, cpus: int, jobs: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    assert batch_jobs.default_jobs() == jobs


@pytest.mark.parametrize("jobs", ["-1", "65", "two", ""])
def test_jobs_out_of_range_is_a_usage_error(run: Any, tmp_path: Path, jobs: str) -> None:
    path = orders(tmp_path / "orders.csv", 3)
    result = run("batch", path, "--jobs", jobs)
    assert result.exit_code == 2
    assert "--jobs" in result.stderr
    assert result.stdout == ""


def test_the_installed_script_with_workers_through_a_pipe(tmp_path: Path) -> None:
    # A real process writing to a pipe: what was buffered before the workers started (the
    # header, the first rows) must be written once, not again as a worker ends.
    path = orders(tmp_path / "orders.csv", batch_jobs.SERIAL_ROWS + 1500)
    env = {**os.environ, "INFUSE_CALC_CONFIG": str(tmp_path / "no-config.toml")}

    def batch(jobs: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [*script(), "batch", path, "--library", LIBRARY, "--jobs", jobs],
            capture_output=True,
            check=False,
            timeout=120,
            env=env,
        )

    alone, shared = batch("1"), batch("2")
    assert shared.returncode == alone.returncode == 1
    assert shared.stdout == alone.stdout
    assert shared.stderr == alone.stderr
    lines = shared.stdout.splitlines()
    assert lines[0].startswith(b"id,dose,weight,concentration,pump,drug,direction,")
    assert lines.count(lines[0]) == 1
    assert len(lines) == batch_jobs.SERIAL_ROWS + 1500 + 1


def test_the_guide_states_the_numbers_the_code_uses() -> None:
    guide = " ".join((ROOT / "docs" / "batch.md").read_text(encoding="utf-8").split())
    assert f"more than {batch_jobs.SERIAL_ROWS:,} rows" in guide
    assert f"after its first {batch_jobs.SERIAL_ROWS:,} rows" in guide
    assert f"(at most {batch_jobs.MOST_JOBS})" in guide
    assert f"in parts of {batch_jobs.PART_ROWS:,}," in guide


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_workers_end_when_their_batch_is_killed_outright(tmp_path: Path) -> None:
    # SIGKILL (or the out-of-memory killer) gives the batch no chance to end its workers;
    # they must not wait forever for their next part.
    import signal
    import time

    big = tmp_path / "big.csv"
    rows = (f"{n},{1 + n % 20} mcg/kg/min,{40 + n % 80},10 mg/mL\n" for n in range(300_000))
    big.write_text("id,dose,weight,concentration\n" + "".join(rows), encoding="utf-8")
    env = {**os.environ, "INFUSE_CALC_CONFIG": str(tmp_path / "no-config.toml")}
    command = [*script(), "batch", str(big), "-o", str(tmp_path / "out.csv"), "--jobs", "2"]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL, env=env)
    try:
        workers: list[int] = []
        for _ in range(600):  # up to a minute for the workers to start
            workers = _children(process.pid)
            if len(workers) == 2 or process.poll() is not None:
                break
            time.sleep(0.1)
        assert len(workers) == 2, "no workers: the batch ended first? use more rows"
        process.send_signal(signal.SIGKILL)
        process.wait()
        for _ in range(100):
            if not any(_running(pid) for pid in workers):
                break
            time.sleep(0.1)
        assert [pid for pid in workers if _running(pid)] == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


class _Stop(BaseException):
    pass


def test_a_stop_signal_while_the_workers_fork_is_raised_after_it() -> None:
    # Raised inside one of fork's callbacks (logging's), the CLI's Stopped was printed as
    # "Exception ignored" and dropped, and the batch ran on to exit 0 (seen once in the
    # SIGHUP test of tests/test_reliability.py). Held, it is raised where it is handled.
    import signal

    def stop(signum: int, frame: Any) -> None:
        raise _Stop(signum)

    previous = signal.signal(signal.SIGTERM, stop)
    events = []
    try:
        try:
            with batch_jobs.stop_signals_deferred():
                signal.raise_signal(signal.SIGTERM)
                events.append("the block went on")
        except _Stop:
            events.append("raised after it")
        assert events == ["the block went on", "raised after it"]
        assert signal.getsignal(signal.SIGTERM) is stop  # the handler is back
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_ctrl_c_while_the_workers_fork_is_a_keyboard_interrupt_after_it() -> None:
    import signal

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt), batch_jobs.stop_signals_deferred():
            signal.raise_signal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)


def test_an_ignored_signal_stays_ignored_through_the_fork() -> None:
    import signal

    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with batch_jobs.stop_signals_deferred():
            signal.raise_signal(signal.SIGTERM)
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)
