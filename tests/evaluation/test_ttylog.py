"""The ttylog writer produces Cowrie's record format."""

from __future__ import annotations

import struct

import pytest

from decnet.evaluation.ttylog import (
    INPUT,
    OP_CLOSE,
    OP_OPEN,
    OP_WRITE,
    OUTPUT,
    TtylogBuilder,
    parse_ttylog,
)


def test_records_use_cowrie_header() -> None:
    builder = TtylogBuilder()
    builder.open(1700000000.25)
    builder.write(INPUT, 1700000000.5, b"w\n")
    builder.close(1700000001.0)
    data = builder.render()
    header = struct.unpack_from("<iLiiLL", data, 24)
    assert header == (OP_WRITE, 0, 2, INPUT, 1700000000, 500000)
    assert data[48:50] == b"w\n"


def test_render_then_parse_round_trips() -> None:
    builder = TtylogBuilder()
    builder.open(10.0)
    builder.write(OUTPUT, 10.1, b"$ ")
    builder.write(INPUT, 10.3, b"l")
    builder.close(11.0)
    records = parse_ttylog(builder.render())
    assert [r.op for r in records] == [OP_OPEN, OP_WRITE, OP_WRITE, OP_CLOSE]
    assert records[2].data == b"l"
    assert records[2].time == pytest.approx(10.3)


def test_time_going_backwards_is_rejected() -> None:
    builder = TtylogBuilder()
    builder.open(10.0)
    with pytest.raises(ValueError, match="precedes"):
        builder.write(INPUT, 9.0, b"x")


def test_truncated_file_is_rejected() -> None:
    builder = TtylogBuilder()
    builder.open(1.0)
    builder.write(INPUT, 2.0, b"abc")
    with pytest.raises(ValueError, match="truncated ttylog data"):
        parse_ttylog(builder.render()[:-1])
