"""`decnet export` as a user runs it: files, devices and unwritable paths."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.support.cli import run_decnet


@pytest.mark.parametrize("what", ["observations", "assignments"])
def test_export_to_missing_folder_fails(tmp_path: Path, what: str) -> None:
    target = tmp_path / "missing" / "out.jsonl"
    result = run_decnet("export", what, "--out", str(target), home=tmp_path)
    assert result.returncode == 2
    assert f"cannot write {target}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not target.parent.exists()


@pytest.mark.parametrize("what", ["observations", "assignments"])
def test_export_to_file_leaves_no_partial(tmp_path: Path, what: str) -> None:
    target = tmp_path / "out.jsonl"
    result = run_decnet("export", what, "--out", str(target), home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert target.is_file()
    assert not (tmp_path / "out.jsonl.part").exists()


def test_export_to_device_keeps_device(tmp_path: Path) -> None:
    device = Path("/dev/null")
    if not device.exists():
        pytest.skip("/dev/null is missing on this system")
    result = run_decnet("export", "observations", "--out", str(device), home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(device.stat().st_mode)
