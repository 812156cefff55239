"""Write a scenario's raw honeypot output and its ground truth to a folder.

Layout of OUTDIR:

    logs/cowrie-SENSOR.json   Cowrie JSON lines, one file per sensor, in time order
    tty/NAME                  ttylogs, named as the sensor's Cowrie names them
    downloads/SHA256          downloaded files
    truth.json                ground truth (see decnet.evaluation.truth)

Output is a function of (scenario, seed, scale) only. Sessions are rendered
in start order and their events merged through a heap, so memory contains
the plan plus the sessions still open, not the logs.
"""

from __future__ import annotations

import heapq
import logging
from dataclasses import dataclass
from pathlib import Path

import orjson

from decnet.errors import InputError
from decnet.evaluation.addresses import ip_text
from decnet.evaluation.cowrie import SessionRenderer
from decnet.evaluation.plan import Plan, build_plan
from decnet.evaluation.scenario import Scenario
from decnet.evaluation.truth import TruthWriter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerateReport:
    """Counts of what `generate` wrote."""

    addresses: int
    ambiguous: int
    sessions: int
    events: int
    ttylogs: int
    downloads: int
    identities: int


def generate(
    scenario: Scenario,
    outdir: str | Path,
    *,
    seed: int | None = None,
    scale: float = 1.0,
) -> GenerateReport:
    """Generate logs, ttylogs, downloads and truth for `scenario` under `outdir`.

    `seed` defaults to the scenario's own; `scale` multiplies population
    sizes (noise counts, replicas, address pools marked `scales`). Raises
    InputError for a non-positive scale or an output folder that is not
    empty.
    """
    if not scale > 0:
        raise InputError(f"invalid scale {scale!r}: expected a number above 0")
    outdir = Path(outdir)
    if outdir.exists() and any(outdir.iterdir()):
        raise InputError(
            f"output folder {outdir} is not empty; give a new or empty folder"
        )
    try:
        for folder in ("logs", "tty", "downloads"):
            (outdir / folder).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create output folder {outdir}: {exc.strerror or exc}; "
            "give a writable folder"
        ) from None

    plan = build_plan(scenario, seed, scale)
    log.info(
        "scenario planned", extra={"scenario": scenario.name, "sessions": plan.sessions}
    )
    addresses, ambiguous, identities = _write_truth(plan, outdir / "truth.json")
    events, ttylogs, downloads = _write_logs(plan, outdir)
    return GenerateReport(
        addresses, ambiguous, plan.sessions, events, ttylogs, downloads, identities
    )


def _write_truth(plan: Plan, path: Path) -> tuple[int, int, int]:
    written = 0
    identities = 0
    with path.open("wb") as stream:
        writer = TruthWriter(stream, plan.scenario.name, plan.seed, plan.scale)
        for population in plan.populations:
            for member, value in enumerate(population.addresses.tolist()):
                writer.add(
                    ip_text(value),
                    population.member_identity(member),
                    population.campaign,
                )
            written += population.addresses.size
            identities += population.addresses.size if population.is_noise else 1
        writer.finish(
            (ip_text(address), users) for address, users in plan.exit_users.items()
        )
    return written, len(plan.exit_users), identities


def _write_logs(plan: Plan, outdir: Path) -> tuple[int, int, int]:
    renderer = SessionRenderer(plan)
    streams = [
        (outdir / "logs" / f"cowrie-{sensor.name}.json").open("wb")
        for sensor in plan.scenario.sensors
    ]
    pending: list[tuple[float, int, int, bytes]] = []
    ttylogs: set[str] = set()
    downloads: set[str] = set()
    events = 0
    order = 0
    try:
        for index in range(plan.sessions):
            start = float(plan.start[index])
            while pending and pending[0][0] <= start:
                _, _, sensor, line = heapq.heappop(pending)
                streams[sensor].write(line)
            output = renderer.render(index)
            sensor = int(plan.sensor[index])
            for timestamp, event in output.events:
                heapq.heappush(
                    pending, (timestamp, order, sensor, orjson.dumps(event) + b"\n")
                )
                order += 1
            events += len(output.events)
            if output.ttylog is not None and output.ttylog[0] not in ttylogs:
                name, content = output.ttylog
                (outdir / "tty" / name).write_bytes(content)
                ttylogs.add(name)
            for digest, content in output.downloads:
                if digest not in downloads:
                    (outdir / "downloads" / digest).write_bytes(content)
                    downloads.add(digest)
        while pending:
            _, _, sensor, line = heapq.heappop(pending)
            streams[sensor].write(line)
    finally:
        for stream in streams:
            stream.close()
    return events, len(ttylogs), len(downloads)
