"""Reading the small text files users hand us: schedules, drug libraries, config.

All of them are read with a size cap, so ``--library /dev/zero`` or a mistaken multi-GB path
is refused at once instead of filling memory.
"""

from __future__ import annotations

from typing import BinaryIO

MAX_TEXT_FILE_BYTES = 1_000_000


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
