"""`decnet generate`, `decnet eval` and `decnet export assignments`."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import yaml
from typer.testing import CliRunner

from decnet.cli.main import app

SCENARIO = {
    "name": "tiny",
    "days": 3,
    "actors": [
        {
            "name": "pair",
            "stacks": ["russh-0.51.1"],
            "ips": {"mode": "rotating", "count": 3},
            "credentials": {"success": "root:root"},
            "script": "recon_basic",
        }
    ],
    "noise": [{"name": "scanners", "count": 10, "stacks": ["libssh-0.9.6"]}],
}


def _write(tmp_path: Path, bounds: dict[str, object]) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(SCENARIO))
    (tmp_path / "tiny.bounds.yaml").write_text(yaml.safe_dump(bounds))
    return path


def test_generate_writes_layout(tmp_path: Path) -> None:
    scenario = _write(tmp_path, {})
    result = CliRunner().invoke(app, ["generate", str(scenario), str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "truth.json").is_file()
    assert list((tmp_path / "out" / "logs").glob("cowrie-*.json"))


def test_generate_rejects_unknown_scenario(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["generate", "no_such_scenario", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "scenario 'no_such_scenario' not found" in result.output


def test_eval_passes_and_writes_report(tmp_path: Path) -> None:
    scenario = _write(tmp_path, {"identity": {"homogeneity": 1.0}})
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["eval", str(scenario), "--resolver", "trivial", "--json", str(report)]
    )
    assert result.exit_code == 0, result.output
    (entry,) = orjson.loads(report.read_bytes())
    assert entry["scenario"] == "tiny"
    assert entry["identity"]["items"] == 13
    assert entry["passed"] is True


def test_eval_exits_non_zero_on_missed_bound(tmp_path: Path) -> None:
    scenario = _write(tmp_path, {"identity": {"groups_whole": 1.0}})
    result = CliRunner().invoke(app, ["eval", str(scenario), "--resolver", "trivial"])
    assert result.exit_code == 1
    assert "identity.groups_whole = 0.0000, below the bound 1.0000" in result.output


def test_eval_rejects_unknown_resolver(tmp_path: Path) -> None:
    scenario = _write(tmp_path, {})
    result = CliRunner().invoke(app, ["eval", str(scenario), "--resolver", "magic"])
    assert result.exit_code == 2
    assert "unknown resolver 'magic'" in result.output


def test_export_assignments_after_eval(tmp_path: Path) -> None:
    scenario = _write(tmp_path, {})
    keep = tmp_path / "keep"
    result = CliRunner().invoke(
        app, ["eval", str(scenario), "--resolver", "trivial", "--keep", str(keep)]
    )
    assert result.exit_code == 0, result.output
    database = keep / "tiny" / "evaluation.sqlite"
    out = tmp_path / "assignments.jsonl"
    result = CliRunner().invoke(
        app,
        ["export", "assignments", "--db", f"sqlite:///{database}", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert len(rows) == 13
    assert set(rows[0]) == {"ip", "observation_uuid", "identity_uuid", "campaign_uuid"}


def test_eval_prints_row_per_scenario(tmp_path: Path) -> None:
    first = _write(tmp_path, {})
    second = tmp_path / "other.yaml"
    second.write_text(yaml.safe_dump({**SCENARIO, "name": "other", "seed": 9}))
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            str(first),
            str(second),
            "--resolver",
            "trivial",
            "--json",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "│ trivial" in line]
    assert len(rows) == 2
    assert rows[0].lstrip("│ ").startswith("tiny")
    assert rows[1].lstrip("│ ").startswith("other")
    entries = orjson.loads(report.read_bytes())
    assert [entry["scenario"] for entry in entries] == ["tiny", "other"]


def test_trivial_resolver_is_the_floor(tmp_path: Path) -> None:
    scenario = _write(tmp_path, {})
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["eval", str(scenario), "--resolver", "trivial", "--json", str(report)]
    )
    assert result.exit_code == 0, result.output
    (entry,) = orjson.loads(report.read_bytes())
    assert entry["resolver"] == "trivial"
    assert entry["identity"]["homogeneity"] == 1.0
    assert entry["identity"]["pairwise_recall"] == 0.0
    assert entry["identity"]["groups_whole"] == 0.0


def test_generate_finds_name_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["generate", "lone_wolf", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "truth.json").is_file()


def test_generate_rejects_zero_scale(tmp_path: Path) -> None:
    scenario = _write(tmp_path, {})
    result = CliRunner().invoke(
        app, ["generate", str(scenario), str(tmp_path / "out"), "--scale", "0"]
    )
    assert result.exit_code == 2
    assert "invalid scale 0.0" in result.output


def test_generate_into_unwritable_folder(tmp_path: Path) -> None:
    scenario = _write(tmp_path, {})
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(app, ["generate", str(scenario), str(blocker / "out")])
    assert result.exit_code == 2
    assert "cannot create output folder" in result.output


def test_eval_skips_bounds_files_of_a_glob(tmp_path: Path) -> None:
    scenario = _write(tmp_path, {"identity": {"homogeneity": 1.0}})
    bounds = tmp_path / "tiny.bounds.yaml"
    result = CliRunner().invoke(
        app, ["eval", str(scenario), str(bounds), "--resolver", "trivial"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("tiny") >= 1


def test_eval_of_only_bounds_files_fails(tmp_path: Path) -> None:
    _write(tmp_path, {})
    result = CliRunner().invoke(
        app, ["eval", str(tmp_path / "tiny.bounds.yaml"), "--resolver", "trivial"]
    )
    assert result.exit_code == 2
    assert "every argument is a bounds file" in result.output
