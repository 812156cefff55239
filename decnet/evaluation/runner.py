"""Run a scenario end to end: generate, ingest, resolve, export, score.

Each run uses a fresh temporary folder and SQLite database, so runs never
see each other's rows. The scores leave ambiguous addresses out. An
address in the truth that ingest did not turn into an observation counts
as a group of its own, so it costs recall, and is reported as missing.
"""

from __future__ import annotations

import importlib
import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from decnet.errors import ConfigError
from decnet.evaluation.assignments import Assignment, iter_assignments
from decnet.evaluation.bounds import (
    Bounds,
    Miss,
    bounds_path,
    check_bounds,
    load_bounds,
)
from decnet.evaluation.generator import GenerateReport, generate
from decnet.evaluation.metrics import Scores, score
from decnet.evaluation.resolvers import get_resolver
from decnet.evaluation.scenario import load_scenario
from decnet.evaluation.truth import Truth, read_truth
from decnet.web.db.engine import create_engine
from decnet.web.db.migrate import upgrade

log = logging.getLogger(__name__)


@dataclass
class ScenarioResult:
    """Everything one evaluation run measured."""

    scenario: str
    resolver: str
    seed: int
    scale: float
    generated: GenerateReport
    identity: Scores
    campaign: Scores
    excluded_ambiguous: int
    missing: int
    unexpected: int
    ingest: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)
    bounds: Bounds = field(default_factory=Bounds)

    @property
    def passed(self) -> bool:
        return not self.misses

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "resolver": self.resolver,
            "seed": self.seed,
            "scale": self.scale,
            "generated": self.generated.__dict__,
            "excluded_ambiguous": self.excluded_ambiguous,
            "missing": self.missing,
            "unexpected": self.unexpected,
            "ingest": self.ingest,
            "identity": self.identity.as_dict(),
            "campaign": self.campaign.as_dict(),
            "seconds": self.seconds,
            "bounds": self.bounds.flat(),
            "misses": [str(miss) for miss in self.misses],
            "passed": self.passed,
        }


def score_assignments(
    truth: Truth, assignments: list[Assignment]
) -> tuple[Scores, Scores, int, int]:
    """Score assignments against the truth at identity and campaign level.

    Returns (identity scores, campaign scores, missing, unexpected): how many
    truth addresses had no observation, and how many observations had no
    truth entry (those are not scored).
    """
    by_ip = {row["ip"]: row for row in assignments}
    ambiguous = set(truth.ambiguous)
    true_identity: list[str] = []
    true_campaign: list[str] = []
    predicted_identity: list[str] = []
    predicted_campaign: list[str] = []
    missing = 0
    for ip, identity in truth.identity.items():
        if ip in ambiguous:
            continue
        campaign = truth.campaign.get(ip)
        true_identity.append(identity)
        true_campaign.append(
            f"campaign:{campaign}" if campaign else f"identity:{identity}"
        )
        row = by_ip.get(ip)
        if row is None:
            missing += 1
            label = f"missing:{ip}"
            predicted_identity.append(label)
            predicted_campaign.append(label)
            continue
        label = row["identity_uuid"] or f"observation:{row['observation_uuid']}"
        predicted_identity.append(label)
        predicted_campaign.append(
            f"campaign:{row['campaign_uuid']}" if row["campaign_uuid"] else label
        )
    unexpected = sum(
        1 for ip in by_ip if ip not in truth.identity and ip not in ambiguous
    )
    return (
        score(true_identity, predicted_identity),
        score(true_campaign, predicted_campaign),
        missing,
        unexpected,
    )


async def _ingest(engine: Any, outdir: Path) -> Any:
    try:
        module = importlib.import_module("decnet.ingest.cowrie")
    except ImportError as exc:
        raise ConfigError(f"Cowrie ingest is not available: {exc}") from None
    paths = sorted((outdir / "logs").glob("cowrie*.json"))
    return await module.ingest_paths(
        engine, paths, tty_dir=outdir / "tty", downloads_dir=outdir / "downloads"
    )


def _ingest_summary(report: Any) -> dict[str, Any]:
    """Return the ingest counts that show whether generated logs parse cleanly."""
    return {
        "lines": report.lines,
        "events": report.events,
        "skipped": report.skipped_count,
        "skipped_by_reason": dict(report.skipped_by_reason),
        "hassh_mismatches": report.hassh_mismatches,
        "unknown_events": dict(report.unknown_events),
        "warnings": dict(report.warnings),
    }


async def evaluate(
    scenario_path: str | Path,
    *,
    resolver: str,
    scale: float | None = None,
    seed: int | None = None,
    workdir: str | Path | None = None,
) -> ScenarioResult:
    """Run one scenario end to end and check it against its bounds file.

    `scale` and `seed` default to the bounds file's (then 1.0 and the
    scenario's seed). `workdir` keeps the generated files and database
    there instead of in a temporary folder that is removed afterwards.
    """
    scenario = load_scenario(scenario_path)
    bounds = load_bounds(bounds_path(scenario_path))
    scale = bounds.scale if scale is None else scale
    if seed is None:
        seed = scenario.seed if bounds.seed is None else bounds.seed
    run_resolver = get_resolver(resolver)
    with tempfile.TemporaryDirectory(
        prefix=f"decnet-eval-{scenario.name}-"
    ) as temporary:
        base = Path(workdir) if workdir is not None else Path(temporary)
        outdir = base / "generated"
        seconds: dict[str, float] = {}

        began = time.perf_counter()
        generated = generate(scenario, outdir, seed=seed, scale=scale)
        seconds["generate"] = time.perf_counter() - began

        engine = create_engine(f"sqlite:///{base / 'evaluation.sqlite'}")
        try:
            await upgrade(engine)
            began = time.perf_counter()
            ingest_report = await _ingest(engine, outdir)
            seconds["ingest"] = time.perf_counter() - began

            began = time.perf_counter()
            await run_resolver(engine)
            seconds["resolve"] = time.perf_counter() - began

            assignments = [row async for row in iter_assignments(engine)]
        finally:
            await engine.dispose()

        truth = read_truth(outdir / "truth.json")
    identity, campaign, missing, unexpected = score_assignments(truth, assignments)
    misses = check_bounds(bounds, identity, campaign)
    result = ScenarioResult(
        scenario=scenario.name,
        resolver=resolver,
        seed=seed,
        scale=scale,
        generated=generated,
        identity=identity,
        campaign=campaign,
        excluded_ambiguous=len(truth.ambiguous),
        missing=missing,
        unexpected=unexpected,
        ingest=_ingest_summary(ingest_report),
        seconds=seconds,
        misses=misses,
        bounds=bounds,
    )
    log.info(
        "scenario evaluated",
        extra={
            "scenario": scenario.name,
            "resolver": resolver,
            "passed": result.passed,
        },
    )
    return result
