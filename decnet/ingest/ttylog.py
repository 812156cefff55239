"""Cowrie ttylogs and the keystroke rhythm they record.

A ttylog is a sequence of records, each a 24-byte little-endian header
(int32 op, uint32 tty, int32 length, int32 direction, uint32 seconds,
uint32 microseconds) followed by `length` data bytes. Op 1 opens, 2 closes,
3 writes; direction 1 is input from the attacker, 2 output to them.
Cowrie names files `YYYYMMDD-HHMMSS-SESSION-Ni.log` (older versions, `i`
interactive, `e` exec) or by the SHA-256 of their content (newer ones).
"""

from __future__ import annotations

import re
import statistics
import struct
from dataclasses import dataclass, field
from pathlib import Path

from decnet.ingest.simhash import simhash

HEADER = struct.Struct("<iIiiII")
OP_WRITE = 3
DIRECTION_INPUT = 1
MAX_RECORD_BYTES = 1 << 20
MAX_TTYLOG_BYTES = 64 << 20

OLD_NAME = re.compile(r"^(\d{8})-(\d{6})-([0-9a-f]+)-(\d+)([ie])\.log$")
SHA256_NAME = re.compile(r"^[0-9a-f]{64}$")

# Typed input: keys arrive one per record, with human gaps between them.
MIN_TYPED_KEYS = 8
MIN_HUMAN_GAP_MS = 15.0
# Gaps above this are pauses (reading output, thinking), not rhythm.
MAX_RHYTHM_GAP_MS = 3_000.0
MIN_DIGRAPHS = 5


@dataclass(slots=True)
class KeystrokeProfile:
    """What the input records of one or more ttylogs say about the typist.

    `latencies_ms` are the gaps between consecutive single-key input
    records; `typed` tells typed input from pasted or scripted input;
    `digraph_simhash` is None with fewer than five digraphs.
    """

    input_records: int = 0
    input_bytes: int = 0
    single_key_records: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    digraphs: dict[str, float] = field(default_factory=dict)
    truncated: bool = False
    typed: bool = False
    digraph_simhash: int | None = None


def _key_class(byte: int) -> str:
    if 97 <= byte <= 122:
        return "a"
    if 65 <= byte <= 90:
        return "A"
    if 48 <= byte <= 57:
        return "9"
    if byte == 32:
        return "_"
    if byte in (13, 10):
        return "n"
    if byte in (8, 127):
        return "b"
    if byte < 32:
        return "c"
    return "p"


def _bucket(latency_ms: float) -> int:
    # Logarithmic bins, about 25 % wide: rhythm, not exact timing.
    bucket = 0
    value = max(latency_ms, 1.0)
    while value >= 1.25 and bucket < 40:
        value /= 1.25
        bucket += 1
    return bucket


def read_records(data: bytes) -> tuple[list[tuple[int, int, float, bytes]], bool]:
    """Split ttylog bytes into (op, direction, time in seconds, data) records.

    Returns the records and whether the data ended inside a record (a
    truncated file); the complete records before that point are kept.
    """
    records: list[tuple[int, int, float, bytes]] = []
    offset = 0
    size = len(data)
    while offset < size:
        if offset + HEADER.size > size:
            return records, True
        op, _tty, length, direction, seconds, micros = HEADER.unpack_from(data, offset)
        offset += HEADER.size
        if length < 0 or length > MAX_RECORD_BYTES or op not in (1, 2, 3, 4):
            return records, True
        if offset + length > size:
            return records, True
        records.append(
            (op, direction, seconds + micros / 1e6, data[offset : offset + length])
        )
        offset += length
    return records, False


def profile(sources: list[bytes]) -> KeystrokeProfile:
    """Build the keystroke profile of one session from its ttylog contents."""
    result = KeystrokeProfile()
    previous: tuple[float, int] | None = None
    for data in sources:
        records, truncated = read_records(data)
        result.truncated = result.truncated or truncated
        previous = None
        for op, direction, when, payload in records:
            if op != OP_WRITE or direction != DIRECTION_INPUT or not payload:
                continue
            result.input_records += 1
            result.input_bytes += len(payload)
            if len(payload) != 1:
                previous = None
                continue
            result.single_key_records += 1
            key = payload[0]
            if previous is not None:
                gap_ms = (when - previous[0]) * 1000.0
                if 0.0 <= gap_ms <= MAX_RHYTHM_GAP_MS:
                    result.latencies_ms.append(gap_ms)
                    token = (
                        f"{_key_class(previous[1])}{_key_class(key)}:{_bucket(gap_ms)}"
                    )
                    result.digraphs[token] = result.digraphs.get(token, 0.0) + 1.0
            previous = (when, key)
    result.typed = _is_typed(result)
    if len(result.latencies_ms) >= MIN_DIGRAPHS:
        result.digraph_simhash = simhash(result.digraphs)
    return result


def _is_typed(result: KeystrokeProfile) -> bool:
    if result.single_key_records < MIN_TYPED_KEYS or not result.latencies_ms:
        return False
    if result.single_key_records * 2 < result.input_bytes:
        return False
    return statistics.median(result.latencies_ms) >= MIN_HUMAN_GAP_MS


class TtylogIndex:
    """Finds ttylog files under a folder by the name a log event gives.

    The folder is scanned once, recursively; lookups use the base name, so
    `log/tty/20180506-174452-ef410359268d-0i.log` and
    `var/lib/cowrie/tty/<sha256>` both resolve. Files of the old naming are
    also found by session id when no event names them.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._by_name: dict[str, Path] = {}
        self._by_session: dict[str, list[Path]] = {}
        for path in root.rglob("*"):
            if not path.is_file():
                continue
            self._by_name[path.name] = path
            match = OLD_NAME.match(path.name)
            if match:
                self._by_session.setdefault(match.group(3), []).append(path)

    def find(self, reference: str) -> Path | None:
        """Return the file a `ttylog` field names, or None when it is absent."""
        return self._by_name.get(reference.replace("\\", "/").rsplit("/", 1)[-1])

    def for_session(self, session_id: str) -> list[Path]:
        """Return old-naming ttylogs whose name carries `session_id`."""
        return sorted(self._by_session.get(session_id, ()))


def read_ttylog(path: Path) -> bytes:
    """Read at most 64 MiB of a ttylog; a longer file is treated as truncated."""
    with path.open("rb") as handle:
        return handle.read(MAX_TTYLOG_BYTES)
