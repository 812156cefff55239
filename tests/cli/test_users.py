"""`decnet users` as a script runs it: passwords on standard input."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from decnet.web.api.security import verify_password
from tests.support.cli import run_decnet


def _hash_of(home: Path, name: str) -> str | None:
    engine = sa.create_engine(f"sqlite:///{home / 'decnet.sqlite'}")
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT password_hash FROM users WHERE username = :n"), {"n": name}
        ).first()
    engine.dispose()
    return None if row is None else str(row[0])


def test_add_reads_password_from_stdin(tmp_path: Path) -> None:
    result = run_decnet(
        "users",
        "add",
        "anna",
        "--role",
        "analyst",
        home=tmp_path,
        stdin="s3cret-pass\n",
    )
    assert result.returncode == 0, result.stderr
    stored = _hash_of(tmp_path, "anna")
    assert stored is not None
    assert verify_password(stored, "s3cret-pass")


def test_add_rejects_unknown_role(tmp_path: Path) -> None:
    result = run_decnet(
        "users", "add", "anna", "--role", "root", home=tmp_path, stdin="s3cret-pass\n"
    )
    assert result.returncode == 2
    assert "invalid role 'root'" in result.stderr


def test_add_rejects_short_password(tmp_path: Path) -> None:
    result = run_decnet("users", "add", "anna", home=tmp_path, stdin="short\n")
    assert result.returncode == 2
    assert "invalid password" in result.stderr


def test_add_rejects_empty_stdin(tmp_path: Path) -> None:
    result = run_decnet("users", "add", "anna", home=tmp_path, stdin="")
    assert result.returncode == 2
    assert "no password on standard input" in result.stderr


def test_add_twice_fails(tmp_path: Path) -> None:
    run_decnet("users", "add", "anna", home=tmp_path, stdin="s3cret-pass\n")
    result = run_decnet("users", "add", "anna", home=tmp_path, stdin="s3cret-pass\n")
    assert result.returncode == 1
    assert "already exists" in result.stderr


def test_passwd_list_remove(tmp_path: Path) -> None:
    run_decnet("users", "add", "anna", home=tmp_path, stdin="s3cret-pass\n")
    run_decnet(
        "users", "add", "adam", "--role", "admin", home=tmp_path, stdin="s3cret-pass\n"
    )

    changed = run_decnet(
        "users", "passwd", "anna", home=tmp_path, stdin="another-pass\n"
    )
    assert changed.returncode == 0, changed.stderr
    assert verify_password(_hash_of(tmp_path, "anna"), "another-pass")

    listed = run_decnet("users", "list", home=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "anna" in listed.stdout
    assert "analyst" not in listed.stdout
    assert "viewer" in listed.stdout

    removed = run_decnet("users", "remove", "anna", home=tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert _hash_of(tmp_path, "anna") is None


def test_remove_last_admin_fails(tmp_path: Path) -> None:
    run_decnet(
        "users", "add", "adam", "--role", "admin", home=tmp_path, stdin="s3cret-pass\n"
    )
    result = run_decnet("users", "remove", "adam", home=tmp_path)
    assert result.returncode == 1
    assert "last admin" in result.stderr


def test_passwd_unknown_user_fails(tmp_path: Path) -> None:
    result = run_decnet(
        "users", "passwd", "ghost", home=tmp_path, stdin="s3cret-pass\n"
    )
    assert result.returncode == 1
    assert "not found" in result.stderr
