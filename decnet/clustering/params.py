"""Model parameters of the identity clusterer, with their documented defaults.

Every probability here is a property of attacker behaviour, not of one data
set, and the same values serve every fleet and every evaluation scenario.
`docs/clustering.md` explains where each default comes from. Override them
with a JSON file (`decnet cluster --params FILE`) or `ModelParams.replace`.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pydantic

from decnet import features
from decnet.clustering.derived import C2_DOMAIN, DERIVED_KINDS
from decnet.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class KindParams:
    """Evidence parameters of one feature kind.

    `m` is the chance that the same actor shows the same value again on
    another of its observations when both carry the kind. `max_bits` caps
    the agreement weight of the kind, because some values are rare in one
    fleet yet public everywhere (wordlists, code forges). `hamming` is the
    largest Hamming distance that still counts as agreement for SimHash kinds.
    """

    m: float
    max_bits: float = 64.0
    hamming: int = 0
    near_penalty_bits: float = 1.0


# Kinds that measure one thing (the client software, the credentials, the
# command script, the payload file) form one comparison: a pair scores only
# the heaviest agreement of the group, or, when no kind of the group agrees,
# its strongest disagreement. Counting them apart would count one fact twice.
DEFAULT_GROUPS: dict[str, str] = {
    features.HASSH: "tooling",
    features.CLIENT_VERSION: "tooling",
    features.JA3: "tooling",
    features.JA4: "tooling",
    features.CREDENTIAL: "credentials",
    features.LOGIN_SUCCESS: "credentials",
    features.CREDENTIAL_SET: "credentials",
    features.COMMAND_SIMHASH: "commands",
    features.COMMAND_SHINGLE: "commands",
    features.PAYLOAD_SHA256: "payload",
    features.PAYLOAD_SIMHASH: "payload",
    features.C2_ENDPOINT: "c2",
    C2_DOMAIN: "c2",
}

DEFAULT_KINDS: dict[str, KindParams] = {
    features.HASSH: KindParams(m=0.95, max_bits=6.0),
    features.CLIENT_VERSION: KindParams(m=0.95, max_bits=6.0),
    features.JA3: KindParams(m=0.5, max_bits=4.0),
    features.JA4: KindParams(m=0.9, max_bits=6.0),
    features.SSH_PUBKEY: KindParams(m=0.6),
    features.CREDENTIAL: KindParams(m=0.8, max_bits=3.0),
    features.LOGIN_SUCCESS: KindParams(m=0.6, max_bits=3.0),
    features.CREDENTIAL_SET: KindParams(m=0.5, max_bits=3.0),
    features.PAYLOAD_SHA256: KindParams(m=0.5),
    features.PAYLOAD_SIMHASH: KindParams(m=0.6, hamming=3),
    features.COMMAND_SIMHASH: KindParams(m=0.7, max_bits=12.0, hamming=3),
    features.COMMAND_SHINGLE: KindParams(m=0.9, max_bits=8.0),
    features.C2_ENDPOINT: KindParams(m=0.5),
    C2_DOMAIN: KindParams(m=0.6),
    features.PUBLIC_ENDPOINT: KindParams(m=0.3, max_bits=2.0),
    features.FORWARD_TARGET: KindParams(m=0.4, max_bits=8.0),
    features.KD_SIMHASH: KindParams(m=0.5, max_bits=16.0, hamming=6),
}


@dataclasses.dataclass(frozen=True)
class ModelParams:
    """Everything that decides whether two observations are the same hands.

    The posterior odds of a pair are the prior odds times the product of the
    likelihood ratios of its features; in bits, `prior_bits(n) + sum of
    weights`. A pair is linked when its posterior reaches `link_probability`.
    The prior of a random pair is `partners_per_observation / (n - 1)`: the
    expected number of other observations of the same actor, spread over
    every other observation.
    """

    kinds: Mapping[str, KindParams] = dataclasses.field(
        default_factory=lambda: dict(DEFAULT_KINDS)
    )
    partners_per_observation: float = 2.0
    link_probability: float = 0.95
    # A bridge link that alone joins two groups of two or more observations
    # together must reach the threshold by this margin, in bits.
    cohesion_margin_bits: float = 6.0
    # Values carried by more observations than this are compared inside a
    # sliding window of `window` neighbours instead of pair by pair.
    block_size: int = 48
    window: int = 12
    # Values carried by more than this share of observations are never used
    # to find candidates (they still weigh in the scoring of found pairs).
    max_share: float = 0.05
    tooling_kinds: frozenset[str] = features.TOOLING_KINDS
    # Kinds on which two different values count against a link when both
    # observations carry the kind: the client software, and the password
    # that worked, which an actor keeps (`m`) while scanners that share a
    # wordlist each stop at a different one.
    disagreement_kinds: frozenset[str] = features.TOOLING_KINDS | {
        features.LOGIN_SUCCESS
    }
    # Kinds whose value set shows what client software an observation runs;
    # an observation with two or more values of one of them is multi-stack.
    stack_kinds: frozenset[str] = frozenset({features.HASSH, features.CLIENT_VERSION})
    groups: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: dict(DEFAULT_GROUPS)
    )
    # Kinds a campaign shares between its operators (C2, payload builds,
    # public downloads); when the client software of a pair disagrees they
    # add at most `campaign_bits_on_tooling_conflict` bits.
    campaign_kinds: frozenset[str] = frozenset(
        {
            features.C2_ENDPOINT,
            C2_DOMAIN,
            features.PAYLOAD_SHA256,
            features.PAYLOAD_SIMHASH,
            features.PUBLIC_ENDPOINT,
        }
    )
    campaign_bits_on_tooling_conflict: float = 0.0
    # Rounds of re-estimation: each leaves out of a value's carriers those the
    # previous round put with the pair, so one actor's many addresses do not
    # make its own values look common. The model stops early once a round
    # changes no part.
    reestimation_rounds: int = 8

    def group(self, kind: str) -> str:
        """Return the comparison group of `kind` (a kind of its own by default)."""
        return self.groups.get(kind, kind)

    def group_count(self) -> int:
        """Return the number of comparisons the model scores."""
        return len({self.group(kind) for kind in self.kinds})

    def kind(self, kind: str) -> KindParams | None:
        """Return the parameters of `kind`, or None when the kind is ignored."""
        return self.kinds.get(kind)

    def prior_bits(self, n: int) -> float:
        """Return the log2 prior odds that two random observations match."""
        if n < 2:
            return 0.0
        prior = min(self.partners_per_observation / (n - 1), 0.5)
        return math.log2(prior / (1.0 - prior))

    def threshold_bits(self) -> float:
        """Return the log2 posterior odds a link needs."""
        p = self.link_probability
        return math.log2(p / (1.0 - p))

    def replace(self, **changes: Any) -> ModelParams:
        """Return a copy with the given fields replaced."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as plain JSON-ready values."""
        data = dataclasses.asdict(self)
        data["kinds"] = {k: dataclasses.asdict(v) for k, v in self.kinds.items()}
        data["tooling_kinds"] = sorted(self.tooling_kinds)
        data["stack_kinds"] = sorted(self.stack_kinds)
        data["campaign_kinds"] = sorted(self.campaign_kinds)
        data["disagreement_kinds"] = sorted(self.disagreement_kinds)
        data["groups"] = dict(sorted(self.groups.items()))
        return data


