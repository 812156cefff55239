"""Bounds files: the minimum score each scenario must reach.

`scenarios/NAME.bounds.yaml` sits beside `scenarios/NAME.yaml`:

    scale: 0.5            # size the CI run uses (default 1.0)
    seed: 7               # optional; default the scenario's seed
    identity:             # minimum per metric at identity level
      bcubed_f1: 0.4
    campaign:
      ari: 0.0
    lowered:              # every bound ever lowered, with the reason
      - metric: identity.homogeneity
        previous: 1.0
        value: 0.95
        reason: ...

A bound is only raised. A test compares each committed version of a bounds
file with the one before, and fails when a bound went down without a
`lowered` entry for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from decnet.errors import InputError
from decnet.evaluation.metrics import METRIC_NAMES, Scores


class Lowering(BaseModel):
    """A bound that was lowered, and why."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(pattern=r"^(identity|campaign)\.[a-z0-9_]+$")
    previous: float
    value: float
    reason: str = Field(min_length=20)


def _check_metrics(value: dict[str, float]) -> dict[str, float]:
    for name, bound in value.items():
        if name not in METRIC_NAMES:
            raise ValueError(
                f"unknown metric {name!r}; expected one of {', '.join(METRIC_NAMES)}"
            )
        if not -1.0 <= bound <= 1.0:
            raise ValueError(f"bound {name}: {bound} must lie within -1..1")
    return value


class Bounds(BaseModel):
    """Minimum scores for one scenario at one size."""

    model_config = ConfigDict(extra="forbid")

    scale: float = Field(default=1.0, gt=0)
    seed: int | None = Field(default=None, ge=0)
    identity: dict[str, float] = Field(default_factory=dict)
    campaign: dict[str, float] = Field(default_factory=dict)
    lowered: list[Lowering] = Field(default_factory=list)

    _identity = field_validator("identity")(_check_metrics)
    _campaign = field_validator("campaign")(_check_metrics)

    def flat(self) -> dict[str, float]:
        """Return every bound keyed `level.metric`."""
        result = {f"identity.{k}": v for k, v in self.identity.items()}
        result.update({f"campaign.{k}": v for k, v in self.campaign.items()})
        return result


@dataclass(frozen=True)
class Miss:
    """A metric below its bound."""

    metric: str
    bound: float
    value: float | None

    def __str__(self) -> str:
        shown = "undefined" if self.value is None else f"{self.value:.4f}"
        return f"{self.metric} = {shown}, below the bound {self.bound:.4f}"


def bounds_path(scenario_path: str | Path) -> Path:
    """Return the bounds file beside a scenario file (`NAME.bounds.yaml`)."""
    path = Path(scenario_path)
    return path.with_name(f"{path.name.removesuffix('.yaml')}.bounds.yaml")


def parse_bounds(data: Any, source: str) -> Bounds:
    """Validate a parsed bounds document; raise InputError naming `source`."""
    try:
        return Bounds.model_validate(data or {})
    except ValidationError as exc:
        lines = [f"{source}: invalid bounds"]
        for error in exc.errors(include_url=False):
            where = ".".join(str(part) for part in error["loc"]) or "(top level)"
            message = (
                "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            )
            lines.append(f"  {where}: {message}")
        raise InputError("\n".join(lines)) from None


def load_bounds(path: str | Path) -> Bounds:
    """Read a bounds file; a missing file means no bounds."""
    path = Path(path)
    if not path.exists():
        return Bounds()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read bounds {path}: {exc}") from None
    return parse_bounds(data, str(path))


def check_bounds(bounds: Bounds, identity: Scores, campaign: Scores) -> list[Miss]:
    """Return every bound the scores miss.

    An undefined metric (None, for example singleton recall when the truth
    has no singletons) passes, because there is nothing it could miss.
    """
    misses = []
    for level, scores, limits in (
        ("identity", identity, bounds.identity),
        ("campaign", campaign, bounds.campaign),
    ):
        values = scores.as_dict()
        for name, bound in sorted(limits.items()):
            value = values[name]
            if value is not None and value < bound - 1e-9:
                misses.append(Miss(f"{level}.{name}", bound, value))
    return misses
