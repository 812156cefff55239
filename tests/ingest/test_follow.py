"""`decnet ingest cowrie --follow` as a real process: growth, rotation, restart.

The process runs on a SQLite file that the test reads between steps. Waits
poll the database until the expected count appears or a deadline passes;
no check depends on how long a step took.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest

from tests.ingest.test_store import IP, attack_log

DEADLINE_S = 60.0


def line(record: dict[str, object]) -> bytes:
    return orjson.dumps(record) + b"\n"


def event_count(db: Path) -> int | None:
    """Return the stored event count of the test address, None before any row."""
    if not db.exists():
        return None
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        try:
            row = conn.execute(
                "SELECT event_count FROM attackers WHERE ip = ?", (IP,)
            ).fetchone()
        except sqlite3.OperationalError:
            return None
    return row[0] if row else None


def wait_for_events(db: Path, expected: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if event_count(db) == expected:
            return
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        time.sleep(0.1)
    pytest.fail(f"stored events stayed at {event_count(db)}, expected {expected}")


Starter = Callable[[Path, Path], "subprocess.Popen[bytes]"]


@pytest.fixture
def start_follow() -> Iterator[Starter]:
    """Start `decnet ingest cowrie FOLDER --follow` on a SQLite file."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(folder: Path, db: Path) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "decnet.cli.main",
            "ingest",
            "cowrie",
            str(folder),
            "--follow",
            "--interval",
            "0.2",
            "--no-progress",
            "--db",
            f"sqlite:///{db}",
        ]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_follow_across_rotation_and_restart(
    start_follow: Starter, tmp_path: Path
) -> None:
    records = [line(record) for record in attack_log()]
    assert len(records) == 9
    logs = tmp_path / "logs"
    logs.mkdir()
    current = logs / "cowrie.json"
    db = tmp_path / "follow.sqlite"
    current.write_bytes(b"".join(records[:3]))

    first = start_follow(logs, db)
    wait_for_events(db, 3, first)

    # A line written in two parts is read once, when its newline arrives.
    with current.open("ab") as handle:
        handle.write(records[3][:25])
        handle.flush()
        time.sleep(0.5)
        handle.write(records[3][25:])
    wait_for_events(db, 4, first)

    # Rotation: the old file gets one more line, is renamed, and a new
    # file starts. Both lines are read once.
    with current.open("ab") as handle:
        handle.write(records[4])
    current.rename(logs / "cowrie.json.1")
    current.write_bytes(records[5])
    wait_for_events(db, 6, first)

    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=DEADLINE_S) == 0

    # Lines written while ingest is down are read after the restart.
    with current.open("ab") as handle:
        handle.write(records[6])
    second = start_follow(logs, db)
    wait_for_events(db, 7, second)

    # A crash between passes loses nothing: offsets commit with their rows.
    second.kill()
    second.wait(timeout=DEADLINE_S)
    with current.open("ab") as handle:
        handle.write(b"".join(records[7:]))
    third = start_follow(logs, db)
    wait_for_events(db, 9, third)
    third.send_signal(signal.SIGTERM)
    assert third.wait(timeout=DEADLINE_S) == 0
    assert event_count(db) == 9
    with sqlite3.connect(db) as conn:
        (sessions,) = conn.execute("SELECT COUNT(*) FROM attacker_sessions").fetchone()
        (files,) = conn.execute("SELECT COUNT(*) FROM ingest_files").fetchone()
    assert sessions == 2
    assert files == 2
