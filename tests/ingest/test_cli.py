"""`decnet ingest` and `decnet export observations` end to end on SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
from typer.testing import CliRunner

from decnet.cli.main import app
from tests.ingest.support import event, write_log
from tests.ingest.test_store import attack_log

runner = CliRunner()


def db_option(tmp_path: Path) -> list[str]:
    return ["--db", f"sqlite:///{tmp_path / 'cli.sqlite'}"]


def test_clean_ingest_exits_zero(tmp_path: Path) -> None:
    log = write_log(tmp_path / "cowrie.json", attack_log())
    result = runner.invoke(
        app, ["ingest", "cowrie", str(log), "--no-progress", *db_option(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "ingest summary" in result.output


def test_skipped_line_exits_one_and_is_listed(tmp_path: Path) -> None:
    log = write_log(tmp_path / "cowrie.json", [*attack_log(), b"{broken"])
    skipped = tmp_path / "skipped.jsonl"
    result = runner.invoke(
        app,
        [
            "ingest",
            "cowrie",
            str(log),
            "--no-progress",
            "--skipped-out",
            str(skipped),
            *db_option(tmp_path),
        ],
    )
    assert result.exit_code == 1
    (record,) = [orjson.loads(line) for line in skipped.read_text().splitlines()]
    assert record["file"] == str(log)
    assert record["line"] == 10
    assert record["reason"].startswith("invalid JSON")


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "ingest",
            "cowrie",
            str(tmp_path / "absent"),
            "--no-progress",
            *db_option(tmp_path),
        ],
    )
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_export_observations_fields(tmp_path: Path) -> None:
    log = write_log(tmp_path / "cowrie.json", attack_log())
    runner.invoke(
        app, ["ingest", "cowrie", str(log), "--no-progress", *db_option(tmp_path)]
    )
    out = tmp_path / "observations.jsonl"
    result = runner.invoke(
        app, ["export", "observations", "--out", str(out), *db_option(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    (record,) = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert record["ip"] == "203.0.113.5"
    assert record["session_count"] == 2
    assert record["hassh"] == ["a7a87fbe86774c2e40cc4a7ea2ab1b3c"]
    assert record["client_versions"] == ["SSH-2.0-libssh2_1.7.0"]
    assert record["payload_sha256"] == ["a" * 64]
    assert record["c2_endpoints"] == ["198.51.100.9"]
    assert record["credential_count"] == 3
    assert record["kd_digraph_simhash"] is None
    assert record["identity_id"] is None
    assert record["first_seen_at"] == "2024-04-01T10:00:00Z"


def test_jsonl_input_gives_same_features(tmp_path: Path) -> None:
    records = [
        {
            "type": "connect",
            "timestamp": "2024-04-01T10:00:00Z",
            "src_ip": "198.51.100.60",
            "sensor": "web-1",
            "session": "s1",
            "protocol": "http",
        },
        {
            "type": "login",
            "timestamp": "2024-04-01T10:00:01Z",
            "src_ip": "198.51.100.60",
            "session": "s1",
            "sensor": "web-1",
            "username": "admin",
            "password": "admin",
            "success": True,
        },
        {
            "type": "command",
            "timestamp": "2024-04-01T10:00:02Z",
            "src_ip": "198.51.100.60",
            "session": "s1",
            "sensor": "web-1",
            "input": "curl http://203.0.113.9:8080/x",
        },
        {
            "type": "tls",
            "timestamp": "2024-04-01T10:00:03Z",
            "src_ip": "198.51.100.60",
            "session": "s1",
            "sensor": "web-1",
            "ja3": "ABCDEF0123456789ABCDEF0123456789",
            "ja4": "t13d1516h2_8daaf6152771_02713d6af862",
        },
        {
            "type": "nonsense",
            "timestamp": "2024-04-01T10:00:03Z",
            "src_ip": "198.51.100.60",
        },
    ]
    log = write_log(tmp_path / "web.jsonl", records)
    result = runner.invoke(
        app, ["ingest", "jsonl", str(log), "--no-progress", *db_option(tmp_path)]
    )
    assert result.exit_code == 1
    out = tmp_path / "observations.jsonl"
    runner.invoke(
        app, ["export", "observations", "--out", str(out), *db_option(tmp_path)]
    )
    (record,) = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert record["services"] == ["http"]
    assert record["c2_endpoints"] == ["203.0.113.9:8080"]
    assert record["login_success_count"] == 1


def test_ingest_rerun_reports_unchanged_files(tmp_path: Path) -> None:
    log = write_log(tmp_path / "cowrie.json", [event("cowrie.session.connect")])
    args = ["ingest", "cowrie", str(log), "--no-progress", *db_option(tmp_path)]
    runner.invoke(app, args)
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "files already ingested" in result.output


def test_folder_without_logs_exits_two(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "cowrie.json").write_bytes(b"")
    result = runner.invoke(
        app, ["ingest", "cowrie", str(empty), "--no-progress", *db_option(tmp_path)]
    )
    assert result.exit_code == 2, result.output
    assert "nothing to ingest" in result.output


def test_unwritable_skipped_out_fails_first(tmp_path: Path) -> None:
    log = write_log(tmp_path / "cowrie.json", attack_log())
    target = tmp_path / "missing" / "skipped.jsonl"
    result = runner.invoke(
        app,
        [
            "ingest",
            "cowrie",
            str(log),
            "--no-progress",
            "--skipped-out",
            str(target),
            *db_option(tmp_path),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "cannot write --skipped-out" in result.output
    assert not (tmp_path / "cli.sqlite").exists()


def test_folder_layout_finds_ttylogs(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario"
    generated = runner.invoke(app, ["generate", "lone_wolf", str(scenario)])
    assert generated.exit_code == 0, generated.output
    result = runner.invoke(
        app, ["ingest", "cowrie", str(scenario), "--no-progress", *db_option(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert f"ttylogs from {scenario / 'tty'}" in result.output
    with sqlite3.connect(tmp_path / "cli.sqlite") as conn:
        (typed,) = conn.execute(
            "SELECT count(*) FROM attackers WHERE kd_digraph_simhash IS NOT NULL"
        ).fetchone()
    assert typed > 0
