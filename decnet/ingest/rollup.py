"""Observation summaries and features, recomputed from the observation's sessions.

The rollup is a pure function of the stored session rows, so it gives the
same result however the events were batched, and rerunning it changes
nothing. Features count each value once per session; `occurrences` is the
number of sessions that carried the value.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from decnet import features as fk
from decnet.ingest.session import credential_set_value, from_iso
from decnet.ingest.simhash import majority, to_hex
from decnet.netaddr import is_private

# More distinct client stacks (HASSH, else banner) than this within the
# window from one address means several unrelated clients share it.
MULTI_STACK_MIN = 3
MULTI_STACK_WINDOW = timedelta(minutes=10)


@dataclass(slots=True)
class FeatureStats:
    """How often, and when, an observation carried one feature value."""

    occurrences: int
    first_seen_at: datetime
    last_seen_at: datetime


class Rollup:
    """Folds the session rows of one observation into its summary and features.

    Rows are added one at a time, in any order, so a caller can stream
    them from the database without holding them all. The result does not
    depend on the order: sums are exact (`math.fsum`) and sets are sorted.
    """

    def __init__(self, ip: str) -> None:
        self.ip = ip
        self.found: dict[tuple[str, str], FeatureStats] = {}
        self.hours = [0] * 24
        self.services: set[str] = set()
        self.sensors: set[str] = set()
        self.credentials: set[str] = set()
        self.typed: list[int] = []
        self.stacks: list[tuple[datetime, str]] = []
        self.durations: list[float] = []
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.sessions = self.events = self.logins = self.commands = 0
        self.mismatches = 0
        self.gateway = False

    def add(self, row: Mapping[str, Any]) -> None:
        """Fold one `attacker_sessions` row (a mapping with `state`)."""
        state = row["state"]
        start = from_iso(state["first_at"])
        end = from_iso(state["last_at"])
        if self.first is None or start < self.first:
            self.first = start
        if self.last is None or end > self.last:
            self.last = end
        self.sessions += 1
        self.events += row["event_count"] or 0
        self.logins += state.get("login_successes", 0)
        self.commands += state.get("command_total", 0)
        self.mismatches += state.get("hassh_mismatches", 0)
        if row["duration_s"] is not None:
            self.durations.append(row["duration_s"])
        hours = state.get("hours")
        if hours:
            self.hours = [a + b for a, b in zip(self.hours, hours, strict=True)]
        if row["protocol"]:
            self.services.add(row["protocol"])
        self.sensors.add(row["sensor"])
        stack = row["hassh"] or row["client_version"]
        if stack:
            self.stacks.append((start, stack))
        if _is_gateway(self.ip, state.get("dst_ip")):
            self.gateway = True
        if row["input_typed"] and row["kd_digraph_simhash"]:
            self.typed.append(int.from_bytes(row["kd_digraph_simhash"], "big"))
        found = self.found
        for kind, value in state.get("features", []):
            if kind == fk.CREDENTIAL:
                self.credentials.add(value)
            stats = found.get((kind, value))
            if stats is None:
                found[(kind, value)] = FeatureStats(1, start, end)
            else:
                stats.occurrences += 1
                stats.first_seen_at = min(stats.first_seen_at, start)
                stats.last_seen_at = max(stats.last_seen_at, end)

    def result(self) -> tuple[dict[str, Any], dict[tuple[str, str], FeatureStats]]:
        """Return the `attackers` columns and the features (see `summarise`)."""
        found = dict(self.found)
        first, last = self.first, self.last
        if len(self.credentials) >= 2 and first and last:
            value = credential_set_value(self.credentials)
            found[(fk.CREDENTIAL_SET, value)] = FeatureStats(1, first, last)
        kd = majority(self.typed)
        if kd is not None and first and last:
            found[(fk.KD_SIMHASH, to_hex(kd))] = FeatureStats(
                len(self.typed), first, last
            )

        def values(kind: str) -> list[str]:
            return sorted(value for k, value in found if k == kind)

        columns: dict[str, Any] = {
            "first_seen_at": first,
            "last_seen_at": last,
            "session_count": self.sessions,
            "event_count": self.events,
            "credential_count": len(self.credentials),
            "login_success_count": self.logins,
            "command_count": self.commands,
            "services": sorted(self.services) or None,
            "sensors": sorted(self.sensors) or None,
            "client_versions": values(fk.CLIENT_VERSION) or None,
            "hassh_hashes": values(fk.HASSH) or None,
            "ja3_hashes": values(fk.JA3) or None,
            "payload_sha256": values(fk.PAYLOAD_SHA256) or None,
            "c2_endpoints": values(fk.C2_ENDPOINT) or None,
            "active_hours": self.hours if any(self.hours) else None,
            "kd_digraph_simhash": kd.to_bytes(8, "big") if kd is not None else None,
            "kd_typed_sessions": len(self.typed),
            "hassh_mismatch_count": self.mismatches,
            "duration_s_total": (
                round(math.fsum(self.durations), 6) if self.durations else None
            ),
            "is_private": is_private(self.ip),
            "is_gateway": self.gateway,
            "multi_stack": _multi_stack(self.stacks),
        }
        return columns, found


def summarise(
    ip: str, rows: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, Any], dict[tuple[str, str], FeatureStats]]:
    """Return the `attackers` columns and the features of one observation.

    `rows` are the observation's `attacker_sessions` rows as mappings (with
    `state`), in any order. An observation without sessions gets zero counts.
    """
    rollup = Rollup(ip)
    for row in rows:
        rollup.add(row)
    return rollup.result()


@lru_cache(maxsize=65_536)
def _is_gateway(ip: str, sensor_ip: str | None) -> bool:
    """Tell whether `ip` is the sensor's own address or its /24 gateway (.1/.254)."""
    if not sensor_ip:
        return False
    if ip == sensor_ip:
        return True
    try:
        source = ipaddress.ip_address(ip)
        sensor = ipaddress.ip_address(sensor_ip)
    except ValueError:
        return False
    if source.version != 4 or sensor.version != 4:
        return False
    same_net = source.packed[:3] == sensor.packed[:3]
    return same_net and source.packed[3] in (1, 254)


def _multi_stack(stacks: list[tuple[datetime, str]]) -> bool:
    """Tell whether MULTI_STACK_MIN distinct stacks appear within the window."""
    if len({stack for _, stack in stacks}) < MULTI_STACK_MIN:
        return False
    stacks = sorted(stacks)
    start = 0
    window: dict[str, int] = {}
    for moment, stack in stacks:
        window[stack] = window.get(stack, 0) + 1
        while moment - stacks[start][0] > MULTI_STACK_WINDOW:
            old = stacks[start][1]
            window[old] -= 1
            if not window[old]:
                del window[old]
            start += 1
        if len(window) >= MULTI_STACK_MIN:
            return True
    return False
