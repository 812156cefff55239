"""Cowrie ttylog files: build them for generated sessions, read them back.

A ttylog is a sequence of records. Each record is a 24-byte little-endian
header (int32 op, uint32 tty, int32 length, int32 direction, uint32
seconds, uint32 microseconds) followed by `length` data bytes. Op 1 opens
the log, 2 closes it, 3 writes data; direction 1 is input from the
attacker, 2 is output to them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

HEADER = struct.Struct("<iLiiLL")
OP_OPEN = 1
OP_CLOSE = 2
OP_WRITE = 3
INPUT = 1
OUTPUT = 2


@dataclass(frozen=True)
class Record:
    """One ttylog record; `time` is seconds since the epoch as a float."""

    op: int
    direction: int
    time: float
    data: bytes = b""


class TtylogBuilder:
    """Collect records for one session and render them as ttylog bytes.

    Records must be added in time order; `render` raises ValueError when a
    record's time goes backwards, because Cowrie never writes that.
    """

    def __init__(self, tty: int = 0) -> None:
        self._tty = tty
        self._records: list[Record] = []

    def open(self, time: float) -> None:
        self._add(Record(OP_OPEN, 0, time))

    def write(self, direction: int, time: float, data: bytes) -> None:
        self._add(Record(OP_WRITE, direction, time, data))

    def close(self, time: float) -> None:
        self._add(Record(OP_CLOSE, 0, time))

    def _add(self, record: Record) -> None:
        if self._records and record.time < self._records[-1].time:
            raise ValueError(
                f"ttylog record at {record.time:.6f} precedes the previous one "
                f"at {self._records[-1].time:.6f}"
            )
        self._records.append(record)

    def render(self) -> bytes:
        """Return the file contents."""
        parts = []
        for record in self._records:
            seconds = int(record.time)
            micros = min(int(round((record.time - seconds) * 1_000_000)), 999_999)
            parts.append(
                HEADER.pack(
                    record.op,
                    self._tty,
                    len(record.data),
                    record.direction,
                    seconds,
                    micros,
                )
            )
            parts.append(record.data)
        return b"".join(parts)


def parse_ttylog(data: bytes) -> list[Record]:
    """Parse ttylog bytes into records; raise ValueError on a truncated record."""
    records = []
    offset = 0
    while offset < len(data):
        if offset + HEADER.size > len(data):
            raise ValueError(f"truncated ttylog header at byte {offset}")
        op, _tty, length, direction, seconds, micros = HEADER.unpack_from(data, offset)
        offset += HEADER.size
        if length < 0 or offset + length > len(data):
            raise ValueError(f"truncated ttylog data at byte {offset}: length {length}")
        payload = data[offset : offset + length]
        offset += length
        records.append(Record(op, direction, seconds + micros / 1_000_000, payload))
    return records
