"""Turn a scenario into actors with addresses and a time-ordered session plan.

Planning fixes everything that the ground truth depends on (who owns which
address, when each session starts) before any log line is written. The
plan keeps sessions in numpy arrays so that a million-address scenario fits
in a few hundred megabytes.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field

import numpy as np

from decnet.evaluation.addresses import AddressAllocator, domain_name
from decnet.evaluation.scenario import (
    ActorSpec,
    NoiseSpec,
    Scenario,
    ScheduleSpec,
)

DAY = 86_400.0


def scaled(count: int, scale: float) -> int:
    """Return `count` multiplied by `scale`, rounded, at least 1."""
    return max(1, int(round(count * scale)))


def derive_seed(*parts: object) -> int:
    """Return a 63-bit seed that depends only on `parts` (stable across runs)."""
    text = "\x1f".join(str(part) for part in parts).encode()
    high = zlib.crc32(text)
    low = zlib.crc32(text[::-1] + b"\x00")
    return ((high << 31) ^ low) & ((1 << 63) - 1)


@dataclass
class Population:
    """One actor instance, or a whole noise population (one scanner per member).

    `identity` is the ground-truth identity label; noise members append
    `#N`. `days` lists the scenario days on which the population may act.
    """

    index: int
    spec: ActorSpec | NoiseSpec
    identity: str
    campaign: str | None
    sensors: list[int]
    days: np.ndarray
    seed: int
    addresses: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint32))
    stack_of_member: np.ndarray | None = None

    @property
    def is_noise(self) -> bool:
        return isinstance(self.spec, NoiseSpec)

    def member_identity(self, member: int) -> str:
        return f"{self.identity}#{member}" if self.is_noise else self.identity


@dataclass
class Plan:
    """Populations, exits and sessions sorted by start time.

    Session arrays are parallel: `start` (epoch seconds), `population`,
    `member` (noise scanner number, 0 for actors), `address` (IPv4 integer),
    `sensor` (index into the scenario's sensors) and `serial` (per-population
    session number, for seeding).
    """

    scenario: Scenario
    seed: int
    scale: float
    populations: list[Population]
    exits: dict[str, np.ndarray]
    exit_users: dict[int, list[str]]
    start: np.ndarray
    population: np.ndarray
    member: np.ndarray
    address: np.ndarray
    sensor: np.ndarray
    serial: np.ndarray

    @property
    def sessions(self) -> int:
        return int(self.start.shape[0])


def _active_days(
    scenario: Scenario, schedule: ScheduleSpec, window: tuple[int, int] | None
) -> np.ndarray:
    first, last = window or schedule.days or (0, scenario.days - 1)
    days = np.arange(first, last + 1)
    for pause_first, pause_last in schedule.pauses:
        days = days[(days < pause_first) | (days > pause_last)]
    if days.size == 0:
        # NOTE: pauses that cover the whole window leave the actor one day.
        days = np.array([first])
    return days


def _phase_windows(scenario: Scenario) -> dict[str, tuple[int, int]]:
    windows: dict[str, tuple[int, int]] = {}
    for campaign in scenario.campaigns:
        ends: dict[str, int] = {}
        for phase in campaign.phases:
            if phase.days is not None:
                first, last = phase.days
            elif phase.after is not None:
                first = min(ends[phase.after] + phase.gap_days, scenario.days - 1)
                last = min(first + phase.length_days - 1, scenario.days - 1)
            else:
                first, last = 0, min(phase.length_days - 1, scenario.days - 1)
            ends[phase.name] = last
            previous = windows.get(phase.actor)
            if previous:
                first, last = min(first, previous[0]), max(last, previous[1])
            windows[phase.actor] = (first, last)
    return windows


def _sensor_indexes(scenario: Scenario, names: list[str] | None) -> list[int]:
    order = [sensor.name for sensor in scenario.sensors]
    if not names:
        return list(range(len(order)))
    return [order.index(name) for name in names]


def build_populations(scenario: Scenario, seed: int, scale: float) -> list[Population]:
    """Instantiate actors (with campaign and actor replicas) and noise populations."""
    windows = _phase_windows(scenario)
    members = scenario.campaign_members()
    populations: list[Population] = []

    def add(spec: ActorSpec | NoiseSpec, identity: str, campaign: str | None) -> None:
        populations.append(
            Population(
                index=len(populations),
                spec=spec,
                identity=identity,
                campaign=campaign,
                sensors=_sensor_indexes(scenario, spec.sensors),
                days=_active_days(scenario, spec.schedule, windows.get(spec.name)),
                seed=derive_seed(seed, scenario.name, identity),
            )
        )

    actors = {actor.name: actor for actor in scenario.actors}
    for campaign in scenario.campaigns:
        copies = scaled(campaign.replicas, scale)
        seen: list[str] = []
        for phase in campaign.phases:
            if phase.actor not in seen:
                seen.append(phase.actor)
        for copy in range(copies):
            label = campaign.name if copies == 1 else f"{campaign.name}#{copy}"
            for name in seen:
                identity = name if copies == 1 else f"{label}.{name}"
                add(actors[name], identity, label)
    for actor in scenario.actors:
        if actor.name in members:
            continue
        # An actor whose address pool scales (a botnet) grows in nodes, not
        # in copies of itself.
        copies = actor.replicas if actor.ips.scales else scaled(actor.replicas, scale)
        for copy in range(copies):
            add(actor, actor.name if copies == 1 else f"{actor.name}#{copy}", None)
    for noise in scenario.noise:
        add(noise, noise.name, None)
    return populations


def _start_times(
    rng: np.random.Generator,
    scenario: Scenario,
    days: np.ndarray,
    hours: tuple[int, int],
    count: int,
) -> np.ndarray:
    base = scenario.start.timestamp()
    day = days[rng.integers(0, days.size, size=count)]
    hour = rng.integers(hours[0], hours[1] + 1, size=count)
    return base + day * DAY + hour * 3600.0 + rng.random(count) * 3600.0


def build_plan(scenario: Scenario, seed: int | None = None, scale: float = 1.0) -> Plan:
    """Allocate addresses and schedule every session of the scenario."""
    seed = scenario.seed if seed is None else seed
    populations = build_populations(scenario, seed, scale)
    rng = np.random.default_rng(derive_seed(seed, scenario.name, "addresses"))
    allocator = AddressAllocator(rng)

    exits = {spec.name: allocator.take(1) for spec in scenario.exits}
    exit_users: dict[int, list[str]] = {}
    chunks: list[tuple[np.ndarray, ...]] = []

    for population in populations:
        prng = np.random.default_rng(population.seed)
        spec = population.spec
        if isinstance(spec, NoiseSpec):
            chunks.append(
                _plan_noise(scenario, population, spec, allocator, prng, scale)
            )
            continue
        pool = spec.ips
        count = scaled(pool.count, scale) if pool.scales else pool.count
        if pool.mode == "sticky":
            networks = pool.networks or 1
        else:
            networks = pool.networks or count
        population.addresses = allocator.take(count, allocator.networks(networks))
        per_address = prng.integers(spec.sessions[0], spec.sessions[1] + 1, size=count)
        addresses = np.repeat(population.addresses, per_address)
        for exit_name in pool.exits:
            exit_address = int(exits[exit_name][0])
            exit_users.setdefault(exit_address, []).append(population.identity)
            extra = max(1, int(round(addresses.size * pool.exit_share)))
            addresses = np.concatenate(
                [addresses, np.full(extra, exit_address, dtype=np.uint32)]
            )
        total = addresses.size
        starts = _start_times(
            prng, scenario, population.days, spec.schedule.hours, total
        )
        sensors = np.array(population.sensors)[
            prng.integers(0, len(population.sensors), size=total)
        ]
        chunks.append(
            (
                starts,
                np.full(total, population.index, dtype=np.int32),
                np.zeros(total, dtype=np.int64),
                addresses,
                sensors.astype(np.int16),
                np.arange(total, dtype=np.int64),
            )
        )

    columns = [np.concatenate([chunk[i] for chunk in chunks]) for i in range(6)]
    order = np.argsort(columns[0], kind="stable")
    start, population_index, member, address, sensor, serial = (
        column[order] for column in columns
    )
    return Plan(
        scenario=scenario,
        seed=seed,
        scale=scale,
        populations=populations,
        exits=exits,
        exit_users=exit_users,
        start=start,
        population=population_index,
        member=member,
        address=address,
        sensor=sensor,
        serial=serial,
    )


def _plan_noise(
    scenario: Scenario,
    population: Population,
    spec: NoiseSpec,
    allocator: AddressAllocator,
    prng: np.random.Generator,
    scale: float,
) -> tuple[np.ndarray, ...]:
    count = scaled(spec.count, scale)
    population.addresses = allocator.take(count)
    weights = np.array(spec.weights or [1.0] * len(spec.stacks), dtype=float)
    population.stack_of_member = prng.choice(
        len(spec.stacks), size=count, p=weights / weights.sum()
    ).astype(np.int16)
    per_member = prng.integers(spec.sessions[0], spec.sessions[1] + 1, size=count)
    total = int(per_member.sum())
    members = np.repeat(np.arange(count, dtype=np.int64), per_member)
    addresses = population.addresses[members]
    starts = _start_times(prng, scenario, population.days, spec.schedule.hours, total)
    sensors = np.array(population.sensors)[
        prng.integers(0, len(population.sensors), size=total)
    ]
    return (
        starts,
        np.full(total, population.index, dtype=np.int32),
        members,
        addresses,
        sensors.astype(np.int16),
        np.arange(total, dtype=np.int64),
    )


def c2_domains(population: Population, count: int) -> list[str]:
    """Return the population's base C2 domains, stable for its seed."""
    rng = random.Random(derive_seed(population.seed, "c2"))
    return [domain_name(rng) for _ in range(count)]
