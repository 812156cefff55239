"""`decnet db` as a user runs it: a real subprocess, one-line errors, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.cli import run_decnet


def test_status_creates_default_database(tmp_path: Path) -> None:
    result = run_decnet("db", "status", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "decnet.sqlite").exists()
    assert "observations" in result.stdout


def test_upgrade_with_db_option(tmp_path: Path) -> None:
    target = tmp_path / "other.sqlite"
    result = run_decnet("db", "upgrade", "--db", f"sqlite:///{target}", home=tmp_path)
    assert result.returncode == 0, result.stderr
    engine = sa.create_engine(f"sqlite:///{target}")
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
    assert "attacker_identities" in tables


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://postgres@127.0.0.1:notaport/x", "invalid database URL"),
        ("mysql://root@127.0.0.1:3306/", "names no database"),
        ("postgresql://postgres@127.0.0.1:5432", "names no database"),
    ],
)
def test_malformed_server_url_is_one_line_error(
    tmp_path: Path, url: str, message: str
) -> None:
    result = run_decnet("db", "status", "--db", url, home=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_scheme_is_one_line_error(tmp_path: Path) -> None:
    result = run_decnet("db", "status", "--db", "redis://127.0.0.1/0", home=tmp_path)
    assert result.returncode == 2
    assert "unsupported database URL scheme 'redis'" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line_error(tmp_path: Path) -> None:
    url = "postgresql://postgres@127.0.0.1:1/test"
    result = run_decnet("db", "upgrade", "--db", url, home=tmp_path)
    assert result.returncode == 3
    assert "cannot connect to database" in result.stderr
    assert "127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr


def test_newer_database_is_rejected(tmp_path: Path) -> None:
    target = tmp_path / "future.sqlite"
    url = f"sqlite:///{target}"
    assert run_decnet("db", "upgrade", "--db", url, home=tmp_path).returncode == 0
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM alembic_version"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('9999_future')"))
    result = run_decnet("db", "upgrade", "--db", url, home=tmp_path)
    assert result.returncode == 4
    assert "newer than this DECNET knows" in result.stderr
    assert "Traceback" not in result.stderr
