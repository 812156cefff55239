"""Cowrie ttylogs and the keystroke rhythm they record.

A ttylog is a sequence of records, each a 24-byte little-endian header
(int32 op, uint32 tty, int32 length, int32 direction, uint32 seconds,
uint32 microseconds) followed by `length` data bytes. Op 1 opens, 2 closes,
3 writes; direction 1 is input from the attacker, 2 output to them.
Cowrie names files `YYYYMMDD-HHMMSS-SESSION-Ni.log` (older versions, `i`
interactive, `e` exec) or by the SHA-256 of their content (newer ones).
"""

from __future__ import annotations

import math
import re
import statistics
import struct
from dataclasses import dataclass, field
from pathlib import Path

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

# The rhythm code is a thermometer code: each bit is set when one rhythm
# measure lies above one fixed threshold, so the Hamming distance between two
# codes is the number of quantisation steps between the two rhythms. A
# Charikar SimHash of (key pair, latency bin) tokens puts sessions of one
# typist about as far apart as sessions of two typists, because each token
# rests on one or two keystrokes. The measures below each average many keys.
SPEED_FLOOR_MS = 40.0
SPEED_STEP = 0.14  # natural-log units, 15 % per step
SPEED_BITS = 22  # thresholds from 40 ms to 760 ms
RELATIVE_STEP = 0.25  # natural-log units, 28 % per step
RELATIVE_BITS = 6  # thresholds from -0.625 to +0.625
TRANSITIONS = (
    "into_space",
    "after_space",
    "into_enter",
    "into_symbol",
    "after_symbol",
    "correction",
    "other",
)
MIN_TRANSITION_SAMPLES = 3
MAX_STORED_LATENCIES = 500
# Bit i of the code moves to position i * 37 mod 64, spreading each measure
# over the bands the clusterer's Hamming index uses. 37 is coprime to 64, so
# this is a permutation and leaves distances and bitwise majorities intact.
BIT_STRIDE = 37


@dataclass(slots=True)
class KeystrokeProfile:
    """What the input records of one or more ttylogs say about the typist.

    `latencies_ms` are the gaps between consecutive single-key input
    records; `transitions` contains the same gaps by kind of key transition
    (`letters` for letter to letter), without the gaps after Enter; `typed`
    is True for typed input, False for pasted or scripted input;
    `digraph_simhash` is the rhythm code, None with fewer than five
    transitions.
    """

    input_records: int = 0
    input_bytes: int = 0
    single_key_records: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    transitions: dict[str, list[float]] = field(default_factory=dict)
    truncated: bool = False
    typed: bool = False
    digraph_simhash: int | None = None

    def stored_latencies(self) -> dict[str, list[float]]:
        """Return the latencies by transition kind as a session row stores them.

        Each kind keeps its first 500 gaps, in milliseconds rounded to 0.1,
        which `rhythm_code` accepts as they are.
        """
        return {
            kind: [round(gap, 1) for gap in gaps[:MAX_STORED_LATENCIES]]
            for kind, gaps in self.transitions.items()
        }


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


def _transition(previous: int, key: int) -> str | None:
    """Return the kind of the transition between two keys.

    None after Enter, because that gap contains reading and thinking time.
    """
    first, second = _key_class(previous), _key_class(key)
    if first == "n":
        return None
    letters = ("a", "A")
    if first in letters and second in letters:
        return "letters"
    if first == "b" or second == "b":
        return "correction"
    if second == "n":
        return "into_enter"
    if first == "_":
        return "after_space"
    if second == "_":
        return "into_space"
    if first in letters:
        return "into_symbol"
    if second in letters:
        return "after_symbol"
    return "other"


def _interquartile_mean(values: list[float]) -> float:
    # The mean of the middle half: close to the mean's precision on a few
    # samples, and a stray pause or double key does not move it.
    ordered = sorted(values)
    quarter = len(ordered) // 4
    middle = ordered[quarter : len(ordered) - quarter]
    return sum(middle) / len(middle)


def rhythm_code(transitions: dict[str, list[float]]) -> int | None:
    """Return the 64-bit rhythm code of latencies (ms) grouped by transition.

    22 bits place the typing speed (letter to letter, or every transition
    when fewer than three are letter pairs) between 40 ms and 760 ms. Six
    bits per kind place that kind's latency relative to the speed, in steps
    of 28 %. A kind with fewer than three samples counts as the speed itself.
    Returns None with fewer than five transitions.
    """
    logs = {
        kind: [math.log(max(gap, 1.0)) for gap in gaps]
        for kind, gaps in transitions.items()
    }
    every = [value for values in logs.values() for value in values]
    if len(every) < MIN_DIGRAPHS:
        return None
    letters = logs.get("letters", [])
    base = letters if len(letters) >= MIN_TRANSITION_SAMPLES else every
    speed = _interquartile_mean(base)
    bits: list[bool] = []
    floor = math.log(SPEED_FLOOR_MS)
    for step in range(SPEED_BITS):
        bits.append(speed > floor + step * SPEED_STEP)
    lowest = -RELATIVE_STEP * (RELATIVE_BITS - 1) / 2
    for kind in TRANSITIONS:
        samples = logs.get(kind, [])
        relative = 0.0
        if len(samples) >= MIN_TRANSITION_SAMPLES:
            relative = _interquartile_mean(samples) - speed
        for step in range(RELATIVE_BITS):
            bits.append(relative > lowest + step * RELATIVE_STEP)
    code = 0
    for index, bit in enumerate(bits):
        if bit:
            code |= 1 << (index * BIT_STRIDE % 64)
    return code


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
                    kind = _transition(previous[1], key)
                    if kind is not None:
                        result.transitions.setdefault(kind, []).append(gap_ms)
            previous = (when, key)
    result.typed = _is_typed(result)
    result.digraph_simhash = rhythm_code(result.transitions)
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
