"""Every repository scenario, end to end, meets its bounds file.

Runs generate -> ingest -> resolve -> export -> score at the size the
bounds file names, with the identity clusterer when it is installed and
the trivial resolver otherwise. Ingest must also read every generated
line without a skip, a warning or an unknown event.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from decnet.evaluation.resolvers import default_resolver
from decnet.evaluation.runner import evaluate

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
SCENARIOS = sorted(
    p for p in SCENARIO_DIR.glob("*.yaml") if not p.name.endswith(".bounds.yaml")
)


def test_every_scenario_has_bounds() -> None:
    for path in SCENARIOS:
        assert (SCENARIO_DIR / f"{path.stem}.bounds.yaml").is_file(), path.name


def test_required_scenarios_exist() -> None:
    required = {
        "shared_wordlist",
        "vpn_hopping",
        "lone_wolf",
        "paused_campaign",
        "multi_operator",
        "noise_floor",
        "slow_burn",
        "common_fingerprint",
        "shared_exit",
        "botnet",
        "public_tool",
        "keystroke_only",
    }
    assert required <= {path.stem for path in SCENARIOS}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
async def test_scenario_meets_bounds(path: Path, tmp_path: Path) -> None:
    result = await evaluate(path, resolver=default_resolver(), workdir=tmp_path)
    assert result.missing == 0, f"{result.missing} truth addresses were not ingested"
    assert result.unexpected == 0
    assert result.ingest["skipped"] == 0, result.ingest["skipped_by_reason"]
    assert result.ingest["hassh_mismatches"] == 0
    assert result.ingest["unknown_events"] == {}
    assert result.ingest["events"] == result.generated.events
    assert result.ingest["warnings"] == {}
    assert not result.misses, "\n".join(str(miss) for miss in result.misses)
