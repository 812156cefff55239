import math
import struct
from pathlib import Path

from decnet.ingest.simhash import majority
from decnet.ingest.ttylog import (
    HEADER,
    SPEED_STEP,
    TtylogIndex,
    profile,
    read_records,
    rhythm_code,
)


def record(op: int, direction: int, when: float, data: bytes = b"") -> bytes:
    seconds = int(when)
    micros = int(round((when - seconds) * 1e6))
    return HEADER.pack(op, 0, len(data), direction, seconds, micros) + data


def typed(text: str, start: float = 1_700_000_000.0, gap: float = 0.15) -> bytes:
    """A ttylog of `text` typed one key per record, `gap` seconds apart."""
    parts = [record(1, 0, start)]
    for index, char in enumerate(text):
        when = start + 1 + index * gap
        parts.append(record(3, 1, when, char.encode()))
        parts.append(record(3, 2, when + 0.0002, char.encode()))
    parts.append(record(2, 0, start + 2 + len(text) * gap))
    return b"".join(parts)


def pasted(text: str, start: float = 1_700_000_000.0) -> bytes:
    return b"".join(
        [
            record(1, 0, start),
            record(3, 1, start + 1, text.encode()),
            record(2, 0, start + 2),
        ]
    )


def test_records_split_in_order() -> None:
    records, truncated = read_records(record(3, 1, 5.5, b"ab") + record(2, 0, 6.0))
    assert [(op, direction, data) for op, direction, _, data in records] == [
        (3, 1, b"ab"),
        (2, 0, b""),
    ]
    assert not truncated


def test_truncated_record_keeps_earlier_records() -> None:
    data = typed("uname -a\r")
    records, truncated = read_records(data[:-10])
    assert truncated
    assert len(records) == len(read_records(data)[0]) - 1


def test_truncated_header_flagged() -> None:
    _, truncated = read_records(record(3, 1, 1.0, b"x") + b"\x03\x00")
    assert truncated


def test_typed_input_flagged_typed() -> None:
    result = profile([typed("cat /etc/passwd\r")])
    assert result.typed


def test_typed_input_has_digraph_simhash() -> None:
    assert profile([typed("cat /etc/passwd\r")]).digraph_simhash is not None


def test_pasted_input_not_typed() -> None:
    assert not profile([pasted("cat /etc/passwd; uname -a\r")]).typed


def test_scripted_sub_millisecond_keys_not_typed() -> None:
    assert not profile([typed("cat /etc/passwd\r", gap=0.0002)]).typed


def test_same_rhythm_gives_close_simhash() -> None:
    a = profile([typed("ls -la /tmp\r", gap=0.15)]).digraph_simhash
    b = profile([typed("ls -la /var\r", gap=0.15)]).digraph_simhash
    c = profile([typed("ls -la /tmp\r", gap=0.9)]).digraph_simhash
    assert a is not None
    assert b is not None
    assert c is not None
    assert (a ^ b).bit_count() < (a ^ c).bit_count()


def typed_with_gaps(keys: list[tuple[str, float]]) -> bytes:
    """A ttylog of keys typed one per record, each after its gap in seconds."""
    parts = [record(1, 0, 1_700_000_000.0)]
    when = 1_700_000_001.0
    for char, gap in keys:
        when += gap
        parts.append(record(3, 1, when, char.encode()))
    return b"".join(parts)


def bits_apart(a: int | None, b: int | None) -> int:
    assert a is not None
    assert b is not None
    return (a ^ b).bit_count()


def test_rhythm_code_distance_counts_speed_steps() -> None:
    speed = 100.0
    slow = speed * math.exp(3 * SPEED_STEP)
    a = rhythm_code({"letters": [speed] * 6})
    b = rhythm_code({"letters": [slow] * 6})
    assert bits_apart(a, b) == 3


def test_rhythm_code_distance_counts_habit_steps() -> None:
    speed = [100.0] * 6
    a = rhythm_code({"letters": speed, "into_space": [100.0] * 3})
    b = rhythm_code({"letters": speed, "into_space": [200.0] * 3})
    # ln 2 = 0.69 lies above the thresholds at 0.125, 0.375 and 0.625.
    assert bits_apart(a, b) == 3


def test_rare_transition_counts_as_speed() -> None:
    speed = [100.0] * 6
    a = rhythm_code({"letters": speed})
    b = rhythm_code({"letters": speed, "into_enter": [900.0] * 2})
    assert a == b


def test_rhythm_code_needs_five_transitions() -> None:
    assert rhythm_code({"letters": [100.0] * 4}) is None
    assert rhythm_code({"letters": [100.0] * 5}) is not None


def test_stray_pause_moves_no_bit() -> None:
    steady = [("l", 0.1), ("s", 0.1), (" ", 0.1), ("-", 0.1), ("l", 0.1)]
    keys = [*steady, ("a", 0.1), ("h", 0.1), ("o", 0.1), ("s", 0.1), ("t", 0.1)]
    paused = [*steady, ("a", 0.1), ("h", 2.5), ("o", 0.1), ("s", 0.1), ("t", 0.1)]
    a = profile([typed_with_gaps(keys)]).digraph_simhash
    b = profile([typed_with_gaps(paused)]).digraph_simhash
    assert bits_apart(a, b) == 0


def test_think_time_after_enter_ignored() -> None:
    line = [(char, 0.12) for char in "uname -a"]
    quick = [*line, ("\r", 0.12), ("w", 0.3), *line[1:]]
    slow = [*line, ("\r", 0.12), ("w", 2.9), *line[1:]]
    a = profile([typed_with_gaps(quick)]).digraph_simhash
    b = profile([typed_with_gaps(slow)]).digraph_simhash
    assert bits_apart(a, b) == 0


def test_majority_of_codes_is_median_rhythm() -> None:
    speeds = [80.0, 120.0, 300.0]
    codes = [rhythm_code({"letters": [speed] * 6}) for speed in speeds]
    assert majority(code for code in codes if code is not None) == codes[1]


def test_stored_latencies_give_same_code() -> None:
    result = profile([typed("cat /etc/passwd; uname -a\r", gap=0.137)])
    stored = result.stored_latencies()
    assert stored["letters"][0] == 137.0
    assert rhythm_code(stored) == result.digraph_simhash


def test_profile_of_truncated_file_flags_truncation() -> None:
    result = profile([typed("uname -a\r")[:-7]])
    assert result.truncated


def test_index_finds_both_namings(tmp_path: Path) -> None:
    old = tmp_path / "20180506-174452-ef410359268d-0i.log"
    new = tmp_path / "sub" / ("ab" * 32)
    new.parent.mkdir()
    old.write_bytes(b"")
    new.write_bytes(b"")
    index = TtylogIndex(tmp_path)
    assert index.find("log/tty/20180506-174452-ef410359268d-0i.log") == old
    assert index.find("var/lib/cowrie/tty/" + "ab" * 32) == new
    assert index.for_session("ef410359268d") == [old]
    assert index.find("var/lib/cowrie/tty/missing") is None


def test_header_is_24_bytes() -> None:
    assert HEADER.size == 24 == struct.calcsize("<iIiiII")
