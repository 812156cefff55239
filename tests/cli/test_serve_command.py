"""`decnet serve` start-up errors: one line and an exit status, no traceback."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import run_decnet
from tests.web.sse import free_port


def test_serve_unreachable_database_exits_three(tmp_path: Path) -> None:
    closed = free_port()
    result = run_decnet(
        "serve",
        "--port",
        str(free_port()),
        "--db",
        f"postgresql://postgres@127.0.0.1:{closed}/none",
        home=tmp_path,
    )
    assert result.returncode == 3
    assert "cannot connect to database" in result.stderr
    assert "serving on" not in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_foreign_address_names_host(tmp_path: Path) -> None:
    result = run_decnet(
        "serve", "--host", "203.0.113.9", "--port", str(free_port()), home=tmp_path
    )
    assert result.returncode == 2
    assert "pass --host with an address of this machine" in result.stderr
