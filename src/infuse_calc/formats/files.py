"""Files: reading the small text files users hand us, and writing every output file.

Schedules, drug libraries and the config file are read with a size cap, so
``--library /dev/zero`` or a mistaken multi-GB path is refused at once instead of filling
memory.

Every file infuse-calc writes (``-o``, ``--plot``, batch) goes through
:func:`atomic_output`: a temporary file beside the target, renamed over it only once
complete, with the mode the target had (or would have had). A run that fails or is stopped
(an error, Ctrl-C, SIGTERM, SIGHUP: the command line turns those signals into exceptions)
removes the temporary file and leaves the target untouched.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, BinaryIO, Literal, overload

from infuse_calc.errors import InputError

MAX_TEXT_FILE_BYTES = 1_000_000
TEMPORARY_PREFIX = ".infuse-calc-"
TEMPORARY_SUFFIX = ".tmp"
#: signals that stop a run (where the system has them); held while a temporary file is made
#: and not yet owned by the ``try`` that removes it
STOP_SIGNALS = frozenset(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


# --- reading ------------------------------------------------------------------------------


class TooLargeError(ValueError):
    """The file is over the cap; ``limit`` says what the cap is."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"is larger than {limit:,} bytes")


def read_capped(stream: BinaryIO, limit: int = MAX_TEXT_FILE_BYTES) -> bytes:
    """Read at most ``limit`` bytes (one more to notice a larger file)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLargeError(limit)
    return data


def read_file_capped(path: str, limit: int = MAX_TEXT_FILE_BYTES) -> bytes:
    """:func:`read_capped` on a file path (``OSError`` for missing/unreadable files)."""
    with open(path, "rb") as stream:
        return read_capped(stream, limit)


# --- writing ------------------------------------------------------------------------------


@overload
def atomic_output(
    path: str | None, what: str = ..., binary: Literal[False] = ...
) -> contextlib.AbstractContextManager[IO[str]]: ...
@overload
def atomic_output(
    path: str | None, what: str, binary: Literal[True]
) -> contextlib.AbstractContextManager[IO[bytes]]: ...
def atomic_output(
    path: str | None, what: str = "output file", binary: bool = False
) -> contextlib.AbstractContextManager[IO[Any]]:
    """Stdout for ``None``/``-``; otherwise a temporary file renamed over ``path`` only
    when the whole output was written, so a failed run never leaves a half file.

    ``what`` names the file in errors (``output file``, ``--plot``); ``binary`` opens it
    for bytes (pictures) instead of UTF-8 text.
    """
    return _atomic_output(path, what, binary)


@contextlib.contextmanager
def _atomic_output(path: str | None, what: str, binary: bool) -> Iterator[IO[Any]]:
    if path in (None, "-"):
        yield sys.stdout.buffer if binary else sys.stdout
        return
    assert path is not None
    if not path:
        raise InputError(what, path, "is empty; give a file name, or - for stdout")
    # Write through a symlink rather than replacing it with a file.
    target = os.path.realpath(path)
    if os.path.exists(path) and (not os.path.isfile(path) or target.startswith("/proc/")):
        # /dev/null, /dev/stdout (-> /proc/self/fd/1), a FIFO: renaming over one would
        # replace the device node or the caller's redirection target instead of writing to it.
        try:
            with _open(path, binary) as stream:
                yield stream
        except OSError as error:
            raise _output_error(what, path, error) from None
        return
    # A stop signal between mkstemp and the try below would leave the file behind: hold
    # the signals until the try owns it (they are delivered, as exceptions, right after).
    import tempfile  # not at the top: reading a config file must not pay for it

    release = _hold_stop_signals()
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX, dir=os.path.dirname(target)
        )
    except OSError as error:
        release()
        raise _output_error(what, path, error) from None
    try:
        release()
        with os.fdopen(handle, "wb" if binary else "w", **_text_options(binary)) as stream:
            yield stream
        # mkstemp makes the file 0600; keep the mode the file had, or would have had.
        os.chmod(temporary, _file_mode(target))
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _output_error(what, path, error) from None
        raise


def _hold_stop_signals() -> Callable[[], None]:
    """Block :data:`STOP_SIGNALS`; returns the function that restores the signal mask."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no masks, and no SIGHUP either
        return lambda: None
    held = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)

    def release() -> None:
        # Python runs the handler of a signal that arrived meanwhile before this returns.
        signal.pthread_sigmask(signal.SIG_SETMASK, held)

    return release


def _text_options(binary: bool) -> dict[str, Any]:
    return {} if binary else {"encoding": "utf-8", "newline": ""}


def _open(path: str, binary: bool) -> IO[Any]:
    return open(path, "wb" if binary else "w", **_text_options(binary))


def _file_mode(path: str) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _output_error(what: str, path: str, error: OSError) -> Exception:
    return InputError(what, path, f"cannot be written: {error.strerror or error}")


def same_file(first: str, second: str) -> bool:
    """Whether two paths name one file (through links and ``./`` spellings)."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return os.path.realpath(first) == os.path.realpath(second)


def refuse_overwriting_input(
    output: str | None, inputs: Iterable[str | None], what: str = "output file"
) -> None:
    """Refuse ``-o`` (or ``--plot``) naming a file the command reads: it would be lost."""
    if output in (None, "-"):
        return
    assert output is not None
    for path in inputs:
        if path not in (None, "-") and path is not None and same_file(path, output):
            raise InputError(what, output, f"is an input file ({path}); write to another file")
