"""Scenario files: actors, campaigns and noise that the generator turns into logs.

A scenario is YAML validated by the pydantic models below, which reject
unknown keys. `check_references` then checks it as a whole. Every stack,
wordlist, script, sensor, exit, actor and phase named must exist, and
settings must be possible: a day window inside the scenario, no more
networks than addresses, an exit shared by as many actors as it declares.
`load_scenario` raises InputError whose message names the file, the key path
(`actors[2].ips.mode`) and what is expected, one line per problem.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from decnet.errors import InputError
from decnet.evaluation.library import PLACEHOLDER, PLACEHOLDERS, SCRIPTS, WORDLISTS
from decnet.evaluation.stacks import load_stacks

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,47}$")]
CowrieFormat = Literal["cowrie-2018", "cowrie-2022", "cowrie-2026"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_range(value: tuple[int, int], low: int, high: int) -> tuple[int, int]:
    if value[0] > value[1]:
        raise ValueError(f"first value {value[0]} is above second value {value[1]}")
    if value[0] < low or value[1] > high:
        raise ValueError(f"values must lie within {low}..{high}")
    return value


class SensorSpec(_Strict):
    """One honeypot: its name in the logs and the Cowrie log generation it writes.

    `cowrie-2018` carries the algorithm lists on `cowrie.client.version` and
    has no HASSH; `cowrie-2022` adds `cowrie.client.kex` with the HASSH;
    `cowrie-2026` also writes `duration_ms`, `protocol` and `uuid` on every event.
    """

    name: Name
    format: CowrieFormat = "cowrie-2022"


class ExitSpec(_Strict):
    """An address several actors send traffic through (Tor exit, carrier NAT)."""

    name: Name
    shared_by: int = Field(ge=2, le=1000)


class IpPoolSpec(_Strict):
    """Source addresses of an actor.

    `sticky` keeps `count` addresses in `networks` /16 networks (a VPS or
    two); `rotating` spreads them over many networks (a VPN or proxy pool,
    botnet nodes). `exits` adds shared exit addresses that carry
    `exit_share` of the actor's sessions. With `scales: true` the count is
    multiplied by `--scale` (botnet nodes); otherwise it is fixed.
    """

    mode: Literal["sticky", "rotating"] = "sticky"
    count: int = Field(default=1, ge=1, le=10_000_000)
    networks: int | None = Field(default=None, ge=1)
    exits: list[Name] = Field(default_factory=list)
    exit_share: float = Field(default=0.3, ge=0.0, le=1.0)
    scales: bool = False

    @model_validator(mode="after")
    def _networks_fit(self) -> IpPoolSpec:
        if self.networks is not None and self.networks > self.count:
            raise ValueError(
                f"networks ({self.networks}) cannot exceed count ({self.count}): "
                "each network needs at least one address"
            )
        return self


class CredentialSpec(_Strict):
    """Passwords an actor tries: `tries` pairs from `wordlist`, then `success`.

    Pairs are `username:password`. Without `success` every attempt fails and
    the session ends after the last one.
    """

    wordlist: Name | None = None
    tries: tuple[int, int] = (1, 4)
    own: list[str] = Field(default_factory=list)
    success: str | None = None

    @field_validator("tries")
    @classmethod
    def _tries_range(cls, value: tuple[int, int]) -> tuple[int, int]:
        return _check_range(value, 0, 500)

    @field_validator("own")
    @classmethod
    def _own_pairs(cls, value: list[str]) -> list[str]:
        for pair in value:
            if ":" not in pair:
                raise ValueError(f"{pair!r} is not a username:password pair")
        return value

    @field_validator("success")
    @classmethod
    def _success_pair(cls, value: str | None) -> str | None:
        if value is not None and ":" not in value:
            raise ValueError(f"{value!r} is not a username:password pair")
        return value


class PayloadSpec(_Strict):
    """A file the actor downloads.

    `family` names the code base: builds of one family share most bytes.
    `builds` distinct builds (each a new SHA-256) are cycled through;
    `per_session: true` makes a fresh build for every session. Builds carry
    the actor's own configuration unless `shared: true`, which gives every
    actor of the family the same files (a campaign's common kit). A `url`
    fixes the download address (a public release on a code forge) instead
    of the actor's C2.
    """

    family: Name
    builds: int = Field(default=1, ge=1, le=100_000)
    per_session: bool = False
    shared: bool = False
    size: int = Field(default=4096, ge=64, le=1_048_576)
    url: str | None = Field(default=None, pattern=r"^https?://[^\s/]+/\S*$")


class C2Spec(_Strict):
    """Command-and-control hosts: a domain per session or a fixed set.

    `rotate: per_session` makes a fresh subdomain of one of `domains` base
    domains for each session (fast-flux style); `fixed` uses the base
    domains as they are. `hosts` names the base domains (or addresses)
    instead of drawing `domains` random ones, so that several actors can
    share infrastructure.
    """

    domains: int = Field(default=1, ge=1, le=1000)
    hosts: list[str] | None = None
    rotate: Literal["per_session", "fixed"] = "fixed"
    port: int = Field(default=80, ge=1, le=65535)
    ip_hosts: bool = False


class TypingSpec(_Strict):
    """Input delivery to the shell.

    `typed`: one key per record, with a per-actor rhythm around `mean_ms`
    between keys (each digraph has its own stable speed), `jitter` as the
    relative spread and `typo_rate` as the share of keys corrected with
    backspace. `pasted`: each command line arrives in one record.
    """

    mode: Literal["typed", "pasted"] = "pasted"
    mean_ms: float = Field(default=180.0, ge=20.0, le=2000.0)
    jitter: float = Field(default=0.25, ge=0.0, le=1.0)
    typo_rate: float = Field(default=0.02, ge=0.0, le=0.5)
    think_s: tuple[float, float] = (1.0, 6.0)


class ScheduleSpec(_Strict):
    """When an actor is active: day window, UTC hours and pauses (in days)."""

    days: tuple[int, int] | None = None
    hours: tuple[int, int] = (0, 23)
    pauses: list[tuple[int, int]] = Field(default_factory=list)

    @field_validator("hours")
    @classmethod
    def _hours_range(cls, value: tuple[int, int]) -> tuple[int, int]:
        return _check_range(value, 0, 23)


class ActorSpec(_Strict):
    """One actor (or `replicas` independent actors built from this template).

    `--scale` multiplies `replicas`, unless the address pool scales instead.

    `stacks` lists SSH stacks by name; an actor with several uses one per
    session (a multi-tool operator). `sessions` is the number of sessions
    per address, drawn uniformly from the range.
    """

    name: Name
    replicas: int = Field(default=1, ge=1, le=1_000_000)
    stacks: list[str] = Field(min_length=1)
    ips: IpPoolSpec = IpPoolSpec()
    sessions: tuple[int, int] = (1, 3)
    sensors: list[Name] | None = None
    credentials: CredentialSpec = CredentialSpec()
    script: Name | None = None
    payload: PayloadSpec | None = None
    c2: C2Spec | None = None
    typing: TypingSpec = TypingSpec()
    schedule: ScheduleSpec = ScheduleSpec()
    forwards: list[str] = Field(default_factory=list)

    @field_validator("sessions")
    @classmethod
    def _sessions_range(cls, value: tuple[int, int]) -> tuple[int, int]:
        return _check_range(value, 1, 10_000)

    @field_validator("forwards")
    @classmethod
    def _forward_targets(cls, value: list[str]) -> list[str]:
        for target in value:
            host, _, port = target.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"{target!r} is not host:port with a port 1..65535")
        return value


class NoiseSpec(_Strict):
    """A population of unrelated scanners: `count` actors, one address each.

    Each scanner picks one stack from `stacks` (weights in `weights`, equal
    when absent), tries `credentials` and, on success, runs `script`.
    """

    name: Name
    count: int = Field(ge=1, le=10_000_000)
    stacks: list[str] = Field(min_length=1)
    weights: list[float] | None = None
    sessions: tuple[int, int] = (1, 2)
    sensors: list[Name] | None = None
    credentials: CredentialSpec = CredentialSpec(wordlist="common", tries=(1, 6))
    success_rate: float = Field(default=0.1, ge=0.0, le=1.0)
    script: Name | None = "probe"
    schedule: ScheduleSpec = ScheduleSpec()

    @model_validator(mode="after")
    def _weights_match(self) -> NoiseSpec:
        if self.weights is not None:
            if len(self.weights) != len(self.stacks):
                raise ValueError(
                    f"weights has {len(self.weights)} entries but stacks has "
                    f"{len(self.stacks)}; give one weight per stack"
                )
            if any(weight < 0 for weight in self.weights) or sum(self.weights) <= 0:
                raise ValueError("weights must be non-negative with a positive sum")
        return self


class PhaseSpec(_Strict):
    """One step of a campaign: an actor active in a day window.

    `after` names an earlier phase; the phase then starts `gap_days` after
    that phase ends (a handoff) and lasts `length_days`.
    """

    name: Name
    actor: Name
    days: tuple[int, int] | None = None
    after: Name | None = None
    gap_days: int = Field(default=0, ge=0, le=3650)
    length_days: int = Field(default=3, ge=1, le=3650)

    @model_validator(mode="after")
    def _one_timing(self) -> PhaseSpec:
        if self.days is not None and self.after is not None:
            raise ValueError("give either days or after, not both")
        return self


class CampaignSpec(_Strict):
    """Actors that act together; `replicas` independent copies of the operation."""

    name: Name
    replicas: int = Field(default=1, ge=1, le=100_000)
    phases: list[PhaseSpec] = Field(min_length=1)


class Scenario(_Strict):
    """A whole scenario file."""

    name: Name
    description: str = ""
    seed: int = Field(default=1, ge=0)
    start: datetime = datetime(2024, 3, 1, tzinfo=UTC)
    days: int = Field(default=14, ge=1, le=3650)
    sensors: list[SensorSpec] = Field(
        default_factory=lambda: [SensorSpec(name="sensor-a")], min_length=1
    )
    wordlists: dict[Name, list[str]] = Field(default_factory=dict)
    scripts: dict[Name, list[str]] = Field(default_factory=dict)
    exits: list[ExitSpec] = Field(default_factory=list)
    actors: list[ActorSpec] = Field(default_factory=list)
    noise: list[NoiseSpec] = Field(default_factory=list)
    campaigns: list[CampaignSpec] = Field(default_factory=list)

    @field_validator("start")
    @classmethod
    def _aware_start(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def wordlist(self, name: str) -> tuple[str, ...]:
        """Return the wordlist by name, the scenario's own before the built-in."""
        if name in self.wordlists:
            return tuple(self.wordlists[name])
        return WORDLISTS[name]

    def script(self, name: str) -> tuple[str, ...]:
        """Return the script by name, the scenario's own before the built-in."""
        if name in self.scripts:
            return tuple(self.scripts[name])
        return SCRIPTS[name]

    def campaign_members(self) -> dict[str, str]:
        """Map each actor used in a campaign phase to its campaign name."""
        return {
            phase.actor: campaign.name
            for campaign in self.campaigns
            for phase in campaign.phases
        }


Problem = tuple[str, str]


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raise InputError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read scenario {path}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: invalid YAML: {exc}") from None
    return parse_scenario(data, source=str(path))


def parse_scenario(data: Any, *, source: str = "<scenario>") -> Scenario:
    """Validate an already parsed document; `source` names it in errors."""
    if not isinstance(data, dict):
        raise InputError(
            f"{source}: expected a mapping with keys such as name, actors, noise; "
            f"got {type(data).__name__}"
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(_format(source, _pydantic_problems(exc))) from None
    problems = check_references(scenario)
    if problems:
        raise InputError(_format(source, problems))
    return scenario


def _format(source: str, problems: list[Problem]) -> str:
    lines = [f"{source}: {len(problems)} invalid setting(s)"]
    lines += [f"  {path or '(top level)'}: {message}" for path, message in problems]
    return "\n".join(lines)


def _key_path(location: tuple[str | int, ...]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


_EXPECTED = {
    "extra_forbidden": "unknown key; check the spelling against docs/evaluation.md",
    "missing": "required key is missing",
}


def _pydantic_problems(exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        location = tuple(
            part for part in error["loc"] if not str(part).startswith("function-")
        )
        message = _EXPECTED.get(error["type"], error["msg"])
        if error["type"] not in _EXPECTED and "input" in error:
            shown = repr(error["input"])
            message = f"{message} (got {shown[:60]})"
        problems.append((_key_path(location), message))
    return problems


def check_references(scenario: Scenario) -> list[Problem]:
    """Return (key path, message) for every unknown name or impossible setting."""
    problems: list[Problem] = []
    stacks = load_stacks()
    sensors = {sensor.name for sensor in scenario.sensors}
    wordlists = set(WORDLISTS) | set(scenario.wordlists)
    scripts = set(SCRIPTS) | set(scenario.scripts)
    exits = {spec.name: spec for spec in scenario.exits}
    actors = {actor.name: actor for actor in scenario.actors}

    def unique(kind: str, names: list[str]) -> None:
        seen: set[str] = set()
        for index, name in enumerate(names):
            if name in seen:
                problems.append((f"{kind}[{index}].name", f"duplicate name {name!r}"))
            seen.add(name)

    unique("sensors", [sensor.name for sensor in scenario.sensors])
    unique("exits", [spec.name for spec in scenario.exits])
    unique("campaigns", [campaign.name for campaign in scenario.campaigns])
    unique(
        "actors/noise",
        [actor.name for actor in scenario.actors] + [n.name for n in scenario.noise],
    )

    def known(
        path: str, kind: str, name: str, names: set[str] | dict[str, Any]
    ) -> None:
        if name not in names:
            choices = ", ".join(sorted(names)) or "none defined"
            problems.append(
                (path, f"unknown {kind} {name!r}; expected one of {choices}")
            )

    def check_days(path: str, window: tuple[int, int] | None) -> None:
        if window is None:
            return
        if window[0] > window[1] or window[0] < 0 or window[1] >= scenario.days:
            problems.append(
                (
                    path,
                    f"day window {list(window)} must satisfy 0 <= first <= last "
                    f"< days ({scenario.days})",
                )
            )

    def check_credentials(path: str, spec: CredentialSpec) -> None:
        if spec.wordlist is None:
            return
        known(f"{path}.wordlist", "wordlist", spec.wordlist, wordlists)
        if spec.wordlist not in wordlists:
            return
        size = len(scenario.wordlist(spec.wordlist))
        if spec.tries[1] > size:
            problems.append(
                (
                    f"{path}.tries",
                    f"up to {spec.tries[1]} tries but wordlist "
                    f"{spec.wordlist!r} has {size} pairs",
                )
            )

    for index, actor in enumerate(scenario.actors):
        path = f"actors[{index}]"
        for position, stack in enumerate(actor.stacks):
            known(f"{path}.stacks[{position}]", "SSH stack", stack, stacks)
        for position, sensor in enumerate(actor.sensors or []):
            known(f"{path}.sensors[{position}]", "sensor", sensor, sensors)
        for position, exit_name in enumerate(actor.ips.exits):
            known(f"{path}.ips.exits[{position}]", "exit", exit_name, exits)
        if actor.script is not None:
            known(f"{path}.script", "script", actor.script, scripts)
            if actor.script in scripts:
                _check_script(
                    problems, f"{path}.script", scenario.script(actor.script), actor
                )
        check_credentials(f"{path}.credentials", actor.credentials)
        check_days(f"{path}.schedule.days", actor.schedule.days)
        for position, pause in enumerate(actor.schedule.pauses):
            check_days(f"{path}.schedule.pauses[{position}]", pause)

    for index, noise in enumerate(scenario.noise):
        path = f"noise[{index}]"
        for position, stack in enumerate(noise.stacks):
            known(f"{path}.stacks[{position}]", "SSH stack", stack, stacks)
        for position, sensor in enumerate(noise.sensors or []):
            known(f"{path}.sensors[{position}]", "sensor", sensor, sensors)
        if noise.script is not None:
            known(f"{path}.script", "script", noise.script, scripts)
        check_credentials(f"{path}.credentials", noise.credentials)
        check_days(f"{path}.schedule.days", noise.schedule.days)

    members: dict[str, str] = {}
    for index, campaign in enumerate(scenario.campaigns):
        phase_names: list[str] = []
        for position, phase in enumerate(campaign.phases):
            path = f"campaigns[{index}].phases[{position}]"
            known(f"{path}.actor", "actor", phase.actor, actors)
            if phase.actor in members and members[phase.actor] != campaign.name:
                problems.append(
                    (
                        f"{path}.actor",
                        f"actor {phase.actor!r} already belongs to "
                        f"campaign {members[phase.actor]!r}; an actor joins one "
                        "campaign",
                    )
                )
            members[phase.actor] = campaign.name
            if phase.actor in actors and actors[phase.actor].replicas != 1:
                problems.append(
                    (
                        f"{path}.actor",
                        f"actor {phase.actor!r} sets replicas; set "
                        "replicas on the campaign instead",
                    )
                )
            if phase.after is not None and phase.after not in phase_names:
                choices = ", ".join(phase_names) or "none"
                problems.append(
                    (
                        f"{path}.after",
                        f"unknown phase {phase.after!r}; expected an "
                        f"earlier phase of this campaign: {choices}",
                    )
                )
            if phase.name in phase_names:
                problems.append(
                    (f"{path}.name", f"duplicate phase name {phase.name!r}")
                )
            check_days(f"{path}.days", phase.days)
            phase_names.append(phase.name)

    for index, spec in enumerate(scenario.exits):
        users = [
            f"actors[{position}]"
            for position, actor in enumerate(scenario.actors)
            if spec.name in actor.ips.exits
        ]
        instances = sum(
            actor.replicas for actor in scenario.actors if spec.name in actor.ips.exits
        )
        users_text = ", ".join(users) or "none"
        if instances != spec.shared_by:
            problems.append(
                (
                    f"exits[{index}].shared_by",
                    f"declares {spec.shared_by} actors but "
                    f"{instances} use exit {spec.name!r} ({users_text}); "
                    "make the two agree",
                )
            )
    return problems


def _check_script(
    problems: list[Problem], path: str, commands: tuple[str, ...], actor: ActorSpec
) -> None:
    for line in commands:
        for name in PLACEHOLDER.findall(line):
            if name not in PLACEHOLDERS:
                problems.append(
                    (
                        path,
                        f"unknown placeholder {{{name}}} in {line!r}; expected one "
                        f"of {', '.join(sorted(PLACEHOLDERS))}",
                    )
                )
            elif name == "url" and actor.payload is None:
                problems.append(
                    (
                        path,
                        f"script uses {{url}} but actor {actor.name!r} has no payload",
                    )
                )
            elif name in ("c2", "c2_port") and actor.c2 is None:
                problems.append(
                    (path, f"script uses {{{name}}} but actor {actor.name!r} has no c2")
                )
            elif (
                name == "url"
                and actor.payload
                and actor.payload.url is None
                and actor.c2 is None
            ):
                problems.append(
                    (
                        path,
                        f"payload of actor {actor.name!r} has no url and the actor "
                        "has no c2 to serve it from",
                    )
                )