# Upper bounds that keep candidate generation within memory. A group of
# `block_size` carriers proposes about block_size² / 2 pairs, and a larger
# group proposes `window` pairs per carrier. A window of 100,000,000
# exhausted the 24 GB of the machine it ran on.
# NOTE: the bounds are about twenty times the defaults, not measured limits.
MAX_BLOCK_SIZE = 1_000
MAX_WINDOW = 200
MAX_REESTIMATION_ROUNDS = 100


def load_params(path: Path | None) -> ModelParams:
    """Read parameters from a JSON file over the defaults; None gives the defaults.

    The file contains any subset of `ModelParams.to_dict()`; a `kinds` entry
    replaces only the fields it names. Raises ConfigError naming the file
    and the field at fault.
    """
    params = ModelParams()
    if path is None:
        return params
    try:
        data = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigError(
            f"cannot read clusterer parameters from {path}: {exc}; "
            'expected a JSON object such as {"link_probability": 0.99}'
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"clusterer parameters in {path} must be a JSON object")
    return _apply(params, data, path)


def _checked(cls: type, data: Any, where: str, path: Path) -> dict[str, Any]:
    """Return `data` with each field converted to its type in dataclass `cls`.

    Raises ConfigError naming the file, the field and the expected type, or
    listing the valid fields when one is unknown.
    """
    if not isinstance(data, dict):
        raise ConfigError(
            f"{where} in {path} must be a JSON object, got {type(data).__name__}"
        )
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    checked: dict[str, Any] = {}
    for name, value in data.items():
        if name not in names:
            raise ConfigError(
                f"unknown field {name!r} in {where} in {path}; "
                f"valid fields: {', '.join(sorted(names))}"
            )
        invalid = ConfigError(
            f"invalid value {value!r} for {name!r} in {where} in {path}: "
            f"expected {_type_name(hints[name])}"
        )
        # pydantic would take JSON true and "7" as the numbers 1 and 7.
        if hints[name] in (int, float) and isinstance(value, bool | str):
            raise invalid
        try:
            checked[name] = pydantic.TypeAdapter(hints[name]).validate_python(value)
        except pydantic.ValidationError:
            raise invalid from None
    return checked


