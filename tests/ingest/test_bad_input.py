"""Every kind of bad input in one run of `decnet ingest cowrie`.

The log contains good lines between bad ones, all on documentation
addresses. The run must keep every good line, list every bad one with its
file, line number and reason, warn about damaged or missing ttylogs, and
exit with status 1 because lines were skipped.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from decnet.cli.main import app
from decnet.ingest.text import unescape_nul
from tests.ingest.support import HASSH_2018, KEX_2018, event, write_log
from tests.ingest.test_ttylog import typed

runner = CliRunner()
TEN_MB_COMMAND = "echo " + "A" * 10_000_000


def first_file() -> list[Any]:
    """Lines of cowrie.json.2024-04-01; comments give the kind of input."""
    return [
        # 1: wrong types that keep their meaning: ports as strings.
        event(
            "cowrie.session.connect",
            ip="198.51.100.10",
            session="s10",
            src_port="40000",
            dst_port="22",
        ),
        # 2: algorithm lists as comma-separated strings.
        event(
            "cowrie.client.version",
            ip="198.51.100.10",
            session="s10",
            version="SSH-2.0-libssh2_1.7.0",
            **{name: ",".join(values) for name, values in KEX_2018.items()},
        ),
        # 3: a password as a number.
        event(
            "cowrie.login.failed",
            ip="198.51.100.10",
            session="s10",
            username="admin",
            password=1234,
        ),
        # 4: garbage that is not JSON.
        b"\x00\x01 not json at all",
        # 5: JSON that is not an object.
        b'["cowrie.login.failed", "198.51.100.10"]',
        # 6: missing src_ip.
        event("cowrie.session.connect", ip=None, session="s11"),
        # 7: invalid src_ip.
        event("cowrie.session.connect", ip="198.51.100.300", session="s11"),
        # 8: non-UTF-8 bytes in a password.
        b'{"eventid": "cowrie.login.failed", "src_ip": "198.51.100.12",'
        b' "session": "s12", "sensor": "sensor-a",'
        b' "timestamp": "2024-04-01T10:00:00Z", "username": "root",'
        b' "password": "pa\xff\xfess"}',
        # 9: non-UTF-8 bytes in a command.
        b'{"eventid": "cowrie.command.input", "src_ip": "198.51.100.12",'
        b' "session": "s12", "sensor": "sensor-a",'
        b' "timestamp": "2024-04-01T10:00:01Z", "input": "echo \xc3\x28"}',
        # 10: NUL bytes in a password and in a command.
        event(
            "cowrie.login.failed",
            ip="198.51.100.12",
            session="s12",
            username="root",
            password="x\x00y",
            at="2024-04-01T10:00:02Z",
        ),
        # 11
        event(
            "cowrie.command.input",
            ip="198.51.100.12",
            session="s12",
            input="cat /proc/\x00self",
            at="2024-04-01T10:00:03Z",
        ),
        # 12: a 10 MB command line.
        event(
            "cowrie.command.input",
            ip="198.51.100.13",
            session="s13",
            input=TEN_MB_COMMAND,
        ),
        # 13, 14: events out of order: the command before the connect.
        event(
            "cowrie.command.input",
            ip="203.0.113.14",
            session="s14",
            input="uname -a",
            at="2024-04-01T11:00:05Z",
        ),
        event(
            "cowrie.session.connect",
            ip="203.0.113.14",
            session="s14",
            at="2024-04-01T11:00:00Z",
        ),
        # 15: a session whose later events sit in the second file.
        event(
            "cowrie.session.connect",
            ip="203.0.113.15",
            session="s15",
            at="2024-04-01T23:59:58Z",
        ),
        # 16, 17: the same session id on two sensors.
        event(
            "cowrie.session.connect",
            ip="203.0.113.16",
            session="s16",
            sensor="sensor-a",
        ),
        event(
            "cowrie.session.connect",
            ip="203.0.113.16",
            session="s16",
            sensor="sensor-b",
        ),
        # 18: a time stamp without a time zone.
        event(
            "cowrie.session.connect",
            ip="192.0.2.18",
            session="s18",
            at="2024-04-01 12:30:00",
        ),
        # 19: wrong types that cannot be read: the username as an object.
        event(
            "cowrie.login.failed",
            ip="192.0.2.19",
            session="s19",
            username={"user": "root"},
            password="x",
        ),
        # 20: a ttylog truncated inside a record.
        event(
            "cowrie.log.closed",
            ip="192.0.2.20",
            session="s20",
            ttylog="var/lib/cowrie/tty/" + "2" * 64,
        ),
        # 21: a ttylog that is not in the ttylog folder.
        event(
            "cowrie.log.closed",
            ip="192.0.2.21",
            session="s21",
            ttylog="var/lib/cowrie/tty/" + "9" * 64,
        ),
        # 22: a truncated last line, without its newline.
        b'{"eventid": "cowrie.session.connect", "src_ip": "192.0.2.22", "sess',
    ]


def second_file() -> list[Any]:
    """Lines of cowrie.json.2024-04-02: the rest of session s15."""
    return [
        event(
            "cowrie.login.success",
            ip="203.0.113.15",
            session="s15",
            username="root",
            password="root",
            at="2024-04-02T00:00:01Z",
        ),
        event(
            "cowrie.session.closed",
            ip="203.0.113.15",
            session="s15",
            duration="3.0",
            at="2024-04-02T00:00:01Z",
        ),
    ]


EXPECTED_SKIPS = [
    (1, 4, "invalid JSON"),
    (1, 5, "JSON value is a list, not an object"),
    (1, 6, "missing 'src_ip'"),
    (1, 7, "invalid IP address"),
    (1, 19, "field 'username' must be a string"),
    (1, 22, "truncated last line"),
]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("bad-input")
    logs = root / "logs"
    logs.mkdir()
    tty = root / "tty"
    tty.mkdir()
    records = first_file()
    body = write_log(logs / "cowrie.json.2024-04-01", records[:-1]).read_bytes()
    (logs / "cowrie.json.2024-04-01").write_bytes(body + records[-1])
    write_log(logs / "cowrie.json.2024-04-02", second_file())
    (tty / ("2" * 64)).write_bytes(typed("uname -a; id\r")[:-9])
    skipped = root / "skipped.jsonl"
    db = root / "bad.sqlite"
    result = runner.invoke(
        app,
        [
            "ingest",
            "cowrie",
            str(logs),
            "--tty-dir",
            str(tty),
            "--skipped-out",
            str(skipped),
            "--no-progress",
            "--db",
            f"sqlite:///{db}",
        ],
    )
    return {"result": result, "skipped": skipped, "db": db, "logs": logs}


def query(db: Path, sql: str, **params: Any) -> list[Any]:

    async def run() -> list[Any]:
        engine = create_async_engine(f"sqlite+aiosqlite:///{db}")
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(sa.text(sql), params)).all())
        finally:
            await engine.dispose()

    return asyncio.run(run())


def sessions(db: Path, ip: str) -> list[dict[str, Any]]:
    rows = query(
        db,
        "SELECT s.sensor, s.credentials, s.commands, s.event_count, s.started_at "
        "FROM attacker_sessions s JOIN attackers a ON a.uuid = s.observation_uuid "
        "WHERE a.ip = :ip ORDER BY s.sensor",
        ip=ip,
    )
    return [
        {
            "sensor": sensor,
            "credentials": orjson.loads(credentials) if credentials else [],
            "commands": orjson.loads(commands) if commands else [],
            "event_count": count,
            "started_at": started,
        }
        for sensor, credentials, commands, count, started in rows
    ]


def test_exit_status_one_when_lines_skipped(ingested: dict[str, Any]) -> None:
    assert ingested["result"].exit_code == 1, ingested["result"].output


def test_every_bad_line_listed(ingested: dict[str, Any]) -> None:
    records = [
        orjson.loads(line) for line in ingested["skipped"].read_bytes().splitlines()
    ]
    first = str(ingested["logs"] / "cowrie.json.2024-04-01")
    assert [(r["file"], r["line"]) for r in records] == [
        (first, line) for _, line, _ in EXPECTED_SKIPS
    ]
    for record, (_, _, reason) in zip(records, EXPECTED_SKIPS, strict=True):
        assert reason in record["reason"], record


def test_summary_names_warnings(ingested: dict[str, Any]) -> None:
    output = ingested["result"].output
    assert "ttylog missing" in output
    assert "ttylog truncated" in output


def test_wrong_types_read(ingested: dict[str, Any]) -> None:
    (session,) = sessions(ingested["db"], "198.51.100.10")
    assert session["credentials"][0]["password"] == "1234"
    (hassh,) = query(
        ingested["db"], "SELECT hassh_hashes FROM attackers WHERE ip = '198.51.100.10'"
    )[0]
    assert orjson.loads(hassh) == [HASSH_2018]


def test_odd_bytes_kept(ingested: dict[str, Any]) -> None:
    (session,) = sessions(ingested["db"], "198.51.100.12")
    passwords = [unescape_nul(c["password"]) for c in session["credentials"]]
    assert passwords == ["pa\\xff\\xfess", "x\x00y"]
    inputs = [unescape_nul(c["input"]) for c in session["commands"]]
    assert inputs == ["echo \\xc3(", "cat /proc/\x00self"]


def test_ten_megabyte_command_capped(ingested: dict[str, Any]) -> None:
    (session,) = sessions(ingested["db"], "198.51.100.13")
    (command,) = session["commands"]
    assert command["truncated"]
    assert command["length"] == len(TEN_MB_COMMAND)
    expected = hashlib.sha256(TEN_MB_COMMAND.encode()).hexdigest()
    assert command["sha256"] == expected


def test_out_of_order_events_one_session(ingested: dict[str, Any]) -> None:
    (session,) = sessions(ingested["db"], "203.0.113.14")
    assert session["event_count"] == 2
    assert [c["input"] for c in session["commands"]] == ["uname -a"]


def test_session_across_files_merged(ingested: dict[str, Any]) -> None:
    (session,) = sessions(ingested["db"], "203.0.113.15")
    assert session["event_count"] == 3
    assert session["credentials"][0]["username"] == "root"


def test_session_id_on_two_sensors_apart(ingested: dict[str, Any]) -> None:
    found = sessions(ingested["db"], "203.0.113.16")
    assert [s["sensor"] for s in found] == ["sensor-a", "sensor-b"]


def test_naive_timestamp_read_as_utc(ingested: dict[str, Any]) -> None:
    (session,) = sessions(ingested["db"], "192.0.2.18")
    assert str(session["started_at"]).startswith("2024-04-01 12:30:00")


def test_truncated_ttylog_still_profiled(ingested: dict[str, Any]) -> None:
    ((typed_flag,),) = query(
        ingested["db"],
        "SELECT s.input_typed FROM attacker_sessions s JOIN attackers a "
        "ON a.uuid = s.observation_uuid WHERE a.ip = '192.0.2.20'",
    )
    assert typed_flag
