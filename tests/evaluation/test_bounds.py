"""Bounds files: validation, checking, and that bounds only ever go up."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from decnet.errors import InputError
from decnet.evaluation.bounds import Bounds, check_bounds, parse_bounds
from decnet.evaluation.metrics import score

ROOT = Path(__file__).resolve().parents[2]
BOUNDS = sorted((ROOT / "scenarios").glob("*.bounds.yaml"))


def test_unknown_metric_is_rejected() -> None:
    with pytest.raises(InputError, match="unknown metric 'bcubed_f2'"):
        parse_bounds({"identity": {"bcubed_f2": 0.5}}, "x.bounds.yaml")


def test_unknown_key_is_rejected() -> None:
    with pytest.raises(
        InputError, match="x.bounds.yaml: invalid bounds\n  minimum: unknown key"
    ):
        parse_bounds({"minimum": {}}, "x.bounds.yaml")


def test_lowering_needs_a_reason() -> None:
    entry = {"metric": "identity.ari", "previous": 0.5, "value": 0.4, "reason": "x"}
    with pytest.raises(InputError, match="lowered.0.reason"):
        parse_bounds({"lowered": [entry]}, "x.bounds.yaml")


def test_check_reports_each_miss() -> None:
    scores = score(["a", "a", "b"], [1, 2, 3])
    bounds = Bounds(identity={"bcubed_recall": 0.9, "homogeneity": 1.0})
    misses = check_bounds(bounds, scores, scores)
    assert [miss.metric for miss in misses] == ["identity.bcubed_recall"]


def test_undefined_metric_passes() -> None:
    scores = score(["a", "a"], [1, 1])
    bounds = Bounds(identity={"singleton_recall": 1.0})
    assert check_bounds(bounds, scores, scores) == []


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def _versions(path: Path) -> list[dict[str, object]]:
    """Return the committed versions of `path`, oldest first, then the working copy."""
    relative = str(path.relative_to(ROOT))
    commits = _git("log", "--format=%H", "--", relative).split()
    versions = [
        yaml.safe_load(_git("show", f"{commit}:{relative}"))
        for commit in reversed(commits)
    ]
    versions.append(yaml.safe_load(path.read_text()))
    return versions


def _lowered_without_reason(older: dict, newer: dict) -> list[str]:
    reasons = {entry["metric"] for entry in newer.get("lowered") or []}
    problems = []
    for level in ("identity", "campaign"):
        before = older.get(level) or {}
        after = newer.get(level) or {}
        for metric, bound in before.items():
            key = f"{level}.{metric}"
            if (metric not in after or after[metric] < bound) and key not in reasons:
                problems.append(f"{key}: {bound} -> {after.get(metric, 'removed')}")
    return problems


@pytest.mark.parametrize(
    "path", BOUNDS, ids=lambda p: p.name.removesuffix(".bounds.yaml")
)
def test_bounds_are_only_raised(path: Path) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout; bound history is unavailable")
    versions = _versions(path)
    for older, newer in zip(versions, versions[1:], strict=False):
        assert _lowered_without_reason(older, newer) == []


def test_lowering_without_entry_is_detected() -> None:
    older = {"identity": {"ari": 0.5}}
    newer = {"identity": {"ari": 0.4}}
    assert _lowered_without_reason(older, newer) == ["identity.ari: 0.5 -> 0.4"]


def test_lowering_with_entry_is_accepted() -> None:
    older = {"identity": {"ari": 0.5}}
    newer = {"identity": {"ari": 0.4}, "lowered": [{"metric": "identity.ari"}]}
    assert _lowered_without_reason(older, newer) == []