def _type_name(hint: Any) -> str:
    """Return a short readable name of a field type for error messages."""
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def _apply(params: ModelParams, data: dict[str, Any], path: Path) -> ModelParams:
    kinds = dict(params.kinds)
    raw_kinds = data.pop("kinds", {})
    if not isinstance(raw_kinds, dict):
        raise ConfigError(
            f"'kinds' in {path} must be a JSON object of kind names, "
            f"got {type(raw_kinds).__name__}"
        )
    for name, fields in raw_kinds.items():
        if name not in features.ALL_KINDS | DERIVED_KINDS:
            raise ConfigError(f"unknown feature kind {name!r} in {path}")
        base = kinds.get(name, KindParams(m=0.5))
        changes = _checked(KindParams, fields, f"kind {name!r}", path)
        kinds[name] = dataclasses.replace(base, **changes)
    result = params.replace(
        kinds=kinds, **_checked(ModelParams, data, "the top level", path)
    )
    _check_ranges(result, path)
    _check_kind_names(result, path)
    return result


def _check_ranges(params: ModelParams, path: Path) -> None:
    """Raise ConfigError naming the field, its value and the allowed range
    when a number is out of range."""
    checks: list[tuple[str, float, bool, str]] = []
    for name, kind in params.kinds.items():
        checks += [
            (f"m of kind {name!r}", kind.m, 0.0 < kind.m < 1.0, "in (0, 1)"),
            (f"max_bits of kind {name!r}", kind.max_bits, kind.max_bits > 0, "> 0"),
            (
                f"hamming of kind {name!r}",
                kind.hamming,
                0 <= kind.hamming <= 63,
                "in 0..63",
            ),
            (
                f"near_penalty_bits of kind {name!r}",
                kind.near_penalty_bits,
                kind.near_penalty_bits >= 0,
                ">= 0",
            ),
        ]
    p = params
    checks += [
        (
            "link_probability",
            p.link_probability,
            0.5 < p.link_probability < 1.0,
            "in (0.5, 1)",
        ),
        (
            "partners_per_observation",
            p.partners_per_observation,
            p.partners_per_observation > 0,
            "> 0",
        ),
        (
            "block_size",
            p.block_size,
            2 <= p.block_size <= MAX_BLOCK_SIZE,
            f"in 2..{MAX_BLOCK_SIZE}",
        ),
        ("window", p.window, 1 <= p.window <= MAX_WINDOW, f"in 1..{MAX_WINDOW}"),
        ("max_share", p.max_share, 0.0 < p.max_share <= 1.0, "in (0, 1]"),
        (
            "cohesion_margin_bits",
            p.cohesion_margin_bits,
            p.cohesion_margin_bits >= 0,
            ">= 0",
        ),
        (
            "campaign_bits_on_tooling_conflict",
            p.campaign_bits_on_tooling_conflict,
            p.campaign_bits_on_tooling_conflict >= 0,
            ">= 0",
        ),
        (
            "reestimation_rounds",
            p.reestimation_rounds,
            0 <= p.reestimation_rounds <= MAX_REESTIMATION_ROUNDS,
            f"in 0..{MAX_REESTIMATION_ROUNDS}",
        ),
    ]
    for name, value, ok, allowed in checks:
        if not ok:
            raise ConfigError(f"{name} is {value!r} in {path}; it must be {allowed}")


def _check_kind_names(params: ModelParams, path: Path) -> None:
    """Raise ConfigError when a kind list or the groups name an unknown kind."""
    known = features.ALL_KINDS | DERIVED_KINDS
    named = {
        "tooling_kinds": params.tooling_kinds,
        "disagreement_kinds": params.disagreement_kinds,
        "stack_kinds": params.stack_kinds,
        "campaign_kinds": params.campaign_kinds,
        "groups": params.groups.keys(),
    }
    for field, kinds in named.items():
        unknown = sorted(set(kinds) - known)
        if unknown:
            raise ConfigError(
                f"unknown feature kind {unknown[0]!r} in {field} in {path}; "
                f"known kinds: {', '.join(sorted(known))}"
            )
