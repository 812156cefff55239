"""Log files: discovery, identity across renames, and line reading from an offset.

A file is identified by the SHA-256 of its first line (at most 4 KiB), not
by its path, so a rotated file (`cowrie.json` renamed `cowrie.json.1`, or
compressed to `cowrie.json.1.gz`) is recognised and read on from the saved
offset. Offsets count bytes of the decompressed content.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from decnet.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
FINGERPRINT_BYTES = 4_096
# A longer line is skipped without being held in memory.
MAX_LINE_BYTES = 64 << 20
READ_CHUNK = 1 << 20
# Folders beside Cowrie logs that hold ttylogs: `tty/` in the classic layout,
# `term_sessions/` in some published log sets.
TTY_FOLDERS = ("tty", "term_sessions")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a log file.

    `number` counts from 1; `end` is the offset just past the line (and its
    newline); `complete` is False for a last line without a newline;
    `oversized` is True when the line was longer than MAX_LINE_BYTES and
    `data` holds only its first bytes.
    """

    number: int
    end: int
    data: bytes
    complete: bool
    oversized: bool = False


def discover(paths: list[Path], patterns: tuple[str, ...]) -> list[Path]:
    """Expand folders (recursively) into the files whose names match `patterns`.

    Files named directly are taken whatever their names. Raises InputError
    for a path that does not exist. The result is sorted and has no
    duplicates.
    """
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for root, _dirs, names in os.walk(path):
                for name in names:
                    if any(fnmatch.fnmatch(name, pattern) for pattern in patterns):
                        found[Path(root) / name] = None
        elif path.is_file():
            found[path] = None
        else:
            raise InputError(f"log path {str(path)!r} does not exist; check the path")
    return sorted(found, key=lambda p: (str(p.parent), p.name))


def open_log(path: Path) -> BinaryIO:
    """Open a log for binary reading, decompressing gzip (detected by content)."""
    handle = path.open("rb")
    magic = handle.read(2)
    handle.seek(0)
    if magic == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    return handle


def fingerprint(path: Path, *, partial: bool = False) -> str | None:
    """Return the SHA-256 hex of the file's first line, or None when it has none yet.

    A first line still being written (no newline, shorter than 4 KiB) gives
    None, so a growing file is identified only once its first line is whole;
    with `partial` such a line is fingerprinted as it is (a file of one line
    without a newline).
    """
    try:
        with open_log(path) as handle:
            head = handle.readline(FINGERPRINT_BYTES)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise InputError(f"cannot read log {str(path)!r}: {error}") from None
    if not head:
        return None
    if not partial and not head.endswith(b"\n") and len(head) < FINGERPRINT_BYTES:
        return None
    # The newline is left out so a last line completed later keeps its hash.
    return hashlib.sha256(head.rstrip(b"\r\n")).hexdigest()


def read_lines(
    handle: BinaryIO, *, offset: int = 0, first_number: int = 1
) -> Iterator[Line]:
    """Yield the lines of `handle` from byte `offset`, numbered from `first_number`.

    Lines longer than MAX_LINE_BYTES are yielded with `oversized` set and
    only their first bytes, and are never held in memory whole.
    """
    if offset:
        handle.seek(offset)
    position = offset
    number = first_number
    readline = handle.readline
    while True:
        data = readline(MAX_LINE_BYTES + 1)
        if not data:
            return
        if len(data) > MAX_LINE_BYTES and not data.endswith(b"\n"):
            head = data[:1024]
            size = len(data)
            complete = False
            while True:
                chunk = readline(READ_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if chunk.endswith(b"\n"):
                    complete = True
                    break
            position += size
            yield Line(number, position, head, complete, oversized=True)
            number += 1
            continue
        position += len(data)
        complete = data.endswith(b"\n")
        yield Line(number, position, data, complete)
        number += 1


def file_size(path: Path) -> int:
    """Return the on-disk size of `path` (compressed size for gzip)."""
    return path.stat().st_size


__all__ = [
    "Line",
    "discover",
    "file_size",
    "fingerprint",
    "logs_layout",
    "open_log",
    "read_lines",
]


def logs_layout(
    paths: list[Path], tty_dir: Path | None, downloads_dir: Path | None
) -> tuple[Path | None, Path | None]:
    """Find `tty/` (or `term_sessions/`) and `downloads/` beside one log folder.

    Explicit options win; with several paths nothing is guessed.
    """
    if len(paths) != 1 or not paths[0].is_dir():
        return tty_dir, downloads_dir
    root = paths[0]
    if tty_dir is None:
        tty_dir = next(
            (root / name for name in TTY_FOLDERS if (root / name).is_dir()), None
        )
    if downloads_dir is None and (root / "downloads").is_dir():
        downloads_dir = root / "downloads"
    return tty_dir, downloads_dir
